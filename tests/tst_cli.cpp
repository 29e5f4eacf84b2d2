// Tests of the pdepth command line: exit codes, messages, and a small run end to end.

#include "store/runreader.h"
#include "testsupport.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <fstream>

using namespace pds::test;

namespace {

} // namespace

/// Fails unless the outcome has `code`; shows its output when it does not.
#define PDS_VERIFY_EXIT(outcome, code) QVERIFY2((outcome).exitCode == (code), qPrintable(describe(outcome)))

class TestCli : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void help();
    void version();
    void usageErrors_data();
    void usageErrors();
    void dryRunAndSavedConfig();
    void trainInfoExport();
    void imageFolderByPath();
    void missingDataset();
    void infoErrors_data();
    void infoErrors();
    void exportToMissingFolder();
    void diverges();
    void interrupted();
    void studyAndMembersMerged();
    void studyJobsMatchOneAtATime();
    void studyJobsInterrupted();
    void studyJobsMemberFails();
    void studyJobsParentKilled();

private:
    QString path(const QString &name) const { return m_dir.filePath(name); }
    QStringList quickTrain(const QString &output) const;
    /// Starts a two-member study with --jobs 2 that would run for hours, and
    /// returns once both members have logged their first epoch.
    void startEndlessStudy(QProcess &p, const QString &name);

    QTemporaryDir m_dir;
    QString m_data;
    QString m_run; ///< written by trainInfoExport
};

void TestCli::initTestCase()
{
    QVERIFY2(QFile::exists(pdepthPath()), qPrintable("no pdepth at " + pdepthPath()));
    m_data = path("synthetic");
    QVERIFY(QDir().mkpath(m_data));
    writeSyntheticIdx(m_data.toStdString(), 4, 60, 20, 12);
}

QStringList TestCli::quickTrain(const QString &output) const
{
    return {"train", "--data-path", m_data, "--format", "idx", "--model", "mlp", "--mlp-units", "32",
            "--mlp-layers", "2", "--epochs", "2", "--threads", "2", "--device", "cpu", "-o", output};
}

void TestCli::help()
{
    const Outcome o = pdepth({"--help"});
    PDS_VERIFY_EXIT(o, 0);
    QVERIFY(o.out.contains("train"));
    QVERIFY(o.out.contains("info"));
    QVERIFY(o.out.contains("export"));
    QVERIFY(o.out.contains("Exit codes"));

    const Outcome train = pdepth({"train", "--help"});
    PDS_VERIFY_EXIT(train, 0);
    QVERIFY(train.out.contains("--data-path"));
    QVERIFY(train.out.contains("--lr"));
}

void TestCli::version()
{
    const Outcome o = pdepth({"--version"});
    PDS_VERIFY_EXIT(o, 0);
    QVERIFY2(o.out.startsWith("pdepth " PDS_VERSION), qPrintable(o.out));
}

void TestCli::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message"); ///< expected on stderr

    QTest::newRow("no command") << QStringList{} << "pdepth: name a command: train, study, sweep, compare, resume, merge, status, info, export or check";
    QTest::newRow("unknown option") << QStringList{"--bogus"} << "--bogus";
    QTest::newRow("unknown train option") << QStringList{"train", "--bogus", "1"} << "--bogus";
    QTest::newRow("unknown subcommand") << QStringList{"fly"} << "fly";
    QTest::newRow("not a number") << QStringList{"train", "--epochs", "two"} << "--epochs";
    QTest::newRow("negative lr") << QStringList{"train", "--lr", "-1", "--data-path", "/tmp", "--format", "idx"}
                                 << "pdepth: learning rate must be positive, got -1";
    QTest::newRow("bad optimizer") << QStringList{"train", "--optimizer", "rmsprop"}
                                   << "pdepth: optimizer must be sgd or adam, got 'rmsprop'";
    QTest::newRow("bad device") << QStringList{"train", "--device", "tpu"}
                                << "pdepth: device must be auto, cpu or cuda, got 'tpu'";
    QTest::newRow("bad memory format") << QStringList{"train", "--memory-format", "nhwc"}
                                       << "pdepth: memory format must be auto, channels_last or contiguous, got 'nhwc'";
    QTest::newRow("no jobs") << QStringList{"study", "--jobs", "0"} << "--jobs: Value 0 not in range 1 to 1024";
    QTest::newRow("jobs with slurm")
        << QStringList{"study", "--slurm", "--jobs", "2"}
        << "pdepth: --jobs trains members on this machine; with --slurm Slurm runs them (limit how many at once with --slurm-at-once)";
    QTest::newRow("sweep jobs with slurm")
        << QStringList{"sweep", "--sizes", "4,8", "--slurm", "--jobs", "2"}
        << "pdepth: --jobs trains members on this machine; with --slurm Slurm runs them (limit how many at once with --slurm-at-once)";
    QTest::newRow("compare jobs with slurm")
        << QStringList{"compare", "--slurm", "--jobs", "2"}
        << "pdepth: --jobs trains members on this machine; with --slurm Slurm runs them (limit how many at once with --slurm-at-once)";
    QTest::newRow("sweep slurm option without slurm") << QStringList{"sweep", "--sizes", "4", "--slurm-cpus", "2"} << "--slurm-cpus requires --slurm";
    QTest::newRow("slurm option without slurm") << QStringList{"study", "--slurm-time", "1:00"} << "--slurm-time requires --slurm";
    QTest::newRow("bad preset") << QStringList{"train", "--preset", "fast"}
                                << "pdepth: unknown preset 'fast' (expected auto, cpu-quick or gpu-full)";
    QTest::newRow("bad noise") << QStringList{"train", "--noise", "pink"}
                               << "pdepth: --noise must be none, symmetric, asymmetric or gaussian, got 'pink'";
    QTest::newRow("regression noise") << QStringList{"train", "--noise", "gaussian", "--sigma-max", "3"}
                                      << "pdepth: Gaussian noise (noise.kind) applies to --task regression only";
    QTest::newRow("bad noise map") << QStringList{"train", "--noise", "asymmetric", "--noise-map", "0-6"}
                                   << "pdepth: --noise-map must look like 0:6,2:4, got '0-6'";
    QTest::newRow("bad augmentation") << QStringList{"train", "--augment", "rotate"}
                                      << "pdepth: --augment must name crop, flip or both, got 'rotate'";
    QTest::newRow("noise fraction above 1") << QStringList{"train", "--noise", "symmetric", "--noise-fraction", "1.5"}
                                            << "pdepth: noise fraction must lie in [0, 1]";
    QTest::newRow("missing config file") << QStringList{"train", "--config", "/nonexistent/config.json"}
                                         << "pdepth: /nonexistent/config.json: cannot read configuration file";
    QTest::newRow("export without --csv") << QStringList{"export", "run.h5"} << "--csv";
    QTest::newRow("info without a file") << QStringList{"info"} << "file";
}

void TestCli::usageErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const Outcome o = pdepth(args);
    PDS_VERIFY_EXIT(o, 2);
    PDS_VERIFY_MESSAGE(o.err, message);
}

void TestCli::dryRunAndSavedConfig()
{
    const QString saved = path("saved.json");
    const Outcome o = pdepth({"train", "--dry-run", "--lr", "0.125", "--model", "vgg16", "--save-config", saved});
    PDS_VERIFY_EXIT(o, 0);
    const QJsonObject printed = QJsonDocument::fromJson(o.out.toUtf8()).object();
    QCOMPARE(printed["train"].toObject()["lr"].toDouble(), 0.125);
    QCOMPARE(printed["model"].toObject()["arch"].toString(), QStringLiteral("vgg16"));

    // The saved file is read back by --config; options given beside it override it.
    const Outcome again = pdepth({"train", "--dry-run", "--config", saved, "--epochs", "3"});
    PDS_VERIFY_EXIT(again, 0);
    const QJsonObject reread = QJsonDocument::fromJson(again.out.toUtf8()).object();
    QCOMPARE(reread["train"].toObject()["lr"].toDouble(), 0.125);
    QCOMPARE(reread["train"].toObject()["epochs"].toInt(), 3);
    QCOMPARE(reread["model"].toObject()["arch"].toString(), QStringLiteral("vgg16"));

    // A configuration file with a mistake names the key.
    const QString bad = path("bad.json");
    std::ofstream(bad.toStdString()) << R"({"train": {"learning_rate": 0.1}})";
    const Outcome refused = pdepth({"train", "--dry-run", "--config", bad});
    PDS_VERIFY_EXIT(refused, 2);
    PDS_VERIFY_MESSAGE(refused.err, "pdepth: unknown key 'config.train.learning_rate'");
}

void TestCli::trainInfoExport()
{
    m_run = path("cli-run.h5");
    const Outcome t = pdepth(quickTrain(m_run));
    PDS_VERIFY_EXIT(t, 0);
    QVERIFY2(t.out.contains("run file: " + m_run), qPrintable(t.out));
    QVERIFY(t.err.contains("model m000 epoch 2:")); // one progress line per epoch when not a terminal
    QVERIFY(QFile::exists(m_run));
    QVERIFY(!QFile::exists(m_run + ".part"));

    const Outcome info = pdepth({"info", m_run});
    PDS_VERIFY_EXIT(info, 0);
    QVERIFY2(info.out.contains("status      complete"), qPrintable(info.out));
    QVERIFY(info.out.contains("240 train, 80 test"));
    QVERIFY(info.out.contains("mlp"));
    QVERIFY(info.out.contains("epochs 2/2"));

    const QString csv = path("cli-run.csv");
    const Outcome exported = pdepth({"export", m_run, "--csv", csv});
    PDS_VERIFY_EXIT(exported, 0);
    QFile f(csv);
    QVERIFY(f.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList lines = QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 1 + 240 + 80);
    QVERIFY(lines[0].startsWith("split,index,source_index,label,clean_label,noisy,in_train"));
    QVERIFY(lines[1].startsWith("train,0,"));
    QVERIFY(lines[241].startsWith("test,0,"));
    QVERIFY(lines.last().startsWith("test,79,"));
}

void TestCli::imageFolderByPath()
{
    // --data-path alone takes any dataset folder: the layout decides the format and
    // the folder names the dataset (the default catalogue name does not apply).
    const QString root = path("shapes");
    for (const char *cls : {"circle", "square"})
        for (int i = 0; i < 6; ++i) {
            const QString file = QStringLiteral("%1/train/%2/%3.png").arg(root, cls).arg(i);
            QVERIFY(QDir().mkpath(QFileInfo(file).path()));
            writePng(file.toStdString(), 8, 8, 1, static_cast<std::uint8_t>(cls[0] == 'c' ? 30 + i : 200 + i));
        }
    const QString output = path("shapes.h5");
    const Outcome t = pdepth({"train", "--data-path", root, "--model", "mlp", "--mlp-units", "8", "--mlp-layers",
                              "1", "--epochs", "1", "--threads", "2", "--device", "cpu", "-o", output});
    PDS_VERIFY_EXIT(t, 0);
    const Outcome info = pdepth({"info", output});
    PDS_VERIFY_EXIT(info, 0);
    PDS_VERIFY_MESSAGE(info.out, "dataset     shapes (folder, " + root + ")");
    PDS_VERIFY_MESSAGE(info.out, "1×8×8, 2 classes");
}

void TestCli::missingDataset()
{
    const QString output = path("never.h5");
    QStringList args = quickTrain(output);
    args[args.indexOf("--data-path") + 1] = "/nonexistent";
    const Outcome o = pdepth(args);
    PDS_VERIFY_EXIT(o, 1);
    PDS_VERIFY_MESSAGE(o.err, "pdepth: /nonexistent: dataset folder not found");
    QVERIFY(!QFile::exists(output));
    QVERIFY(!QFile::exists(output + ".part"));
}

void TestCli::infoErrors_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("message");
    QTest::newRow("text file") << "text" << "not an HDF5 file, or it is damaged";
    QTest::newRow("missing file") << "missing" << "file not found";
}

void TestCli::infoErrors()
{
    QFETCH(QString, kind);
    QFETCH(QString, message);
    const QString file = path("not-a-run-" + kind + ".h5");
    if (kind == "text")
        std::ofstream(file.toStdString()) << "hello\n";
    for (const QStringList &args : {QStringList{"info", file}, QStringList{"export", file, "--csv", path("x.csv")}}) {
        const Outcome o = pdepth(args);
        PDS_VERIFY_EXIT(o, 1);
        PDS_VERIFY_MESSAGE(o.err, "pdepth: " + file + ": " + message);
    }
}

void TestCli::exportToMissingFolder()
{
    if (m_run.isEmpty() || !QFile::exists(m_run))
        QSKIP("needs the run file of trainInfoExport");
    const QString csv = path("no/such/folder/out.csv");
    const Outcome o = pdepth({"export", m_run, "--csv", csv});
    PDS_VERIFY_EXIT(o, 1);
    PDS_VERIFY_MESSAGE(o.err, "pdepth: " + csv + ": cannot write");
}

void TestCli::diverges()
{
    const QString output = path("diverged.h5");
    QStringList args = quickTrain(output);
    args << "--lr" << "1e6" << "--schedule" << "constant";
    const Outcome o = pdepth(args);
    PDS_VERIFY_EXIT(o, 3);
    PDS_VERIFY_MESSAGE(o.err, "pdepth: training diverged: the loss became ");

    const Outcome info = pdepth({"info", output});
    PDS_VERIFY_EXIT(info, 0);
    PDS_VERIFY_MESSAGE(info.out, "status      failed (training diverged");
}

void TestCli::interrupted()
{
    // SIGTERM (like Ctrl-C) cancels the run: exit 130, file kept and marked incomplete.
    const QString output = path("interrupted.h5");
    QStringList args = quickTrain(output);
    args[args.indexOf("--epochs") + 1] = "500";
    QProcess p;
    p.start(pdepthPath(), args);
    QVERIFY(p.waitForStarted(30000));
    QByteArray err;
    QElapsedTimer timer;
    timer.start();
    while (!err.contains("model m000 epoch 1:") && timer.elapsed() < 60000 && p.state() == QProcess::Running) {
        p.waitForReadyRead(1000);
        err += p.readAllStandardError();
    }
    QVERIFY2(err.contains("model m000 epoch 1:"), err.constData());
    p.terminate();
    QVERIFY(p.waitForFinished(60000));
    err += p.readAllStandardError();
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QVERIFY2(p.exitCode() == 130, err.constData());
    QVERIFY(err.contains("cancelled"));

    const Outcome info = pdepth({"info", output});
    PDS_VERIFY_EXIT(info, 0);
    PDS_VERIFY_MESSAGE(info.out, "status      incomplete (cancelled by the user)");
}

void TestCli::studyAndMembersMerged()
{
    // One command for the whole study …
    const QString study = path("cli-study.h5");
    QStringList args = quickTrain(study);
    args[0] = "study";
    args << "--models" << "2" << "--k" << "5";
    const Outcome s = pdepth(args);
    PDS_VERIFY_EXIT(s, 0);
    QVERIFY2(s.out.contains("2 members trained, 0 reused"), qPrintable(s.out));
    const Outcome again = pdepth(args);
    PDS_VERIFY_EXIT(again, 0);
    QVERIFY2(again.out.contains("0 members trained, 2 reused"), qPrintable(again.out));

    // … or members run separately (as a job array would) and merged.
    QStringList members;
    for (int m = 0; m < 2; ++m) {
        const QString file = path(QString("cli-member%1.h5").arg(m));
        QStringList memberArgs = quickTrain(file);
        memberArgs << "--probe" << "--models" << "2" << "--ratio" << "0.5" << "--member" << QString::number(m)
                   << "--k" << "5";
        PDS_VERIFY_EXIT(pdepth(memberArgs), 0);
        members << file;
    }
    const QString merged = path("cli-merged.h5");
    const Outcome merge = pdepth(QStringList{"merge"} + members + QStringList{"-o", merged});
    PDS_VERIFY_EXIT(merge, 0);
    QVERIFY2(merge.out.contains("models      2"), qPrintable(merge.out));

    const QString csv = path("cli-merged.csv");
    PDS_VERIFY_EXIT(pdepth({"export", merged, "--csv", csv}), 0);
    QFile f(csv);
    QVERIFY(f.open(QIODevice::ReadOnly | QIODevice::Text));
    const QString header = QString::fromUtf8(f.readLine());
    QVERIFY2(header.contains("prediction_depth_m1") && header.contains("study_group"), qPrintable(header));

    // The same member twice is refused, naming it.
    const Outcome twice = pdepth({"merge", members[0], members[0], "-o", path("cli-bad.h5")});
    PDS_VERIFY_EXIT(twice, 1);
    QVERIFY2(twice.err.contains("appears twice"), qPrintable(twice.err));

    // A member trained with another k is refused, naming it, the setting and both values.
    const QString otherK = path("cli-member1-k3.h5");
    QStringList otherArgs = quickTrain(otherK);
    otherArgs << "--probe" << "--models" << "2" << "--ratio" << "0.5" << "--member" << "1" << "--k" << "3";
    PDS_VERIFY_EXIT(pdepth(otherArgs), 0);
    const QString refusedOutput = path("cli-mixed.h5");
    const Outcome mixed = pdepth({"merge", members[0], otherK, "-o", refusedOutput});
    PDS_VERIFY_EXIT(mixed, 1);
    PDS_VERIFY_MESSAGE(mixed.err, otherK + ": member 1 was trained with study.k = 3 but member 0 (" + members[0]
                                      + ") with study.k = 5");
    QVERIFY(!QFile::exists(refusedOutput) && !QFile::exists(refusedOutput + ".part"));
}

void TestCli::studyJobsMatchOneAtATime()
{
    // Members in child processes, two at a time, give the study that one
    // process training them in turn gives, value for value.
    QStringList args = quickTrain(path("jobs-serial.h5"));
    args[0] = "study";
    args[args.indexOf("--threads") + 1] = "1";
    args << "--models" << "3" << "--k" << "5";
    PDS_VERIFY_EXIT(pdepth(args), 0);
    args[args.indexOf("-o") + 1] = path("jobs-parallel.h5");
    const Outcome parallel = pdepth(args + QStringList{"--jobs", "2"});
    PDS_VERIFY_EXIT(parallel, 0);
    QVERIFY2(parallel.out.contains("3 members trained, 0 reused"), qPrintable(parallel.out));
    QVERIFY2(parallel.err.contains("member m002 finished"), qPrintable(parallel.err));
    // Each member's epochs are passed on from its log as they happen.
    for (const char *line : {"member m000: model m000 epoch 1:", "member m002: model m002 epoch 2:", "member m001: probing"})
        QVERIFY2(parallel.err.contains(line), qPrintable(parallel.err));
    QVERIFY(QFile::exists(path("jobs-parallel.members/m002.log")));
    QVERIFY(QFile::exists(path("jobs-parallel.members/m002.json")));

    const pds::RunReader serial(path("jobs-serial.h5").toStdString()), jobs(path("jobs-parallel.h5").toStdString());
    QCOMPARE(jobs.summary().models.size(), std::size_t(3));
    for (const char *column : {"summary/train/depth_val_mean", "summary/train/memorisation", "summary/test/depth_val_mean"}) {
        const auto a = serial.readDoubles(column), b = jobs.readDoubles(column);
        QCOMPARE(a.size(), b.size());
        for (std::size_t i = 0; i < a.size(); ++i)
            QVERIFY2(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])), column);
    }
    for (int m = 0; m < 3; ++m) {
        const std::string depth = jobs.summary().models[m].group + "/probes/depth_train";
        QVERIFY(serial.readInts(depth) == jobs.readInts(depth));
    }

    // Run again, the finished members are reused whichever way they were made.
    const Outcome again = pdepth(args + QStringList{"--jobs", "3"});
    PDS_VERIFY_EXIT(again, 0);
    QVERIFY2(again.out.contains("0 members trained, 3 reused"), qPrintable(again.out));
}

void TestCli::startEndlessStudy(QProcess &p, const QString &name)
{
    // Two members at once, each far from done once both have logged an epoch.
    QStringList args = quickTrain(path(name + ".h5"));
    args[0] = "study";
    args[args.indexOf("--epochs") + 1] = "50000";
    args[args.indexOf("--threads") + 1] = "1";
    args << "--models" << "2" << "--k" << "5" << "--jobs" << "2";
    p.start(pdepthPath(), args);
    QVERIFY(p.waitForStarted(30000));
    auto epochsLogged = [&] {
        for (const char *member : {"m000", "m001"}) {
            QFile f(path(name + ".members/" + member + ".log"));
            if (!f.open(QIODevice::ReadOnly) || !f.readAll().contains(" epoch 1:"))
                return false;
        }
        return true;
    };
    QElapsedTimer timer;
    timer.start();
    while (!epochsLogged() && timer.elapsed() < 60000 && p.state() == QProcess::Running)
        QTest::qWait(100);
    QVERIFY2(epochsLogged(), p.readAllStandardError().constData());
}

void TestCli::studyJobsInterrupted()
{
    // Interrupting the study interrupts every member process once: exit 130,
    // each member file kept, valid and marked incomplete, nothing merged.
    const QString study = path("jobs-interrupted.h5");
    QProcess p;
    startEndlessStudy(p, "jobs-interrupted");
    if (QTest::currentTestFailed())
        return;
    p.terminate();
    QVERIFY(p.waitForFinished(60000));
    const QByteArray err = p.readAllStandardError();
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QVERIFY2(p.exitCode() == 130, err.constData());
    QVERIFY(!QFile::exists(study));
    for (int m = 0; m < 2; ++m) {
        const QString member = path(QString("jobs-interrupted.members/m%1.h5").arg(m, 3, 10, QChar('0')));
        const Outcome info = pdepth({"info", member});
        PDS_VERIFY_EXIT(info, 0);
        PDS_VERIFY_MESSAGE(info.out, "status      incomplete (cancelled by the user)");
    }
}

void TestCli::studyJobsParentKilled()
{
    // A study killed outright (SIGKILL, no chance to relay anything) does not
    // leave members training on: each stops as if interrupted.
    QProcess p;
    startEndlessStudy(p, "jobs-killed");
    if (QTest::currentTestFailed())
        return;
    p.kill();
    QVERIFY(p.waitForFinished(30000));
    for (int m = 0; m < 2; ++m) {
        const QString member = path(QString("jobs-killed.members/m%1.h5").arg(m, 3, 10, QChar('0')));
        QElapsedTimer timer;
        timer.start();
        Outcome info;
        do {
            QTest::qWait(200);
            info = pdepth({"info", member});
        } while (!info.out.contains("incomplete (cancelled") && timer.elapsed() < 30000);
        PDS_VERIFY_MESSAGE(info.out, "status      incomplete (cancelled by the user)");
    }
}

void TestCli::studyJobsMemberFails()
{
    // A member whose run file cannot be written fails the study with its
    // reason and its log named; the other member's file is kept.
    const QString study = path("jobs-failing.h5");
    QVERIFY(QDir().mkpath(path("jobs-failing.members/m001.h5.part")));
    QStringList args = quickTrain(study);
    args[0] = "study";
    args << "--models" << "2" << "--k" << "5" << "--jobs" << "2";
    const Outcome o = pdepth(args);
    PDS_VERIFY_EXIT(o, 1);
    PDS_VERIFY_MESSAGE(o.err, "member m001 failed with exit status 1");
    PDS_VERIFY_MESSAGE(o.err, "m001.log");
    QVERIFY(!QFile::exists(study));
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
