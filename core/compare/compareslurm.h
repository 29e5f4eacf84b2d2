#pragma once

#include "compare/comparison.h"
#include "study/slurm.h"

#include <string>
#include <vector>

namespace pds {

/// `pdepth compare --slurm`: writes the configuration of every unfinished
/// member of every regime's study and submits them through submitToSlurm() as
/// one array (regime by regime, member by member), with `mergeCommand` (argv,
/// pdepth first) after it. `config` is checked (checkComparison) already.
SlurmSubmission submitComparisonToSlurm(CompareConfig config, const SlurmOptions &options,
                                        const std::vector<std::string> &mergeCommand, const std::string &executable);

} // namespace pds
