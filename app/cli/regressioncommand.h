#pragma once

#include "train/config.h"
#include "train/job.h"

#include <iosfwd>
#include <string>

namespace CLI {
class App;
}

namespace pds {

class EventWriter;

/// The regression options of `pdepth train`, by name until parsing is done.
struct RegressionOptions {
    std::string task, select;
};

/// Adds --task, --select, --fragments, --select-k, --jitter, --keep and --sigma-max to `train`.
void addRegressionOptions(CLI::App *train, RunConfig &config, RegressionOptions &options);

/// Maps the options given by name onto `config` (ConfigError naming the option when unknown).
void finishRegressionOptions(const RegressionOptions &options, RunConfig &config);

/// Runs a validated regression configuration, prints each method's result and
/// returns the exit code: 0, or 130 when interrupted (the run file is kept, incomplete).
int runRegression(const RunConfig &config, const CancelToken &cancel, EventWriter *events);

/// `pdepth resume` of a regression run file (or its .part file); exit code as runRegression.
int resumeRegression(const std::string &path, const CancelToken &cancel, EventWriter *events);

/// `pdepth info` of a regression run file: status, settings, each method's
/// result and, when stored, the experts' prediction depth.
void printRegressionInfo(const std::string &path, std::ostream &out);

} // namespace pds
