#include "training/trainingworker.h"

#include "store/runformat.h"
#include "store/runwriter.h"
#include "store/schema.h"
#include "study/memberprocess.h"
#include "study/study.h"
#include "train/runjob.h"
#include "util/error.h"

#include <chrono>
#include <optional>

namespace pds {

namespace {

using Clock = std::chrono::steady_clock;

/// Forwards a core job's typed events as the worker's signals. Runs on the
/// job's thread (or, for members in processes, on a study's threads, one call
/// at a time); Qt queues the signals to the GUI thread.
class ForwardingObserver : public JobObserver {
public:
    ForwardingObserver(TrainingWorker *worker, bool study, int models, bool concurrent)
        : m_worker(worker), m_study(study), m_concurrent(concurrent), m_models(models)
    {
    }

    void progress(const Progress &p) override
    {
        Progress q = p;
        // Reports from outside a study's trainer carry no member index.
        if (m_study && q.models != m_models) {
            q.model = m_member;
            q.models = m_models;
        }
        // The core reports a few times a second while training; the probe stage and
        // a fast GPU can report far more often than a progress bar needs.
        const auto now = Clock::now();
        const bool milestone = q.phase != m_lastPhase || q.model != m_lastModel || (q.steps > 0 && q.step == q.steps);
        if (!milestone && now - m_lastEmit < std::chrono::milliseconds(50))
            return;
        m_lastEmit = now;
        m_lastPhase = q.phase;
        m_lastModel = q.model;
        Q_EMIT m_worker->progress(q);
    }

    void epochFinished(int model, const EpochCurve &c) override
    {
        // Members in processes of their own train side by side; the Studio
        // shows their files as each finishes, not their curves live.
        if (m_concurrent)
            return;
        Q_EMIT m_worker->epochFinished(model, c.epoch, c.trainLoss, c.trainAccuracy, c.testLoss, c.testAccuracy);
    }

    void fileCommitted(int, const std::string &path) override
    {
        m_lastFile = path;
        // Following files of members that run at once would switch the views
        // from one member to another with every epoch.
        if (!m_concurrent)
            Q_EMIT m_worker->fileUpdated(QString::fromStdString(path));
    }

    void memberStarted(const MemberEvent &e) override
    {
        if (!m_concurrent)
            m_member = e.member;
    }

    void memberFinished(const MemberEvent &e) override
    {
        m_lastFile = e.path;
        // A stopped member's file is announced by the cancellation.
        if (e.outcome != MemberEvent::Outcome::Stopped)
            Q_EMIT m_worker->fileUpdated(QString::fromStdString(e.path));
    }

    void message(const std::string &text) override { Q_EMIT m_worker->message(QString::fromStdString(text)); }

    int member() const { return m_member; }
    /// The file the job last committed or finished; empty when none yet.
    QString lastFile() const { return QString::fromStdString(m_lastFile); }

private:
    TrainingWorker *m_worker;
    bool m_study;
    bool m_concurrent;
    int m_models;
    int m_member = 0;
    std::string m_lastFile;
    std::optional<JobPhase> m_lastPhase;
    int m_lastModel = -1;
    Clock::time_point m_lastEmit;
};

} // namespace

void TrainingWorker::execute(const TrainingJob &job)
{
    const bool study = job.kind == TrainingJob::Kind::Study;
    const bool concurrent = study && job.concurrentMembers > 1;
    ForwardingObserver observer(this, study, study ? job.config.study.models : 1, concurrent);
    const CancelToken &cancel = *job.cancel;
    try {
        if (study) {
            StudyJob studyJob(job.config);
            if (concurrent)
                studyJob.setMemberRunner(childProcessRunner(job.memberExecutable), job.concurrentMembers);
            const StudyResult r = studyJob.run(&observer, cancel);
            if (r.status == runformat::kStatusComplete)
                Q_EMIT finished(QString::fromStdString(r.output));
            else
                Q_EMIT cancelled(observer.lastFile());
            return;
        }
        const JobResult r = job.kind == TrainingJob::Kind::Resume
                                ? RunJob::resume(job.path.toStdString(), &observer, cancel)
                                : RunJob(job.config).run(&observer, cancel);
        if (r.status == runformat::kStatusComplete)
            Q_EMIT finished(QString::fromStdString(r.outputPath));
        else
            Q_EMIT cancelled(QString::fromStdString(r.outputPath));
    } catch (const CancelledError &) {
        // Cancelled before a member ended: its last committed file is left behind, if any.
        Q_EMIT cancelled(observer.lastFile());
    } catch (const std::exception &e) {
        QString text = QString::fromStdString(e.what());
        // Members in processes name themselves in their errors.
        if (study && !concurrent)
            text = QStringLiteral("model %1 (of %2): %3")
                       .arg(QString::fromStdString(schema::modelName(observer.member())))
                       .arg(job.config.study.models)
                       .arg(text);
        Q_EMIT failed(text);
    } catch (...) {
        Q_EMIT failed(tr("training stopped with an unknown error"));
    }
}

} // namespace pds
