#pragma once

#include "train/config.h"
#include "train/job.h"

#include <set>
#include <string>
#include <vector>

namespace pds {

/// How a job ended.
struct JobResult {
    std::string status;  ///< complete, incomplete (cancelled), failed
    std::string message;
    std::string outputPath;
    std::string device;
    double seconds = 0.0;
    double trainExamplesPerSecond = 0.0;
    double finalTestAccuracy = 0.0;
    double finalTrainAccuracy = 0.0;
    double trainSeconds = 0.0; ///< training and per-epoch evaluation
    double embedSeconds = 0.0; ///< probe stage: embedding extraction
    double probeSeconds = 0.0; ///< probe stage: k-NN probes
};

/// The probes whose embeddings to store: "none", "all" or a comma-separated
/// list of probe names (unknown names are a ConfigError).
std::set<std::string> embeddingSelection(const std::string &spec, const std::vector<std::string> &probes);

/// `pdepth train`: loads the dataset, trains one model while recording
/// per-example dynamics, and writes the run file. Errors before the run file
/// exists are thrown; once it exists, failures are recorded in it (status
/// failed, with the message) and then rethrown, and cancellation finishes it
/// as incomplete and returns normally.
class RunJob {
public:
    explicit RunJob(RunConfig config);
    JobResult run(JobObserver *observer, const CancelToken &cancel);

    /// `pdepth resume`: continues an interrupted run (its `.part` file, or a
    /// cancelled run's final file) from the last completed epoch, using the
    /// configuration and checkpoint stored in it. On the same device the
    /// per-example results equal those of an uninterrupted run.
    static JobResult resume(const std::string &path, JobObserver *observer, const CancelToken &cancel);

    /// The run file's final name for a path that may end in `.part`.
    static std::string finalPath(const std::string &path);

private:
    JobResult execute(JobObserver *observer, const CancelToken &cancel, bool resuming);

    RunConfig m_config;
};

} // namespace pds
