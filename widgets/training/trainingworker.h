#pragma once

// The worker and its input: a TrainingJob is what TrainingRunner hands the
// worker, so it lives beside it. The runner is in trainingrunner.h.

#include "training/trainingsignals.h"

#include "train/config.h"
#include "train/job.h"

#include <QString>

#include <memory>
#include <string>

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

/// Runs a core job on the thread it lives on and reports by the signals of
/// TrainingSignals (queued across threads). It never touches widgets; the
/// core creates its own no-grad guards on this thread.
class TrainingWorker : public TrainingSignals {
    Q_OBJECT
public:
    using TrainingSignals::TrainingSignals;

    /// Runs `job` to its end; emits exactly one of finished, cancelled, failed.
    void execute(const TrainingJob &job);
};

} // namespace pds
