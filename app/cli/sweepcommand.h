#pragma once

#include "study/slurm.h"
#include "train/config.h"
#include "train/job.h"

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace pds {
class EventWriter;
}

/// `pdepth sweep` (memorisation across model sizes) and the sweep file's
/// `info` and `export --csv`.
namespace pds::cli {

/// The options of `pdepth sweep` besides the train options it shares with `study`.
struct SweepOptions {
    std::string sizes;
    int jobs = 1;
    bool distill = false;
    double temperature = 4.0;
    double alpha = 0.9;
    double delta = 0.1;
    double z = 2.0;
};

/// Adds the sweep's own options to its subcommand.
void addSweepOptions(CLI::App *cmd, SweepOptions &options);

/// Validates the sweep (ConfigError naming the option; nothing is written),
/// saves or prints its configuration when asked, then runs it and prints how
/// it ended. `onStart` routes Ctrl-C to `cancel`. With `events` (`--events`)
/// the progress goes to that log too, and how the sweep ended is its last
/// record. Returns the exit code.
int runSweep(const RunConfig &base, const SweepOptions &options, const std::string &saveConfig, bool dryRun,
             const CancelToken &cancel, void (*onStart)(), EventWriter *events = nullptr);

/// `pdepth sweep --slurm`: validates the sweep as runSweep() does, then
/// submits its unfinished members and `mergeCommand` (the same command line
/// without --slurm) through submitSweepToSlurm() and prints the job ids.
int submitSweep(const RunConfig &base, const SweepOptions &options, const std::string &saveConfig, bool dryRun,
                const SlurmOptions &slurm, const std::vector<std::string> &mergeCommand);

/// Whether `path` is a sweep file. HDF5 opens it in this process only after
/// the checker child (verifyBeforeOpening) opened it without harm and found it
/// to be no run file, so a damaged file never reaches HDF5 here; the child's
/// other findings are thrown as its StoreError.
bool isCheckedSweepFile(const std::string &path);

/// `pdepth info` of a sweep file: sizes, accuracies, trajectory shares (also
/// by δ), proxy correlations and agreement, and the distillation results.
void printSweepInfo(const std::string &path);

} // namespace pds::cli
