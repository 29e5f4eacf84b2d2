#pragma once

#include "study/slurm.h"
#include "sweep/sweepconfig.h"

#include <string>
#include <vector>

namespace pds {

/// `pdepth sweep --slurm`: claims the sweep's members folder (refusing one of
/// another sweep), writes the configuration of every unfinished member and
/// submits them through submitToSlurm(): the plain members of every size as
/// one array, the distilled students as a second array after it (a student
/// needs its teacher's file), and `mergeCommand` (argv, pdepth first) after
/// both. Members are numbered size by size, plain first, then the students.
SlurmSubmission submitSweepToSlurm(SweepConfig config, const SlurmOptions &options,
                                   const std::vector<std::string> &mergeCommand, const std::string &executable);

} // namespace pds
