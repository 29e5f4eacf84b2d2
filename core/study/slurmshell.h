#pragma once

// What the Slurm submission and status code (slurm.cpp, slurmstatus.cpp)
// share: running the scheduler's commands and asking it about jobs.

#include "study/slurm.h"

#include <string>
#include <vector>

namespace pds::slurmshell {

/// What a finished command printed and how it exited.
struct CommandResult {
    int status = -1; ///< exit status; -1 when it could not run or died of a signal
    std::string out, err;
};

/// Runs `args` (the program looked up on PATH) with stdin closed, its stdout
/// and stderr caught.
CommandResult runCommand(const std::vector<std::string> &args);

/// Whether `program` is an executable in a folder of PATH.
bool onPath(const std::string &program);

std::string trim(std::string s);
std::string readAll(const std::string &path);

/// What the scheduler says about some jobs.
struct SchedulerAnswer {
    std::vector<SlurmJobState> states; ///< sacct's lines first, then squeue's (newer, so they win)
    bool accounting = false;           ///< sacct answered
    std::string accountingNote;        ///< why it did not
};

/// The states of the jobs `jobs` (comma-separated ids) and of their array
/// tasks, from sacct where accounting runs and from squeue (which keeps
/// finished jobs for MinJobAge).
SchedulerAnswer askScheduler(const std::string &jobs);

bool isPending(const std::string &state);
bool isRunning(const std::string &state);

} // namespace pds::slurmshell
