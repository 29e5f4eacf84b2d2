// The whole run-file schema from one place: a run written with RunWriter
// (header, a model with epochs and a checkpoint, probe layers, probes,
// embeddings, scores, member attribute) and a study written with StudyWriter
// are read back through RunReader's typed functions and compared with what
// went in. Synthetic data, no training.

#include "runfixtures.h"
#include "testsupport.h"

#include "probe/probestage.h"
#include "store/integrity.h"
#include "store/runformat.h"
#include "store/runreader.h"
#include "store/h5file.h"
#include "store/runwriter.h"
#include "store/schema.h"
#include "store/studywriter.h"
#include "util/error.h"

#include <QTemporaryDir>
#include <QtTest/QtTest>

using namespace pds;
using namespace pds::test;

namespace {

const char *const kConfigJson = R"({"model": {"arch": "mlp"}, "train": {"epochs": 2}})";
constexpr std::size_t kTrain = 5, kTest = 3;
constexpr int kClasses = 2, kProbes = 3;
const std::vector<std::string> kProbeNames = {"input", "hidden1", "logits"};

const ChannelStats kStats{{0.25f}, {0.5f}};

ModelInfo modelInfo(std::uint64_t seed)
{
    ModelInfo info;
    info.arch = "mlp";
    info.seed = seed;
    info.epochsPlanned = 2;
    info.device = "cpu (2 threads)";
    info.probeNames = kProbeNames;
    info.inTrain = {1, 1, 0, 1, 1};
    info.dynamicsSource = "train_pass";
    info.heldOutEpochs = {2};
    return info;
}

/// k-NN predictions of probe layer l for n examples.
std::vector<std::int32_t> layerRows(int l, std::size_t n)
{
    std::vector<std::int32_t> v(n);
    for (std::size_t i = 0; i < n; ++i)
        v[i] = static_cast<std::int32_t>((l + i) % kClasses);
    return v;
}

ProbeResults probeResults()
{
    ProbeResults r;
    r.probeNames = kProbeNames;
    r.reductions = {{"input", {1, 2, 2}, {4}}, {"hidden1", {8}, {8}}, {"logits", {2}, {2}}};
    r.probes = kProbes;
    for (int l = 0; l < kProbes; ++l) {
        const auto train = layerRows(l, kTrain), test = layerRows(l, kTest);
        r.trainKnn.insert(r.trainKnn.end(), train.begin(), train.end());
        r.testKnn.insert(r.testKnn.end(), test.begin(), test.end());
    }
    r.trainDepth = {0, 1, 2, 3, 1};
    r.testDepth = {3, 0, 2};
    r.trainAccuracy = {0.5, 0.75, 1.0};
    r.trainAgreement = {0.25, 0.5, 1.0};
    r.validationAccuracy = {0.125, 0.5, 0.875};
    r.validationAgreement = {0.375, 0.625, 1.0};
    r.embedSeconds = 1.5;
    r.probeSeconds = 2.25;
    return r;
}

/// IEEE half-precision bit patterns of rows × 2 values: row i holds (i, -0.5).
std::vector<std::uint16_t> halfBits(std::size_t rows)
{
    const std::uint16_t small[] = {0x0000, 0x3C00, 0x4000, 0x4200, 0x4400}; // 0, 1, 2, 3, 4
    std::vector<std::uint16_t> bits;
    for (std::size_t i = 0; i < rows; ++i) {
        bits.push_back(small[i]);
        bits.push_back(0xB800); // -0.5
    }
    return bits;
}

std::vector<float> halfValues(std::size_t rows)
{
    std::vector<float> v;
    for (std::size_t i = 0; i < rows; ++i) {
        v.push_back(float(i));
        v.push_back(-0.5f);
    }
    return v;
}

void compareRecords(const EpochRecord &a, const EpochRecord &b)
{
    QCOMPARE(a.pred, b.pred);
    QCOMPARE(a.probGiven, b.probGiven);
    QCOMPARE(a.margin, b.margin);
    QCOMPARE(a.loss, b.loss);
    QCOMPARE(a.el2n, b.el2n);
}

void compareScores(const ExampleScores &a, const ExampleScores &b)
{
    QCOMPARE(a.iterationLearned, b.iterationLearned);
    QCOMPARE(a.forgettingEvents, b.forgettingEvents);
    QCOMPARE(a.confidence, b.confidence);
    QCOMPARE(a.variability, b.variability);
    QCOMPARE(a.correctness, b.correctness);
    QCOMPARE(a.el2n, b.el2n);
    QCOMPARE(a.finalPred, b.finalPred);
}

/// Writes a complete one-model run: header, two epochs with checkpoints,
/// probe layers, embeddings at hidden1, probes and scores. `check`, when
/// given, runs on the `.part` file just before the probe stage ends.
void writeRun(const std::string &path, int member, const std::function<void(RunWriter &)> &check = {})
{
    RunWriter w(path, kConfigJson);
    w.writeHeader(kConfigJson, tinyDataset(), kStats, 1);
    w.beginModel(0, modelInfo(7 + std::uint64_t(member)));
    w.setMember(0, member);
    for (int e = 1; e <= 2; ++e)
        w.appendEpoch(0, curve(e), record(e, kTrain), record(e, kTest), "checkpoint after epoch " + std::to_string(e));
    w.writeProbeLayer(0, 0, layerRows(0, kTrain), layerRows(0, kTest), false);
    w.writeProbeLayer(0, 1, layerRows(1, kTrain), layerRows(1, kTest), true);
    if (check)
        check(w);
    w.writeEmbedding(0, "hidden1", "train", halfBits(kTrain).data(), kTrain, 2);
    w.writeEmbedding(0, "hidden1", "test", halfBits(kTest).data(), kTest, 2);
    w.writeProbes(0, probeResults(), 5, 4096);
    w.finishModel(0, scores(kTrain, 0.f), scores(kTest, 10.f), std::vector<float>(kTrain * kClasses, 1.5f),
                  std::vector<float>(kTest * kClasses, -1.5f), kClasses, runformat::kStatusComplete, 12.5);
    w.finish(runformat::kStatusComplete);
}

/// A split summary of n examples whose every value is distinct and exact.
SplitSummary splitSummary(std::size_t n, float base)
{
    SplitSummary s;
    auto column = [&](float offset) {
        std::vector<float> v;
        for (std::size_t i = 0; i < n; ++i)
            v.push_back(base + offset + 0.125f * float(i));
        return v;
    };
    s.depthTrainMean = column(0);
    s.depthTrainStd = column(1);
    s.depthValMean = column(2);
    s.depthValStd = column(3);
    for (std::size_t i = 0; i < n; ++i) {
        s.modelsTrain.push_back(static_cast<std::int32_t>(i % 2));
        s.modelsVal.push_back(static_cast<std::int32_t>(2 - i % 2));
        s.heldOutDistribution.push_back(0.25f);
        s.heldOutDistribution.push_back(0.75f);
        s.group.push_back(static_cast<std::int8_t>(i % 5));
    }
    s.consistency = column(4);
    s.heldOutConfidence = column(5);
    s.accuracyTrained = column(6);
    s.accuracyHeldOut = column(7);
    s.memorisation = column(8);
    s.trained = {column(9), column(10), column(11), column(12)};
    s.heldOut = {column(13), column(14), column(15), column(16)};
    s.trainedConfidence = column(17);
    s.labelIssue = column(18);
    s.ambiguity = column(19);
    s.rarity = column(20);
    s.easiness = column(21);
    for (std::size_t i = 0; i < n; ++i) {
        s.heldOutProbability.push_back(0.125f);
        s.heldOutProbability.push_back(0.875f);
    }
    return s;
}

void compareSummaries(const SplitSummary &a, const SplitSummary &b)
{
    QCOMPARE(a.depthTrainMean, b.depthTrainMean);
    QCOMPARE(a.depthTrainStd, b.depthTrainStd);
    QCOMPARE(a.depthValMean, b.depthValMean);
    QCOMPARE(a.depthValStd, b.depthValStd);
    QCOMPARE(a.modelsTrain, b.modelsTrain);
    QCOMPARE(a.modelsVal, b.modelsVal);
    QCOMPARE(a.heldOutDistribution, b.heldOutDistribution);
    QCOMPARE(a.consistency, b.consistency);
    QCOMPARE(a.heldOutConfidence, b.heldOutConfidence);
    QCOMPARE(a.accuracyTrained, b.accuracyTrained);
    QCOMPARE(a.accuracyHeldOut, b.accuracyHeldOut);
    QCOMPARE(a.memorisation, b.memorisation);
    for (const auto side : {&SplitSummary::trained, &SplitSummary::heldOut}) {
        QCOMPARE((a.*side).iterationLearned, (b.*side).iterationLearned);
        QCOMPARE((a.*side).forgettingEvents, (b.*side).forgettingEvents);
        QCOMPARE((a.*side).confidence, (b.*side).confidence);
        QCOMPARE((a.*side).variability, (b.*side).variability);
    }
    QCOMPARE(a.heldOutProbability, b.heldOutProbability);
    QCOMPARE(a.trainedConfidence, b.trainedConfidence);
    QCOMPARE(a.labelIssue, b.labelIssue);
    QCOMPARE(a.ambiguity, b.ambiguity);
    QCOMPARE(a.rarity, b.rarity);
    QCOMPARE(a.easiness, b.easiness);
    QCOMPARE(a.group, b.group);
}

} // namespace

class TestSchema : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void namesAreTheDocumentedOnes();
    void runRoundTrip();
    void studyRoundTrip();
    void studyWithoutScoresIsSummarisedOnOpen();
};

void TestSchema::namesAreTheDocumentedOnes()
{
    // docs/run-format.md spells these out for readers outside the program (h5py).
    QCOMPARE(schema::modelGroup(0), std::string("models/m000"));
    QCOMPARE(schema::modelGroup(3), std::string("models/m003"));
    QCOMPARE(schema::modelGroup(123), std::string("models/m123"));
    QCOMPARE(schema::datasetArray("train", schema::kLabel), std::string("dataset/train/label"));
    QCOMPARE(schema::curve(schema::kCurveEpoch), std::string("curves/epoch"));
    QCOMPARE(std::string(schema::kHeldOutEpochs), std::string("held_out_epochs"));
    QCOMPARE(std::string(schema::kDynamicsSource), std::string("dynamics_source"));
    QCOMPARE(schema::dynamics("test", schema::kProbGiven), std::string("dynamics/test/prob_given"));
    QCOMPARE(schema::score("train", schema::kFinalPred), std::string("scores/train/final_pred"));
    QCOMPARE(schema::join({schema::finalSplit("test"), schema::kLogits}), std::string("final/test/logits"));
    QCOMPARE(schema::join({schema::kProbes, schema::knnPred("train")}), std::string("probes/knn_pred_train"));
    QCOMPARE(schema::join({schema::kProbes, schema::depth("test")}), std::string("probes/depth_test"));
    QCOMPARE(schema::join({schema::kProbesPartial, schema::probeLayer("test", 4)}),
             std::string("probes_partial/knn_pred_test_4"));
    QCOMPARE(schema::embedding("train", "layer1.0"), std::string("embeddings/train/layer1.0"));
    QCOMPARE(schema::join({schema::summarySplit("train"), schema::kHeldOutDistribution}),
             std::string("summary/train/held_out_distribution"));
    QCOMPARE(RunReader::scoreNames().size(), std::size_t(7));
    QCOMPARE(schema::join({schema::summarySplit("train"), schema::kTrainSplit, schema::kIterationLearned}),
             std::string("summary/train/train_split/iteration_learned"));
    QCOMPARE(schema::join({schema::summarySplit("test"), schema::kHeldOut, schema::kVariability}),
             std::string("summary/test/held_out/variability"));
    QCOMPARE(schema::join({schema::summarySplit("train"), schema::kLabelIssue}), std::string("summary/train/label_issue"));
    QCOMPARE(RunReader::summaryNames().size(), std::size_t(25));
}

void TestSchema::runRoundTrip()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath("run.h5").toStdString();
    {
        // Before the header: only the configuration is there, which is all resume needs.
        RunWriter early(dir.filePath("early.h5").toStdString(), kConfigJson);
        const RunFileState state = RunReader::peek(early.partialPath());
        QCOMPARE(state.status, std::string(runformat::kStatusRunning));
        QVERIFY(state.hasConfig);
        QCOMPARE(state.configJson, std::string(kConfigJson));
        QVERIFY(!state.modelStarted);
        early.finish(runformat::kStatusIncomplete);
    }
    writeRun(path, 3, [](RunWriter &w) {
        // Mid-run: what resume reads back from the .part file.
        const RunFileState state = RunReader::peek(w.partialPath());
        QVERIFY(state.modelStarted);
        QCOMPARE(state.modelStatus, std::string(runformat::kStatusRunning));
        const RunReader part(w.partialPath());
        const StoredTraining stored = part.storedTraining(0);
        QCOMPARE(stored.epochs, 2);
        QCOMPARE(stored.checkpoint, std::string("checkpoint after epoch 2"));
        QCOMPARE(stored.trainHistory.size(), std::size_t(2));
        QCOMPARE(stored.testHistory.size(), std::size_t(2));
        for (int e = 0; e < 2; ++e) {
            compareRecords(stored.trainHistory[std::size_t(e)], record(e + 1, kTrain));
            compareRecords(stored.testHistory[std::size_t(e)], record(e + 1, kTest));
        }
        PDS_VERIFY_MESSAGE(messageOf<StoreError>([&] { part.checkpoint(0, 1); }),
                           "the checkpoint is of epoch 2 but 1 epochs are recorded");
        const auto layers = part.finishedProbeLayers(0, kProbes);
        QCOMPARE(layers.size(), std::size_t(kProbes));
        for (int l = 0; l < 2; ++l) {
            QVERIFY(layers[std::size_t(l)].finished);
            QCOMPARE(layers[std::size_t(l)].train, layerRows(l, kTrain));
            QCOMPARE(layers[std::size_t(l)].test, layerRows(l, kTest));
        }
        QVERIFY(!layers[2].finished);
    });

    const RunReader r(path);
    const RunSummary &s = r.summary();
    QCOMPARE(s.formatVersion, runformat::kFormatVersion);
    QCOMPARE(s.status, std::string(runformat::kStatusComplete));
    QCOMPARE(s.configJson, std::string(kConfigJson));
    QVERIFY(!s.created.empty());
    QVERIFY(!s.finished.empty());
    QCOMPARE(s.datasetName, std::string("tiny"));
    QCOMPARE(s.datasetFormat, std::string("idx"));
    QCOMPARE(s.datasetSource, std::string("/data/tiny"));
    QCOMPARE(s.classNames, (std::vector<std::string>{"cat", "dog"}));
    QCOMPARE(s.channels, 1);
    QCOMPARE(s.height, 2);
    QCOMPARE(s.width, 2);
    QCOMPARE(s.trainSize, std::int64_t(kTrain));
    QCOMPARE(s.testSize, std::int64_t(kTest));
    QCOMPARE(s.noisyLabels, std::int64_t(1));
    const ChannelStats norm = r.normalisation();
    QCOMPARE(norm.mean, kStats.mean);
    QCOMPARE(norm.std, kStats.std);
    const Dataset d = tinyDataset();
    QCOMPARE(r.labels("train"), d.train.labels);
    QCOMPARE(r.cleanLabels("train"), d.train.cleanLabels);
    QCOMPARE(r.noisy("train"), d.train.noisy);
    QCOMPARE(r.sourceIndices("train"), d.train.sourceIndices);
    QCOMPARE(r.labels("test"), d.test.labels);
    QVERIFY(!r.hasSummary());

    QCOMPARE(s.models.size(), std::size_t(1));
    const ModelSummary &m = s.models[0];
    QCOMPARE(m.group, schema::modelGroup(0));
    QCOMPARE(m.arch, std::string("mlp"));
    QCOMPARE(m.seed, std::int64_t(10));
    QCOMPARE(m.device, std::string("cpu (2 threads)"));
    QCOMPARE(m.status, std::string(runformat::kStatusComplete));
    QCOMPARE(m.epochsPlanned, 2);
    QCOMPARE(m.epochsCompleted, 2);
    QCOMPARE(m.dynamicsSource, std::string("train_pass"));
    QCOMPARE(m.heldOutEpochs, std::vector<std::int32_t>{2});
    QCOMPARE(m.trainSeconds, 12.5);
    QVERIFY(m.hasScores);
    QCOMPARE(m.probeNames, kProbeNames);
    QCOMPARE(m.curves.size(), std::size_t(2));
    for (int e = 1; e <= 2; ++e) {
        const EpochCurve &got = m.curves[std::size_t(e - 1)], want = curve(e);
        QCOMPARE(got.epoch, want.epoch);
        QCOMPARE(got.lr, want.lr);
        QCOMPARE(got.trainLoss, want.trainLoss);
        QCOMPARE(got.trainAccuracy, want.trainAccuracy);
        QCOMPARE(got.evalTrainLoss, want.evalTrainLoss);
        QCOMPARE(got.evalTrainAccuracy, want.evalTrainAccuracy);
        QCOMPARE(got.testLoss, want.testLoss);
        QCOMPARE(got.testAccuracy, want.testAccuracy);
        QCOMPARE(got.seconds, want.seconds);
    }
    QCOMPARE(r.member(0), 3);
    QCOMPARE(r.inTrain(0), modelInfo(0).inTrain);

    compareRecords(r.epochRecord(0, "train", 0), record(1, kTrain));
    compareRecords(r.epochRecord(0, "test", 1), record(2, kTest));
    QCOMPARE(r.dynamicsRow(0, "test", Dynamic::Loss, 1), record(2, kTest).loss);
    QCOMPARE(r.dynamicsColumn(0, "train", Dynamic::ProbGiven, 4),
             (std::vector<float>{record(1, kTrain).probGiven[4], record(2, kTrain).probGiven[4]}));
    // A finished model keeps no checkpoint.
    PDS_VERIFY_MESSAGE(messageOf<StoreError>([&] { r.checkpoint(0, 2); }), "has no checkpoint to resume from");

    compareScores(r.scores(0, "train"), scores(kTrain, 0.f));
    compareScores(r.scores(0, "test"), scores(kTest, 10.f));
    QCOMPARE(r.finalPredictions(0, "test"), scores(kTest, 10.f).finalPred);
    const auto logits = r.finalLogits(0, "test");
    QCOMPARE(logits.rows, std::int64_t(kTest));
    QCOMPARE(logits.cols, std::int64_t(kClasses));
    QCOMPARE(logits.values, std::vector<float>(kTest * kClasses, -1.5f));

    QVERIFY(r.hasProbes(0));
    const ProbeResults probes = probeResults();
    for (const auto *split : {"train", "test"}) {
        const bool train = std::string(split) == "train";
        const auto knn = r.knnPredictions(0, split);
        QCOMPARE(knn.rows, std::int64_t(kProbes));
        QCOMPARE(knn.cols, std::int64_t(train ? kTrain : kTest));
        QCOMPARE(knn.values, train ? probes.trainKnn : probes.testKnn);
        QCOMPARE(r.predictionDepth(0, split), train ? probes.trainDepth : probes.testDepth);
    }
    const ProbeSummary ps = r.probeSummary(0);
    QCOMPARE(ps.k, 5);
    QCOMPARE(ps.maxFeatures, std::int64_t(4096));
    QCOMPARE(ps.probeNames, kProbeNames);
    QCOMPARE(ps.probeShapes, (std::vector<std::string>{"1x2x2", "8", "2"}));
    QCOMPARE(ps.reducedShapes, (std::vector<std::string>{"4", "8", "2"}));
    QCOMPARE(ps.embedSeconds, 1.5);
    QCOMPARE(ps.probeSeconds, 2.25);
    QCOMPARE(ps.trainSplitAccuracy, probes.trainAccuracy);
    QCOMPARE(ps.trainSplitAgreement, probes.trainAgreement);
    QCOMPARE(ps.validationSplitAccuracy, probes.validationAccuracy);
    QCOMPARE(ps.validationSplitAgreement, probes.validationAgreement);
    QCOMPARE(r.probeAccuracy(0, ProbeCurve::ValidationAgreement), probes.validationAgreement);
    // The probe stage's partial layers are gone once its results are in.
    for (const auto &layer : r.finishedProbeLayers(0, kProbes))
        QVERIFY(!layer.finished);

    QVERIFY(r.hasEmbeddings(0, "hidden1"));
    QVERIFY(!r.hasEmbeddings(0, "input"));
    for (const auto *split : {"train", "test"}) {
        const std::size_t n = std::string(split) == "train" ? kTrain : kTest;
        const auto e = r.embeddings(0, "hidden1", split);
        QCOMPARE(e.rows, std::int64_t(n));
        QCOMPARE(e.cols, std::int64_t(2));
        QCOMPARE(e.values, halfValues(n));
    }
}

void TestSchema::studyRoundTrip()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("members")));
    const std::string m0 = dir.filePath("members/m000.h5").toStdString();
    const std::string m1 = dir.filePath("members/m001.h5").toStdString();
    writeRun(m0, 0);
    writeRun(m1, 1);

    GroupThresholds thresholds;
    thresholds.labelIssue = 0.25;
    thresholds.ambiguity = 0.75;
    thresholds.rarity = 0.875;
    thresholds.dominant = 0.5;
    thresholds.easiness = 0.125;
    const SplitSummary train = splitSummary(kTrain, 0.f), test = splitSummary(kTest, 100.f);
    const std::string output = dir.filePath("study.h5").toStdString();
    {
        StudyWriter w(output, m1);
        // Members are stored as the model of their index, whatever the order they come in.
        w.addMember(m1, 1);
        w.addMember(m0, 0);
        w.writeSummary(train, test, kClasses, kProbes, 2, thresholds);
        QVERIFY(QFile::exists(QString::fromStdString(output + runformat::kPartialSuffix)));
        w.finish(2);
    }
    QVERIFY(!QFile::exists(QString::fromStdString(output + runformat::kPartialSuffix)));

    const RunReader r(output);
    QCOMPARE(r.summary().status, std::string(runformat::kStatusComplete));
    QCOMPARE(r.summary().configJson, std::string(kConfigJson));
    QCOMPARE(r.summary().datasetName, std::string("tiny"));
    QCOMPARE(r.labels("train"), tinyDataset().train.labels);
    QVERIFY(r.hasSummary());
    QCOMPARE(r.summary().models.size(), std::size_t(2));
    for (int m = 0; m < 2; ++m) {
        QCOMPARE(r.member(m), m);
        QCOMPARE(r.summary().models[std::size_t(m)].seed, std::int64_t(7 + m));
        QCOMPARE(r.predictionDepth(m, "test"), probeResults().testDepth);
        // The embeddings link was re-pointed to the member's side file.
        QCOMPARE(r.embeddings(m, "hidden1", "train").values, halfValues(kTrain));
    }

    const StudyInfo info = r.studyInfo();
    QCOMPARE(info.groupNames, groupNames());
    QCOMPARE(info.probes, kProbes);
    QCOMPARE(info.models, 2);
    const GroupThresholds got = r.thresholds();
    QCOMPARE(got.labelIssue, thresholds.labelIssue);
    QCOMPARE(got.ambiguity, thresholds.ambiguity);
    QCOMPARE(got.rarity, thresholds.rarity);
    QCOMPARE(got.dominant, thresholds.dominant);
    QCOMPARE(got.easiness, thresholds.easiness);
    QCOMPARE(info.thresholds.easiness, thresholds.easiness);

    compareSummaries(r.splitSummary("train"), train);
    compareSummaries(r.splitSummary("test"), test);
    QVERIFY(!r.splitSummary("test").recomputed);
    QCOMPARE(r.summaryColumn("test", schema::kConsistency), test.consistency);
    QCOMPARE(r.summaryColumn("train", "held_out/variability"), train.heldOut.variability);
    QCOMPARE(r.summaryColumn("train", schema::kRarity), train.rarity);

    // Thresholds JSON: missing keys and other text keep the defaults.
    const GroupThresholds defaults;
    QCOMPARE(thresholdsFromJson("not json").labelIssue, defaults.labelIssue);
    const GroupThresholds partial = thresholdsFromJson(R"({"rarity": 0.5, "dominant": "x", "easy_depth": 0.1})");
    QCOMPARE(partial.rarity, 0.5);
    QCOMPARE(partial.dominant, defaults.dominant);
    QCOMPARE(thresholdsFromJson(thresholdsToJson(thresholds)).ambiguity, thresholds.ambiguity);
}

void TestSchema::studyWithoutScoresIsSummarisedOnOpen()
{
    // A study file written before the scores and the dynamics by split: its
    // summary lacks them, and the reader computes them from the stored models.
    QTemporaryDir dir;
    const std::string m0 = dir.filePath("m000.h5").toStdString();
    const std::string m1 = dir.filePath("m001.h5").toStdString();
    writeRun(m0, 0);
    writeRun(m1, 1);
    const std::string output = dir.filePath("study.h5").toStdString();
    {
        StudyWriter w(output, m0);
        w.addMember(m0, 0);
        w.addMember(m1, 1);
        w.writeSummary(splitSummary(kTrain, 0.f), splitSummary(kTest, 100.f), kClasses, kProbes, 2,
                       GroupThresholds{});
        w.finish(2);
    }
    {
        h5::Handle f = h5::openFile(output, true);
        for (const char *split : {"train", "test"}) {
            h5::removeLink(f, schema::join({schema::kSummary, split, schema::kLabelIssue}));
            h5::removeLink(f, schema::join({schema::kSummary, split, schema::kTrainSplit}));
        }
        // A fresh digest, as the file was written before there were scores to remove.
        writeAttributesDigest(f);
    }
    const RunReader r(output);
    const SplitSummary s = r.splitSummary("train");
    QVERIFY(s.recomputed);
    QCOMPARE(s.labelIssue.size(), std::size_t(kTrain));
    QCOMPARE(s.trained.iterationLearned.size(), std::size_t(kTrain));
    QCOMPARE(s.modelsTrain[0] + s.modelsVal[0], 2);
    QCOMPARE(r.summaryColumn("test", schema::kEasiness).size(), std::size_t(kTest));

    // The CSV export carries the scores and both dynamics of such a file too.
    const std::string csv = dir.filePath("study.csv").toStdString();
    exportCsv(r, csv);
    QFile f(QString::fromStdString(csv));
    QVERIFY(f.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList header = QString::fromUtf8(f.readLine()).trimmed().split(QLatin1Char(','));
    for (const char *column : {"study_label_issue", "study_ambiguity", "study_rarity", "study_easiness",
                               "study_train_split_iteration_learned", "study_held_out_variability", "study_group"})
        QVERIFY2(header.contains(QLatin1String(column)), column);
    const QStringList row = QString::fromUtf8(f.readLine()).trimmed().split(QLatin1Char(','));
    QCOMPARE(row.size(), header.size());
}

QTEST_GUILESS_MAIN(TestSchema)
#include "tst_schema.moc"
