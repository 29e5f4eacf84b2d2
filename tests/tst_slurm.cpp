#include "runfixtures.h"
#include "slurmstandin.h"
#include "testsupport.h"

#include "store/runformat.h"
#include "store/runwriter.h"
#include "compare/compareslurm.h"
#include "study/slurm.h"
#include "study/study.h"
#include "sweep/sweepslurm.h"
#include "util/error.h"

#include <QtTest/QtTest>

#include <cstdlib>
#include <filesystem>

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

/// A batch of two members in /data, as a sweep or a study would describe it.
SlurmBatch twoMembers()
{
    SlurmBatch b;
    b.name = "pdepth-s";
    b.folder = "/data/s.members";
    b.workDir = "/home/me/work";
    b.members = {{"s.members/m000.json", "s.members/m000.h5"}, {"s.members/it's.json", "/abs/m001.h5"}};
    b.submit = {0, 1};
    b.mergeCommand = {"/opt/pdepth", "merge", "-o", "s.h5", "s.members/m000.h5", "/abs/m001.h5"};
    b.result = "s.h5";
    b.description = "the study /home/me/work/s.h5";
    return b;
}

/// A complete one-model run file at `path` whose configuration is `config`,
/// as a member trained with it leaves.
void writeFinishedMember(const std::string &path, const RunConfig &config)
{
    const Dataset d = test::tinyDataset();
    RunWriter w(path);
    w.writeHeader(toJson(config), d, ChannelStats{{0.25f}, {0.5f}}, 1);
    ModelInfo info;
    info.arch = "mlp";
    info.epochsPlanned = 1;
    info.device = "cpu (1 thread)";
    info.probeNames = {"input", "logits"};
    info.inTrain = {1, 1, 0, 1, 1};
    w.beginModel(0, info);
    w.appendEpoch(0, test::curve(1), test::record(1, 5), test::record(1, 3));
    w.finishModel(0, test::scores(5, 0.f), test::scores(3, 10.f), std::vector<float>(5 * 2, 1.5f),
                  std::vector<float>(3 * 2, -1.5f), 1, runformat::kStatusComplete, 1.0);
    w.finish(runformat::kStatusComplete);
}

/// Runs the test body in `dir` and returns to the previous folder after it.
class ScopedCwd {
public:
    explicit ScopedCwd(const QString &dir) : m_old(std::filesystem::current_path())
    {
        std::filesystem::current_path(dir.toStdString());
    }
    ~ScopedCwd() { std::filesystem::current_path(m_old); }

private:
    std::filesystem::path m_old;
};

/// A sweep of two sizes of two members each, with distilled students.
SweepConfig tinySweep()
{
    SweepConfig c;
    c.base = tinyStudy("w.h5");
    c.base.model.arch = "cnn";
    c.base.study.models = 2;
    c.base.study.ratio = 0.5;
    c.sizes = {4, 8};
    c.distill = true;
    return c;
}

/// The sbatch calls the stand-in sbatch in `bin` recorded, one per line.
QStringList sbatchCalls(const QTemporaryDir &bin)
{
    QFile args(bin.filePath("sbatch.args"));
    if (!args.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(args.readAll()).split('\n', Qt::SkipEmptyParts);
}

/// The arguments of an sbatch call from --array (or --dependency) on, without
/// the folder-dependent ones before it.
QString fromArray(const QString &call)
{
    const int at = call.indexOf(call.contains("--array=") ? "--array=" : "--dependency=");
    return at < 0 ? call : call.mid(at);
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
            "# The member tasks of the study /home/me/work/s.h5, written by pdepth --slurm.\n"
            "# Task N trains member N; a task restarted by Slurm (or submitted again)\n"
            "# continues the member's interrupted run file.\n"
            "set -u\n"
            "case \"$SLURM_ARRAY_TASK_ID\" in\n"
            "  0) config='s.members/m000.json'; output='s.members/m000.h5' ;;\n"
            "  1) config='s.members/it'\\''s.json'; output='/abs/m001.h5' ;;\n"
            "  *) echo \"pdepth: no member $SLURM_ARRAY_TASK_ID in this batch\" >&2; exit 2 ;;\n"
            "esac\n"
            "echo \"pdepth: Slurm job ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} on $(hostname), "
            "restart ${SLURM_RESTART_COUNT:-0}\"\n"
            "if [ -e \"$output.part\" ] || [ -e \"$output\" ]; then\n"
            "  '/opt/it'\\''s/pdepth' resume \"$output\"\n"
            "  status=$?\n"
            "  # Continued to the end, or stopped by a signal: done. Otherwise the\n"
            "  # .part file had nothing to continue and the member trains afresh.\n"
            "  if [ $status -eq 0 ] || [ $status -gt 128 ]; then exit $status; fi\n"
            "fi\n"
            "exec '/opt/it'\\''s/pdepth' train --config \"$config\" -o \"$output\"\n";
        QCOMPARE(slurmMemberScript("/opt/it's/pdepth", twoMembers()), golden);
    }

    void mergeScript()
    {
        QCOMPARE(slurmMergeScript(twoMembers()),
                 std::string("#!/bin/bash\n"
                             "# Merges the members of the study /home/me/work/s.h5, written by pdepth --slurm.\n"
                             "exec '/opt/pdepth' 'merge' '-o' 's.h5' 's.members/m000.h5' '/abs/m001.h5'\n"));
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
        SlurmBatch b = twoMembers();
        b.submit = {0, 1, 2, 3};
        QCOMPARE(joined(slurmMemberArgs(o, b, b.submit, "/data/s.members/slurm-member.sh")),
                 QStringLiteral("--parsable\n--job-name=pdepth-s\n--chdir=/home/me/work\n"
                                "--output=/data/s.members/m%3a.log\n"
                                "--open-mode=append\n--partition=gpu\n--time=2:00:00\n--array=0-3%2\n--requeue\n"
                                "--gres=gpu:1\n--cpus-per-task=8\n--account=lab\n--qos=low\n"
                                "/data/s.members/slurm-member.sh"));
        QCOMPARE(joined(slurmMergeArgs(o, b, "812", "/data/s.members/slurm-merge.sh")),
                 QStringLiteral("--parsable\n--job-name=pdepth-s-merge\n--chdir=/home/me/work\n"
                                "--output=/data/s.members/merge.log\n"
                                "--open-mode=append\n--partition=gpu\n--time=2:00:00\n--dependency=afterok:812\n"
                                "--kill-on-invalid-dep=yes\n--account=lab\n--qos=low\n/data/s.members/slurm-merge.sh"));
        // Nothing left to train: the merge alone, with no dependency and no
        // resources the cluster was not asked for.
        QCOMPARE(joined(slurmMergeArgs(SlurmOptions{}, b, "", "/m.sh")),
                 QStringLiteral("--parsable\n--job-name=pdepth-s-merge\n--chdir=/home/me/work\n"
                                "--output=/data/s.members/merge.log\n--open-mode=append\n/m.sh"));
        QCOMPARE(slurmMemberLog("/data/s.members", 7), std::string("/data/s.members/m007.log"));
    }

    void badOptions_data()
    {
        QTest::addColumn<QString>("setting");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("partition") << "partition" << "gpu large" << "slurm.partition" << "'gpu large'";
        QTest::newRow("time") << "time" << "2h" << "slurm.time" << "'2h' is not one Slurm reads";
        QTest::newRow("gres") << "gres" << "gpu=1" << "slurm.gres" << "name[:type]:count";
        QTest::newRow("cpus") << "cpus" << "-1" << "slurm.cpus" << "not -1";
        QTest::newRow("at once") << "atOnce" << "-2" << "slurm.at_once" << "not -2";
        QTest::newRow("bare value") << "arg" << "lab" << "slurm.args" << "--option=value";
        QTest::newRow("ours") << "arg" << "--array=0-9" << "slurm.args" << "pdepth sets this option itself";
        QTest::newRow("ours short") << "arg" << "-o/tmp/x" << "slurm.args" << "pdepth sets this option itself";
    }

    void badOptions()
    {
        QFETCH(QString, setting);
        QFETCH(QString, value);
        QFETCH(QString, field);
        QFETCH(QString, fragment);
        SlurmOptions o;
        o.partition = "gpu,debug";
        o.time = "1-12:00";
        o.gres = "gpu:a100:2";
        o.extraArgs = {"--account=lab"};
        validateSlurmOptions(o);
        const std::string v = value.toStdString();
        if (setting == "partition")
            o.partition = v;
        else if (setting == "time")
            o.time = v;
        else if (setting == "gres")
            o.gres = v;
        else if (setting == "cpus")
            o.cpus = value.toInt();
        else if (setting == "atOnce")
            o.atOnce = value.toInt();
        else
            o.extraArgs.push_back(v);
        try {
            validateSlurmOptions(o);
            QFAIL("accepted");
        } catch (const ConfigError &e) {
            QCOMPARE(QString::fromStdString(e.field()), field);
            QVERIFY2(QString(e.what()).contains(fragment), e.what());
        }
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
            slurmStudyState(dir.filePath("s.h5").toStdString());
            QFAIL("status of a study never submitted");
        } catch (const Error &e) {
            QVERIFY2(QString(e.what()).contains("no Slurm submission found"), e.what());
        }
    }

    void relativeOutputReusesMembers()
    {
        // A study trained here with a relative -o, then submitted with the
        // same -o: its finished member is reused, and the jobs run in this
        // folder with the paths as given, so their files match the local ones.
        QTemporaryDir bin, work;
        test::writeStandInSlurm(bin.path());
        const std::string path = bin.path().toStdString() + ":" + std::getenv("PATH");
        ScopedEnv env("PATH", path.c_str());
        ScopedCwd cwd(work.path());
        const RunConfig study = tinyStudy("s.h5");
        RunConfig local = studyMemberConfig(study, 0);
        local.study.probe = true;
        QVERIFY(QDir().mkpath("s.members"));
        writeFinishedMember(local.output, local);
        QCOMPARE(local.output, std::string("s.members/m000.h5"));

        const SlurmSubmission sub = submitStudyToSlurm(study, {}, "/opt/pdepth");
        QCOMPARE(sub.reused, 1);
        QCOMPARE(sub.members, (std::vector<int>{1, 2, 3}));
        QCOMPARE(sub.arrayJob, std::string("812"));
        QCOMPARE(sub.mergeJob, std::string("813"));
        QVERIFY2(QFile::exists(work.filePath("s.members/m000.h5")), "the finished member was removed");
        QVERIFY(!QFile::exists(work.filePath("s.members/m000.json")));
        const QString canonical = QFileInfo(work.path()).canonicalFilePath();
        QFile args(bin.filePath("sbatch.args"));
        QVERIFY(args.open(QIODevice::ReadOnly));
        const QString calls = QString::fromUtf8(args.readAll());
        QVERIFY2(calls.contains("--chdir=" + canonical + " ") || calls.contains("--chdir=" + work.path() + " "),
                 qPrintable(calls));
        QVERIFY2(calls.contains("--array=1-3 "), qPrintable(calls));
        QFile member(work.filePath("s.members/m001.json"));
        QVERIFY(member.open(QIODevice::ReadOnly));
        const auto json = QJsonDocument::fromJson(member.readAll()).object();
        QCOMPARE(json["output"].toString(), QStringLiteral("s.members/m001.h5"));
        QFile script(work.filePath("s.members/slurm-member.sh"));
        QVERIFY(script.open(QIODevice::ReadOnly));
        QVERIFY(script.readAll().contains("  1) config='s.members/m001.json'; output='s.members/m001.h5' ;;"));
    }

    void statusFromSchedulerAndFiles()
    {
        QTemporaryDir bin, work;
        test::writeStandInSlurm(bin.path());
        const std::string path = bin.path().toStdString() + ":" + std::getenv("PATH");
        ScopedEnv env("PATH", path.c_str());
        const std::string out = work.filePath("s.h5").toStdString();
        const SlurmSubmission sub = submitStudyToSlurm(tinyStudy(out), {}, "/opt/pdepth");
        QCOMPARE(sub.members, (std::vector<int>{0, 1, 2, 3}));
        // m000 finished (its file says so), m001 running, m002 stopped with a
        // .part file and gone from squeue, m003 pending; the merge waits.
        writeFinishedMember(memberPath(out, 0), studyMemberConfig(tinyStudy(out), 0));
        test::writeTextFile(QString::fromStdString(memberPath(out, 2) + ".part"), "not a run file");
        test::writeTextFile(work.filePath("s.members/m002.log"),
                  "pdepth: Slurm job 812_2 on node1, restart 0\nepoch 1: loss 2.1\n"
                  "slurmstepd: error: *** JOB 812 ON node1 CANCELLED DUE TO TIME LIMIT ***\n");
        test::writeTextFile(bin.filePath("squeue.txt"), "812_1|RUNNING\n812_3|PENDING\n813|PENDING\n");
        SlurmStatus s = slurmStudyState(out);
        QVERIFY(!s.accounting);
        QCOMPARE(QString::fromStdString(s.accountingNote), QStringLiteral("sacct: error: Slurm accounting storage is disabled"));
        QCOMPARE(s.members.size(), std::size_t(4));
        QCOMPARE(s.members[0].state, SlurmTaskState::Finished);
        QCOMPARE(s.members[1].state, SlurmTaskState::Running);
        QCOMPARE(s.members[2].state, SlurmTaskState::Failed);
        QCOMPARE(s.members[3].state, SlurmTaskState::Pending);
        QCOMPARE(s.merge.state, SlurmTaskState::Pending);
        QCOMPARE(s.members[2].lastLines.size(), std::size_t(3));
        const QString text = QString::fromStdString(formatSlurmStatus(s));
        QVERIFY2(text.startsWith(QString::fromStdString(out) + ": 4 members: 1 finished, 1 running, 1 pending, 1 failed\n"),
                 qPrintable(text));
        QVERIFY2(text.contains("  m001  running  (job 812_1: RUNNING)\n"), qPrintable(text));
        QVERIFY2(text.contains("  m002  failed  (job 812_2; stopped before its end; its end state is unknown: the job "
                               "has left squeue and sacct is not available)\n"),
                 qPrintable(text));
        QVERIFY2(text.contains("merge job 813: pending (PENDING)\n"), qPrintable(text));
        QVERIFY2(text.contains("states from squeue and the member files only (sacct: error: Slurm accounting storage "
                               "is disabled)"),
                 qPrintable(text));
        QVERIFY2(text.contains("m002 failed, last lines of " + work.filePath("s.members/m002.log") +
                               ":\n  pdepth: Slurm job 812_2 on node1, restart 0\n"),
                 qPrintable(text));
        QVERIFY2(text.contains("CANCELLED DUE TO TIME LIMIT"), qPrintable(text));

        // With accounting, sacct says how m002 ended and that the merge was
        // cancelled when its dependency could no longer be met.
        test::writeTextFile(bin.filePath("sacct.txt"), "812_0|COMPLETED\n812_1|RUNNING\n812_2|TIMEOUT\n812_2.batch|CANCELLED\n"
                                             "812_3|PENDING\n813|CANCELLED by 0\n");
        test::writeTextFile(bin.filePath("squeue.txt"), "");
        s = slurmStudyState(out);
        QVERIFY(s.accounting);
        QCOMPARE(s.members[2].state, SlurmTaskState::Failed);
        QCOMPARE(s.members[2].scheduler, std::string("TIMEOUT"));
        QCOMPARE(s.members[3].state, SlurmTaskState::Pending);
        QCOMPARE(s.merge.state, SlurmTaskState::Failed);
        QCOMPARE(s.merge.detail, std::string("a member failed, so the merge was cancelled"));
        const auto json = QJsonDocument::fromJson(QByteArray::fromStdString(slurmStatusJson(s))).object();
        QCOMPARE(json["counts"].toObject()["failed"].toInt(), 1);
        QCOMPARE(json["accounting"].toBool(), true);
        QCOMPARE(json["members"].toArray()[2].toObject()["scheduler"].toString(), QStringLiteral("TIMEOUT"));
        QCOMPARE(json["merge"].toObject()["state"].toString(), QStringLiteral("failed"));

        // A second submission while jobs of the first are queued is refused.
        try {
            submitStudyToSlurm(tinyStudy(out), {}, "/opt/pdepth");
            QFAIL("submitted twice");
        } catch (const Error &e) {
            QVERIFY2(QString(e.what()).contains("jobs of an earlier submission are still queued or running"), e.what());
        }
    }
    void sweepAsTwoArraysAndMerge()
    {
        QTemporaryDir bin, work;
        test::writeStandInSlurm(bin.path());
        const std::string path = bin.path().toStdString() + ":" + std::getenv("PATH");
        ScopedEnv env("PATH", path.c_str());
        ScopedCwd cwd(work.path());
        const std::vector<std::string> merge{"/opt/pdepth", "sweep", "--sizes", "4,8", "--distill", "-o", "w.h5"};
        SlurmSubmission sub = submitSweepToSlurm(tinySweep(), {}, merge, "/opt/pdepth");
        // Plain members 0-3 (size by size), the students of size 4 as 4-5
        // after them, the merge after both.
        QCOMPARE(sub.members, (std::vector<int>{0, 1, 2, 3, 4, 5}));
        QCOMPARE(sub.arrayJob, std::string("812"));
        QCOMPARE(sub.laterJob, std::string("813"));
        QCOMPARE(sub.mergeJob, std::string("814"));
        QStringList calls = sbatchCalls(bin);
        QCOMPARE(calls.size(), 3);
        const QString members = work.filePath("w.members/slurm-member.sh");
        QCOMPARE(fromArray(calls[0]), "--array=0-3 --requeue " + members);
        QCOMPARE(fromArray(calls[1]),
                 "--array=4-5 --requeue --dependency=afterok:812 --kill-on-invalid-dep=yes " + members);
        QCOMPARE(fromArray(calls[2]), "--dependency=afterok:812:813 --kill-on-invalid-dep=yes " +
                                          work.filePath("w.members/slurm-merge.sh"));
        QFile script(work.filePath("w.members/slurm-member.sh"));
        QVERIFY(script.open(QIODevice::ReadOnly));
        const QByteArray text = script.readAll();
        QVERIFY2(text.contains("  0) config='w.members/s00_m000.json'; output='w.members/s00_m000.h5' ;;\n"
                               "  1) config='w.members/s00_m001.json'; output='w.members/s00_m001.h5' ;;\n"
                               "  2) config='w.members/s01_m000.json'; output='w.members/s01_m000.h5' ;;\n"
                               "  3) config='w.members/s01_m001.json'; output='w.members/s01_m001.h5' ;;\n"
                               "  4) config='w.members/d00_m000.json'; output='w.members/d00_m000.h5' ;;\n"
                               "  5) config='w.members/d00_m001.json'; output='w.members/d00_m001.h5' ;;\n"),
                 text.constData());
        QFile mergeScript(work.filePath("w.members/slurm-merge.sh"));
        QVERIFY(mergeScript.open(QIODevice::ReadOnly));
        QVERIFY2(mergeScript.readAll().endsWith("exec '/opt/pdepth' 'sweep' '--sizes' '4,8' '--distill' '-o' 'w.h5'\n"),
                 "the merge is not the sweep's own command");
        QVERIFY(QFile::exists(work.filePath("w.members/d00_m001.json")));
        QVERIFY2(QFile::exists(QString::fromStdString(sweepConfigPath("w.h5"))), "the members folder was not claimed");

        // The status knows which array each member is in.
        test::writeTextFile(bin.filePath("squeue.txt"), "812_[0-3]|PENDING\n813_[4-5]|PENDING\n814|PENDING\n");
        SlurmStatus st = slurmStudyState("w.h5");
        QCOMPARE(st.members.size(), std::size_t(6));
        QCOMPARE(st.members[3].job, std::string("812_3"));
        QCOMPARE(st.members[5].job, std::string("813_5"));
        QCOMPARE(st.members[5].state, SlurmTaskState::Pending);
        QCOMPARE(st.merge.state, SlurmTaskState::Pending);
        // A second submission while they are queued is refused.
        QVERIFY_EXCEPTION_THROWN(submitSweepToSlurm(tinySweep(), {}, merge, "/opt/pdepth"), Error);

        // Resubmitted with member 1 and student 4 finished: only the others.
        test::writeTextFile(bin.filePath("squeue.txt"), "");
        writeFinishedMember("w.members/s00_m001.h5", sweepMemberConfig(tinySweep(), 0, 1, false));
        writeFinishedMember("w.members/d00_m000.h5", sweepMemberConfig(tinySweep(), 0, 0, true));
        QFile::remove(bin.filePath("sbatch.args"));
        SlurmOptions o;
        o.atOnce = 2;
        sub = submitSweepToSlurm(tinySweep(), o, merge, "/opt/pdepth");
        QCOMPARE(sub.members, (std::vector<int>{0, 2, 3, 5}));
        QCOMPARE(sub.reused, 2);
        calls = sbatchCalls(bin);
        QCOMPARE(calls.size(), 3);
        QCOMPARE(fromArray(calls[0]), "--array=0,2-3%2 --requeue " + members);
        QCOMPARE(fromArray(calls[1]),
                 "--array=5%2 --requeue --dependency=afterok:815 --kill-on-invalid-dep=yes " + members);
        QVERIFY2(calls[2].contains("--dependency=afterok:815:816 "), qPrintable(calls[2]));

        // Every plain member finished: the students need no dependency.
        for (int s = 0; s < 2; ++s)
            for (int m = 0; m < 2; ++m)
                writeFinishedMember(sweepMemberPath("w.h5", s, m, false), sweepMemberConfig(tinySweep(), s, m, false));
        QFile::remove(bin.filePath("sbatch.args"));
        sub = submitSweepToSlurm(tinySweep(), {}, merge, "/opt/pdepth");
        QVERIFY(sub.arrayJob.empty());
        QCOMPARE(sub.laterJob, std::string("818"));
        calls = sbatchCalls(bin);
        QCOMPARE(calls.size(), 2);
        QCOMPARE(fromArray(calls[0]), "--array=5 --requeue " + members);
        QVERIFY2(calls[1].contains("--dependency=afterok:818 "), qPrintable(calls[1]));
        QVERIFY(!calls[1].contains("afterok:818:"));

        // Another sweep into the same members folder is refused before sbatch.
        SweepConfig other = tinySweep();
        other.sizes = {4, 16};
        QFile::remove(bin.filePath("sbatch.args"));
        QVERIFY_EXCEPTION_THROWN(submitSweepToSlurm(other, {}, merge, "/opt/pdepth"), ConfigError);
        QVERIFY(sbatchCalls(bin).isEmpty());
    }

    void comparisonAsOneArrayAndMerge()
    {
        QTemporaryDir bin, work;
        test::writeStandInSlurm(bin.path());
        const std::string path = bin.path().toStdString() + ":" + std::getenv("PATH");
        ScopedEnv env("PATH", path.c_str());
        ScopedCwd cwd(work.path());
        CompareConfig c;
        c.base = tinyStudy("c.h5");
        c.base.study.models = 2;
        c.base.train.generations = 2;
        c.regimes = {Regime::Standard, Regime::Llf};
        const std::vector<std::string> merge{"/opt/pdepth", "compare", "--regimes", "standard,llf", "-o", "c.h5"};
        SlurmOptions o;
        o.partition = "gpu";
        o.gres = "gpu:1";
        SlurmSubmission sub = submitComparisonToSlurm(c, o, merge, "/opt/pdepth");
        QCOMPARE(sub.members, (std::vector<int>{0, 1, 2, 3}));
        QVERIFY(sub.laterJob.empty());
        QStringList calls = sbatchCalls(bin);
        QCOMPARE(calls.size(), 2);
        QVERIFY2(calls[0].contains("--job-name=pdepth-c "), qPrintable(calls[0]));
        QCOMPARE(fromArray(calls[0]),
                 "--array=0-3 --requeue --gres=gpu:1 " + work.filePath("c.members/slurm-member.sh"));
        QCOMPARE(fromArray(calls[1]), "--dependency=afterok:812 --kill-on-invalid-dep=yes " +
                                          work.filePath("c.members/slurm-merge.sh"));
        QFile script(work.filePath("c.members/slurm-member.sh"));
        QVERIFY(script.open(QIODevice::ReadOnly));
        const QByteArray text = script.readAll();
        QVERIFY2(text.contains("  1) config='c.regimes/standard.members/m001.json'; "
                               "output='c.regimes/standard.members/m001.h5' ;;\n"
                               "  2) config='c.regimes/llf.members/m000.json'; output='c.regimes/llf.members/m000.h5' ;;\n"),
                 text.constData());
        QFile member(work.filePath("c.regimes/llf.members/m000.json"));
        QVERIFY(member.open(QIODevice::ReadOnly));
        const auto json = QJsonDocument::fromJson(member.readAll()).object();
        QCOMPARE(json["output"].toString(), QStringLiteral("c.regimes/llf.members/m000.h5"));
        QCOMPARE(json["train"].toObject()["regime"].toString(), QStringLiteral("llf"));

        // Resubmitted with the standard regime's members finished: only llf's.
        for (int m = 0; m < 2; ++m) {
            const RunConfig done = studyMemberConfig(regimeStudyConfig(c, Regime::Standard), m);
            writeFinishedMember(done.output, done);
        }
        QFile::remove(bin.filePath("sbatch.args"));
        sub = submitComparisonToSlurm(c, o, merge, "/opt/pdepth");
        QCOMPARE(sub.members, (std::vector<int>{2, 3}));
        QCOMPARE(sub.reused, 2);
        calls = sbatchCalls(bin);
        QCOMPARE(calls.size(), 2);
        QVERIFY2(fromArray(calls[0]).startsWith("--array=2-3 "), qPrintable(calls[0]));
        QVERIFY(QFile::exists(work.filePath("c.members/slurm.json")));
        QCOMPARE(slurmStudyState("c.h5").members.size(), std::size_t(4));
    }
};

QTEST_GUILESS_MAIN(TestSlurm)
#include "tst_slurm.moc"
