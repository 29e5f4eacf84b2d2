#include "study/slurm.h"
#include "util/error.h"

#include <QtTest/QtTest>

#include <cstdlib>

using namespace pds;

namespace {

QString joined(const std::vector<std::string> &args)
{
    QStringList list;
    for (const std::string &a : args)
        list << QString::fromStdString(a);
    return list.join('\n');
}

/// Sets an environment variable for the lifetime of the object.
class ScopedEnv {
public:
    ScopedEnv(const char *name, const char *value) : m_name(name)
    {
        const char *old = std::getenv(name);
        m_had = old != nullptr;
        if (m_had)
            m_old = old;
        setenv(name, value, 1);
    }
    ~ScopedEnv()
    {
        if (m_had)
            setenv(m_name, m_old.c_str(), 1);
        else
            unsetenv(m_name);
    }

private:
    const char *m_name;
    bool m_had = false;
    std::string m_old;
};

RunConfig tinyStudy(const std::string &output)
{
    RunConfig c;
    c.dataset.name = "fashion-mnist";
    c.study.models = 4;
    c.output = output;
    return c;
}

} // namespace

class TestSlurm : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void arraySpec()
    {
        QCOMPARE(slurmArraySpec({0, 1, 2, 3}, 2), std::string("0-3%2"));
        QCOMPARE(slurmArraySpec({1, 3, 4, 7}, 0), std::string("1,3-4,7"));
        QCOMPARE(slurmArraySpec({5}, 3), std::string("5%3"));
    }

    void memberScript()
    {
        const std::string golden =
            "#!/bin/bash\n"
            "# A member task of the study /data/my study.h5, written by pdepth study --slurm.\n"
            "# Task N trains member N; a task restarted by Slurm (or submitted again)\n"
            "# continues the member's interrupted run file.\n"
            "set -u\n"
            "member=\"$(printf 'm%03d' \"$SLURM_ARRAY_TASK_ID\")\"\n"
            "dir='/data/my study.members'\n"
            "echo \"pdepth: Slurm job ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} on $(hostname), "
            "restart ${SLURM_RESTART_COUNT:-0}\"\n"
            "if [ -e \"$dir/$member.h5.part\" ] || [ -e \"$dir/$member.h5\" ]; then\n"
            "  '/opt/it'\\''s/pdepth' resume \"$dir/$member.h5\"\n"
            "  status=$?\n"
            "  # Continued to the end, or stopped by a signal: done. Otherwise the\n"
            "  # .part file had nothing to continue and the member trains afresh.\n"
            "  if [ $status -eq 0 ] || [ $status -gt 128 ]; then exit $status; fi\n"
            "fi\n"
            "exec '/opt/it'\\''s/pdepth' train --config \"$dir/$member.json\" -o \"$dir/$member.h5\"\n";
        QCOMPARE(slurmMemberScript("/opt/it's/pdepth", "/data/my study.h5"), golden);
    }

    void mergeScript()
    {
        QCOMPARE(slurmMergeScript("/opt/pdepth", "/data/s.h5", 2),
                 std::string("#!/bin/bash\n"
                             "# Merges the members of the study /data/s.h5, written by pdepth study --slurm.\n"
                             "exec '/opt/pdepth' merge -o '/data/s.h5' '/data/s.members/m000.h5' "
                             "'/data/s.members/m001.h5'\n"));
    }

    void sbatchArgs()
    {
        SlurmOptions o;
        o.partition = "gpu";
        o.time = "2:00:00";
        o.gres = "gpu:1";
        o.cpus = 8;
        o.atOnce = 2;
        o.extraArgs = {"--account=lab", "--qos=low"};
        QCOMPARE(joined(slurmMemberArgs(o, "/data/s.h5", {0, 1, 2, 3}, "/data/s.members/slurm-member.sh")),
                 QStringLiteral("--parsable\n--job-name=pdepth-s\n--output=/data/s.members/m%3a.log\n"
                                "--open-mode=append\n--partition=gpu\n--time=2:00:00\n--array=0-3%2\n--requeue\n"
                                "--gres=gpu:1\n--cpus-per-task=8\n--account=lab\n--qos=low\n"
                                "/data/s.members/slurm-member.sh"));
        QCOMPARE(joined(slurmMergeArgs(o, "/data/s.h5", "812", "/data/s.members/slurm-merge.sh")),
                 QStringLiteral("--parsable\n--job-name=pdepth-s-merge\n--output=/data/s.members/merge.log\n"
                                "--open-mode=append\n--partition=gpu\n--time=2:00:00\n--dependency=afterok:812\n"
                                "--kill-on-invalid-dep=yes\n--account=lab\n--qos=low\n/data/s.members/slurm-merge.sh"));
        // Nothing left to train: the merge alone, with no dependency and no
        // resources the cluster was not asked for.
        QCOMPARE(joined(slurmMergeArgs(SlurmOptions{}, "/data/s.h5", "", "/m.sh")),
                 QStringLiteral("--parsable\n--job-name=pdepth-s-merge\n--output=/data/s.members/merge.log\n"
                                "--open-mode=append\n/m.sh"));
    }

    void parseStates()
    {
        // sacct --parsable2 --noheader --format=JobID,State,ExitCode (hand-made):
        // tasks, their steps, a pending range, a cancelled task, the merge job.
        const std::string sacct = "812_0|COMPLETED|0:0\n"
                                  "812_0.batch|COMPLETED|0:0\n"
                                  "812_1|FAILED|1:0\n"
                                  "812_1.batch|FAILED|1:0\n"
                                  "812_2|CANCELLED by 0|0:15\n"
                                  "812_[3-5,7%2]|PENDING|0:0\n"
                                  "813|PENDING|0:0\n"
                                  "sacct: error: nonsense\n"
                                  "abc_1|RUNNING|0:0\n";
        const auto s = parseSlurmJobStates(sacct);
        QCOMPARE(s.size(), std::size_t(8));
        QCOMPARE(s[0].job, std::string("812"));
        QCOMPARE(s[0].task, 0);
        QCOMPARE(s[0].state, std::string("COMPLETED"));
        QCOMPARE(s[1].task, 1);
        QCOMPARE(s[1].state, std::string("FAILED"));
        QCOMPARE(s[2].state, std::string("CANCELLED"));
        QCOMPARE(s[3].task, 3);
        QCOMPARE(s[5].task, 5);
        QCOMPARE(s[6].task, 7);
        QCOMPARE(s[6].state, std::string("PENDING"));
        QCOMPARE(s[7].job, std::string("813"));
        QCOMPARE(s[7].task, -1);
        // squeue --noheader -r -o '%i|%T'
        const auto q = parseSlurmJobStates("814_2|RUNNING\n815|PENDING\n");
        QCOMPARE(q.size(), std::size_t(2));
        QCOMPARE(q[0].task, 2);
        QCOMPARE(q[0].state, std::string("RUNNING"));
        QVERIFY(parseSlurmJobStates("").empty());
    }

    void noSbatch()
    {
        QTemporaryDir dir;
        ScopedEnv path("PATH", dir.path().toLocal8Bit().constData());
        try {
            submitStudyToSlurm(tinyStudy(dir.filePath("s.h5").toStdString()), {}, "/opt/pdepth");
            QFAIL("submitted without sbatch");
        } catch (const Error &e) {
            QVERIFY2(QString(e.what()).startsWith("sbatch not found on PATH"), e.what());
        }
        QVERIFY(!QFile::exists(dir.filePath("s.members")));
    }

    void unwritableFolderAndRefusal()
    {
        // A stand-in sbatch that refuses like Slurm does, so that nothing
        // reaches it when the folder cannot be written, and its words are
        // passed on when it refuses.
        QTemporaryDir bin;
        QFile fake(bin.filePath("sbatch"));
        QVERIFY(fake.open(QIODevice::WriteOnly));
        fake.write("#!/bin/sh\necho called >> \"$(dirname \"$0\")/calls\"\n"
                   "echo 'sbatch: error: invalid partition specified: nope' >&2\nexit 1\n");
        fake.close();
        fake.setPermissions(QFileDevice::ReadOwner | QFileDevice::ExeOwner | QFileDevice::WriteOwner);
        const std::string path = bin.path().toStdString() + ":" + std::getenv("PATH");
        ScopedEnv env("PATH", path.c_str());
        try {
            submitStudyToSlurm(tinyStudy("/proc/pdepth-nowhere/s.h5"), {}, "/opt/pdepth");
            QFAIL("submitted into an unwritable folder");
        } catch (const StoreError &e) {
            QVERIFY2(QString(e.what()).contains("/proc/pdepth-nowhere/s.members: cannot create the members folder"),
                     e.what());
        }
        QVERIFY(!QFile::exists(bin.filePath("calls")));

        QTemporaryDir out;
        SlurmOptions o;
        o.partition = "nope";
        try {
            submitStudyToSlurm(tinyStudy(out.filePath("s.h5").toStdString()), o, "/opt/pdepth");
            QFAIL("an sbatch refusal went unnoticed");
        } catch (const Error &e) {
            QCOMPARE(QString(e.what()),
                     QStringLiteral("sbatch refused the member array: sbatch: error: invalid partition specified: nope"));
        }
        QVERIFY(!QFile::exists(out.filePath("s.members/slurm.json")));
    }

    void statusWithoutSubmission()
    {
        QTemporaryDir dir;
        try {
            slurmStudyStatus(dir.filePath("s.h5").toStdString());
            QFAIL("status of a study never submitted");
        } catch (const Error &e) {
            QVERIFY2(QString(e.what()).contains("no Slurm submission found"), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestSlurm)
#include "tst_slurm.moc"
