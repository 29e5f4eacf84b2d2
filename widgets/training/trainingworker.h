#pragma once

#include "train/config.h"
#include "train/job.h"

#include <QMetaType>
#include <QObject>
#include <QString>
#include <QThread>

#include <algorithm>
#include <memory>
#include <string>

Q_DECLARE_METATYPE(pds::Progress)

namespace pds {

/// One job for the worker: a new run, a study, or resuming a run file.
struct TrainingJob {
    enum class Kind { Run, Study, Resume };
    Kind kind = Kind::Run;
    RunConfig config;                   ///< Run and Study
    QString path;                       ///< Resume: the run file or its .part
    std::shared_ptr<CancelToken> cancel; ///< one per job: a token cannot be reset
    /// Study: members trained at once, each in a process of `memberExecutable`
    /// (pdepth); 1 trains them one after another on the worker's thread.
    int concurrentMembers = 1;
    std::string memberExecutable;
};

/// Runs a core job on the thread it lives on and reports by signal (queued
/// across threads). It never touches widgets; the core creates its own
/// no-grad guards on this thread.
class TrainingWorker : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    /// Runs `job` to its end; emits exactly one of finished, cancelled, failed.
    void execute(const TrainingJob &job);

Q_SIGNALS:
    void progress(const pds::Progress &progress);
    void epochFinished(int model, int epoch, double trainLoss, double trainAccuracy, double testLoss,
                       double testAccuracy);
    void fileUpdated(const QString &path);
    void message(const QString &text);
    void finished(const QString &path);
    void cancelled(const QString &path);
    void failed(const QString &message);
};

/// The GUI side of training: owns the worker thread, starts jobs on it and
/// re-emits the worker's signals on the GUI thread. One job at a time.
class TrainingRunner : public QObject {
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
    void started(const QString &output);
    void progress(const pds::Progress &progress);
    void epochFinished(int model, int epoch, double trainLoss, double trainAccuracy, double testLoss,
                       double testAccuracy);
    /// The file now holding the newest state (a `.part` file while training), for live reloading.
    void fileUpdated(const QString &path);
    void message(const QString &text);
    /// The job completed; `path` is the finished run or study file.
    void finished(const QString &path);
    /// The job was cancelled; `path` is the file left behind (valid, status incomplete).
    void cancelled(const QString &path);
    /// The job failed; `message` says why (bad data, divergence, unwritable output ...).
    void failed(const QString &message);

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
