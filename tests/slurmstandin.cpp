#include "slurmstandin.h"

#include <QFile>
#include <QtTest/QtTest>

namespace pds::test {

void writeTextFile(const QString &path, const QByteArray &text, bool executable)
{
    QFile f(path);
    QVERIFY2(f.open(QIODevice::WriteOnly | QIODevice::Truncate), qPrintable(path));
    f.write(text);
    f.close();
    if (executable)
        f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
}

void writeStandInSlurm(const QString &bin)
{
    writeTextFile(bin + "/sbatch",
                  "#!/bin/sh\nd=\"$(dirname \"$0\")\"\n"
                  "case \"$*\" in *--partition=nope*) echo 'sbatch: error: invalid partition specified: nope' >&2; "
                  "exit 1 ;; esac\nprintf '%s\\n' \"$*\" >> \"$d/sbatch.args\"\n"
                  "n=$(cat \"$d/next\" 2>/dev/null || echo 812)\necho $((n + 1)) > \"$d/next\"\necho \"$n\"\n",
                  true);
    writeTextFile(bin + "/squeue", "#!/bin/sh\ncat \"$(dirname \"$0\")/squeue.txt\" 2>/dev/null\nexit 0\n", true);
    writeTextFile(bin + "/sacct",
                  "#!/bin/sh\nd=\"$(dirname \"$0\")\"\nif [ -f \"$d/sacct.txt\" ]; then cat \"$d/sacct.txt\"; exit 0; fi\n"
                  "echo 'sacct: error: Slurm accounting storage is disabled' >&2\nexit 1\n",
                  true);
}

} // namespace pds::test
