// Tests of a whole training job (RunJob + Trainer) on a small synthetic dataset.

#include "testsupport.h"

#include "store/runformat.h"
#include "store/runreader.h"
#include "train/runjob.h"
#include "util/error.h"

#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>

using namespace pds;
using namespace pds::test;

namespace {

/// Records what a job reports; optionally cancels at a chosen point.
class Recorder : public JobObserver {
public:
    CancelToken *cancelOnFirstProgress = nullptr;
    CancelToken *cancelAfterEpoch = nullptr;
    CancelToken *cancelWhileProbing = nullptr; ///< while probe layer `probingLayer` is computed
    int probingLayer = 0;
    QStringList phases;
    QList<int> epochs;
    QStringList messages;

    void progress(const Progress &p) override
    {
        if (phases.isEmpty() || phases.last() != QString::fromLatin1(phaseName(p.phase)))
            phases << QString::fromLatin1(phaseName(p.phase));
        if (cancelOnFirstProgress)
            cancelOnFirstProgress->cancel();
        if (cancelWhileProbing && p.phase == JobPhase::Probing && p.step == probingLayer)
            cancelWhileProbing->cancel();
    }
    void epochFinished(int, const EpochCurve &c) override
    {
        epochs << c.epoch;
        if (cancelAfterEpoch)
            cancelAfterEpoch->cancel();
    }
    void message(const std::string &m) override { messages << QString::fromStdString(m); }
};

} // namespace

class TestTrainer : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void trainsAndRecords();
    void deterministic();
    void subsetAndNoise();
    void regimes_data();
    void regimes();
    void variants_data();
    void variants();
    void divergence();
    void cancelBeforeTraining();
    void cancelAfterFirstEpoch();
    void probeStageResumesPerLayer();
    void unwritableOutput();
    void errorsBeforeTheRunFile_data();
    void errorsBeforeTheRunFile();
    void heldOutSchedule();

private:
    RunConfig config(const QString &output) const;
    std::string out(const QString &name) const { return m_dir.filePath(name).toStdString(); }

    QTemporaryDir m_dir;
    QString m_data;
};

void TestTrainer::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_data = m_dir.filePath("synthetic");
    QVERIFY(QDir().mkpath(m_data));
    // 4 classes × 60 train, 20 test, 12×12.
    writeSyntheticIdx(m_data.toStdString(), 4, 60, 20, 12);
}

RunConfig TestTrainer::config(const QString &output) const
{
    RunConfig c;
    c.dataset.name = "synthetic";
    c.dataset.format = "idx";
    c.dataset.path = m_data.toStdString();
    c.model.arch = "cnn";
    c.model.widthMultiplier = 0.25;
    c.train.epochs = 3;
    c.train.batchSize = 16;
    c.train.evalBatchSize = 256;
    c.train.lr = 0.05;
    c.train.device = DeviceChoice::Cpu;
    c.train.threads = 2;
    c.train.seed = 1;
    c.output = out(output);
    return c;
}

void TestTrainer::trainsAndRecords()
{
    Recorder rec;
    CancelToken cancel;
    const RunConfig c = config("standard.h5");
    const JobResult r = RunJob(c).run(&rec, cancel);

    QCOMPARE(r.status, std::string("complete"));
    QCOMPARE(r.outputPath, c.output);
    QVERIFY2(r.finalTestAccuracy > 0.6, qPrintable(QString::number(r.finalTestAccuracy))); // chance is 0.25
    QVERIFY(r.finalTrainAccuracy > 0.6);
    QVERIFY(r.seconds > 0);
    QCOMPARE(rec.epochs, (QList<int>{1, 2, 3}));
    QCOMPARE(rec.phases.first(), QStringLiteral("loading"));
    QVERIFY(rec.phases.contains("training"));
    QVERIFY(rec.phases.contains("evaluating"));
    QVERIFY(!QFile::exists(QString::fromStdString(c.output + ".part")));

    const RunReader run(c.output);
    const RunSummary &s = run.summary();
    QCOMPARE(s.status, std::string("complete"));
    QCOMPARE(s.classNames, (std::vector<std::string>{"0", "1", "2", "3"}));
    QCOMPARE(s.trainSize, std::int64_t(240));
    QCOMPARE(s.testSize, std::int64_t(80));
    QCOMPARE(s.height, 12);
    QCOMPARE(s.models.size(), std::size_t(1));
    const ModelSummary &m = s.models[0];
    QCOMPARE(m.status, std::string("complete"));
    QCOMPARE(m.epochsCompleted, 3);
    QCOMPARE(m.epochsPlanned, 3);
    QVERIFY(m.hasScores);
    QCOMPARE(m.curves.size(), std::size_t(3));
    QCOMPARE(m.curves.back().testAccuracy, r.finalTestAccuracy);
    QCOMPARE(m.probeNames.size(), std::size_t(6));
    for (int e = 0; e < 3; ++e)
        QCOMPARE(run.dynamicsRow(0, "train", "prob_given", e).size(), std::size_t(240));
    PDS_VERIFY_MESSAGE(messageOf<StoreError>([&] { run.dynamicsRow(0, "test", "pred", 3); }), "has no row 3");

    // The scores agree with the dynamics they come from.
    const auto lastPred = run.dynamicsRow(0, "test", "pred", 2);
    QCOMPARE(run.score(0, "test", "final_pred"), lastPred);
    const auto labels = run.labels("test");
    int hits = 0;
    for (std::size_t i = 0; i < labels.size(); ++i)
        hits += int(lastPred[i]) == labels[i];
    QCOMPARE(double(hits) / double(labels.size()), r.finalTestAccuracy);
}

void TestTrainer::deterministic()
{
    CancelToken cancel;
    RunConfig a = config("seed-a.h5"), b = config("seed-b.h5"), other = config("seed-other.h5");
    a.train.epochs = b.train.epochs = other.train.epochs = 2;
    other.train.seed = 2;
    RunJob(a).run(nullptr, cancel);
    RunJob(b).run(nullptr, cancel);
    RunJob(other).run(nullptr, cancel);
    const RunReader ra(a.output), rb(b.output), ro(other.output);
    for (const char *split : {"train", "test"}) {
        QCOMPARE(ra.score(0, split, "final_pred"), rb.score(0, split, "final_pred"));
        QCOMPARE(ra.dynamicsRow(0, split, "prob_given", 1), rb.dynamicsRow(0, split, "prob_given", 1));
    }
    QVERIFY(ra.dynamicsRow(0, "train", "prob_given", 1) != ro.dynamicsRow(0, "train", "prob_given", 1));
}

void TestTrainer::subsetAndNoise()
{
    CancelToken cancel;
    RunConfig c = config("subset.h5");
    c.train.epochs = 1;
    c.limit = 100;
    c.testLimit = 40;
    c.noise.kind = NoiseSpec::Kind::Symmetric;
    c.noise.fraction = 0.2;
    QCOMPARE(RunJob(c).run(nullptr, cancel).status, std::string("complete"));
    const RunReader run(c.output);
    QCOMPARE(run.summary().trainSize, std::int64_t(100));
    QCOMPARE(run.summary().testSize, std::int64_t(40));
    QCOMPARE(run.summary().noisyLabels, std::int64_t(20));
    const auto noisy = run.noisy("train");
    QCOMPARE(std::count(noisy.begin(), noisy.end(), 1), std::ptrdiff_t(20));
    // The subset keeps the classes balanced: 25 of each.
    const auto clean = run.cleanLabels("train");
    for (int k = 0; k < 4; ++k)
        QCOMPARE(std::count(clean.begin(), clean.end(), k), std::ptrdiff_t(25));
}

void TestTrainer::regimes_data()
{
    QTest::addColumn<QString>("regime");
    QTest::addColumn<QString>("arch");
    QTest::newRow("llf cnn") << "llf" << "cnn";
    QTest::newRow("seal cnn") << "seal" << "cnn";
    QTest::newRow("llf mlp") << "llf" << "mlp";
}

void TestTrainer::regimes()
{
    QFETCH(QString, regime);
    QFETCH(QString, arch);
    Recorder rec;
    CancelToken cancel;
    RunConfig c = config(regime + "-" + arch + ".h5");
    c.model.arch = arch.toStdString();
    c.model.mlpHiddenLayers = 2;
    c.model.mlpHiddenUnits = 32;
    c.model.widthMultiplier = arch == "mlp" ? 1.0 : 0.25;
    c.train.regime = *settingFromName<Regime>(regime.toStdString());
    c.train.generations = 2;
    c.train.epochs = 2;
    c.train.sealFraction = 0.5;
    QCOMPARE(RunJob(c).run(&rec, cancel).status, std::string("complete"));
    QCOMPARE(rec.epochs, (QList<int>{1, 2, 3, 4}));

    const RunReader run(c.output);
    const ModelSummary &m = run.summary().models.at(0);
    QCOMPARE(m.epochsPlanned, 4);
    QCOMPARE(m.epochsCompleted, 4);
    QCOMPARE(m.curves.size(), std::size_t(4));
    QVERIFY(m.hasScores);
    for (int e = 0; e < 4; ++e)
        QCOMPARE(run.dynamicsRow(0, "test", "loss", e).size(), std::size_t(80));
    PDS_VERIFY_MESSAGE(messageOf<StoreError>([&] { run.dynamicsRow(0, "test", "loss", 4); }), "has no row 4");
    // The schedule restarts with each generation.
    QCOMPARE(m.curves[2].lr, m.curves[0].lr);
    QCOMPARE(m.curves[3].lr, m.curves[1].lr);
}

void TestTrainer::variants_data()
{
    QTest::addColumn<QString>("arch");
    QTest::addColumn<QString>("optimizer");
    QTest::addColumn<QString>("schedule");
    QTest::addColumn<double>("warmup");
    QTest::addColumn<bool>("augment");

    QTest::newRow("cnn, adam, step, warm-up") << "cnn" << "adam" << "step" << 1.0 << false;
    QTest::newRow("cnn, crop and flip") << "cnn" << "sgd" << "cosine" << 0.0 << true;
    QTest::newRow("resnet18") << "resnet18" << "sgd" << "constant" << 0.0 << true;
    QTest::newRow("vgg16") << "vgg16" << "sgd" << "cosine" << 0.0 << false;
}

void TestTrainer::variants()
{
    QFETCH(QString, arch);
    QFETCH(QString, optimizer);
    QFETCH(QString, schedule);
    QFETCH(double, warmup);
    QFETCH(bool, augment);
    CancelToken cancel;
    RunConfig c = config("variant-" + QString(QTest::currentDataTag()).replace(QRegularExpression("\\W+"), "-") + ".h5");
    c.model.arch = arch.toStdString();
    c.limit = 64;
    c.testLimit = 16;
    c.train.epochs = 2;
    c.train.optimizer = *settingFromName<Optimizer>(optimizer.toStdString());
    c.train.lr = optimizer == "adam" ? 0.003 : 0.05;
    c.train.schedule = *settingFromName<Schedule>(schedule.toStdString());
    c.train.stepEvery = 1;
    c.train.warmupEpochs = warmup;
    c.train.augmentCrop = augment;
    c.train.cropPadding = 2;
    c.train.augmentFlip = augment;
    c.train.el2nEpoch = 1;
    const JobResult r = RunJob(c).run(nullptr, cancel);
    QCOMPARE(r.status, std::string("complete"));
    const RunReader run(c.output);
    const ModelSummary &m = run.summary().models.at(0);
    QCOMPARE(m.arch, arch.toStdString());
    QCOMPARE(m.epochsCompleted, 2);
    QCOMPARE(run.summary().trainSize, std::int64_t(64));
    // EL2N is kept from epoch 1, as configured.
    QCOMPARE(run.score(0, "train", "el2n"), run.dynamicsRow(0, "train", "el2n", 0));
    if (warmup > 0) // the first epoch ends its warm-up at the peak rate
        QVERIFY(m.curves[0].lr < c.train.lr && m.curves[0].lr > 0.5 * c.train.lr);
}

void TestTrainer::divergence()
{
    CancelToken cancel;
    RunConfig c = config("diverged.h5");
    c.model.arch = "mlp";
    c.model.mlpHiddenLayers = 2;
    c.model.mlpHiddenUnits = 32;
    c.model.widthMultiplier = 1.0;
    c.train.lr = 1e6;
    c.train.schedule = Schedule::Constant;
    const QString msg = messageOf<DivergenceError>([&] { RunJob(c).run(nullptr, cancel); });
    PDS_VERIFY_MESSAGE(msg, "training diverged: the loss became ");
    PDS_VERIFY_MESSAGE(msg, "try a lower learning rate");

    QVERIFY(!QFile::exists(QString::fromStdString(c.output + ".part")));
    const RunReader run(c.output);
    QCOMPARE(run.summary().status, std::string("failed"));
    PDS_VERIFY_MESSAGE(QString::fromStdString(run.summary().statusMessage), "training diverged: the loss became ");
    QCOMPARE(run.summary().models.at(0).status, std::string("failed"));
    QVERIFY(!run.summary().models.at(0).hasScores);
}

void TestTrainer::cancelBeforeTraining()
{
    Recorder rec;
    CancelToken cancel;
    rec.cancelOnFirstProgress = &cancel;
    const RunConfig c = config("cancelled.h5");
    const JobResult r = RunJob(c).run(&rec, cancel);
    QCOMPARE(r.status, std::string("incomplete"));
    PDS_VERIFY_MESSAGE(QString::fromStdString(r.message), "cancelled");
    QVERIFY(rec.epochs.isEmpty());

    QVERIFY(!QFile::exists(QString::fromStdString(c.output + ".part")));
    const RunReader run(c.output);
    QCOMPARE(run.summary().status, std::string("incomplete"));
    QCOMPARE(run.summary().statusMessage, std::string("cancelled by the user"));
    const ModelSummary &m = run.summary().models.at(0);
    QCOMPARE(m.status, std::string("incomplete"));
    QCOMPARE(m.epochsCompleted, 0);
    QVERIFY(m.curves.empty());
    QVERIFY(!m.hasScores);
}

void TestTrainer::cancelAfterFirstEpoch()
{
    // Epochs finished before the cancellation are kept.
    Recorder rec;
    CancelToken cancel;
    rec.cancelAfterEpoch = &cancel;
    const RunConfig c = config("cancelled-later.h5");
    QCOMPARE(RunJob(c).run(&rec, cancel).status, std::string("incomplete"));
    QCOMPARE(rec.epochs, QList<int>{1});
    const RunReader run(c.output);
    QCOMPARE(run.summary().status, std::string("incomplete"));
    QCOMPARE(run.summary().models.at(0).epochsCompleted, 1);
    QCOMPARE(run.dynamicsRow(0, "train", "pred", 0).size(), std::size_t(240));
}

void TestTrainer::probeStageResumesPerLayer()
{
    // A probe stage stopped during layer 2 keeps layers 0..2; resuming computes
    // only the rest and ends with what an uninterrupted run gives.
    RunConfig c = config("probe-whole.h5");
    c.study.probe = true;
    c.study.k = 5;
    CancelToken never;
    QCOMPARE(RunJob(c).run(nullptr, never).status, std::string("complete"));

    RunConfig d = c;
    d.output = out("probe-resumed.h5");
    Recorder rec;
    CancelToken cancel;
    rec.cancelWhileProbing = &cancel;
    rec.probingLayer = 2;
    QCOMPARE(RunJob(d).run(&rec, cancel).status, std::string("incomplete"));
    {
        const RunReader stopped(d.output);
        QVERIFY(!stopped.hasProbes(0));
        QVERIFY(stopped.has("models/m000/probes_partial/knn_pred_train_2"));
        QVERIFY(!stopped.has("models/m000/probes_partial/knn_pred_train_3"));
    }
    Recorder resumed;
    QCOMPARE(RunJob::resume(d.output, &resumed, never).status, std::string("complete"));
    QVERIFY2(resumed.messages.filter("reusing 3 probe layers").size() == 1, qPrintable(resumed.messages.join("\n")));

    const RunReader a(c.output), b(d.output);
    QVERIFY(!b.has("models/m000/probes_partial"));
    for (const char *split : {"train", "test"})
        QCOMPARE(b.depth(0, split), a.depth(0, split));
    QCOMPARE(b.readInts("models/m000/probes/knn_pred_train"), a.readInts("models/m000/probes/knn_pred_train"));
}

void TestTrainer::unwritableOutput()
{
    Recorder rec;
    CancelToken cancel;
    const QString folder = m_dir.filePath("missing-folder");
    RunConfig c = config("unused.h5");
    c.output = (folder + "/run.h5").toStdString();
    const QString msg = messageOf<StoreError>([&] { RunJob(c).run(&rec, cancel); });
    PDS_VERIFY_MESSAGE(msg, "folder " + folder + " does not exist");
    QVERIFY(!rec.phases.contains("training"));
    QVERIFY(rec.epochs.isEmpty());
}

void TestTrainer::errorsBeforeTheRunFile_data()
{
    QTest::addColumn<QString>("problem");
    QTest::addColumn<QString>("message");
    QTest::newRow("unknown split stage") << "stage" << "the model has no stage 'layer3' (stages: block1, block2, block3, block4, fc)";
    QTest::newRow("missing dataset") << "data" << "dataset folder not found";
    QTest::newRow("invalid config") << "config" << "epochs must be at least 1";
    QTest::newRow("unknown model") << "model" << "unknown model 'lenet'";
    QTest::newRow("noise map outside the classes") << "noise" << "asymmetric noise map names class 5, outside 0..3";
}

void TestTrainer::errorsBeforeTheRunFile()
{
    QFETCH(QString, problem);
    QFETCH(QString, message);
    CancelToken cancel;
    RunConfig c = config("never-" + problem + ".h5");
    c.train.regime = Regime::Llf;
    c.train.generations = 2;
    if (problem == "stage")
        c.train.splitStage = "layer3";
    else if (problem == "data")
        c.dataset.path = m_dir.filePath("no-data").toStdString();
    else if (problem == "config")
        c.train.epochs = 0;
    else if (problem == "model")
        c.model.arch = "lenet";
    else if (problem == "noise") {
        c.noise.kind = NoiseSpec::Kind::Asymmetric;
        c.noise.fraction = 0.5;
        c.noise.classMap = {5, 0}; // classes not named keep their label
    }
    PDS_VERIFY_MESSAGE(messageOf<Error>([&] { RunJob(c).run(nullptr, cancel); }), message);
    QVERIFY(!QFile::exists(QString::fromStdString(c.output)));
    QVERIFY(!QFile::exists(QString::fromStdString(c.output + ".part")));
}

void TestTrainer::heldOutSchedule()
{
    // Member 0 of a paired-halves study: half the train split is held out.
    CancelToken cancel;
    RunConfig fast = config("schedule-fast.h5"), full = config("schedule-full.h5");
    for (RunConfig *c : {&fast, &full}) {
        c->train.epochs = 4;
        c->study.models = 2;
        c->study.ratio = 0.5;
        c->study.probe = true;
        c->study.k = 5;
    }
    fast.train.evalEvery = 2;
    full.train.dynamics = DynamicsSource::EvalPass;
    full.train.evalEvery = 1;
    QCOMPARE(RunJob(fast).run(nullptr, cancel).status, std::string("complete"));
    QCOMPARE(RunJob(full).run(nullptr, cancel).status, std::string("complete"));
    const RunReader a(fast.output), b(full.output);
    const ModelSummary &m = a.summary().models[0];
    QCOMPARE(m.dynamicsSource, std::string("train_pass"));
    QCOMPARE(m.heldOutEpochs, (std::vector<std::int32_t>{2, 4}));
    QCOMPARE(b.summary().models[0].dynamicsSource, std::string("eval_pass"));
    QCOMPARE(b.summary().models[0].heldOutEpochs, (std::vector<std::int32_t>{1, 2, 3, 4}));

    // Held-out examples are recorded at epochs 2 and 4 only; trained-on ones every epoch.
    const auto inTrain = a.inTrain(0);
    for (int e = 0; e < 4; ++e) {
        const bool due = e == 1 || e == 3;
        const auto pred = a.dynamicsRow(0, "train", "pred", e);
        const auto loss = a.dynamicsRow(0, "train", "loss", e);
        for (std::size_t i = 0; i < pred.size(); ++i) {
            const bool recorded = inTrain[i] || due;
            QCOMPARE(pred[i] >= 0, recorded);
            QCOMPARE(std::isnan(loss[i]), !recorded);
        }
        for (float p : a.dynamicsRow(0, "test", "pred", e))
            QCOMPARE(p >= 0, due);
        QCOMPARE(std::isnan(m.curves[std::size_t(e)].testAccuracy), !due);
    }
    // Scores exist for every example, and the final evaluation, the probes
    // and hence depth, consistency and memorisation are the settings' own
    // business only through the training, which neither changes.
    for (const char *split : {"train", "test"}) {
        QCOMPARE(a.score(0, split, "final_pred"), b.score(0, split, "final_pred"));
        QCOMPARE(a.depth(0, split), b.depth(0, split));
        for (float v : a.score(0, split, "confidence"))
            QVERIFY(!std::isnan(v));
    }
    QCOMPARE(a.score(0, "test", "final_pred"), a.dynamicsRow(0, "test", "pred", 3));
    // Eval-pass rows of the examples trained on differ from the train-pass ones.
    QVERIFY(a.dynamicsRow(0, "train", "prob_given", 0) != b.dynamicsRow(0, "train", "prob_given", 0));
}

QTEST_GUILESS_MAIN(TestTrainer)
#include "tst_trainer.moc"
