#pragma once

#include "compare/comparison.h"
#include "train/job.h"

#include <CLI/CLI.hpp>

#include <iosfwd>
#include <string>

namespace pds::cli {

/// The options `pdepth compare` has beyond those of `pdepth study`.
struct CompareOptions {
    std::string regimes = "standard,llf,seal";
    std::string transfer, transferPath, transferFormat;
    std::int64_t transferLimit = 0, transferTestLimit = 0;
    int bootstrap = 2000;
    int jobs = 1;
};

/// Adds the comparison's own options to `cmd` (which has the run options already).
void addCompareOptions(CLI::App *cmd, CompareOptions &o);

/// The comparison `cmd` asks for on the shared settings `base`, checked
/// (checkComparison) before anything is written; throws ConfigError naming the option.
CompareConfig compareConfig(const CLI::App *cmd, const RunConfig &base, const CompareOptions &o);

/// Runs the comparison, members `jobs` at a time (each in its own pdepth
/// process when more than one), and prints where it went. Returns false when
/// it was interrupted (finished members are kept and reused on the next run).
bool runCompare(const CompareConfig &config, int jobs, JobObserver *observer, const CancelToken &cancel);

/// Prints a comparison file for `pdepth info`.
void printComparison(const std::string &path, std::ostream &out);

} // namespace pds::cli
