#include "compare/compareslurm.h"

#include "study/study.h"

namespace pds {

SlurmSubmission submitComparisonToSlurm(CompareConfig config, const SlurmOptions &options,
                                        const std::vector<std::string> &mergeCommand, const std::string &executable)
{
    if (options.cpus > 0 && config.base.train.threads == 0)
        config.base.train.threads = options.cpus;
    SlurmBatch batch = slurmBatchFor(config.base.output, "the comparison", options);
    batch.mergeCommand = mergeCommand;
    for (Regime regime : config.regimes) {
        const RunConfig study = regimeStudyConfig(config, regime);
        for (int m = 0; m < study.study.models; ++m)
            addSlurmMember(batch, studyMemberConfig(study, m));
    }
    return submitToSlurm(batch, options, executable);
}

} // namespace pds
