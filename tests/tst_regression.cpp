// Tests of noisy-label regression: target noise, fragments and their pairing,
// the fragment weights η, ConFrag's selection rule on stand-in experts, the
// small-loss baseline and the metrics (ERR, MRAE), on hand-made numbers.

#include "testsupport.h"

#include "data/transforms.h"
#include "regression/fragments.h"
#include "regression/selection.h"
#include "regression/targetnoise.h"
#include "util/error.h"

#include <QtTest/QtTest>

#include <cmath>
#include <map>
#include <numeric>
#include <set>

using namespace pds;

namespace {

/// The integers first … last as sorted distinct values.
std::vector<double> range(int first, int last)
{
    std::vector<double> v;
    for (int x = first; x <= last; ++x)
        v.push_back(x);
    return v;
}

/// `perValue` examples of each value −45 … 45.
std::vector<float> balancedAngles(int perValue)
{
    std::vector<float> t;
    for (int r = 0; r < perValue; ++r)
        for (int a = -45; a <= 45; ++a)
            t.push_back(float(a));
    return t;
}

std::vector<int> sizes(const Fragmentation &f)
{
    std::vector<int> s;
    for (int j = 0; j < f.count(); ++j)
        s.push_back(f.first[std::size_t(j) + 1] - f.first[std::size_t(j)]);
    return s;
}

} // namespace

class TestRegression : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void fragmentSizes_data();
    void fragmentSizes();
    void fragmentErrors();
    void fragmentOf();
    void pairing_data();
    void pairing();
    void weightsByHand();
    void weightsFavourOwnFragment();
    void predictionVotesAndProbability();
    void featureVotes();
    void selectionOnStandInExperts();
    void selectionIsSeeded();
    void symmetricNoiseRate_data();
    void symmetricNoiseRate();
    void gaussianNoise();
    void errAndMrae();
    void errEdgeCases();
    void smallLoss();
    void jitterWindow();
};

void TestRegression::fragmentSizes_data()
{
    QTest::addColumn<int>("values");
    QTest::addColumn<int>("fragments");
    QTest::addColumn<QList<int>>("expected");
    QTest::newRow("8 values, F=4") << 8 << 4 << QList<int>{2, 2, 2, 2};
    QTest::newRow("10 values, F=4") << 10 << 4 << QList<int>{3, 3, 2, 2};
    QTest::newRow("14 values, F=6") << 14 << 6 << QList<int>{3, 3, 2, 2, 2, 2};
    QTest::newRow("17 values, F=8") << 17 << 8 << QList<int>{3, 2, 2, 2, 2, 2, 2, 2};
    QTest::newRow("91 angles, F=4") << 91 << 4 << QList<int>{23, 23, 23, 22};
    QTest::newRow("6 values, F=6") << 6 << 6 << QList<int>{1, 1, 1, 1, 1, 1};
}

void TestRegression::fragmentSizes()
{
    QFETCH(int, values);
    QFETCH(int, fragments);
    QFETCH(QList<int>, expected);
    const auto f = fragmentValues(range(0, values - 1), fragments);
    QCOMPARE(f.count(), fragments);
    const auto got = sizes(f);
    QCOMPARE(QList<int>(got.begin(), got.end()), expected);
    QCOMPARE(f.low(0), 0.0);
    QCOMPARE(f.high(fragments - 1), double(values - 1));
}

void TestRegression::fragmentErrors()
{
    for (int bad : {3, 5, 0, -2}) {
        try {
            fragmentValues(range(0, 9), bad);
            QFAIL("an odd or too small fragment count was accepted");
        } catch (const ConfigError &e) {
            QCOMPARE(QString::fromStdString(e.field()), QString("regression.fragments"));
            QVERIFY(QString(e.what()).contains(QString::number(bad)));
        }
    }
    try {
        fragmentValues(range(0, 4), 6);
        QFAIL("more fragments than distinct values was accepted");
    } catch (const ConfigError &e) {
        QCOMPARE(QString::fromStdString(e.field()), QString("regression.fragments"));
        QVERIFY(QString(e.what()).contains("is 6, more than the number of distinct target values (5)"));
    }
}

void TestRegression::fragmentOf()
{
    // Values with a gap: fragments [0, 1], [2, 10], [11, 12], [13, 20].
    const auto f = fragmentValues({0, 1, 2, 10, 11, 12, 13, 20}, 4);
    QCOMPARE(f.fragmentOf(0), 0);
    QCOMPARE(f.fragmentOf(5), 1);
    QCOMPARE(f.fragmentOf(12), 2);
    QCOMPARE(f.fragmentOf(20), 3);
    QCOMPARE(f.fragmentOf(1.5), -1);
    QCOMPARE(f.fragmentOf(-1), -1);
    QCOMPARE(f.fragmentOf(21), -1);
    QCOMPARE(f.mid(1), 6.0);
    QCOMPARE(f.range(), 20.0);
    QCOMPARE(distinctValues({3, 1, 3, 2, 1}), (std::vector<double>{1, 2, 3}));
}

void TestRegression::pairing_data()
{
    QTest::addColumn<QList<double>>("values");
    QTest::addColumn<int>("fragments");
    QTest::addColumn<QList<int>>("expected"); // lower, upper, lower, upper …
    QTest::newRow("F=4 even") << QList<double>{0, 1, 2, 3, 4, 5, 6, 7} << 4 << QList<int>{0, 2, 1, 3};
    QTest::newRow("F=4 uneven counts") << QList<double>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9} << 4
                                       << QList<int>{0, 2, 1, 3};
    // A wide gap above the third fragment: the shift still keeps the smallest distance largest.
    QTest::newRow("F=4 gap") << QList<double>{0, 1, 2, 3, 4, 5, 100, 101} << 4 << QList<int>{0, 2, 1, 3};
    QTest::newRow("F=6") << QList<double>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13} << 6
                         << QList<int>{0, 3, 1, 4, 2, 5};
    QTest::newRow("F=6 spread") << QList<double>{0, 1, 2, 50, 51, 100} << 6 << QList<int>{0, 3, 1, 4, 2, 5};
    QList<double> seventeen;
    for (int x = 0; x < 17; ++x)
        seventeen << x;
    QTest::newRow("F=8 uneven counts") << seventeen << 8 << QList<int>{0, 4, 1, 5, 2, 6, 3, 7};
    QTest::newRow("F=2") << QList<double>{0, 1, 2} << 2 << QList<int>{0, 1};
}

void TestRegression::pairing()
{
    QFETCH(QList<double>, values);
    QFETCH(int, fragments);
    QFETCH(QList<int>, expected);
    const auto f = fragmentValues(std::vector<double>(values.begin(), values.end()), fragments);
    const auto pairs = pairFragments(f);
    QList<int> got;
    for (const auto &[a, b] : pairs)
        got << a << b;
    QCOMPARE(got, expected);
}

void TestRegression::weightsByHand()
{
    // Values 0 … 3 in two fragments: mids 0.5 and 2.5, R = 3. For y = 1 the
    // logits are 3 / 0.6 = 5 and 3 / 1.6 = 1.875, so η₀ = 1 / (1 + e^−3.125).
    const auto f = fragmentValues(range(0, 3), 2);
    const auto eta = fragmentWeights(1.0, f);
    QCOMPARE(eta.size(), std::size_t(2));
    QVERIFY(std::abs(eta[0] - 0.9579121) < 1e-6);
    QVERIFY(std::abs(eta[1] - 0.0420879) < 1e-6);
    // Halfway between the mids both fragments weigh the same.
    const auto even = fragmentWeights(1.5, f);
    QVERIFY(std::abs(even[0] - 0.5) < 1e-12);
}

void TestRegression::weightsFavourOwnFragment()
{
    // At the mid of a fragment the logit is R / 0.1; the weights sum to one.
    const auto f = fragmentValues(range(-45, 45), 4);
    for (int j = 0; j < 4; ++j) {
        const auto eta = fragmentWeights(f.mid(j), f);
        QVERIFY(std::abs(std::accumulate(eta.begin(), eta.end(), 0.0) - 1.0) < 1e-12);
        QVERIFY(eta[std::size_t(j)] > 0.999);
    }
}

void TestRegression::predictionVotesAndProbability()
{
    // Values 0 … 7 in four fragments [0,1] [2,3] [4,5] [6,7]; pairs (0,2) and (1,3).
    const auto f = fragmentValues(range(0, 7), 4);
    const auto pairs = pairFragments(f);
    // Example 0: expert (0,2) says 2, expert (1,3) says 1 → α_self = 0 1 1 0.
    // Example 1: expert (0,2) says 0, expert (1,3) says 3 → α_self = 1 0 0 1.
    const std::vector<std::vector<std::uint8_t>> lower = {{0, 1}, {1, 0}};
    const auto votes = predictionVotes(pairs, 4, lower);
    QCOMPARE(votes, (FragmentVotes{0, 1, 1, 0, 1, 0, 0, 1}));
    // ỹ = 2: fragment 1 and 2 have a voting neighbour, so p = η₁ + η₂.
    const auto eta = fragmentWeights(2.0, f);
    const double l0 = 7 / 1.6, l1 = 7 / 0.6, l2 = 7 / 2.6, l3 = 7 / 4.6;
    const double z = std::exp(l0) + std::exp(l1) + std::exp(l2) + std::exp(l3);
    QVERIFY(std::abs(eta[1] - std::exp(l1) / z) < 1e-12);
    QVERIFY(std::abs(selectionProbability(eta, votes.data()) - (std::exp(l1) + std::exp(l2)) / z) < 1e-12);
    // α_self = 1 0 0 1: no fragment has a voting neighbour, so p = 0 whatever ỹ.
    QCOMPARE(selectionProbability(fragmentWeights(7.0, f), votes.data() + 4), 0.0);
    // Every fragment voted for: p = Σ η = 1.
    const FragmentVotes all{1, 1, 1, 1};
    QVERIFY(std::abs(selectionProbability(eta, all.data()) - 1.0) < 1e-12);
}

void TestRegression::featureVotes()
{
    const auto f = fragmentValues(range(0, 7), 4);
    const auto pairs = pairFragments(f); // (0,2), (1,3)
    const int k = 3;
    // Example 0: pair (0,2) neighbours 2 2 0 → c₂ = 2 ≥ K − 1; pair (1,3) neighbours 1 3 3 → c₃ = 2.
    // Example 1: pair (0,2) neighbours 0 2 0 → c₀ = 2; pair (1,3) neighbours 1 3 1 → c₁ = 2.
    const std::vector<std::vector<std::int32_t>> neighbours = {{2, 2, 0, 0, 2, 0}, {1, 3, 3, 1, 3, 1}};
    const auto votes = pds::featureVotes(pairs, 4, k, neighbours);
    QCOMPARE(votes, (FragmentVotes{0, 0, 1, 1, 1, 1, 0, 0}));
    // K = 2: one neighbour is enough (K − 1 = 1), so a split vote counts for both fragments.
    const std::vector<std::vector<std::int32_t>> two = {{0, 2}, {1, 1}};
    QCOMPARE(pds::featureVotes(pairs, 4, 2, two), (FragmentVotes{1, 1, 1, 0}));
}

void TestRegression::selectionOnStandInExperts()
{
    // Four examples; stand-in experts with known outputs give, per example:
    //  0: ỹ = 2, prediction votes 0 1 1 0 (p_pred = η₁ + η₂ ≈ 1), feature votes none
    //  1: ỹ = 7, prediction votes 1 0 0 1 (p = 0), feature votes 0 0 1 1 (p_knn = η₂ + η₃ ≈ 1)
    //  2: ỹ = 0, no votes at all → never selected
    //  3: ỹ = 4, feature votes everywhere → p_knn = 1
    const auto f = fragmentValues(range(0, 7), 4);
    const std::vector<float> noisy = {2, 7, 0, 4};
    const FragmentVotes pred = {0, 1, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0};
    const FragmentVotes knn = {0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1};
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
        const auto s = selectExamples(noisy, f, pred, knn, seed);
        QVERIFY(s.pPred[0] > 0.999f);
        QCOMPARE(s.pKnn[0], 0.0f);
        QCOMPARE(s.pPred[1], 0.0f);
        QVERIFY(s.pKnn[1] > 0.999f);
        QCOMPARE(s.pPred[2], 0.0f);
        QCOMPARE(s.pKnn[2], 0.0f);
        QVERIFY(std::abs(s.pKnn[3] - 1.0f) < 1e-6f);
        QCOMPARE(s.selected[2], std::uint8_t(0));
        QCOMPARE(s.selected[3], std::uint8_t(1));
    }
}

void TestRegression::selectionIsSeeded()
{
    // ỹ = 3.5 lies halfway between the mids of fragments 1 and 2 (of [0,1] [2,3] [4,5] [6,7]);
    // votes for fragments 0 and 1 give p = η₀ + η₁, which the symmetry makes one half.
    const auto f = fragmentValues(range(0, 7), 4);
    const std::size_t n = 4000;
    const std::vector<float> noisy(n, 3.5f);
    FragmentVotes lowerHalf(n * 4, 0), none(n * 4, 0);
    for (std::size_t i = 0; i < n; ++i)
        lowerHalf[i * 4] = lowerHalf[i * 4 + 1] = 1;
    const auto eta = fragmentWeights(3.5, f);
    const double p = eta[0] + eta[1];
    QVERIFY(std::abs(p - 0.5) < 1e-12);
    const auto a = selectExamples(noisy, f, lowerHalf, none, 7);
    const auto b = selectExamples(noisy, f, lowerHalf, none, 7);
    const auto c = selectExamples(noisy, f, lowerHalf, none, 8);
    QCOMPARE(a.selected, b.selected);
    QVERIFY(a.selected != c.selected);
    QVERIFY(std::abs(selectionRate(a.selected) - p) < 0.03);
    // Either draw may succeed: the rate is 1 − (1 − p)².
    const auto both = selectExamples(noisy, f, lowerHalf, lowerHalf, 7);
    QVERIFY(std::abs(selectionRate(both.selected) - (1 - (1 - p) * (1 - p))) < 0.03);
    // A fragment voting alone has no voting neighbour: nothing is selected.
    FragmentVotes alone(n * 4, 0);
    for (std::size_t i = 0; i < n; ++i)
        alone[i * 4 + 1] = 1;
    QCOMPARE(selectionRate(selectExamples(noisy, f, alone, alone, 7).selected), 0.0);
}

void TestRegression::symmetricNoiseRate_data()
{
    QTest::addColumn<double>("p");
    QTest::newRow("20 %") << 0.2;
    QTest::newRow("40 %") << 0.4;
    QTest::newRow("60 %") << 0.6;
}

void TestRegression::symmetricNoiseRate()
{
    QFETCH(double, p);
    const auto clean = balancedAngles(10);
    const auto before = clean;
    TargetNoise noise;
    noise.kind = TargetNoise::Kind::Symmetric;
    noise.fraction = p;
    noise.seed = 11;
    const auto noisy = noisyTargets(clean, noise);
    QCOMPARE(clean, before); // the clean targets are kept
    std::map<float, int> changedPerValue;
    for (std::size_t i = 0; i < clean.size(); ++i)
        if (noisy[i] != clean[i]) {
            ++changedPerValue[clean[i]];
            QVERIFY(noisy[i] >= -45 && noisy[i] <= 45 && noisy[i] == std::round(noisy[i]));
        }
    // Exactly round(p · 10) of the ten examples of every value moved, each to another value.
    QCOMPARE(int(changedPerValue.size()), 91);
    for (const auto &[value, changed] : changedPerValue)
        QCOMPARE(changed, int(std::lround(p * 10)));
    QCOMPARE(noisyTargets(clean, noise), noisy); // seeded
    noise.seed = 12;
    QVERIFY(noisyTargets(clean, noise) != noisy);
}

void TestRegression::gaussianNoise()
{
    const auto clean = balancedAngles(20);
    TargetNoise noise;
    noise.kind = TargetNoise::Kind::Gaussian;
    noise.sigmaMax = 30;
    noise.seed = 5;
    const auto noisy = noisyTargets(clean, noise);
    double absErr = 0.0;
    for (std::size_t i = 0; i < clean.size(); ++i) {
        QVERIFY(noisy[i] >= -45 && noisy[i] <= 45);
        QCOMPARE(noisy[i], std::round(noisy[i]));
        absErr += std::abs(noisy[i] - clean[i]);
    }
    absErr /= double(clean.size());
    // σ uniform in 1 … 30 (mean 15.5) truncated to the range: a mean error of roughly 8–14.
    QVERIFY2(absErr > 6 && absErr < 16, qPrintable(QString::number(absErr)));
    QCOMPARE(noisyTargets(clean, noise), noisy);
    // σ_max = 1 moves a target by a few degrees only.
    noise.sigmaMax = 1;
    const auto small = noisyTargets(clean, noise);
    for (std::size_t i = 0; i < clean.size(); ++i)
        QVERIFY(std::abs(small[i] - clean[i]) <= 6);
    noise.sigmaMax = 0;
    QVERIFY_THROWS_EXCEPTION(ConfigError, noisyTargets(clean, noise));
}

void TestRegression::errAndMrae()
{
    // Errors |ỹ − y| = 0 2 4 0 (mean 1.5); selected 0, 1, 3 (errors 0 2 0, mean 2/3).
    const std::vector<float> noisy = {0, 2, 5, 1}, clean = {0, 0, 1, 1};
    const std::vector<std::uint8_t> sel = {1, 1, 0, 1};
    QVERIFY(std::abs(errorResidualRatio(noisy, clean, sel) - (2.0 / 3.0) / 1.5) < 1e-12);
    QVERIFY(std::abs(errorResidualSum(noisy, clean, sel) - 2.0 / 6.0) < 1e-12);
    QVERIFY(std::abs(errorResidualSum(noisy, clean, sel)
                     - errorResidualRatio(noisy, clean, sel) * selectionRate(sel)) < 1e-12);
    QCOMPARE(selectionRate(sel), 0.75);
    // Selecting everything leaves all the error: ERR = 1.
    QCOMPARE(errorResidualRatio(noisy, clean, {1, 1, 1, 1}), 1.0);
    QCOMPARE(mrae(12.0, 10.0), 20.0);
    QCOMPARE(mrae(9.0, 10.0), -10.0);
}

void TestRegression::errEdgeCases()
{
    const std::vector<float> noisy = {0, 2}, clean = {0, 0};
    QVERIFY(std::isnan(errorResidualRatio(noisy, clean, {0, 0})));
    QCOMPARE(errorResidualSum(noisy, clean, {0, 0}), 0.0);
    QVERIFY(std::isnan(errorResidualRatio(clean, clean, {1, 1})));
    QCOMPARE(errorResidualRatio(noisy, clean, {1, 0}), 0.0);
}

void TestRegression::smallLoss()
{
    const std::vector<float> losses = {0.5f, 0.1f, 0.9f, 0.1f, 0.3f};
    QCOMPARE(smallLossSelection(losses, 0.6), (std::vector<std::uint8_t>{0, 1, 0, 1, 1}));
    QCOMPARE(smallLossSelection(losses, 0.2), (std::vector<std::uint8_t>{0, 1, 0, 0, 0}));
    QCOMPARE(smallLossSelection(losses, 1.0), (std::vector<std::uint8_t>{1, 1, 1, 1, 1}));
    QCOMPARE(smallLossSelection(losses, 0.0), (std::vector<std::uint8_t>{0, 0, 0, 0, 0}));
}

void TestRegression::jitterWindow()
{
    Rng rng(3);
    std::set<int> starts;
    for (int i = 0; i < 200; ++i) {
        const auto [first, last] = pds::jitterWindow(91, 0.95, 4, rng);
        QCOMPARE(last - first, 86); // round(0.95 · 91)
        QVERIFY(first >= 0 && last <= 91);
        starts.insert(first);
    }
    QCOMPARE(int(starts.size()), 6); // every start 0 … 5 occurs
    const auto [a, b] = pds::jitterWindow(5, 0.5, 4, rng);
    QCOMPARE(b - a, 4); // never fewer values than fragments
}

QTEST_GUILESS_MAIN(TestRegression)
#include "tst_regression.moc"
