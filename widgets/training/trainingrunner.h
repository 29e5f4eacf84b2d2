#pragma once

#include "training/trainingworker.h"

#include <QString>
#include <QThread>

#include <algorithm>
#include <memory>

namespace pds {

/// The GUI side of training: owns the worker thread, starts jobs on it and
/// re-emits the worker's signals (TrainingSignals) on the GUI thread. One
/// job at a time.
class TrainingRunner : public TrainingSignals {
    Q_OBJECT
public:
    explicit TrainingRunner(QObject *parent = nullptr);
    /// Cancels a running job and waits for the thread to finish it.
    ~TrainingRunner() override;

    /// Validates `config` and starts it: a study when it has more than one
    /// model, else a single run (with probes if configured). False with a
    /// readable `error` when the config is invalid or a job is running.
    bool start(const RunConfig &config, QString *error = nullptr);
    /// Members the next studies train at once, each in its own `pdepth`
    /// process (found beside this program, or at $PDS_PDEPTH); 1, the
    /// default, trains them one after another in this process, with live
    /// progress. Members in processes appear in the views as each finishes.
    void setConcurrentMembers(int members) { m_concurrentMembers = std::max(1, members); }
    int concurrentMembers() const { return m_concurrentMembers; }
    /// Continues an interrupted run (its file or `.part` file).
    bool resume(const QString &path, QString *error = nullptr);
    /// Asks the job to stop; the core checks every batch, so it ends within a second.
    void cancel();
    bool isRunning() const { return m_running; }
    /// The file the current (or last) job writes when it completes.
    QString outputPath() const { return m_output; }

Q_SIGNALS:
    /// A job was accepted; `output` is the file it writes when it completes.
    void started(const QString &output);

private:
    bool launch(TrainingJob job, const QString &output, QString *error);
    void jobEnded();

    QThread m_thread;
    TrainingWorker *m_worker = nullptr;
    std::shared_ptr<CancelToken> m_cancel;
    QString m_output;
    bool m_running = false;
    int m_concurrentMembers = 1;
};

} // namespace pds
