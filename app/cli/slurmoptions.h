#pragma once

#include "study/slurm.h"

#include <string>
#include <vector>

namespace CLI {
class App;
}

/// The `--slurm` options shared by `pdepth study`, `sweep` and `compare`.
namespace pds::cli {

/// Whether to submit to Slurm, and how.
struct SlurmFlags {
    bool submit = false;
    SlurmOptions options;
};

/// Adds --slurm and the --slurm-* options (each needing --slurm) to `cmd`.
void addSlurmOptions(CLI::App *cmd, SlurmFlags &flags);

/// Refuses (ConfigError) --jobs together with --slurm on `cmd`: Slurm runs the members.
void refuseJobsWithSlurm(const CLI::App *cmd);

/// The command line `argv` less --slurm and its options, --dry-run,
/// --save-config and --events, with `executable` as its program: what the
/// merge job runs (a rerun reuses every finished member, then merges).
std::vector<std::string> commandWithoutSlurm(int argc, char **argv, const std::string &executable);

/// Prints the job ids of `sub` and how to follow the run written to `output`.
void printSlurmSubmission(const SlurmSubmission &sub, const std::string &output);

} // namespace pds::cli
