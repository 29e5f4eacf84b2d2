#pragma once

// Torch-free, so that both the core Slurm test and the Studio's use it.

#include <QByteArray>
#include <QString>

namespace pds::test {

/// Writes `text` to `path` (replacing it), executable by its owner when asked;
/// fails the calling test when the file cannot be written.
void writeTextFile(const QString &path, const QByteArray &text, bool executable = false);

/// Stand-ins for sbatch, squeue and sacct in the folder `bin`: sbatch refuses
/// `--partition=nope` as Slurm does, else appends its arguments to
/// bin/sbatch.args and answers job ids from 812 on; squeue prints
/// bin/squeue.txt; sacct prints bin/sacct.txt, or refuses as a cluster
/// without accounting does when that file is missing.
void writeStandInSlurm(const QString &bin);

} // namespace pds::test
