// Tests of the dataset transforms: Rng, stratifiedSubset, injectNoise, channelStats.

#include "testsupport.h"

#include "data/transforms.h"
#include "util/error.h"

#include <QtTest/QtTest>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

using namespace pds;
using namespace pds::test;

namespace {

/// Labels with `sizes[c]` examples of class c, interleaved so classes are not in blocks.
std::vector<std::int32_t> labelsWithSizes(const QList<int> &sizes)
{
    std::vector<std::int32_t> labels;
    std::vector<int> left(sizes.begin(), sizes.end());
    for (bool any = true; any;) {
        any = false;
        for (std::size_t c = 0; c < left.size(); ++c)
            if (left[c] > 0) {
                labels.push_back(static_cast<std::int32_t>(c));
                --left[c];
                any = true;
            }
    }
    return labels;
}

/// A split of `labels` with 1×1 images; clean labels equal the given ones.
Split splitWithLabels(const std::vector<std::int32_t> &labels)
{
    Split s;
    s.labels = labels;
    s.cleanLabels = labels;
    s.images.assign(labels.size(), 0);
    s.noisy.assign(labels.size(), 0);
    s.sourceIndices.resize(labels.size());
    std::iota(s.sourceIndices.begin(), s.sourceIndices.end(), 0);
    return s;
}

NoiseSpec symmetricNoise(double fraction, std::uint64_t seed = 3)
{
    NoiseSpec n;
    n.kind = NoiseSpec::Kind::Symmetric;
    n.fraction = fraction;
    n.seed = seed;
    return n;
}

NoiseSpec asymmetricNoise(double fraction, std::vector<int> map, std::uint64_t seed = 3)
{
    NoiseSpec n;
    n.kind = NoiseSpec::Kind::Asymmetric;
    n.fraction = fraction;
    n.classMap = std::move(map);
    n.seed = seed;
    return n;
}

} // namespace

class TestTransforms : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void rng_goldenValues();
    void rng_determinism();
    void rng_ranges();
    void rng_shuffleIsPermutation();

    void subset_data();
    void subset();
    void subset_seeds();
    void subset_all_data();
    void subset_all();
    void subset_negative();

    void symmetric_data();
    void symmetric();
    void symmetric_uniformOverOtherClasses();
    void symmetric_deterministic();
    void asymmetric_data();
    void asymmetric();
    void asymmetric_swap();
    void noneOrZero();
    void noiseErrors_data();
    void noiseErrors();

    void channelStats_handWorked();
    void channelStats_constant();
};

void TestTransforms::rng_goldenValues()
{
    // SplitMix64 from state 0, as published by its author (Vigna).
    Rng rng(0);
    QCOMPARE(rng.next(), std::uint64_t(0xe220a8397b1dcdafULL));
    QCOMPARE(rng.next(), std::uint64_t(0x6e789e6aa1b965f4ULL));
    QCOMPARE(rng.next(), std::uint64_t(0x06c45d188009454fULL));
}

void TestTransforms::rng_determinism()
{
    Rng a(42), b(42), c(43);
    bool differs = false;
    for (int i = 0; i < 100; ++i) {
        const auto x = a.next();
        QCOMPARE(b.next(), x);
        differs = differs || c.next() != x;
    }
    QVERIFY(differs);
}

void TestTransforms::rng_ranges()
{
    Rng rng(7);
    std::vector<int> counts(7, 0);
    for (int i = 0; i < 7000; ++i) {
        const auto v = rng.below(7);
        QVERIFY(v < 7);
        ++counts[static_cast<std::size_t>(v)];
        const double u = rng.uniform();
        QVERIFY(u >= 0.0 && u < 1.0);
    }
    for (int c : counts) // each value about 1000 times
        QVERIFY2(c > 850 && c < 1150, qPrintable(QString::number(c)));
    QCOMPARE(rng.below(1), std::uint64_t(0));
}

void TestTransforms::rng_shuffleIsPermutation()
{
    std::vector<int> v(50);
    std::iota(v.begin(), v.end(), 0);
    auto shuffled = v;
    Rng rng(1);
    rng.shuffle(shuffled);
    QVERIFY(shuffled != v);
    auto sorted = shuffled;
    std::sort(sorted.begin(), sorted.end());
    QCOMPARE(sorted, v);
}

void TestTransforms::subset_data()
{
    QTest::addColumn<QList<int>>("sizes");
    QTest::addColumn<int>("limit");
    QTest::addColumn<QList<int>>("expectedPerClass"); ///< empty: only check proportions

    QTest::newRow("exact shares") << QList<int>{50, 30, 20} << 10 << QList<int>{5, 3, 2};
    QTest::newRow("largest remainder") << QList<int>{10, 10, 10} << 10 << QList<int>{4, 3, 3};
    QTest::newRow("one each") << QList<int>{5, 5, 5, 5} << 4 << QList<int>{1, 1, 1, 1};
    QTest::newRow("tiny class") << QList<int>{97, 2, 1} << 50 << QList<int>{};
    QTest::newRow("uneven") << QList<int>{13, 7, 29, 1, 50} << 37 << QList<int>{};
    QTest::newRow("almost all") << QList<int>{13, 7, 29, 1, 50} << 99 << QList<int>{};
    QTest::newRow("one example") << QList<int>{6, 4} << 1 << QList<int>{1, 0};
}

void TestTransforms::subset()
{
    QFETCH(QList<int>, sizes);
    QFETCH(int, limit);
    QFETCH(QList<int>, expectedPerClass);
    const auto labels = labelsWithSizes(sizes);
    const int k = static_cast<int>(sizes.size());
    const auto picked = stratifiedSubset(labels, k, limit, 11);

    QCOMPARE(picked.size(), std::size_t(limit));
    QVERIFY(std::is_sorted(picked.begin(), picked.end()));
    QCOMPARE(std::set<std::int64_t>(picked.begin(), picked.end()).size(), picked.size());
    std::vector<int> perClass(static_cast<std::size_t>(k), 0);
    for (auto i : picked) {
        QVERIFY(i >= 0 && i < static_cast<std::int64_t>(labels.size()));
        ++perClass[static_cast<std::size_t>(labels[static_cast<std::size_t>(i)])];
    }
    for (int c = 0; c < k; ++c) {
        const double exact = double(limit) * sizes[c] / double(labels.size());
        QVERIFY2(std::abs(perClass[static_cast<std::size_t>(c)] - exact) < 1.0,
                 qPrintable(QStringLiteral("class %1: %2 picked, share %3").arg(c).arg(perClass[c]).arg(exact)));
        if (!expectedPerClass.isEmpty())
            QCOMPARE(perClass[static_cast<std::size_t>(c)], expectedPerClass[c]);
    }
}

void TestTransforms::subset_seeds()
{
    const auto labels = labelsWithSizes({40, 40, 40});
    const auto a = stratifiedSubset(labels, 3, 30, 5);
    QCOMPARE(stratifiedSubset(labels, 3, 30, 5), a);
    QVERIFY(stratifiedSubset(labels, 3, 30, 6) != a);
}

void TestTransforms::subset_all_data()
{
    QTest::addColumn<int>("limit");
    QTest::newRow("zero") << 0;
    QTest::newRow("exactly N") << 12;
    QTest::newRow("more than N") << 1000;
}

void TestTransforms::subset_all()
{
    QFETCH(int, limit);
    const auto labels = labelsWithSizes({4, 4, 4});
    const auto picked = stratifiedSubset(labels, 3, limit, 1);
    std::vector<std::int64_t> all(12);
    std::iota(all.begin(), all.end(), 0);
    QCOMPARE(picked, all);
}

void TestTransforms::subset_negative()
{
    PDS_VERIFY_MESSAGE(messageOf<ConfigError>([] { stratifiedSubset({0, 1}, 2, -1, 0); }),
                       "subset size must not be negative");
}

void TestTransforms::symmetric_data()
{
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("classes");
    QTest::addColumn<double>("fraction");
    QTest::addColumn<int>("expectedChanged");

    QTest::newRow("30% of 1000") << 1000 << 10 << 0.3 << 300;
    QTest::newRow("rounds half up") << 10 << 3 << 0.25 << 3;
    QTest::newRow("rounds down") << 10 << 3 << 0.24 << 2;
    QTest::newRow("all labels") << 50 << 2 << 1.0 << 50;
    QTest::newRow("tiny fraction") << 100 << 4 << 0.004 << 0;
}

void TestTransforms::symmetric()
{
    QFETCH(int, n);
    QFETCH(int, classes);
    QFETCH(double, fraction);
    QFETCH(int, expectedChanged);

    std::vector<std::int32_t> labels(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
        labels[static_cast<std::size_t>(i)] = i % classes;
    Split s = splitWithLabels(labels);
    const auto changed = injectNoise(s, classes, symmetricNoise(fraction));

    QCOMPARE(changed, std::int64_t(expectedChanged));
    QCOMPARE(s.cleanLabels, labels);
    int differing = 0;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        QVERIFY(s.labels[i] >= 0 && s.labels[i] < classes);
        QCOMPARE(s.noisy[i], std::uint8_t(s.labels[i] != labels[i] ? 1 : 0));
        differing += s.labels[i] != labels[i];
    }
    // Every changed label moved to another class.
    QCOMPARE(differing, expectedChanged);
}

void TestTransforms::symmetric_uniformOverOtherClasses()
{
    const int n = 20000, classes = 10;
    std::vector<std::int32_t> labels(n);
    for (int i = 0; i < n; ++i)
        labels[static_cast<std::size_t>(i)] = i % classes;
    Split s = splitWithLabels(labels);
    QCOMPARE(injectNoise(s, classes, symmetricNoise(0.45)), std::int64_t(9000));

    // Each (clean, noisy) pair of different classes should be equally likely:
    // 9000 / 90 = 100 each. Each shift (noisy − clean mod 10) gets 1000.
    std::map<std::pair<int, int>, int> pairs;
    std::vector<int> shifts(classes, 0);
    for (int i = 0; i < n; ++i) {
        const int from = labels[static_cast<std::size_t>(i)], to = s.labels[static_cast<std::size_t>(i)];
        if (from == to)
            continue;
        ++pairs[{from, to}];
        ++shifts[static_cast<std::size_t>((to - from + classes) % classes)];
    }
    QCOMPARE(shifts[0], 0);
    for (int d = 1; d < classes; ++d)
        QVERIFY2(shifts[static_cast<std::size_t>(d)] > 850 && shifts[static_cast<std::size_t>(d)] < 1150,
                 qPrintable(QStringLiteral("shift %1: %2").arg(d).arg(shifts[d])));
    QCOMPARE(int(pairs.size()), classes * (classes - 1));
    for (const auto &[pair, count] : pairs)
        QVERIFY2(count > 55 && count < 150,
                 qPrintable(QStringLiteral("%1 -> %2: %3").arg(pair.first).arg(pair.second).arg(count)));
}

void TestTransforms::symmetric_deterministic()
{
    std::vector<std::int32_t> labels(200);
    for (int i = 0; i < 200; ++i)
        labels[static_cast<std::size_t>(i)] = i % 5;
    Split a = splitWithLabels(labels), b = splitWithLabels(labels), c = splitWithLabels(labels);
    injectNoise(a, 5, symmetricNoise(0.2, 9));
    injectNoise(b, 5, symmetricNoise(0.2, 9));
    injectNoise(c, 5, symmetricNoise(0.2, 10));
    QCOMPARE(a.labels, b.labels);
    QVERIFY(a.labels != c.labels);
}

void TestTransforms::asymmetric_data()
{
    QTest::addColumn<QList<int>>("sizes");
    QTest::addColumn<QList<int>>("map");
    QTest::addColumn<double>("fraction");

    QTest::newRow("one class") << QList<int>{20, 20, 20} << QList<int>{0, 2, 2} << 0.4;
    QTest::newRow("two classes") << QList<int>{25, 30, 10, 7} << QList<int>{1, 1, 2, 0} << 0.3;
    QTest::newRow("chain") << QList<int>{20, 20, 20, 20} << QList<int>{1, 2, 3, 3} << 0.5;
    QTest::newRow("cycle") << QList<int>{10, 12, 14} << QList<int>{1, 2, 0} << 0.5;
    QTest::newRow("all of a class") << QList<int>{8, 8} << QList<int>{1, 1} << 1.0;
}

void TestTransforms::asymmetric()
{
    QFETCH(QList<int>, sizes);
    QFETCH(QList<int>, map);
    QFETCH(double, fraction);
    const auto labels = labelsWithSizes(sizes);
    const int k = static_cast<int>(sizes.size());
    Split s = splitWithLabels(labels);
    const auto changed = injectNoise(s, k, asymmetricNoise(fraction, std::vector<int>(map.begin(), map.end())));

    QCOMPARE(s.cleanLabels, labels);
    std::vector<int> moved(static_cast<std::size_t>(k), 0);
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const int from = labels[i], to = s.labels[i];
        QCOMPARE(s.noisy[i], std::uint8_t(from != to ? 1 : 0));
        if (from == to)
            continue;
        // Only mapped classes change, and only to their mapped class.
        QVERIFY(map[from] != from);
        QCOMPARE(to, map[from]);
        ++moved[static_cast<std::size_t>(from)];
    }
    std::int64_t expectedTotal = 0;
    for (int c = 0; c < k; ++c) {
        const int expected = map[c] == c ? 0 : static_cast<int>(std::llround(fraction * sizes[c]));
        QCOMPARE(moved[static_cast<std::size_t>(c)], expected);
        expectedTotal += expected;
    }
    QCOMPARE(changed, expectedTotal);
}

void TestTransforms::asymmetric_swap()
{
    // CIFAR-10's usual asymmetric noise swaps cat and dog: each class gives
    // away its own share; labels moved once are not moved again.
    const auto labels = labelsWithSizes({50, 50, 50, 50});
    Split s = splitWithLabels(labels);
    QCOMPARE(injectNoise(s, 4, asymmetricNoise(0.4, {0, 3, 2, 1})), std::int64_t(40));
    std::map<std::pair<int, int>, int> pairs;
    for (std::size_t i = 0; i < labels.size(); ++i)
        if (labels[i] != s.labels[i])
            ++pairs[{labels[i], s.labels[i]}];
    QCOMPARE(pairs.size(), std::size_t(2));
    QCOMPARE((pairs[{1, 3}]), 20);
    QCOMPARE((pairs[{3, 1}]), 20);
    QCOMPARE(std::count(s.noisy.begin(), s.noisy.end(), 1), std::ptrdiff_t(40));
}

void TestTransforms::noneOrZero()
{
    const auto labels = labelsWithSizes({5, 5});
    Split s = splitWithLabels(labels);
    NoiseSpec none;
    none.fraction = 0.5;
    QCOMPARE(injectNoise(s, 2, none), std::int64_t(0));
    QCOMPARE(injectNoise(s, 2, symmetricNoise(0.0)), std::int64_t(0));
    QCOMPARE(s.labels, labels);
}

void TestTransforms::noiseErrors_data()
{
    QTest::addColumn<int>("kind"); ///< 1 symmetric, 2 asymmetric
    QTest::addColumn<double>("fraction");
    QTest::addColumn<QList<int>>("map");
    QTest::addColumn<int>("classes");
    QTest::addColumn<QString>("message");

    QTest::newRow("fraction above 1") << 1 << 1.5 << QList<int>{} << 3
                                      << "label-noise fraction must lie in [0, 1], got 1.5";
    QTest::newRow("negative fraction") << 1 << -0.1 << QList<int>{} << 3
                                       << "label-noise fraction must lie in [0, 1], got -0.1";
    QTest::newRow("NaN fraction") << 1 << std::nan("") << QList<int>{} << 3
                                  << "label-noise fraction must lie in [0, 1], got nan";
    QTest::newRow("asymmetric fraction above 1") << 2 << 2.0 << QList<int>{1, 0, 2} << 3
                                                 << "label-noise fraction must lie in [0, 1]";
    QTest::newRow("one class") << 1 << 0.5 << QList<int>{} << 1 << "label noise needs at least two classes";
    QTest::newRow("short map") << 2 << 0.5 << QList<int>{1, 0} << 3
                               << "asymmetric noise map has 2 entries but the dataset has 3 classes";
    QTest::newRow("long map") << 2 << 0.5 << QList<int>{1, 0, 2, 3} << 3
                              << "asymmetric noise map has 4 entries but the dataset has 3 classes";
    QTest::newRow("map outside classes") << 2 << 0.5 << QList<int>{0, 7, 2} << 3
                                         << "asymmetric noise map names class 7, outside 0..2";
    QTest::newRow("negative class in map") << 2 << 0.5 << QList<int>{-1, 1, 2} << 3
                                           << "asymmetric noise map names class -1, outside 0..2";
}

void TestTransforms::noiseErrors()
{
    QFETCH(int, kind);
    QFETCH(double, fraction);
    QFETCH(QList<int>, map);
    QFETCH(int, classes);
    QFETCH(QString, message);
    const auto labels = std::vector<std::int32_t>(6, 0);
    Split s = splitWithLabels(labels);
    const NoiseSpec spec = kind == 1 ? symmetricNoise(fraction)
                                     : asymmetricNoise(fraction, std::vector<int>(map.begin(), map.end()));
    PDS_VERIFY_MESSAGE(messageOf<ConfigError>([&] { injectNoise(s, classes, spec); }), message);
    QCOMPARE(s.labels, labels); // nothing changed on error
}

void TestTransforms::channelStats_handWorked()
{
    // Two images, two channels, 1×2 pixels each.
    // Channel 0 holds 0, 255 | 255, 255 → values 0, 1, 1, 1 in [0, 1]:
    //   mean 0.75, variance 0.75 − 0.5625 = 0.1875, std 0.4330127.
    // Channel 1 holds 51, 102 | 153, 204 → 0.2, 0.4, 0.6, 0.8:
    //   mean 0.5, variance (0.09 + 0.01 + 0.01 + 0.09) / 4 = 0.05, std 0.2236068.
    Split s = splitWithLabels({0, 1});
    s.images = {0, 255, 51, 102, 255, 255, 153, 204};
    const ChannelStats st = channelStats(s, 2, 1, 2);
    QCOMPARE(st.mean.size(), std::size_t(2));
    QCOMPARE(st.std.size(), std::size_t(2));
    QVERIFY(std::abs(st.mean[0] - 0.75f) < 1e-6f);
    QVERIFY(std::abs(st.std[0] - 0.4330127f) < 1e-6f);
    QVERIFY(std::abs(st.mean[1] - 0.5f) < 1e-6f);
    QVERIFY(std::abs(st.std[1] - 0.2236068f) < 1e-6f);
}

void TestTransforms::channelStats_constant()
{
    // A constant channel has no spread; the std is kept positive so normalising never divides by 0.
    Split s = splitWithLabels({0, 1, 1});
    s.images.assign(3 * 4, 51);
    const ChannelStats st = channelStats(s, 1, 2, 2);
    QVERIFY(std::abs(st.mean[0] - 0.2f) < 1e-6f);
    QVERIFY(st.std[0] > 0.f && st.std[0] < 1e-5f);
}

QTEST_GUILESS_MAIN(TestTransforms)
#include "tst_transforms.moc"
