#pragma once

#include "train/config.h"

#include <string>
#include <vector>

namespace pds {

/// How `pdepth study --slurm` asks Slurm for resources; empty or 0 leaves a
/// setting to the cluster's defaults.
struct SlurmOptions {
    std::string partition, time, gres;
    int cpus = 0;   ///< CPUs per member task (also the member's CPU threads when the study leaves them to the machine)
    int atOnce = 0; ///< most members running at once (the array's %M); 0 = no limit
    std::vector<std::string> extraArgs; ///< passed to sbatch as they are, for both jobs
};

/// The array specification of `members` (sorted member indices): ranges and
/// single indices, then `%M`: "0-3%2", "1,3-4".
std::string slurmArraySpec(const std::vector<int> &members, int atOnce);

/// The batch script of a study's member tasks: task N trains member N from its
/// configuration `mNNN.json`, or continues its `.part` file (so a task that
/// Slurm requeues after a time limit, preemption or node failure continues
/// from its last finished epoch).
std::string slurmMemberScript(const std::string &executable, const std::string &output);

/// The batch script of the merge job: `pdepth merge` of all the members.
std::string slurmMergeScript(const std::string &executable, const std::string &output, int members);

/// The sbatch arguments (without the program) of the member array: one task
/// per member index in `members`, each logging beside its member file.
std::vector<std::string> slurmMemberArgs(const SlurmOptions &options, const std::string &output,
                                         const std::vector<int> &members, const std::string &script);

/// The sbatch arguments of the merge job, which runs once every task of
/// `arrayJob` succeeded (no dependency when `arrayJob` is empty).
std::vector<std::string> slurmMergeArgs(const SlurmOptions &options, const std::string &output,
                                        const std::string &arrayJob, const std::string &script);

/// What `pdepth study --slurm` submitted.
struct SlurmSubmission {
    std::vector<int> members; ///< members submitted (the others are already finished)
    int reused = 0;
    std::string arrayJob, mergeJob; ///< job ids; arrayJob is empty when every member was finished
    std::string stateFile;          ///< where `pdepth status` finds them
};

/// Submits the study `config` (its output, members and settings) to Slurm:
/// writes each unfinished member's configuration and the two job scripts
/// beside the members, submits one array for the unfinished members and one
/// merge job after it. Everything that can be checked is checked before the
/// first submission (sbatch on PATH, a writable members folder, the study's
/// configuration, no earlier submission of this study still queued); a refusal
/// of sbatch is raised as an Error carrying its own message.
SlurmSubmission submitStudyToSlurm(RunConfig config, const SlurmOptions &options, const std::string &executable);

/// One line of `sacct --parsable2 --noheader` or `squeue --noheader -o
/// '%i|%T'`: the job, the array task (-1 for a job that is no array task) and
/// its state (first word: "CANCELLED by 0" is CANCELLED).
struct SlurmJobState {
    std::string job;
    int task = -1;
    std::string state;
};

/// Parses scheduler output, one `JobID|State[|...]` per line; array ranges such
/// as `123_[2-5%2]` become one entry per task, job steps (`123_4.batch`) are
/// skipped, as are lines that are not of this form.
std::vector<SlurmJobState> parseSlurmJobStates(const std::string &text);

/// `pdepth status`: each member of the study written to `output` (pending,
/// running, finished, failed, not submitted) from the scheduler and the member
/// files, the merge job, and the last log lines of each failed member.
std::string slurmStudyStatus(const std::string &output);

} // namespace pds
