// The last epoch's evaluation folded into the probe stage's embedding pass
// (Trainer::setFinalPass with embedSplits): one forward over every example
// instead of two, with the study's answers unchanged.
#include "models/model.h"
#include "probe/probestage.h"
#include "train/trainer.h"

#include <QtTest/QtTest>

using namespace pds;

namespace {

/// What one training run and its probe stage produced.
struct Outcome {
    Trainer::Result trained;
    ProbeResults probes;
    int finalPasses = 0;
    std::size_t embeddingsLeft = 0;
};

} // namespace

class TestFinalPass : public QObject {
    Q_OBJECT

    DeviceSplit m_train, m_test;
    std::vector<std::uint8_t> m_inTrain;
    std::vector<std::int64_t> m_indices;

    /// Trains the same seeded model for three epochs and probes it, with the
    /// final evaluation folded into the embedding pass or as a pass of its own.
    Outcome trainAndProbe(bool folded, DynamicsSource dynamics)
    {
        torch::manual_seed(11);
        ModelSpec spec;
        spec.arch = "cnn";
        spec.cnnBaseWidth = 8;
        spec.inChannels = 1;
        spec.height = spec.width = 16;
        spec.numOutputs = 4;
        auto model = makeModel(spec);
        TrainConfig tc;
        tc.epochs = 3;
        tc.batchSize = 32;
        tc.evalBatchSize = 48; // batches straddle the train/test boundary in the folded pass
        tc.lr = 0.05;
        tc.seed = 5;
        tc.dynamics = dynamics;
        ProbeOptions po;
        po.k = 5;
        po.batchSize = tc.evalBatchSize;
        po.maxFeatures = 64;
        Trainer trainer(tc, torch::kCPU);
        Outcome out;
        ProbeEmbeddings ready;
        if (folded)
            trainer.setFinalPass([&](ProbedModelImpl &m) {
                ++out.finalPasses;
                ready = embedSplits(m, m_train, m_test, po);
                return std::make_pair(ready.trainLogits, ready.testLogits);
            });
        CancelToken cancel;
        out.trained = trainer.train(*model, m_train, m_test, m_indices, {}, nullptr, cancel);
        out.probes = runProbes(*model, m_train, m_test, m_inTrain, out.trained.trainScores.finalPred,
                               out.trained.testScores.finalPred, 4, po, cancel, nullptr, {}, {}, {},
                               folded ? &ready : nullptr);
        out.embeddingsLeft = ready.perProbe.size(); // the probe stage takes the pass's embeddings
        return out;
    }

    static void requireClose(const std::vector<float> &a, const std::vector<float> &b)
    {
        QCOMPARE(a.size(), b.size());
        for (std::size_t i = 0; i < a.size(); ++i)
            if (std::isfinite(a[i]) || std::isfinite(b[i]))
                QVERIFY2(std::abs(a[i] - b[i]) <= 1e-5f * (1.0f + std::abs(a[i])),
                         qPrintable(QString("value %1: %2 against %3").arg(i).arg(a[i]).arg(b[i])));
    }

private Q_SLOTS:
    void initTestCase()
    {
        torch::manual_seed(3);
        m_train.images = torch::randn({150, 1, 16, 16});
        m_train.labels = torch::randint(0, 4, {150}, torch::kLong);
        m_test.images = torch::randn({37, 1, 16, 16});
        m_test.labels = torch::randint(0, 4, {37}, torch::kLong);
        m_inTrain.assign(150, 0);
        for (std::size_t i = 0; i < m_inTrain.size(); i += 2) {
            m_inTrain[i] = 1;
            m_indices.push_back(static_cast<std::int64_t>(i));
        }
    }

    void foldedPassGivesTheSameStudy_data()
    {
        QTest::addColumn<int>("dynamics");
        QTest::newRow("train-pass dynamics") << int(DynamicsSource::TrainPass);
        QTest::newRow("eval-pass dynamics") << int(DynamicsSource::EvalPass);
    }

    void foldedPassGivesTheSameStudy()
    {
        QFETCH(int, dynamics);
        const Outcome separate = trainAndProbe(false, DynamicsSource(dynamics));
        const Outcome folded = trainAndProbe(true, DynamicsSource(dynamics));
        QCOMPARE(separate.finalPasses, 0);
        QCOMPARE(folded.finalPasses, 1);
        QCOMPARE(folded.embeddingsLeft, std::size_t(0));

        // The final predictions, every k-NN prediction and every depth: value for value.
        QCOMPARE(folded.trained.trainScores.finalPred, separate.trained.trainScores.finalPred);
        QCOMPARE(folded.trained.testScores.finalPred, separate.trained.testScores.finalPred);
        QCOMPARE(folded.probes.trainKnn, separate.probes.trainKnn);
        QCOMPARE(folded.probes.testKnn, separate.probes.testKnn);
        QCOMPARE(folded.probes.trainDepth, separate.probes.trainDepth);
        QCOMPARE(folded.probes.testDepth, separate.probes.testDepth);
        QCOMPARE(folded.probes.validationAccuracy, separate.probes.validationAccuracy);
        QCOMPARE(folded.probes.trainAgreement, separate.probes.trainAgreement);
        // The dynamics scores: the same events; the logits of a batch may differ in
        // the last bit when the batch holds other examples (oneDNN picks kernels by batch size).
        QCOMPARE(folded.trained.trainScores.forgettingEvents, separate.trained.trainScores.forgettingEvents);
        QCOMPARE(folded.trained.testScores.forgettingEvents, separate.trained.testScores.forgettingEvents);
        QCOMPARE(folded.trained.trainScores.iterationLearned, separate.trained.trainScores.iterationLearned);
        requireClose(folded.trained.trainLogits, separate.trained.trainLogits);
        requireClose(folded.trained.testLogits, separate.trained.testLogits);
        requireClose(folded.trained.trainScores.confidence, separate.trained.trainScores.confidence);
        requireClose(folded.trained.testScores.el2n, separate.trained.testScores.el2n);
        QCOMPARE(folded.probes.reductions.size(), separate.probes.reductions.size());
        for (std::size_t l = 0; l < folded.probes.reductions.size(); ++l)
            QCOMPARE(folded.probes.reductions[l].reduced, separate.probes.reductions[l].reduced);
    }

    /// The pass yields the logits evaluateLogits gives, in example order.
    void embedSplitsLogitsAreTheEvaluationsLogits()
    {
        torch::manual_seed(2);
        ModelSpec spec;
        spec.arch = "mlp";
        spec.inChannels = 1;
        spec.height = spec.width = 16;
        spec.numOutputs = 4;
        auto model = makeModel(spec);
        ProbeOptions po;
        po.batchSize = 64;
        const ProbeEmbeddings e = embedSplits(*model, m_train, m_test, po);
        QCOMPARE(e.trainLogits.size(0), m_train.size());
        QCOMPARE(e.testLogits.size(0), m_test.size());
        QCOMPARE(static_cast<int>(e.perProbe.size()), static_cast<int>(model->probeNames().size()));
        for (const auto &p : e.perProbe)
            QCOMPARE(p.size(0), m_train.size() + m_test.size());
        QVERIFY(torch::allclose(e.trainLogits, evaluateLogits(*model, m_train, {}, 64, po.mixedPrecision), 1e-5, 1e-6));
        QVERIFY(torch::allclose(e.testLogits, evaluateLogits(*model, m_test, {}, 64, po.mixedPrecision), 1e-5, 1e-6));
    }
};

QTEST_GUILESS_MAIN(TestFinalPass)
#include "tst_finalpass.moc"
