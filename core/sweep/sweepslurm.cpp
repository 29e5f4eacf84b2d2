#include "sweep/sweepslurm.h"

#include "sweep/sweep.h"

namespace pds {

SlurmSubmission submitSweepToSlurm(SweepConfig config, const SlurmOptions &options,
                                   const std::vector<std::string> &mergeCommand, const std::string &executable)
{
    config.base.study.probe = true;
    if (options.cpus > 0 && config.base.train.threads == 0)
        config.base.train.threads = options.cpus;
    config.validate();
    SlurmBatch batch = slurmBatchFor(config.base.output, "the sweep", options);
    claimSweepMembersFolder(config);
    batch.mergeCommand = mergeCommand;
    const int sizes = static_cast<int>(config.sizes.size());
    for (bool distilled : {false, true}) {
        if (distilled && !config.distill)
            continue;
        for (int s = 0; s < sizes - (distilled ? 1 : 0); ++s)
            for (int m = 0; m < config.base.study.models; ++m)
                addSlurmMember(batch, sweepMemberConfig(config, s, m, distilled), distilled);
    }
    return submitToSlurm(batch, options, executable);
}

} // namespace pds
