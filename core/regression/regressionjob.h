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
/// thrown before any file is written; cancellation marks the file incomplete.
class RegressionJob {
public:
    explicit RegressionJob(RunConfig config);
    JobResult run(JobObserver *observer, const CancelToken &cancel);

private:
    RunConfig m_config;
};

} // namespace pds
