#pragma once

#include "data/catalogue.h"
#include "store/comparefile.h"
#include "study/study.h"
#include "train/config.h"

#include <string>
#include <vector>

namespace pds {

/// What `pdepth compare` runs: one ensemble study per training regime on the
/// same data, members (subsets and seeds), total epochs and k-NN probes.
struct CompareConfig {
    RunConfig base; ///< shared settings; train.regime is not used, output is the comparison file
    std::vector<Regime> regimes;
    DatasetSpec transfer; ///< the transfer probe's dataset; name and path empty: no transfer probe
    std::int64_t transferLimit = 0, transferTestLimit = 0;
    int bootstrapResamples = 2000;
    double bootstrapLevel = 0.95;

    bool hasTransfer() const { return !transfer.name.empty() || !transfer.path.empty(); }
};

/// The regimes of a comma-separated list such as "standard,llf,seal"; throws
/// ConfigError naming --regimes for an unknown or repeated regime.
std::vector<Regime> parseRegimes(const std::string &list);

/// Where the study of `regime` of the comparison writing `output` goes:
/// `<output without .h5>.regimes/<regime>.h5`.
std::string regimeStudyPath(const std::string &output, Regime regime);

/// The study configuration of `regime`: the shared settings with that regime.
/// Standard training gets generations × epochs epochs in one generation, so
/// every regime trains for the same total number of epochs.
RunConfig regimeStudyConfig(const CompareConfig &c, Regime regime);

/// Refuses, before anything is written, what cannot be compared: fewer than
/// two regimes, a repeated one, fewer than two generations with llf or seal,
/// a split stage the model does not have, a transfer dataset whose images
/// differ in size or channels. Loads the datasets' headers to check; throws
/// ConfigError naming the option.
void checkComparison(const CompareConfig &c);

/// How a comparison ended.
struct CompareResult {
    std::string status; ///< complete or incomplete (cancelled)
    int membersTrained = 0, membersReused = 0;
    double seconds = 0.0;
    std::string output;
};

/// `pdepth compare`: runs the study of each regime (members as a StudyJob
/// runs them: resumable, through a runner when given), then analyses them
/// and writes the comparison file (docs/run-format.md).
class CompareJob {
public:
    explicit CompareJob(CompareConfig config);
    void setMemberRunner(MemberRunner runner, int concurrent);
    CompareResult run(JobObserver *observer, const CancelToken &cancel);

private:
    CompareConfig m_config;
    MemberRunner m_runner;
    int m_concurrent = 1;
};

/// The comparison of finished regime studies (`studyPaths`, one per regime of
/// `c`, in order): accuracy per generation, depth with intervals, histograms,
/// probe accuracy, per-example differences and, if asked, transfer accuracy.
Comparison analyseStudies(const CompareConfig &c, const std::vector<std::string> &studyPaths,
                          JobObserver *observer, const CancelToken &cancel);

} // namespace pds
