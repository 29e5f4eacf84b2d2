#pragma once

#include "study/eventchannel.h"

#include <QString>

#include <string>

namespace pds {

class TrainingSignals;

/// Turns the typed events of a job that runs in a process of its own (read
/// from its event log) into the signals of TrainingSignals, as the Studio's
/// views expect them: every progress report names the study's model, reports
/// come at most every 50 ms between milestones, and the files of members that
/// train at once are not followed (the views would jump between them).
class EventForwarder : public JobObserver {
public:
    /// `models`: the study's size (1 for a run); `concurrent`: members at once.
    EventForwarder(TrainingSignals *target, bool study, int models, int concurrent);

    void progress(const Progress &p) override;
    void epochFinished(int model, const EpochCurve &c) override;
    void fileCommitted(int model, const std::string &path) override;
    void memberStarted(const MemberEvent &e) override;
    void memberFinished(const MemberEvent &e) override;
    void message(const std::string &text) override;

    /// While replaying the log of a job joined late, file updates are only
    /// noted: the views need the newest file once, not every one it had.
    void setReplaying(bool replaying) { m_replaying = replaying; }
    /// The member that trains now (one at a time).
    int member() const { return m_member; }
    /// The file the job last committed or finished; empty when none yet.
    QString lastFile() const { return QString::fromStdString(m_lastFile); }

private:
    void fileUpdated(const std::string &path);

    TrainingSignals *m_target;
    bool m_study;
    bool m_concurrent;
    int m_models;
    int m_member = 0;
    bool m_replaying = false;
    std::string m_lastFile;
    ProgressThrottle m_throttle;
};

} // namespace pds
