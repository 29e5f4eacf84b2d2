#pragma once

#include "study/summary.h"
#include "train/config.h"
#include "train/job.h"
#include "train/runjob.h"

#include <functional>
#include <string>
#include <vector>

namespace pds {

/// Where member `member` of a study writing `output` keeps its own run file:
/// `<output without .h5>.members/m003.h5`.
std::string memberPath(const std::string &output, int member);

/// The configuration of member `member` of the study `study`: its index and its
/// own run file (memberPath).
RunConfig studyMemberConfig(const RunConfig &study, int member);

/// What an earlier run of a study left of a member.
enum class MemberLeft { Nothing, Finished, Interrupted };

/// What an earlier run left of `member` (its memberConfig): a finished file of
/// the same configuration (reused), an interrupted one (continued), or nothing
/// usable (trained afresh).
MemberLeft memberLeft(const RunConfig &member);

/// Merges finished member run files (each one model of the same study, on the
/// same data) into one study file: the dataset, every model (as models/mNNN,
/// N = its member index) and a `summary` group with the per-example aggregates
/// and difficulty groups. Written as `<output>.part` and renamed when done.
/// Throws StoreError naming the member that is missing, unfinished or
/// inconsistent with the others.
void mergeStudy(const std::vector<std::string> &members, const std::string &output,
                const GroupThresholds &thresholds = {});

/// How a study ended.
struct StudyResult {
    std::string status; ///< complete or incomplete (cancelled)
    int membersTrained = 0;
    int membersReused = 0;
    double seconds = 0.0;
    double trainSeconds = 0.0, embedSeconds = 0.0, probeSeconds = 0.0; ///< summed over members trained now
    std::string output;
};

/// Trains one member into its own run file (continuing it when `resume` is
/// set) and says how it ended. StudyJob's own runner trains in the calling
/// thread; `pdepth study --jobs N` hands each member to a child process.
/// Called from several threads at once when members run concurrently.
using MemberRunner = std::function<JobResult(const RunConfig &member, bool resume,
                                             JobObserver *observer, const CancelToken &cancel)>;

/// A member a study or sweep still has to train (or continue).
struct MemberTask {
    RunConfig config;
    bool resume = false;
    std::string label; ///< "member m001 (of 4)", for the log
};

/// Of `candidates`, the members still to train: finished ones are reused
/// (counted in `result` and reported to the observer as Reused), interrupted
/// ones are continued. `members` is the count the observer's events carry.
std::vector<MemberTask> planMemberTasks(std::vector<MemberTask> candidates, int members, JobObserver *observer,
                                        StudyResult &result);

/// Trains the tasks through `runner`, up to `concurrent` at a time; true when
/// every one completed, false when cancelled. A failing member cancels the
/// others and its error is rethrown.
bool trainMembers(std::vector<MemberTask> &tasks, const MemberRunner &runner, int concurrent, int members,
                  JobObserver *observer, const CancelToken &cancel, StudyResult &result);

/// Members that train at once share the cores rather than each taking all:
/// with `concurrent` > 1 a configuration that leaves the thread count to the
/// machine (0) gets its share.
void shareThreads(RunConfig &config, int concurrent);

/// Members to train at once when the user did not say: on the CPU, when the
/// thread count is left to the machine, one single-threaded member per core
/// (at most kAutoJobsLimit, and no more than there are members). A small
/// model's operations split over several threads leave them waiting on each
/// other, and OpenMP's waiting threads spin, so members side by side on one
/// core each finish sooner and cost fewer CPU seconds
/// (docs/benchmarks.md). Otherwise (CUDA, or threads given) 1.
int autoStudyJobs(const RunConfig &config);
constexpr int kAutoJobsLimit = 8;

/// `pdepth study`: trains the S members (each its own run file, so the study
/// resumes member by member: finished members are reused), then merges them.
/// Members run one after another, or up to N at once through a runner. The
/// observer hears memberStarted and memberFinished for each member (finished,
/// outcome Reused, for those an earlier run already trained), and between them
/// the member's own events, from a runner in this process or in another.
class StudyJob {
public:
    StudyJob(RunConfig config, GroupThresholds thresholds = {});
    /// Trains members through `runner`, up to `concurrent` at a time (never
    /// more than the study has); a configuration that leaves the CPU thread
    /// count to the machine (0) shares the cores out among them.
    void setMemberRunner(MemberRunner runner, int concurrent);
    StudyResult run(JobObserver *observer, const CancelToken &cancel);

private:
    RunConfig m_config;
    GroupThresholds m_thresholds;
    MemberRunner m_runner;
    int m_concurrent = 1;
};

} // namespace pds
