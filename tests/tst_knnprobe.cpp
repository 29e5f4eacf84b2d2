#include "probe/embeddings.h"
#include "probe/knnprobe.h"
#include "probe/probestage.h"
#include "models/model.h"
#include "util/error.h"

#include <QtTest/QtTest>

using namespace pds;

namespace {

torch::Tensor points(std::initializer_list<float> xs)
{
    return torch::tensor(std::vector<float>(xs)).unsqueeze(1); // 1-D points as [N, 1]
}

torch::Tensor longs(std::initializer_list<std::int64_t> v)
{
    return torch::tensor(std::vector<std::int64_t>(v));
}

/// Support rows of query `i` by (distance, row), the query's own row left out:
/// all distances in double, a full sort.
std::vector<std::pair<double, std::int64_t>> naiveOrder(const torch::Tensor &support, const torch::Tensor &queries,
                                                        std::int64_t i, std::int64_t self)
{
    auto s = support.accessor<float, 2>();
    auto q = queries.accessor<float, 2>();
    std::vector<std::pair<double, std::int64_t>> d;
    for (std::int64_t j = 0; j < support.size(0); ++j) {
        if (j == self)
            continue;
        double sum = 0;
        for (std::int64_t f = 0; f < support.size(1); ++f)
            sum += (double(q[i][f]) - s[j][f]) * (double(q[i][f]) - s[j][f]);
        d.push_back({sum, j});
    }
    std::sort(d.begin(), d.end());
    return d;
}

/// The definition, written plainly: all distances, full sort, explicit vote.
std::vector<std::int64_t> naiveKnn(const torch::Tensor &support, const torch::Tensor &labels,
                                   const torch::Tensor &queries, const std::vector<std::int64_t> &self,
                                   int k, int classes)
{
    std::vector<std::int64_t> out;
    auto l = labels.accessor<std::int64_t, 1>();
    for (std::int64_t i = 0; i < queries.size(0); ++i) {
        const auto d = naiveOrder(support, queries, i, self[static_cast<std::size_t>(i)]);
        std::vector<int> counts(static_cast<std::size_t>(classes), 0);
        for (int n = 0; n < k; ++n)
            ++counts[static_cast<std::size_t>(l[d[static_cast<std::size_t>(n)].second])];
        const int best = *std::max_element(counts.begin(), counts.end());
        for (int n = 0; n < k; ++n) {
            const auto c = l[d[static_cast<std::size_t>(n)].second];
            if (counts[static_cast<std::size_t>(c)] == best) {
                out.push_back(c);
                break;
            }
        }
    }
    return out;
}

} // namespace

class TestKnnProbe : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void majorityVote()
    {
        // Worked by hand: class 0 at 0,1,2 and class 1 at 10,11,12, k = 3.
        KnnProbe probe(points({0, 1, 2, 10, 11, 12}), longs({0, 0, 0, 1, 1, 1}), 2, {3});
        auto pred = probe.predict(points({1.4f, 10.6f, 4.0f, 8.0f}), torch::Tensor());
        QCOMPARE(pred[0].item<std::int64_t>(), 0);
        QCOMPARE(pred[1].item<std::int64_t>(), 1);
        QCOMPARE(pred[2].item<std::int64_t>(), 0); // 2, 1, 0 are nearest
        QCOMPARE(pred[3].item<std::int64_t>(), 1); // 10, 11 beat 2
    }

    void tieGoesToNearestNeighbour_data()
    {
        QTest::addColumn<float>("query");
        QTest::addColumn<int>("expected");
        // Support: 0→a(0), 1→b(1), 5→b(1), 6→a(0); with k = 4 every query is a 2–2 tie.
        QTest::newRow("nearest is b at 1") << 2.0f << 1;
        QTest::newRow("nearest is a at 0") << -1.0f << 0;
        QTest::newRow("nearest is a at 6") << 7.0f << 0;
        QTest::newRow("nearest is b at 5") << 4.6f << 1;
    }
    void tieGoesToNearestNeighbour()
    {
        QFETCH(float, query);
        QFETCH(int, expected);
        KnnProbe probe(points({0, 1, 5, 6}), longs({0, 1, 1, 0}), 2, {4});
        auto pred = probe.predict(points({query}), torch::Tensor());
        QCOMPARE(pred[0].item<std::int64_t>(), std::int64_t(expected));
    }

    void tieAmongThreeClasses()
    {
        // k = 3, one vote each: the nearest neighbour's class wins.
        KnnProbe probe(points({0, 2, 4}), longs({2, 0, 1}), 3, {3});
        QCOMPARE(probe.predict(points({3.9f}), torch::Tensor())[0].item<std::int64_t>(), 1);
        QCOMPARE(probe.predict(points({0.1f}), torch::Tensor())[0].item<std::int64_t>(), 2);
    }

    void leaveOneOutKeepsDuplicates()
    {
        // Row 0 (label 1) and row 1 (label 0) are the same point. Querying row 0
        // leave-one-out excludes row 0 only: its duplicate is its nearest neighbour.
        KnnProbe probe(points({0, 0, 5, 6}), longs({1, 0, 1, 1}), 2, {1});
        auto pred = probe.predict(points({0}), longs({0}));
        QCOMPARE(pred[0].item<std::int64_t>(), 0);
        auto nn = probe.neighbours(points({0, 0}), longs({0, 1}));
        QCOMPARE(nn[0][0].item<std::int64_t>(), 1);
        QCOMPARE(nn[1][0].item<std::int64_t>(), 0);
        // With k = 3, row 0's neighbours are 1, 2, 3: never itself.
        KnnProbe probe3(points({0, 0, 5, 6}), longs({1, 0, 1, 1}), 2, {3});
        auto nn3 = probe3.neighbours(points({0}), longs({0}));
        QCOMPARE(nn3[0][0].item<std::int64_t>(), 1);
        QVERIFY(!(nn3[0] == 0).any().item<bool>());
        // Two of the three neighbours say 1.
        QCOMPARE(probe3.predict(points({0}), longs({0}))[0].item<std::int64_t>(), 1);
    }

    void equalDistancesGoToTheLowerRow()
    {
        // Rows 1, 2 and 3 sit at the same distance from the query; k = 2 takes
        // rows 1 and 2 (labels 1 and 0), and the 1–1 tie goes to row 1's class.
        // Taking the higher rows 2 and 3 would have predicted 0.
        KnnProbe probe(points({2, 1, 1, 1, 5}), longs({0, 1, 0, 1, 1}), 2, {2});
        auto nn = probe.neighbours(points({0}), torch::Tensor());
        QCOMPARE(nn[0][0].item<std::int64_t>(), 1);
        QCOMPARE(nn[0][1].item<std::int64_t>(), 2);
        QCOMPARE(probe.predict(points({0}), torch::Tensor())[0].item<std::int64_t>(), 1);
    }

    void tiesMatchTheDefinition_data()
    {
        QTest::addColumn<bool>("float32");
        QTest::addColumn<int>("block");
        QTest::addColumn<int>("k");
        for (bool float32 : {false, true}) {
            const char *data = float32 ? "float32 duplicates" : "integer ties";
            QTest::addRow("%s, one query per block, k 1", data) << float32 << 1 << 1;
            QTest::addRow("%s, small blocks, k 7", data) << float32 << 2000 << 7;
            QTest::addRow("%s, one block, k 30", data) << float32 << (1 << 26) << 30;
        }
    }
    void tiesMatchTheDefinition()
    {
        // Integer ties: small integer coordinates, so every distance is an exact
        // integer and most of them are shared; the k-th neighbour is nearly
        // always tied and which rows make the cut decides the prediction
        // (stored as float16). Float32 duplicates: points with full 24-bit
        // mantissas away from the origin, where ‖s‖² − 2 x·s rounds in an order
        // the BLAS kernel picks per position, and the second half of the rows
        // exact copies of the first, so equal distances must be exactly equal.
        QFETCH(bool, float32);
        QFETCH(int, block);
        QFETCH(int, k);
        torch::manual_seed(float32 ? 5 : 11);
        const int classes = 3;
        torch::Tensor support, queries;
        if (float32) {
            auto half = 300.0f + torch::randn({75, 37});
            support = torch::cat({half, half});
            queries = torch::cat({support.slice(0, 0, 40), 300.0f + torch::randn({40, 37})});
        } else {
            support = torch::randint(-2, 3, {150, 4}).to(torch::kFloat);
            queries = torch::cat({support.slice(0, 0, 40), torch::randint(-2, 3, {40, 4}).to(torch::kFloat)});
        }
        auto labels = torch::randint(0, classes, {150}, torch::kLong);
        std::vector<std::int64_t> self(80, -1);
        for (int i = 0; i < 40; ++i)
            self[static_cast<std::size_t>(i)] = i;
        KnnOptions options;
        options.k = k;
        options.maxBlockElements = block;
        const auto stored = float32 ? torch::kFloat : torch::kHalf;
        KnnProbe probe(support.to(stored), labels, classes, options);
        const auto expected = naiveKnn(support, labels, queries, self, k, classes);
        auto got = probe.predict(queries.to(stored), torch::tensor(self));
        for (std::size_t i = 0; i < expected.size(); ++i)
            QCOMPARE(got[static_cast<std::int64_t>(i)].item<std::int64_t>(), expected[i]);
        // The neighbour lists themselves follow (distance, row).
        auto nn = probe.neighbours(queries, torch::tensor(self));
        for (std::int64_t i = 0; i < queries.size(0); ++i) {
            const auto d = naiveOrder(support, queries, i, self[static_cast<std::size_t>(i)]);
            for (int n = 0; n < k; ++n)
                QCOMPARE(nn[i][n].item<std::int64_t>(), d[static_cast<std::size_t>(n)].second);
        }
    }

    void kLargerThanSupportIsAnError()
    {
        KnnProbe probe(points({0, 1, 2}), longs({0, 1, 0}), 2, {3});
        try {
            probe.predict(points({0}), longs({0})); // leave-one-out leaves 2
            QFAIL("expected a ConfigError");
        } catch (const ConfigError &e) {
            QVERIFY2(QString(e.what()).contains("larger than the k-NN support (2 examples)"), e.what());
        }
    }

    void blockedMatchesNaive_data()
    {
        QTest::addColumn<int>("block");
        QTest::addColumn<int>("k");
        QTest::newRow("one query per block, k 1") << 1 << 1;
        QTest::newRow("small blocks, k 5") << 1500 << 5;
        QTest::newRow("one block, k 30") << (1 << 26) << 30;
    }
    void blockedMatchesNaive()
    {
        QFETCH(int, block);
        QFETCH(int, k);
        torch::manual_seed(7);
        const int classes = 4;
        auto support = torch::randn({300, 16});
        auto labels = torch::randint(0, classes, {300}, torch::kLong);
        auto queries = torch::cat({support.slice(0, 0, 50), torch::randn({70, 16})});
        std::vector<std::int64_t> self(120, -1);
        for (int i = 0; i < 50; ++i)
            self[static_cast<std::size_t>(i)] = i; // the first 50 queries are support rows
        KnnOptions options;
        options.k = k;
        options.maxBlockElements = block;
        KnnProbe probe(support, labels, classes, options);
        auto got = probe.predict(queries, torch::tensor(self));
        const auto expected = naiveKnn(support, labels, queries, self, k, classes);
        for (std::size_t i = 0; i < expected.size(); ++i)
            QCOMPARE(got[static_cast<std::int64_t>(i)].item<std::int64_t>(), expected[i]);
    }

    void float32ScreenMatchesFloat64_data()
    {
        QTest::addColumn<int>("shell");
        QTest::addColumn<int>("k");
        // Shells of support rows exactly equally far from the query: inside the
        // first list (k + 32), past it (the second list), past that too (the
        // float64 product for that query).
        QTest::newRow("no shell, k 30") << 0 << 30;
        QTest::newRow("shell of 40, k 30") << 40 << 30;
        QTest::newRow("shell of 150, k 30") << 150 << 30;
        QTest::newRow("shell of 400, k 30") << 400 << 30;
        QTest::newRow("shell of 400, k 1") << 400 << 1;
        // Small k: many votes are tied, and the order of the neighbours decides them.
        QTest::newRow("no shell, k 2") << 0 << 2;
        QTest::newRow("shell of 40, k 4") << 40 << 4;
    }
    void float32ScreenMatchesFloat64()
    {
        // Stored float16 embeddings take the float32 screen; the same values
        // widened to float64 take the float64 product alone. Both must name
        // the same neighbours in the same order, query by query.
        QFETCH(int, shell);
        QFETCH(int, k);
        torch::manual_seed(17);
        const int dims = 24, classes = 5;
        // Clusters of near neighbours (ReLU-like, many zeros) plus exact duplicates.
        auto centres = torch::rand({6, dims}) * 4;
        auto support = (centres.index_select(0, torch::randint(0, 6, {500}, torch::kLong))
                        + 0.05 * torch::randn({500, dims})).clamp_min(0);
        support.slice(0, 450, 500).copy_(support.slice(0, 0, 50));
        if (shell > 0) {
            // Rows ±3 on one axis and ±4 on another: all at distance 5 from the origin.
            auto ring = torch::zeros({shell, dims});
            for (int i = 0; i < shell; ++i) {
                const int a = i % dims, b = (i / dims + a + 1) % dims;
                ring[i][a] = (i / 2) % 2 ? 3.0f : -3.0f;
                ring[i][b] = i % 2 ? 4.0f : -4.0f;
            }
            support = torch::cat({support, ring});
        }
        support = support.to(torch::kHalf);
        const auto n = support.size(0);
        auto labels = torch::randint(0, classes, {n}, torch::kLong);
        auto queries = torch::cat({support.slice(0, 0, 120), torch::zeros({3, dims}, torch::kHalf),
                                   (support.slice(0, 200, 260).to(torch::kFloat) + 0.01 * torch::randn({60, dims})).to(torch::kHalf)});
        auto self = torch::full({queries.size(0)}, -1, torch::kLong);
        self.slice(0, 0, 120).copy_(torch::arange(120, torch::kLong));
        KnnOptions options;
        options.k = k;
        KnnProbe screened(support, labels, classes, options);
        KnnProbe wide(support.to(torch::kDouble), labels, classes, options);
        auto a = screened.neighbours(queries, self);
        auto b = wide.neighbours(queries.to(torch::kDouble), self);
        QVERIFY(torch::equal(a, b));
        QVERIFY(torch::equal(screened.predict(queries, self), wide.predict(queries.to(torch::kDouble), self)));
        if (shell > 0) {
            // The origin's neighbours are the shell's lowest rows, in row order.
            const auto first = n - shell;
            for (int j = 0; j < std::min(k, shell); ++j)
                QCOMPARE(a[120][j].item<std::int64_t>(), first + j);
        }
    }

    void halfPrecisionSupportIsWidened()
    {
        torch::manual_seed(3);
        auto support = torch::randn({200, 8});
        auto labels = torch::randint(0, 3, {200}, torch::kLong);
        auto queries = torch::randn({40, 8});
        KnnProbe full(support, labels, 3, {5});
        KnnProbe half(support.to(torch::kHalf).to(torch::kFloat), labels, 3, {5});
        KnnProbe stored(support.to(torch::kHalf), labels, 3, {5});
        QVERIFY(torch::equal(half.predict(queries, torch::Tensor()), stored.predict(queries, torch::Tensor())));
        QVERIFY(full.predict(queries, torch::Tensor()).eq(stored.predict(queries, torch::Tensor())).to(torch::kFloat).mean().item<float>() > 0.9f);
    }

    void predictionDepth_data()
    {
        QTest::addColumn<QList<int>>("knn");
        QTest::addColumn<int>("finalPred");
        QTest::addColumn<int>("depth");
        // Four probes 0..3 (L = 3): depth is 0..4.
        QTest::newRow("all agree") << QList<int>{1, 1, 1, 1} << 1 << 0;
        QTest::newRow("from probe 1") << QList<int>{0, 1, 1, 1} << 1 << 1;
        QTest::newRow("late flip back") << QList<int>{1, 0, 1, 1} << 1 << 2;
        QTest::newRow("only the logits") << QList<int>{1, 1, 0, 1} << 1 << 3;
        QTest::newRow("even the logits disagree: L + 1") << QList<int>{1, 1, 1, 0} << 1 << 4;
        QTest::newRow("never agrees") << QList<int>{2, 2, 2, 2} << 1 << 4;
    }
    void predictionDepth()
    {
        QFETCH(QList<int>, knn);
        QFETCH(int, finalPred);
        QFETCH(int, depth);
        std::vector<std::int64_t> v(knn.begin(), knn.end());
        auto preds = torch::tensor(v).view({4, 1});
        const auto pd = pds::predictionDepth(preds, torch::tensor(std::vector<std::int64_t>{finalPred}));
        QCOMPARE(pd.size(), std::size_t(1));
        QCOMPARE(pd[0], depth);
    }

    void probeReduction_data()
    {
        QTest::addColumn<int>("channels");
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("maxFeatures");
        QTest::addColumn<int>("pooledHeight");
        QTest::addColumn<int>("pooledWidth");
        QTest::newRow("fits: kept") << 1 << 28 << 28 << 4096 << 28 << 28;
        QTest::newRow("cnn block 28x28") << 64 << 28 << 28 << 4096 << 8 << 8;
        QTest::newRow("16 channels") << 16 << 28 << 28 << 4096 << 16 << 16;
        // Stepping one side at a time stopped at 5×6 here …
        QTest::newRow("8x8 to 5x5, not 5x6") << 64 << 8 << 8 << 64 * 30 << 5 << 5;
        // … and at 2×3 for resnet18's last block.
        QTest::newRow("resnet18 layer4 4x4 to 2x2, not 2x3") << 512 << 4 << 4 << 4096 << 2 << 2;
        QTest::newRow("7x7 to 4x4") << 256 << 7 << 7 << 4096 << 4 << 4;
        QTest::newRow("too many channels: 1x1") << 8192 << 2 << 2 << 4096 << 1 << 1;
        QTest::newRow("2:1 keeps 2:1") << 1 << 28 << 14 << 98 << 14 << 7;
        QTest::newRow("1:2 keeps 1:2") << 1 << 14 << 28 << 98 << 7 << 14;
        QTest::newRow("short side at least 1") << 4 << 2 << 20 << 40 << 1 << 10;
    }
    void probeReduction()
    {
        QFETCH(int, channels);
        QFETCH(int, height);
        QFETCH(int, width);
        QFETCH(int, maxFeatures);
        QFETCH(int, pooledHeight);
        QFETCH(int, pooledWidth);
        QCOMPARE(reducedSize(channels, height, width, maxFeatures),
                 std::make_pair(std::int64_t(pooledHeight), std::int64_t(pooledWidth)));
        std::vector<std::int64_t> shape;
        auto t = reduceProbe(torch::ones({2, channels, height, width}), maxFeatures, &shape);
        QCOMPARE(shape, (std::vector<std::int64_t>{channels, pooledHeight, pooledWidth}));
        QCOMPARE(t.size(0), 2);
        QCOMPARE(t.size(1), std::int64_t(channels) * pooledHeight * pooledWidth);
        QVERIFY(torch::allclose(t, torch::ones_like(t)));
    }

    void vectorsAreNeverPooled()
    {
        std::vector<std::int64_t> shape;
        auto flat = reduceProbe(torch::ones({3, 10}), 4, &shape);
        QCOMPARE(flat.size(1), 10);
        QCOMPARE(shape, (std::vector<std::int64_t>{10}));
    }

    /// The probe stage (one embedding pass over both splits, both splits'
    /// queries in one pass over the support, batches spanning the splits)
    /// gives, value for value, what probing each split on its own gives.
    void probeStageMatchesSplitBySplit()
    {
        torch::manual_seed(7);
        ModelSpec spec;
        spec.arch = "cnn";
        spec.cnnBaseWidth = 8;
        spec.inChannels = 1;
        spec.height = spec.width = 16;
        spec.numOutputs = 4;
        auto model = makeModel(spec);
        DeviceSplit train, test;
        train.images = torch::randn({150, 1, 16, 16});
        train.labels = torch::randint(0, 4, {150}, torch::kLong);
        test.images = torch::randn({37, 1, 16, 16});
        test.labels = torch::randint(0, 4, {37}, torch::kLong);
        std::vector<std::uint8_t> inTrain(150, 0);
        for (std::size_t i = 0; i < inTrain.size(); i += 2)
            inTrain[i] = 1;
        std::vector<std::int32_t> trainFinal(150), testFinal(37);
        for (std::size_t i = 0; i < trainFinal.size(); ++i)
            trainFinal[i] = static_cast<std::int32_t>(i % 4);
        for (std::size_t i = 0; i < testFinal.size(); ++i)
            testFinal[i] = static_cast<std::int32_t>((i * 3) % 4);
        ProbeOptions options;
        options.k = 5;
        options.batchSize = 16; // batches straddle the train/test boundary
        options.maxFeatures = 64;
        options.maxBlockElements = 75 * 40; // several query blocks
        CancelToken cancel;
        const ProbeResults r = runProbes(*model, train, test, inTrain, trainFinal, testFinal, 4, options, cancel);

        // The split-by-split path, as the probe stage computed it before.
        auto trainEmb = extractEmbeddings(*model, {train.images}, 32, options.maxFeatures, options.mixedPrecision, nullptr);
        auto testEmb = extractEmbeddings(*model, {test.images}, 32, options.maxFeatures, options.mixedPrecision, nullptr);
        std::vector<std::int64_t> supportRows, position(150, -1);
        for (std::size_t i = 0; i < inTrain.size(); ++i)
            if (inTrain[i]) {
                position[i] = static_cast<std::int64_t>(supportRows.size());
                supportRows.push_back(static_cast<std::int64_t>(i));
            }
        const auto support = torch::tensor(supportRows);
        KnnOptions knn;
        knn.k = options.k;
        std::vector<torch::Tensor> trainRows, testRows;
        for (std::size_t l = 0; l < trainEmb.size(); ++l) {
            KnnProbe probe(trainEmb[l].index_select(0, support), train.labels.index_select(0, support), 4, knn);
            trainRows.push_back(probe.predict(trainEmb[l], torch::tensor(position)));
            testRows.push_back(probe.predict(testEmb[l], torch::Tensor()));
        }
        auto trainKnn = torch::stack(trainRows), testKnn = torch::stack(testRows);
        auto asInts = [](const torch::Tensor &t) {
            auto c = t.to(torch::kInt32).contiguous().view(-1);
            return std::vector<std::int32_t>(c.data_ptr<std::int32_t>(), c.data_ptr<std::int32_t>() + c.numel());
        };
        QCOMPARE(r.trainKnn, asInts(trainKnn));
        QCOMPARE(r.testKnn, asInts(testKnn));
        QCOMPARE(r.trainDepth, pds::predictionDepth(trainKnn, torch::tensor(trainFinal)));
        QCOMPARE(r.testDepth, pds::predictionDepth(testKnn, torch::tensor(testFinal)));
        // The embeddings themselves are the same values, whatever the batches.
        auto both = extractEmbeddings(*model, {train.images, test.images}, 16, options.maxFeatures, options.mixedPrecision, nullptr);
        for (std::size_t l = 0; l < both.size(); ++l)
            QVERIFY(torch::equal(both[l], torch::cat({trainEmb[l], testEmb[l]})));
    }

    void storedPrecisionSaturates()
    {
        auto e = toStoredPrecision(torch::tensor({1e6f, -1e6f, 1.0f / 3.0f, 0.0f}));
        QCOMPARE(e.scalar_type(), torch::kHalf);
        auto f = e.to(torch::kFloat);
        QCOMPARE(f[0].item<float>(), 65504.f);
        QCOMPARE(f[1].item<float>(), -65504.f);
        QCOMPARE(f[2].item<float>(), at::Half(1.0f / 3.0f).operator float());
        QCOMPARE(f[3].item<float>(), 0.f);
    }
};

QTEST_GUILESS_MAIN(TestKnnProbe)
#include "tst_knnprobe.moc"
