#pragma once

#include "study/study.h"
#include "sweep/sweepconfig.h"

#include <string>

namespace pds {

/// How a sweep ended.
struct SweepResult {
    std::string status; ///< complete or incomplete (cancelled)
    int membersTrained = 0;
    int membersReused = 0;
    double seconds = 0.0;
    std::string output;
};

/// `pdepth sweep`: trains every member of every size (each its own run file,
/// so the sweep resumes member by member), then the distilled students once
/// their teachers are finished, then merges them into the sweep file. Reuses
/// the study's machinery: members run one after another, or up to N at once
/// through a MemberRunner (child processes for `--jobs`).
class SweepJob {
public:
    /// Throws ConfigError (SweepConfig::validate) for a bad configuration.
    explicit SweepJob(SweepConfig config);
    void setMemberRunner(MemberRunner runner, int concurrent);
    /// Refuses (ConfigError, nothing written) an output whose members folder
    /// holds a sweep of another configuration.
    SweepResult run(JobObserver *observer, const CancelToken &cancel);

private:
    SweepConfig m_config;
    MemberRunner m_runner;
    int m_concurrent = 1;
};

/// The first difference between the sweep a members folder was started with
/// (`previous`) and `current` that changes what its members are, as
/// "key: previous value → current value"; empty when none (the trajectory
/// rule may change: it only changes the merge).
std::string sweepConfigDifference(const SweepConfig &previous, const SweepConfig &current);

/// Refuses (ConfigError) a members folder started by a sweep of another
/// configuration, and records this one's there.
void claimSweepMembersFolder(const SweepConfig &config);

/// Reads the finished member files of `config` and writes its sweep file
/// (config.base.output). Throws StoreError naming a member that is missing,
/// unfinished, or trained with settings other than the sweep's.
void mergeSweep(const SweepConfig &config);

} // namespace pds
