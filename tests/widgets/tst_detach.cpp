// Training survives the Studio: a study started through TrainingRunner (as the
// wizard starts it) from a helper process that is then killed with SIGKILL
// trains on in its own pdepth processes to a complete file (members one after
// another, or at once), and a new runner re-attaches to it, live or finished;
// a job whose own process dies is reported as such and resumes.

#include "studiofixture.h"
#include "training/livecurves.h"
#include "training/progressview.h"
#include "training/trainingrunner.h"

#include "store/runformat.h"
#include "store/runreader.h"
#include "study/detachedjob.h"

#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <signal.h>

#include <fstream>

using namespace pds;

class TestDetach : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    /// A small mlp on the 4-class 12×12 fixture, on the CPU, in small batches
    /// so that its epochs take long enough to kill things in between.
    RunConfig config(const QString &name, int epochs) const
    {
        RunConfig c;
        c.dataset.name.clear();
        c.dataset.path = test::fixtureDataset().toStdString();
        c.dataset.format = "idx";
        c.model.arch = "mlp";
        c.model.mlpHiddenLayers = 1;
        c.model.mlpHiddenUnits = 16;
        c.train.epochs = epochs;
        c.train.batchSize = 4;
        c.train.lr = 0.05;
        c.train.device = DeviceChoice::Cpu;
        c.train.threads = 1;
        c.study.k = 5;
        c.output = m_dir.filePath(name + QStringLiteral(".h5")).toStdString();
        return c;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(QFileInfo(qEnvironmentVariable("PDS_DETACH_HELPER")).isExecutable(), "PDS_DETACH_HELPER is not set");
        QVERIFY2(QFileInfo(TrainingRunner::pdepthProgram()).isExecutable(), "PDS_PDEPTH is not set");
    }

    void studySurvivesTheStudio_data()
    {
        QTest::addColumn<int>("atOnce");
        QTest::newRow("members one after another") << 1;
        QTest::newRow("members at once, in processes of their own") << 2;
    }

    void studySurvivesTheStudio()
    {
        QFETCH(int, atOnce);
        RunConfig c = config(QStringLiteral("survivor%1").arg(atOnce), 60);
        c.study.models = 2;
        c.study.ratio = 0.5;
        const QString output = QString::fromStdString(c.output);
        const QString configPath = m_dir.filePath(QStringLiteral("survivor%1-wizard.json").arg(atOnce));
        {
            std::ofstream out(configPath.toStdString());
            out << toJson(c);
        }

        // The Studio's side in a process of its own, killed once the study trains.
        QProcess studio;
        studio.start(qEnvironmentVariable("PDS_DETACH_HELPER"), {configPath, QString::number(atOnce)});
        QVERIFY(studio.waitForStarted());
        QByteArray said;
        QElapsedTimer t;
        t.start();
        while (!said.contains("epoch 0 1\n") && studio.state() == QProcess::Running && t.elapsed() < 120000) {
            studio.waitForReadyRead(100);
            said += studio.readAllStandardOutput();
        }
        QVERIFY2(said.contains("epoch 0 1\n"), qPrintable(QString::fromUtf8(said + studio.readAllStandardError())));
        studio.kill(); // SIGKILL: the Studio has no say
        QVERIFY(studio.waitForFinished(10000));
        QCOMPARE(studio.exitStatus(), QProcess::CrashExit);
        qInfo("Studio killed %lld ms after it started the study", t.elapsed());

        const JobState state = inspectJob(c.output);
        QVERIFY2(state.kind == JobState::Kind::Running, "the study did not outlive the Studio");
        const long pid = state.header->pid;
        QVERIFY(said.contains(QByteArray("started ") + QByteArray::number(qint64(pid))));

        // A Studio opened again finds the job and follows it live: the
        // curves so far come from its log, the rest as they are trained.
        TrainingRunner runner;
        ProgressView view;
        view.setRunner(&runner);
        QSignalSpy started(&runner, &TrainingRunner::started);
        QSignalSpy progress(&runner, &TrainingRunner::progress);
        QSignalSpy finished(&runner, &TrainingRunner::finished);
        QSignalSpy failed(&runner, &TrainingRunner::failed);
        QString error;
        QVERIFY2(runner.attach(output + QStringLiteral(".part"), &error), qPrintable(error));
        QVERIFY(runner.isRunning());
        QCOMPARE(runner.jobProcess(), qint64(pid));
        QCOMPARE(started.count(), 1);
        QCOMPARE(started.at(0).at(0).toString(), output);
        QVERIFY2(finished.wait(300000), qPrintable(test::failures(failed)));
        QCOMPARE(finished.at(0).at(0).toString(), output);
        // Members in processes of their own report their epochs, not their steps.
        QVERIFY(atOnce > 1 || progress.count() > 0);
        QCOMPARE(view.stateText(), QStringLiteral("Finished"));
        QCOMPARE(view.curves()->pointCount(0), 60);
        QCOMPARE(view.curves()->pointCount(1), 60);
        // It wrote its end just before exiting.
        QTRY_VERIFY_WITH_TIMEOUT(!isJobProcess(pid, JobFiles::of(c.output).events), 10000);

        RunReader run(c.output);
        QCOMPARE(run.summary().status, std::string(runformat::kStatusComplete));
        QVERIFY(run.hasSummary());
        QCOMPARE(int(run.summary().models.size()), 2);
        for (const auto &m : run.summary().models)
            QCOMPARE(m.epochsCompleted, 60);

        // Opened after the end, it shows the study finished.
        TrainingRunner later;
        QSignalSpy laterFinished(&later, &TrainingRunner::finished);
        QVERIFY(later.attach(output));
        QVERIFY(laterFinished.wait(5000));
        QCOMPARE(laterFinished.at(0).at(0).toString(), output);
        QVERIFY(!later.isRunning());
    }

    void leavingTheRunnerKeepsTheJob()
    {
        const RunConfig c = config(QStringLiteral("left"), 1000);
        const QString output = QString::fromStdString(c.output);
        qint64 pid = 0;
        {
            TrainingRunner runner;
            QSignalSpy epochs(&runner, &TrainingRunner::epochFinished);
            QVERIFY(runner.start(c));
            pid = runner.jobProcess();
            QVERIFY(epochs.wait(60000));
        }
        QVERIFY(isJobProcess(pid, JobFiles::of(c.output).events));

        // Another runner takes it over, and cancelling it still works.
        TrainingRunner runner;
        QSignalSpy epochs(&runner, &TrainingRunner::epochFinished);
        QSignalSpy cancelled(&runner, &TrainingRunner::cancelled);
        QSignalSpy failed(&runner, &TrainingRunner::failed);
        QVERIFY(runner.attach(output));
        QVERIFY(epochs.wait(30000)); // replayed, then live
        runner.cancel();
        QVERIFY2(cancelled.wait(10000), qPrintable(test::failures(failed)));
        QCOMPARE(cancelled.at(0).at(0).toString(), output);
        RunReader run(c.output);
        QCOMPARE(run.summary().status, std::string(runformat::kStatusIncomplete));
        QVERIFY(run.summary().models.front().epochsCompleted >= 1);
    }

    void deadJobSaysSoAndResumes()
    {
        const RunConfig c = config(QStringLiteral("dead"), 1000);
        const QString output = QString::fromStdString(c.output);
        TrainingRunner runner;
        ProgressView view;
        view.setRunner(&runner);
        QSignalSpy epochs(&runner, &TrainingRunner::epochFinished);
        QSignalSpy failed(&runner, &TrainingRunner::failed);
        QSignalSpy cancelled(&runner, &TrainingRunner::cancelled);
        QVERIFY(runner.start(c));
        QVERIFY(epochs.wait(60000));
        const qint64 pid = runner.jobProcess();
        QCOMPARE(::kill(static_cast<pid_t>(pid), SIGKILL), 0);
        QVERIFY(failed.wait(10000));
        const QString message = failed.at(0).at(0).toString();
        QVERIFY2(message.contains(QStringLiteral("stopped without finishing")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("File › Resume")), qPrintable(message));
        QCOMPARE(view.stateText(), QStringLiteral("Failed"));
        QVERIFY(inspectJob(c.output).kind == JobState::Kind::Died);

        // Resumed from the file it left, in a new process.
        int before = 0;
        {
            RunReader part(c.output + runformat::kPartialSuffix);
            before = part.summary().models.front().epochsCompleted;
        }
        QSignalSpy resumedEpochs(&runner, &TrainingRunner::epochFinished);
        QString error;
        QVERIFY2(runner.resume(output + QStringLiteral(".part"), &error), qPrintable(error));
        QVERIFY(resumedEpochs.wait(60000));
        QVERIFY(resumedEpochs.at(0).at(1).toInt() > before);
        runner.cancel();
        QVERIFY2(cancelled.wait(10000), qPrintable(test::failures(failed)));
        RunReader run(c.output);
        QCOMPARE(run.summary().status, std::string(runformat::kStatusIncomplete));
        QVERIFY(run.summary().models.front().epochsCompleted > before);
    }
};

QTEST_MAIN(TestDetach)
#include "tst_detach.moc"
