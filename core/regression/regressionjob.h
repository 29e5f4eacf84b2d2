#pragma once

#include "train/config.h"
#include "train/job.h"
#include "train/runjob.h"

namespace pds {

/// `pdepth train --task regression`: builds the regression data (rotation
/// benchmark or target folder), adds target noise, trains one regressor per
/// selection method (ConFrag with its experts, small-loss, none, clean) and
/// writes a regression run file, one committed epoch at a time. Errors found
/// before training (bad settings, k too large for a fragment pair) are
/// thrown before any file is written; cancellation marks the file incomplete,
/// and resume() continues it.
class RegressionJob {
public:
    explicit RegressionJob(RunConfig config);
    JobResult run(JobObserver *observer, const CancelToken &cancel);

    /// `pdepth resume` of a regression run: continues `path` (or its `.part`
    /// file) after its last committed epoch with the configuration stored in
    /// it. Methods already finished are kept; the method that was training
    /// restarts from its checkpoint (regressor, experts, optimisers), and
    /// every random draw is seeded by the epoch, so the records match an
    /// uninterrupted run's on the same device.
    static JobResult resume(const std::string &path, JobObserver *observer, const CancelToken &cancel);

private:
    JobResult execute(JobObserver *observer, const CancelToken &cancel, bool resuming);

    RunConfig m_config;
};

} // namespace pds
