#pragma once

#include "training/trainingsignals.h"

#include "train/config.h"

#include <QString>
#include <QStringList>
#include <QTimer>

#include <algorithm>
#include <memory>

namespace pds {

class EventForwarder;
class EventLogTail;
struct CompareConfig;
struct JobEnd;
struct JobHeader;
struct SweepConfig;

/// The GUI side of training. Every job runs detached, in a `pdepth` process
/// of its own session (found beside this program, or at $PDS_PDEPTH), so it
/// trains on when the Studio closes or dies; the runner follows it through
/// its event log beside the output (`<output>.events`) and re-emits its
/// progress as TrainingSignals on the GUI thread. A later runner attaches to
/// it again. One job at a time.
class TrainingRunner : public TrainingSignals {
    Q_OBJECT
public:
    explicit TrainingRunner(QObject *parent = nullptr);
    /// Stops following; the job trains on (attach() finds it again).
    ~TrainingRunner() override;

    /// Validates `config` and starts it: a study when it has more than one
    /// model, else a single run (with probes if configured). False with a
    /// readable `error` when the config is invalid, pdepth is missing or a
    /// job is followed already.
    bool start(const RunConfig &config, QString *error = nullptr);
    /// Validates `sweep` and starts `pdepth sweep` on it, members at once as
    /// for a study; the finished sweep file is reported like a study's.
    bool startSweep(const SweepConfig &sweep, QString *error = nullptr);
    /// The sweep's own `pdepth sweep` arguments (--sizes, --distill,
    /// --temperature, --alpha, --delta, --z); the rest is its base configuration file.
    static QStringList sweepArguments(const SweepConfig &sweep);
    /// Checks `comparison` (checkComparison) and starts `pdepth compare` on it,
    /// members at once as for a study; the finished comparison file is
    /// reported like a study's.
    bool startComparison(const CompareConfig &comparison, QString *error = nullptr);
    /// The comparison's own `pdepth compare` arguments (--regimes, --transfer…,
    /// --bootstrap); the rest is its base configuration file.
    static QStringList compareArguments(const CompareConfig &comparison);
    /// Members the next studies train at once, each in its own `pdepth`
    /// process; 1, the default, trains them one after another in the study's
    /// process. Either way every member's curves are shown live.
    void setConcurrentMembers(int members) { m_concurrentMembers = std::max(1, members); }
    int concurrentMembers() const { return m_concurrentMembers; }
    /// Continues an interrupted run (its file or `.part` file), or a study or
    /// sweep that stopped before it merged its members (its output path), from the
    /// configuration it left beside that path.
    bool resume(const QString &path, QString *error = nullptr);
    /// Follows the job that writes `output` (or its `.part`), started by this
    /// or an earlier Studio: a live one from where it stands (its curves so
    /// far replayed), one that ended since by how it ended, one whose process
    /// is gone without an end as failed, saying how to resume it.
    bool attach(const QString &output, QString *error = nullptr);
    /// Asks the job to stop (SIGINT to its process group); it ends within a
    /// second or so, its file kept valid and resumable.
    void cancel();
    bool isRunning() const { return m_running; }
    /// The file the current (or last) job writes when it completes.
    QString outputPath() const { return m_output; }
    /// The process of the job followed now (0 when none).
    qint64 jobProcess() const { return m_pid; }

    /// The pdepth program jobs run in: $PDS_PDEPTH, else `pdepth` beside this program.
    static QString pdepthProgram();

Q_SIGNALS:
    /// A job was accepted (or joined); `output` is the file it writes when it completes.
    void started(const QString &output);

private:
    /// Writes `config` beside its output and launches `pdepth <command>` on it with `extra` arguments.
    bool startJob(const RunConfig &config, const QString &command, const QStringList &extra, JobHeader header,
                  QString *error);
    /// True, with the reason in `error`, while a job is followed.
    bool refuseWhileRunning(QString *error) const;
    bool launch(const QStringList &arguments, const JobHeader &header, QString *error);
    void follow(const JobHeader &header, bool replay);
    void poll();
    void ended(const JobEnd &end);

    QTimer m_poll;
    std::unique_ptr<EventLogTail> m_tail;
    std::unique_ptr<EventForwarder> m_forwarder;
    QString m_output;
    qint64 m_pid = 0;
    bool m_study = false;
    bool m_concurrent = false;
    bool m_running = false;
    bool m_replaying = false;
    int m_models = 1;
    int m_concurrentMembers = 1;
};

} // namespace pds
