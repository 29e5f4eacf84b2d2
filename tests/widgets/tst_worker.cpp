// TrainingRunner: real jobs (each in a pdepth process of its own) on the
// synthetic fixture dataset, observed through the runner's signals, and the
// ProgressView that follows them.

#include "training/progressview.h"
#include "studiofixture.h"
#include "training/livecurves.h"
#include "training/trainingrunner.h"

#include "store/runformat.h"
#include "store/runreader.h"
#include "study/detachedjob.h"
#include "study/study.h"

#include <QElapsedTimer>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>

using namespace pds;

/// Fails unless `message` contains `fragment`, showing both.
#define VERIFY_CONTAINS(message, fragment)                                                         \
    QVERIFY2(QString(message).contains(fragment),                                                  \
             qPrintable(QStringLiteral("\"%1\" lacks \"%2\"").arg(QString(message), QString(fragment))))

namespace {

Progress progressAt(const QSignalSpy &spy, int i)
{
    return qvariant_cast<Progress>(spy.at(i).at(0));
}

/// Waits until the runner reports a progress of `phase`; false on timeout.
bool waitForPhase(QSignalSpy &spy, JobPhase phase, int timeoutMs = 30000)
{
    QElapsedTimer t;
    t.start();
    for (int seen = 0; t.elapsed() < timeoutMs;) {
        for (; seen < spy.count(); ++seen)
            if (progressAt(spy, seen).phase == phase)
                return true;
        spy.wait(100);
    }
    return false;
}

} // namespace

class TestWorker : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    /// A job of a few seconds: a small mlp on the 4-class 12×12 fixture, on the CPU.
    RunConfig config(const QString &name, int epochs = 2) const
    {
        RunConfig c;
        c.dataset.name.clear();
        c.dataset.path = test::fixtureDataset().toStdString();
        c.dataset.format = "idx";
        c.model.arch = "mlp";
        c.model.mlpHiddenLayers = 2;
        c.model.mlpHiddenUnits = 32;
        c.train.epochs = epochs;
        c.train.batchSize = 16;
        c.train.lr = 0.05;
        c.train.device = DeviceChoice::Cpu;
        c.study.k = 5;
        c.output = m_dir.filePath(name + QStringLiteral(".h5")).toStdString();
        return c;
    }

    /// config() as a study of two models on paired halves.
    RunConfig studyConfig(const QString &name, int epochs = 2) const
    {
        RunConfig c = config(name, epochs);
        c.study.models = 2;
        c.study.ratio = 0.5;
        return c;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(QFileInfo::exists(test::fixtureDataset() + QStringLiteral("/train-images-idx3-ubyte.gz")));
    }

    void singleRun()
    {
        TrainingRunner runner;
        ProgressView view;
        view.setRunner(&runner);
        QSignalSpy started(&runner, &TrainingRunner::started);
        QSignalSpy progress(&runner, &TrainingRunner::progress);
        QSignalSpy epochs(&runner, &TrainingRunner::epochFinished);
        QSignalSpy files(&runner, &TrainingRunner::fileUpdated);
        QSignalSpy finished(&runner, &TrainingRunner::finished);
        QSignalSpy failed(&runner, &TrainingRunner::failed);
        const RunConfig c = config(QStringLiteral("single"));
        const QString output = QString::fromStdString(c.output);

        QString error;
        QVERIFY2(runner.start(c, &error), qPrintable(error));
        QVERIFY(runner.isRunning());
        QCOMPARE(runner.outputPath(), output);
        QCOMPARE(started.count(), 1);
        QCOMPARE(started.at(0).at(0).toString(), output);
        QVERIFY2(finished.wait(60000), qPrintable(test::failures(failed)));
        QVERIFY(!runner.isRunning());
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.at(0).at(0).toString(), output);
        QCOMPARE(failed.count(), 0);

        // 96 train examples in batches of 16: 6 steps per epoch, each epoch's end reported.
        QVERIFY(progress.count() >= 3);
        QVERIFY(progressAt(progress, 0).phase == JobPhase::Loading);
        int epochEnds = 0;
        for (int i = 0; i < progress.count(); ++i) {
            const Progress p = progressAt(progress, i);
            QCOMPARE(p.models, 1);
            if (p.phase == JobPhase::Training) {
                QCOMPARE(p.steps, 6LL);
                QCOMPARE(p.epochs, 2);
                epochEnds += p.step == p.steps;
            }
        }
        QCOMPARE(epochEnds, 2);

        QCOMPARE(epochs.count(), 2);
        RunReader run(output.toStdString());
        QCOMPARE(run.summary().status, std::string(runformat::kStatusComplete));
        QCOMPARE(int(run.summary().models.size()), 1);
        const auto &curves = run.summary().models.front().curves;
        QCOMPARE(int(curves.size()), 2);
        for (int e = 0; e < 2; ++e) {
            const auto &args = epochs.at(e);
            QCOMPARE(args.at(0).toInt(), 0);
            QCOMPARE(args.at(1).toInt(), e + 1);
            QCOMPARE(args.at(2).toDouble(), curves[e].trainLoss);
            QCOMPARE(args.at(3).toDouble(), curves[e].trainAccuracy);
            QCOMPARE(args.at(4).toDouble(), curves[e].testLoss);
            QCOMPARE(args.at(5).toDouble(), curves[e].testAccuracy);
            QVERIFY(std::isfinite(curves[e].trainLoss) && curves[e].trainLoss > 0);
        }
        // While training, the newest state is in the .part file, committed before each epoch is reported.
        QCOMPARE(files.count(), 2);
        for (const auto &args : files)
            QCOMPARE(args.at(0).toString(), output + QStringLiteral(".part"));

        QCOMPARE(view.stateText(), QStringLiteral("Finished"));
        QCOMPARE(view.detailText(), output);
        QCOMPARE(view.progressValue(), 1000);
        QCOMPARE(view.curves()->pointCount(0), 2);
    }

    void study()
    {
        TrainingRunner runner;
        ProgressView view;
        view.setRunner(&runner);
        QSignalSpy progress(&runner, &TrainingRunner::progress);
        QSignalSpy epochs(&runner, &TrainingRunner::epochFinished);
        QSignalSpy files(&runner, &TrainingRunner::fileUpdated);
        QSignalSpy finished(&runner, &TrainingRunner::finished);
        QSignalSpy failed(&runner, &TrainingRunner::failed);
        RunConfig c = studyConfig(QStringLiteral("study"));
        c.study.embeddings = "all";
        const QString output = QString::fromStdString(c.output);

        QString error;
        QVERIFY2(runner.start(c, &error), qPrintable(error));
        QVERIFY2(finished.wait(120000), qPrintable(test::failures(failed)));
        QCOMPARE(finished.at(0).at(0).toString(), output);

        RunReader run(output.toStdString());
        QCOMPARE(run.summary().status, std::string(runformat::kStatusComplete));
        QVERIFY(run.hasSummary());
        QCOMPARE(int(run.summary().models.size()), 2);

        QCOMPARE(epochs.count(), 4);
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(epochs.at(i).at(0).toInt(), i / 2);
            QCOMPARE(epochs.at(i).at(1).toInt(), i % 2 + 1);
        }
        // Every report names the study's model, also those from loading and probing.
        bool probed[2] = {false, false};
        for (int i = 0; i < progress.count(); ++i) {
            const Progress p = progressAt(progress, i);
            QCOMPARE(p.models, 2);
            QVERIFY(p.model == 0 || p.model == 1);
            if (p.phase == JobPhase::Probing)
                probed[p.model] = true;
        }
        QVERIFY(probed[0] && probed[1]);

        QStringList paths;
        for (const auto &args : files)
            paths << args.at(0).toString();
        const QString m0 = QString::fromStdString(memberPath(c.output, 0));
        const QString m1 = QString::fromStdString(memberPath(c.output, 1));
        const QStringList expected{m0 + ".part", m0 + ".part", m0, m1 + ".part", m1 + ".part", m1};
        QCOMPARE(paths, expected);
        QCOMPARE(view.stateText(), QStringLiteral("Finished"));
        QCOMPARE(view.curves()->pointCount(0), 2);
        QCOMPARE(view.curves()->pointCount(1), 2);
    }

    void studyMembersAtOnce()
    {
        // Two members at once, each in a pdepth process: live curves of both,
        // each member's final file announced as it finishes, then the study file.
        TrainingRunner runner;
        ProgressView view;
        view.setRunner(&runner);
        QSignalSpy epochs(&runner, &TrainingRunner::epochFinished);
        QSignalSpy files(&runner, &TrainingRunner::fileUpdated);
        QSignalSpy messages(&runner, &TrainingRunner::message);
        QSignalSpy finished(&runner, &TrainingRunner::finished);
        QSignalSpy failed(&runner, &TrainingRunner::failed);
        RunConfig c = studyConfig(QStringLiteral("jobs"));
        runner.setConcurrentMembers(2);
        QString error;
        QVERIFY2(runner.start(c, &error), qPrintable(error));
        QVERIFY2(finished.wait(120000), qPrintable(test::failures(failed)));
        const QString output = QString::fromStdString(c.output);
        QCOMPARE(finished.at(0).at(0).toString(), output);
        QCOMPARE(int(RunReader(c.output).summary().models.size()), 2);
        QCOMPARE(epochs.count(), 4);

        QStringList paths, texts;
        for (const auto &args : files)
            paths << args.at(0).toString();
        for (const auto &args : messages)
            texts << args.at(0).toString();
        for (int m = 0; m < 2; ++m) {
            QVERIFY2(paths.contains(QString::fromStdString(memberPath(c.output, m))), qPrintable(paths.join(", ")));
            QVERIFY2(!texts.filter(QStringLiteral("member m%1 finished").arg(m, 3, 10, QLatin1Char('0'))).isEmpty(),
                     qPrintable(texts.join("; ")));
        }
        // The members shared the cores: their configurations name the threads.
        const std::string memberConfig = RunReader(memberPath(c.output, 0)).summary().configJson;
        QVERIFY(memberConfig.find("\"threads\": 0") == std::string::npos);
        QCOMPARE(view.stateText(), QStringLiteral("Finished"));
        QCOMPARE(view.curves()->pointCount(0), 2);
        QCOMPARE(view.curves()->pointCount(1), 2);
    }

    void jobsNeedPdepth()
    {
        const QByteArray saved = qgetenv("PDS_PDEPTH");
        qputenv("PDS_PDEPTH", "/nonexistent/pdepth");
        TrainingRunner runner;
        RunConfig c = config(QStringLiteral("nopdepth"));
        QString error;
        const bool started = runner.start(c, &error);
        qputenv("PDS_PDEPTH", saved);
        QVERIFY(!started);
        VERIFY_CONTAINS(error, QStringLiteral("no pdepth program at /nonexistent/pdepth"));
        QVERIFY(!runner.isRunning());
    }

    void cancelAndResume()
    {
        TrainingRunner runner;
        ProgressView view;
        view.setRunner(&runner);
        QSignalSpy progress(&runner, &TrainingRunner::progress);
        QSignalSpy cancelled(&runner, &TrainingRunner::cancelled);
        QSignalSpy finished(&runner, &TrainingRunner::finished);
        QSignalSpy failed(&runner, &TrainingRunner::failed);
        RunConfig c = config(QStringLiteral("cancel"), 40);
        c.train.batchSize = 4;
        const QString output = QString::fromStdString(c.output);

        QSignalSpy firstEpochs(&runner, &TrainingRunner::epochFinished);
        QVERIFY(runner.start(c));
        // Cancelled after an epoch, so that resuming has a checkpoint to continue from.
        QVERIFY(firstEpochs.wait(30000));
        QVERIFY(waitForPhase(progress, JobPhase::Training));
        auto *button = view.findChild<QPushButton *>();
        QVERIFY(button && button->isEnabled());
        QElapsedTimer t;
        t.start();
        button->click();
        QCOMPARE(view.stateText(), QStringLiteral("Cancelling…"));
        QVERIFY2(cancelled.wait(5000), qPrintable(test::failures(failed)));
        qInfo("cancelled after %lld ms", t.elapsed());
        QVERIFY2(t.elapsed() < 1000, qPrintable(QStringLiteral("cancelled after %1 ms").arg(t.elapsed())));
        QCOMPARE(finished.count(), 0);
        QVERIFY(!runner.isRunning());
        QCOMPARE(cancelled.at(0).at(0).toString(), output);
        QCOMPARE(view.stateText(), QStringLiteral("Cancelled"));
        QVERIFY(view.detailText().contains(output));
        int done = 0;
        {
            RunReader run(output.toStdString());
            QCOMPARE(run.summary().status, std::string(runformat::kStatusIncomplete));
            done = run.summary().models.front().epochsCompleted;
            qInfo("%d of 40 epochs done when cancelled", done);
            QVERIFY(done >= 1 && done < 40);
        }

        // The same runner continues the run to its end.
        QSignalSpy epochs(&runner, &TrainingRunner::epochFinished);
        QString error;
        QVERIFY2(runner.resume(output, &error), qPrintable(error));
        QVERIFY2(finished.wait(120000), qPrintable(test::failures(failed)));
        QCOMPARE(finished.at(0).at(0).toString(), output);
        QCOMPARE(epochs.count(), 40 - done);
        RunReader run(output.toStdString());
        QCOMPARE(run.summary().status, std::string(runformat::kStatusComplete));
        QCOMPARE(run.summary().models.front().epochsCompleted, 40);
    }

    void cancelStudy()
    {
        TrainingRunner runner;
        QSignalSpy progress(&runner, &TrainingRunner::progress);
        QSignalSpy cancelled(&runner, &TrainingRunner::cancelled);
        QSignalSpy failed(&runner, &TrainingRunner::failed);
        RunConfig c = studyConfig(QStringLiteral("cancelstudy"), 40);
        c.train.batchSize = 4;
        QVERIFY(runner.start(c));
        QVERIFY(waitForPhase(progress, JobPhase::Training));
        QElapsedTimer t;
        t.start();
        runner.cancel();
        QVERIFY2(cancelled.wait(5000), qPrintable(test::failures(failed)));
        QVERIFY(t.elapsed() < 1000);
        // The study file is not written; the interrupted member is kept for the next run.
        const QString member = QString::fromStdString(memberPath(c.output, 0));
        QCOMPARE(cancelled.at(0).at(0).toString(), member);
        QVERIFY(!QFileInfo::exists(QString::fromStdString(c.output)));
        RunReader run(member.toStdString());
        QCOMPARE(run.summary().status, std::string(runformat::kStatusIncomplete));
    }

    void missingDataset()
    {
        TrainingRunner runner;
        ProgressView view;
        view.setRunner(&runner);
        QSignalSpy failed(&runner, &TrainingRunner::failed);
        QSignalSpy finished(&runner, &TrainingRunner::finished);
        RunConfig c = config(QStringLiteral("missing"));
        const QString missing = m_dir.filePath(QStringLiteral("no-such-dataset"));
        c.dataset.path = missing.toStdString();
        QVERIFY(runner.start(c));
        QVERIFY(failed.wait(30000));
        QCOMPARE(finished.count(), 0);
        QVERIFY(!runner.isRunning());
        const QString message = failed.at(0).at(0).toString();
        VERIFY_CONTAINS(message, missing);
        QCOMPARE(view.stateText(), QStringLiteral("Failed"));
        QCOMPARE(view.detailText(), message);
        // It failed before the run file was created.
        QVERIFY(!QFileInfo::exists(QString::fromStdString(c.output)));
        QVERIFY(!QFileInfo::exists(QString::fromStdString(c.output) + ".part"));
    }

    void divergence()
    {
        TrainingRunner runner;
        QSignalSpy failed(&runner, &TrainingRunner::failed);
        QSignalSpy finished(&runner, &TrainingRunner::finished);
        RunConfig c = config(QStringLiteral("diverge"), 5);
        c.train.lr = 1e12;
        c.train.weightDecay = 0;
        QVERIFY(runner.start(c));
        QVERIFY(failed.wait(30000));
        QCOMPARE(finished.count(), 0);
        const QString message = failed.at(0).at(0).toString();
        qInfo("%s", qPrintable(message));
        VERIFY_CONTAINS(message, QStringLiteral("training diverged"));
        VERIFY_CONTAINS(message, QStringLiteral("try a lower learning rate"));
        // The file records the failure and why.
        RunReader run(c.output);
        QCOMPARE(run.summary().status, std::string(runformat::kStatusFailed));
        VERIFY_CONTAINS(QString::fromStdString(run.summary().statusMessage), QStringLiteral("diverged"));
    }

    void refusesBadStarts()
    {
        TrainingRunner runner;
        QSignalSpy started(&runner, &TrainingRunner::started);
        RunConfig bad = config(QStringLiteral("bad"));
        bad.train.epochs = 0;
        QString error;
        QVERIFY(!runner.start(bad, &error));
        VERIFY_CONTAINS(error, QStringLiteral("epochs must be at least 1"));
        QVERIFY(!runner.isRunning());

        const QString nothing = m_dir.filePath(QStringLiteral("nothing.h5"));
        QVERIFY(!runner.resume(nothing, &error));
        VERIFY_CONTAINS(error, nothing);
        QCOMPARE(started.count(), 0);

        QSignalSpy finished(&runner, &TrainingRunner::finished);
        QVERIFY(runner.start(config(QStringLiteral("busy"))));
        QVERIFY(!runner.start(config(QStringLiteral("busy2")), &error));
        VERIFY_CONTAINS(error, QStringLiteral("already running"));
        QVERIFY(finished.wait(60000));
        QCOMPARE(started.count(), 1);
    }

    void destroyWhileRunning()
    {
        RunConfig c = config(QStringLiteral("destroyed"), 1000);
        c.train.batchSize = 4;
        auto *runner = new TrainingRunner;
        QSignalSpy progress(runner, &TrainingRunner::progress);
        QVERIFY(runner->start(c));
        QVERIFY(waitForPhase(progress, JobPhase::Training));
        const qint64 pid = runner->jobProcess();
        QElapsedTimer t;
        t.start();
        delete runner;
        QVERIFY2(t.elapsed() < 100, qPrintable(QStringLiteral("took %1 ms").arg(t.elapsed())));
        // The job trains on in its own process; a new runner stops it cleanly.
        const std::string events = JobFiles::of(c.output).events;
        QVERIFY(isJobProcess(pid, events));
        TrainingRunner again;
        QSignalSpy cancelled(&again, &TrainingRunner::cancelled);
        QVERIFY(again.attach(QString::fromStdString(c.output)));
        again.cancel();
        QVERIFY(cancelled.wait(10000));
        QTRY_VERIFY_WITH_TIMEOUT(!isJobProcess(pid, events), 10000);
        RunReader run(c.output);
        QCOMPARE(run.summary().status, std::string(runformat::kStatusIncomplete));
        QVERIFY(run.summary().models.front().epochsCompleted < 1000);
    }
};

QTEST_MAIN(TestWorker)
#include "tst_worker.moc"
