#pragma once

#include "train/config.h"

#include <string>
#include <vector>

namespace pds {

/// How `pdepth study --slurm` (and the Studio's "Run on: Slurm") asks Slurm
/// for resources; empty or 0 leaves a setting to the cluster's defaults.
struct SlurmOptions {
    std::string partition, time, gres;
    int cpus = 0;   ///< CPUs per member task (also the member's CPU threads when the study leaves them to the machine)
    int atOnce = 0; ///< most members running at once (the array's %M); 0 = no limit
    std::vector<std::string> extraArgs; ///< passed to sbatch as they are, for both jobs
};

/// Checks `options` before anything is written or submitted; a ConfigError
/// names the setting in field(): "slurm.partition", "slurm.time",
/// "slurm.gres", "slurm.cpus", "slurm.at_once" or "slurm.args".
void validateSlurmOptions(const SlurmOptions &options);

// --- Generic submission: a list of member runs and a merge ---------------------
//
// Every kind of run that trains members and merges them (a study, a sweep, a
// comparison) reaches Slurm the same way: it writes each member's configuration
// file, describes the members and the merge as a SlurmBatch, and calls
// submitToSlurm(). Task N of the array trains member N with `pdepth train
// --config <config> -o <output>`, or continues it with `pdepth resume
// <output>` when its file or `.part` file is there (so a requeued task
// continues from its last finished epoch); the merge job runs `mergeCommand`
// once every submitted task succeeded. `pdepth status` and the Studio's panel
// read the submission back with slurmStatus() from the batch's slurm.json.

/// One member of a batch: the configuration it trains from and its run file.
/// Relative paths are relative to the batch's workDir.
struct SlurmMember {
    std::string config, output;
};

/// What submitToSlurm() submits.
struct SlurmBatch {
    std::string name;   ///< job name of the array; the merge job is name + "-merge"
    std::string folder; ///< absolute: the job scripts, logs and slurm.json go here
    std::string workDir; ///< absolute: the jobs' working directory (sbatch --chdir)
    std::vector<SlurmMember> members; ///< member N is array task N
    std::vector<int> submit;          ///< members to submit (sorted); the others count as done
    /// Members of `submit` that need the others first (distilled students
    /// need their teachers): a second array, started once every task of the
    /// first succeeded (afterok). Sorted; empty for one array.
    std::vector<int> later;
    std::vector<std::string> mergeCommand; ///< argv of the merge job, pdepth first
    std::string result; ///< the file the merge writes (relative to workDir or absolute)
    std::string description; ///< one line for the scripts' headers, e.g. "the study /data/s.h5"
};

/// What a submission submitted.
struct SlurmSubmission {
    std::vector<int> members; ///< members submitted (the others are already finished)
    int reused = 0;
    std::string arrayJob, mergeJob; ///< job ids; arrayJob is empty when every member was finished
    std::string laterJob;           ///< the array of batch.later; empty when none was submitted
    std::string stateFile;          ///< where `pdepth status` finds them
};

/// The array specification of `members` (sorted member indices): ranges and
/// single indices, then `%M`: "0-3%2", "1,3-4".
std::string slurmArraySpec(const std::vector<int> &members, int atOnce);

/// The batch script of the member tasks: task N trains member N of `batch`
/// from its configuration, or continues its run file.
std::string slurmMemberScript(const std::string &executable, const SlurmBatch &batch);

/// The batch script of the merge job: `batch.mergeCommand`.
std::string slurmMergeScript(const SlurmBatch &batch);

/// The sbatch arguments (without the program) of a member array: one task
/// per member index in `members`, each logging to `<folder>/m<NNN>.log`,
/// started once every task of the jobs `after` ("812" or "812:813") succeeded
/// (no dependency when it is empty).
std::vector<std::string> slurmMemberArgs(const SlurmOptions &options, const SlurmBatch &batch,
                                         const std::vector<int> &members, const std::string &script,
                                         const std::string &after = {});

/// The sbatch arguments of the merge job, which runs once every task of
/// `arrayJob` ("812", or "812:813" for both arrays) succeeded (no dependency
/// when it is empty).
std::vector<std::string> slurmMergeArgs(const SlurmOptions &options, const SlurmBatch &batch,
                                        const std::string &arrayJob, const std::string &script);

/// The log of member task `member` of a batch whose files are in `folder`.
std::string slurmMemberLog(const std::string &folder, int member);

/// Writes the job scripts into `batch.folder`, submits one array of
/// `batch.submit` less `batch.later` (none when it is empty), a second array
/// of `batch.later` after it, and the merge job after both, and
/// records both in `<folder>/slurm.json`. Refuses, before submitting anything,
/// invalid options, a missing sbatch, an unwritable folder and a folder whose
/// earlier submission still has jobs queued or running; a refusal of sbatch is
/// raised as an Error carrying its own message (and the array is cancelled
/// when the merge job is refused).
SlurmSubmission submitToSlurm(const SlurmBatch &batch, const SlurmOptions &options, const std::string &executable);

/// Submits the study `config` (its output, members and settings): writes each
/// unfinished member's configuration beside the members and submits them and
/// the merge through submitToSlurm(). Paths stay as the configuration gives
/// them; the jobs run in this process's working directory, so members trained
/// here with the same relative `-o` are reused, not trained again.
SlurmSubmission submitStudyToSlurm(RunConfig config, const SlurmOptions &options, const std::string &executable);

/// Where submitStudyToSlurm() records the submission of the study `output`;
/// sweeps and comparisons record theirs at the same place for their output.
std::string slurmStudyStateFile(const std::string &output);

/// A batch for the run written to `output` (a study, sweep or comparison):
/// jobs named pdepth-<stem of output> run in this process's working directory,
/// scripts, logs and slurm.json in the folder of slurmStudyStateFile(output),
/// created here. `what` names the kind of run, e.g. "the sweep". Refuses,
/// before creating anything, what submitToSlurm() refuses.
SlurmBatch slurmBatchFor(const std::string &output, const std::string &what, const SlurmOptions &options);

/// Appends `member` (a member's configuration, output set) to `batch`:
/// submitted, with its configuration written beside its output as .json,
/// unless its file is finished; leftovers of another configuration are
/// removed so its task trains afresh. `later`: it belongs to batch.later.
void addSlurmMember(SlurmBatch &batch, const RunConfig &member, bool later = false);

// --- Status ----------------------------------------------------------------------

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

/// Where a member (or the merge) stands.
enum class SlurmTaskState { Finished, Running, Pending, Failed, NotSubmitted };

/// "finished", "running", "pending", "failed", "not submitted".
const char *slurmTaskStateName(SlurmTaskState state);

/// One member of a submitted batch, or its merge.
struct SlurmTaskStatus {
    int member = -1; ///< -1 for the merge
    std::string output, log; ///< absolute
    SlurmTaskState state = SlurmTaskState::NotSubmitted;
    std::string job;       ///< "812_3", "813"; empty when not submitted
    std::string scheduler; ///< the scheduler's state ("RUNNING", "TIMEOUT"); empty when it knows none
    std::string detail;    ///< why it is in this state, for people
    std::vector<std::string> lastLines; ///< the end of the log of a failed task
};

/// A batch as `pdepth status` shows it. State comes from three places: the
/// run files (a complete member or study file is finished, whatever the
/// scheduler says), squeue (pending and running jobs, and those that ended
/// less than the cluster's MinJobAge ago) and sacct (every job, where the
/// cluster keeps accounting). A job neither knows is judged from its files
/// only, and `accounting` says whether sacct could be asked.
struct SlurmStatus {
    std::string stateFile, result; ///< absolute
    std::string arrayJob, mergeJob;
    std::vector<SlurmTaskStatus> members;
    SlurmTaskStatus merge;
    bool merged = false;     ///< the result file is complete
    bool accounting = false; ///< sacct answered
    std::string accountingNote; ///< why it did not (its own message), empty when it did
    int count(SlurmTaskState state) const;
};

/// Reads the submission recorded in `stateFile` and asks the scheduler and the
/// files where each member and the merge stand. Runs squeue and sacct; safe
/// to call from any thread.
SlurmStatus slurmStatus(const std::string &stateFile);

/// The text of `pdepth status`: counts, one line per member, the merge job,
/// where the states come from, and the last log lines of each failed task.
std::string formatSlurmStatus(const SlurmStatus &status);

/// `pdepth status --json`: the same as one JSON object, for scripts.
std::string slurmStatusJson(const SlurmStatus &status);

/// slurmStatus() of the study written to `output` (its slurm.json beside the
/// members); an Error saying how to submit it when it never was.
SlurmStatus slurmStudyState(const std::string &output);

} // namespace pds
