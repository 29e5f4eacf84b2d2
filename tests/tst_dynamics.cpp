// Tests of the per-example scores derived from training dynamics, and of the
// learning-rate schedule.

#include "testsupport.h"

#include "train/config.h"
#include "train/dynamics.h"
#include "train/epochrecorder.h"
#include "train/schedule.h"
#include "util/error.h"

#include <QtTest/QtTest>

#include <cmath>

using namespace pds;
using namespace pds::test;

namespace {

/// Epoch records of one example: its prediction, probability and EL2N per epoch.
std::vector<EpochRecord> history(const QList<int> &preds, const QList<double> &probs, const QList<double> &el2n)
{
    std::vector<EpochRecord> epochs(static_cast<std::size_t>(preds.size()));
    for (int e = 0; e < preds.size(); ++e) {
        epochs[static_cast<std::size_t>(e)].resize(1);
        epochs[static_cast<std::size_t>(e)].pred[0] = preds[e];
        epochs[static_cast<std::size_t>(e)].probGiven[0] = e < probs.size() ? float(probs[e]) : 0.5f;
        epochs[static_cast<std::size_t>(e)].el2n[0] = e < el2n.size() ? float(el2n[e]) : 0.f;
    }
    return epochs;
}

bool near(double a, double b, double tolerance = 1e-6)
{
    return std::abs(a - b) < tolerance;
}

} // namespace

class TestDynamics : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void events_data();
    void events();
    void confidenceAndVariability_data();
    void confidenceAndVariability();
    void el2nEpoch_data();
    void el2nEpoch();
    void severalExamples();
    void errors_data();
    void errors();
    void minibatchPredictions();
    void unrecordedEpochs();
    void heldOutSchedule_data();
    void heldOutSchedule();

    void schedule_data();
    void schedule();
};

void TestDynamics::events_data()
{
    // The given label is 1 throughout.
    QTest::addColumn<QList<int>>("preds");
    QTest::addColumn<int>("learned");
    QTest::addColumn<int>("forgettings");
    QTest::addColumn<double>("correctness");

    QTest::newRow("correct, wrong, correct, correct") << QList<int>{1, 0, 1, 1} << 3 << 1 << 0.75;
    QTest::newRow("always correct") << QList<int>{1, 1, 1, 1} << 1 << 0 << 1.0;
    QTest::newRow("learned late") << QList<int>{0, 2, 1, 1} << 3 << 0 << 0.5;
    QTest::newRow("learned in the last epoch") << QList<int>{0, 0, 0, 1} << 4 << 0 << 0.25;
    QTest::newRow("forgotten twice") << QList<int>{1, 0, 1, 2, 1} << 5 << 2 << 0.6;
    QTest::newRow("forgotten at the end") << QList<int>{1, 1, 0} << 3 << 1 << 2.0 / 3.0;
    // The final prediction need not be correct: it is final from epoch 1 here.
    QTest::newRow("always the same wrong class") << QList<int>{0, 0, 0} << 1 << 0 << 0.0;
    QTest::newRow("wrong classes changing") << QList<int>{0, 2, 0} << 3 << 0 << 0.0;
    QTest::newRow("one epoch") << QList<int>{1} << 1 << 0 << 1.0;
}

void TestDynamics::events()
{
    QFETCH(QList<int>, preds);
    QFETCH(int, learned);
    QFETCH(int, forgettings);
    QFETCH(double, correctness);
    const ExampleScores s = computeScores(history(preds, {}, {}), {1}, 0);
    QCOMPARE(s.iterationLearned, std::vector<std::int32_t>{learned});
    QCOMPARE(s.forgettingEvents, std::vector<std::int32_t>{forgettings});
    QVERIFY(near(s.correctness[0], correctness));
    QCOMPARE(s.finalPred, std::vector<std::int32_t>{preds.last()});
}

void TestDynamics::confidenceAndVariability_data()
{
    QTest::addColumn<QList<double>>("probs");
    QTest::addColumn<double>("confidence");
    QTest::addColumn<double>("variability");

    // Deviations −0.3, −0.1, 0.1, 0.3: population variance 0.05.
    QTest::newRow("rising") << QList<double>{0.2, 0.4, 0.6, 0.8} << 0.5 << std::sqrt(0.05);
    QTest::newRow("constant") << QList<double>{0.7, 0.7, 0.7} << 0.7 << 0.0;
    // Population (not sample) std: {0, 1} has std 0.5, not 0.707.
    QTest::newRow("two extremes") << QList<double>{0.0, 1.0} << 0.5 << 0.5;
    QTest::newRow("one epoch") << QList<double>{0.9} << 0.9 << 0.0;
}

void TestDynamics::confidenceAndVariability()
{
    QFETCH(QList<double>, probs);
    QFETCH(double, confidence);
    QFETCH(double, variability);
    QList<int> preds;
    for (int i = 0; i < probs.size(); ++i)
        preds << 0;
    const ExampleScores s = computeScores(history(preds, probs, {}), {0}, 0);
    QVERIFY2(near(s.confidence[0], confidence), qPrintable(QString::number(s.confidence[0])));
    QVERIFY2(near(s.variability[0], variability), qPrintable(QString::number(s.variability[0])));
}

void TestDynamics::el2nEpoch_data()
{
    QTest::addColumn<int>("epoch");
    QTest::addColumn<double>("expected");
    QTest::newRow("0 means the last") << 0 << 0.1;
    QTest::newRow("first") << 1 << 0.9;
    QTest::newRow("second") << 2 << 0.5;
    QTest::newRow("last, by number") << 4 << 0.1;
}

void TestDynamics::el2nEpoch()
{
    QFETCH(int, epoch);
    QFETCH(double, expected);
    const auto h = history({1, 1, 1, 1}, {}, {0.9, 0.5, 0.3, 0.1});
    const ExampleScores s = computeScores(h, {1}, epoch);
    QVERIFY(near(s.el2n[0], expected));
}

void TestDynamics::severalExamples()
{
    // Three examples, three epochs; each example's scores depend on its own column only.
    std::vector<EpochRecord> epochs(3);
    const int preds[3][3] = {{0, 1, 2}, {0, 0, 2}, {1, 1, 2}}; // [epoch][example]
    const float probs[3][3] = {{0.6f, 0.1f, 0.2f}, {0.8f, 0.3f, 0.4f}, {1.0f, 0.5f, 0.6f}};
    for (int e = 0; e < 3; ++e) {
        epochs[e].resize(3);
        for (int i = 0; i < 3; ++i) {
            epochs[e].pred[i] = preds[e][i];
            epochs[e].probGiven[i] = probs[e][i];
            epochs[e].el2n[i] = float(e * 10 + i);
        }
    }
    const ExampleScores s = computeScores(epochs, {0, 1, 2}, 2);
    QCOMPARE(s.iterationLearned, (std::vector<std::int32_t>{3, 3, 1}));
    QCOMPARE(s.forgettingEvents, (std::vector<std::int32_t>{1, 1, 0}));
    QCOMPARE(s.finalPred, (std::vector<std::int32_t>{1, 1, 2}));
    QVERIFY(near(s.correctness[0], 2.0 / 3.0));
    QVERIFY(near(s.correctness[1], 2.0 / 3.0));
    QVERIFY(near(s.correctness[2], 1.0));
    QVERIFY(near(s.confidence[0], 0.8));
    QVERIFY(near(s.confidence[2], 0.4));
    QCOMPARE(s.el2n, (std::vector<float>{10.f, 11.f, 12.f}));
}

void TestDynamics::errors_data()
{
    QTest::addColumn<int>("epochs");
    QTest::addColumn<int>("recordLength");
    QTest::addColumn<int>("labels");
    QTest::addColumn<int>("el2nEpoch");
    QTest::addColumn<QString>("message");

    QTest::newRow("no epochs") << 0 << 2 << 2 << 0 << "no epochs to derive scores from";
    QTest::newRow("records shorter than labels") << 2 << 2 << 3 << 0
                                                 << "epoch record length differs from the number of labels";
    QTest::newRow("records longer than labels") << 2 << 4 << 3 << 0
                                                << "epoch record length differs from the number of labels";
    QTest::newRow("el2n epoch after the last") << 3 << 2 << 2 << 4 << "EL2N epoch 4 is outside 0..3";
    QTest::newRow("negative el2n epoch") << 3 << 2 << 2 << -1 << "EL2N epoch -1 is outside 0..3";
}

void TestDynamics::errors()
{
    QFETCH(int, epochs);
    QFETCH(int, recordLength);
    QFETCH(int, labels);
    QFETCH(int, el2nEpoch);
    QFETCH(QString, message);
    std::vector<EpochRecord> records(static_cast<std::size_t>(epochs));
    for (auto &r : records)
        r.resize(static_cast<std::size_t>(recordLength));
    const std::vector<std::int32_t> given(static_cast<std::size_t>(labels), 0);
    PDS_VERIFY_MESSAGE(messageOf<Error>([&] { computeScores(records, given, el2nEpoch); }), message);
}

void TestDynamics::minibatchPredictions()
{
    // Four examples (labels 0, 1, 2, 0) seen in minibatches of two, in a new
    // order each epoch, as a training pass presents them; example 3 is held
    // out and never sampled. The logits make class `pred` win clearly.
    const std::vector<std::int32_t> labels = {0, 1, 2, 0};
    const int preds[4][3] = {{0, 1, 2}, {0, 0, 1}, {0, 1, 2}, {0, 1, 2}}; // [epoch][example 0..2]
    const std::int64_t orders[4][3] = {{2, 0, 1}, {1, 2, 0}, {0, 1, 2}, {2, 1, 0}};
    EpochRecorder recorder(4, torch::kCPU);
    std::vector<EpochRecord> epochs;
    for (int e = 0; e < 4; ++e) {
        for (int start = 0; start < 3; start += 2) {
            const int end = std::min(3, start + 2);
            std::vector<std::int64_t> batch(orders[e] + start, orders[e] + end);
            auto logits = torch::zeros({end - start, 3});
            std::vector<std::int64_t> given;
            for (int b = 0; b < end - start; ++b) {
                const auto i = batch[static_cast<std::size_t>(b)];
                logits[b][preds[e][i]] = 4.0f;
                given.push_back(labels[static_cast<std::size_t>(i)]);
            }
            recorder.add(torch::tensor(batch), logits, torch::tensor(given));
        }
        epochs.push_back(recorder.take());
    }
    const ExampleScores s = computeScores(epochs, labels, 0);
    // Example 0: always right. Example 1: right, wrong, right, right: learned
    // at epoch 3 with one forgetting event. Example 2: right, wrong (class 1),
    // right, right: the same. Example 3: never recorded.
    QCOMPARE(s.iterationLearned, (std::vector<std::int32_t>{1, 3, 3, 0}));
    QCOMPARE(s.forgettingEvents, (std::vector<std::int32_t>{0, 1, 1, 0}));
    QCOMPARE(s.finalPred, (std::vector<std::int32_t>{0, 1, 2, EpochRecord::kUnrecorded}));
    QVERIFY(near(s.correctness[1], 0.75));
    QVERIFY(std::isnan(s.confidence[3]));
    // p(given) of a right prediction is e^4 / (e^4 + 2), of a wrong one 1 / (e^4 + 2).
    const double right = std::exp(4.0) / (std::exp(4.0) + 2), wrong = 1 / (std::exp(4.0) + 2);
    QVERIFY(near(s.confidence[1], (3 * right + wrong) / 4, 1e-5));
    QVERIFY(near(epochs[1].loss[1], -std::log(wrong), 1e-4));
    QVERIFY(near(epochs[1].margin[1], -4.0, 1e-5));
    QVERIFY(!epochs[0].recorded(3));
}

void TestDynamics::unrecordedEpochs()
{
    // Held out and evaluated at epochs 2, 4 and 6 only: the scores use those epochs.
    std::vector<EpochRecord> epochs(6);
    const int preds[] = {-1, 1, -1, 0, -1, 0};
    const float probs[] = {0.f, 0.8f, 0.f, 0.2f, 0.f, 0.3f};
    for (std::size_t e = 0; e < epochs.size(); ++e) {
        epochs[e].resizeUnrecorded(1);
        if (preds[e] >= 0) {
            epochs[e].pred[0] = preds[e];
            epochs[e].probGiven[0] = probs[e];
            epochs[e].el2n[0] = float(e);
        }
    }
    const ExampleScores s = computeScores(epochs, {1}, 0);
    QCOMPARE(s.iterationLearned, std::vector<std::int32_t>{4});
    QCOMPARE(s.forgettingEvents, std::vector<std::int32_t>{1});
    QVERIFY(near(s.correctness[0], 1.0 / 3.0));
    QVERIFY(near(s.confidence[0], (0.8 + 0.2 + 0.3) / 3, 1e-6));
    QCOMPARE(s.el2n[0], 5.f);
    QVERIFY(std::isnan(computeScores(epochs, {1}, 3).el2n[0]));
}

void TestDynamics::heldOutSchedule_data()
{
    QTest::addColumn<int>("evalEvery");
    QTest::addColumn<int>("epochs");
    QTest::addColumn<QList<int>>("evaluated");
    QTest::newRow("all") << 1 << 4 << QList<int>{1, 2, 3, 4};
    QTest::newRow("end") << TrainConfig::kEvalEveryEnd << 5 << QList<int>{5};
    QTest::newRow("every 3, and the last") << 3 << 8 << QList<int>{3, 6, 8};
    QTest::newRow("auto, 8 epochs") << TrainConfig::kEvalEveryAuto << 8 << QList<int>{2, 4, 6, 8};
    QTest::newRow("auto, 10 epochs") << TrainConfig::kEvalEveryAuto << 10 << QList<int>{3, 6, 9, 10};
    QTest::newRow("auto, 3 epochs") << TrainConfig::kEvalEveryAuto << 3 << QList<int>{1, 2, 3};
}

void TestDynamics::heldOutSchedule()
{
    QFETCH(int, evalEvery);
    QFETCH(int, epochs);
    QFETCH(QList<int>, evaluated);
    TrainConfig c;
    c.epochs = epochs;
    c.evalEvery = evalEvery;
    QList<int> got;
    for (int e = 1; e <= epochs; ++e)
        if (c.evaluatesHeldOut(e))
            got << e;
    QCOMPARE(got, evaluated);
    QCOMPARE(parseEvalEvery(evalEveryName(evalEvery)), evalEvery);
}

void TestDynamics::schedule_data()
{
    QTest::addColumn<QString>("schedule");
    QTest::addColumn<int>("epochs");
    QTest::addColumn<double>("warmup");
    QTest::addColumn<double>("epoch");
    QTest::addColumn<double>("expected"); ///< as a multiple of the peak lr

    QTest::newRow("constant, start") << "constant" << 10 << 0.0 << 0.0 << 1.0;
    QTest::newRow("constant, late") << "constant" << 10 << 0.0 << 9.7 << 1.0;
    // step: every 3 epochs, × 0.1
    QTest::newRow("step, first interval") << "step" << 10 << 0.0 << 2.9 << 1.0;
    QTest::newRow("step, second interval") << "step" << 10 << 0.0 << 3.0 << 0.1;
    QTest::newRow("step, third interval") << "step" << 10 << 0.0 << 7.5 << 0.01;
    QTest::newRow("cosine, start") << "cosine" << 10 << 0.0 << 0.0 << 1.0;
    QTest::newRow("cosine, middle") << "cosine" << 10 << 0.0 << 5.0 << 0.5;
    QTest::newRow("cosine, quarter") << "cosine" << 10 << 0.0 << 2.5 << 0.5 * (1 + std::cos(M_PI / 4));
    QTest::newRow("cosine, end") << "cosine" << 10 << 0.0 << 10.0 << 0.0;
    QTest::newRow("cosine, past the end") << "cosine" << 10 << 0.0 << 11.0 << 0.0;
    QTest::newRow("warm-up, start") << "cosine" << 10 << 2.0 << 0.0 << 0.0;
    QTest::newRow("warm-up, quarter") << "cosine" << 10 << 2.0 << 0.5 << 0.25;
    QTest::newRow("warm-up, half") << "cosine" << 10 << 2.0 << 1.0 << 0.5;
    QTest::newRow("warm-up done, cosine starts") << "cosine" << 10 << 2.0 << 2.0 << 1.0;
    QTest::newRow("warm-up, cosine middle") << "cosine" << 10 << 2.0 << 6.0 << 0.5;
    QTest::newRow("warm-up, cosine end") << "cosine" << 10 << 2.0 << 10.0 << 0.0;
    QTest::newRow("warm-up then constant") << "constant" << 10 << 4.0 << 1.0 << 0.25;
    QTest::newRow("warm-up of every epoch") << "cosine" << 4 << 4.0 << 3.0 << 0.75;
}

void TestDynamics::schedule()
{
    QFETCH(QString, schedule);
    QFETCH(int, epochs);
    QFETCH(double, warmup);
    QFETCH(double, epoch);
    QFETCH(double, expected);
    TrainConfig c;
    c.lr = 0.2;
    c.schedule = *settingFromName<Schedule>(schedule.toStdString());
    c.epochs = epochs;
    c.warmupEpochs = warmup;
    c.stepEvery = 3;
    c.stepGamma = 0.1;
    const double lr = scheduledLr(c, epoch);
    QVERIFY2(near(lr, 0.2 * expected, 1e-12), qPrintable(QStringLiteral("lr %1, expected %2").arg(lr).arg(0.2 * expected)));
}

QTEST_GUILESS_MAIN(TestDynamics)
#include "tst_dynamics.moc"
