// Tests of the regime comparison: the bootstrap interval and depth
// differences on hand-made cases, the regimes' shared members and epoch
// budget, the refused inputs, the comparison file, and `pdepth compare` end
// to end read back with h5py.

#include "compare/comparison.h"
#include "compare/statistics.h"
#include "store/comparefile.h"
#include "store/h5file.h"
#include "study/members.h"
#include "testsupport.h"

#include <QDir>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>
#include <filesystem>

using namespace pds;
using namespace pds::test;

namespace {

const float kNaN = std::numeric_limits<float>::quiet_NaN();

} // namespace

class TestCompare : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void bootstrapHandMade();
    void bootstrapSkipsNaNAndIsSeeded();
    void differencesSharesHistogram();
    void parseRegimesRefusesUnknownAndRepeated();
    void regimesShareMembersSeedsAndEpochs();
    void refusedBeforeAnythingIsWritten_data();
    void refusedBeforeAnythingIsWritten();
    void fileRoundTrip();
    void compareEndToEnd();

private:
    CompareConfig baseConfig(const QString &output) const;
    QString path(const QString &name) const { return m_dir.filePath(name); }

    QTemporaryDir m_dir;
    QString m_data, m_transfer, m_otherSize;
};

void TestCompare::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_data = path("synthetic");
    m_transfer = path("transfer");
    m_otherSize = path("other-size");
    for (const auto &d : {m_data, m_transfer, m_otherSize})
        QVERIFY(QDir().mkpath(d));
    writeSyntheticIdx(m_data.toStdString(), 4, 40, 15, 12);
    writeSyntheticIdx(m_transfer.toStdString(), 3, 30, 10, 12);
    writeSyntheticIdx(m_otherSize.toStdString(), 3, 30, 10, 14);
}

CompareConfig TestCompare::baseConfig(const QString &output) const
{
    CompareConfig c;
    c.base.dataset.name = "synthetic";
    c.base.dataset.format = "idx";
    c.base.dataset.path = m_data.toStdString();
    c.base.model.arch = "mlp";
    c.base.model.mlpHiddenLayers = 2;
    c.base.model.mlpHiddenUnits = 16;
    c.base.train.epochs = 2;
    c.base.train.generations = 3;
    c.base.train.device = DeviceChoice::Cpu;
    c.base.study.models = 4;
    c.base.study.ratio = 0.5;
    c.base.output = output.toStdString();
    c.regimes = {Regime::Standard, Regime::Llf, Regime::Seal};
    return c;
}

void TestCompare::bootstrapHandMade()
{
    // 200 zeros and 200 ones: the mean is 0.5 and its standard error
    // 0.5/√400 = 0.025, so the 95 % interval is close to 0.5 ± 1.96·0.025.
    std::vector<float> v(400, 0.0f);
    std::fill(v.begin() + 200, v.end(), 1.0f);
    const MeanInterval m = bootstrapMean(v, 11, 4000);
    QCOMPARE(m.count, std::int64_t(400));
    QCOMPARE(m.mean, 0.5);
    QVERIFY2(std::abs(m.low - (0.5 - 1.96 * 0.025)) < 0.006, qPrintable(QString::number(m.low)));
    QVERIFY2(std::abs(m.high - (0.5 + 1.96 * 0.025)) < 0.006, qPrintable(QString::number(m.high)));

    // Two values: the resampled means are 0, ½ and 1 with chances ¼, ½, ¼,
    // so the 2.5 % and 97.5 % quantiles of 2000 of them are 0 and 1.
    const MeanInterval two = bootstrapMean({0.0f, 1.0f}, 5, 2000);
    QCOMPARE(two.mean, 0.5);
    QCOMPARE(two.low, 0.0);
    QCOMPARE(two.high, 1.0);

    // A constant has a zero-width interval.
    const MeanInterval same = bootstrapMean({2.0f, 2.0f, 2.0f}, 1);
    QCOMPARE(same.low, 2.0);
    QCOMPARE(same.high, 2.0);
}

void TestCompare::bootstrapSkipsNaNAndIsSeeded()
{
    const MeanInterval m = bootstrapMean({1.0f, kNaN, 3.0f}, 3);
    QCOMPARE(m.count, std::int64_t(2));
    QCOMPARE(m.mean, 2.0);
    QVERIFY(m.low >= 1.0 && m.high <= 3.0);
    const MeanInterval none = bootstrapMean({kNaN}, 3);
    QCOMPARE(none.count, std::int64_t(0));
    QVERIFY(std::isnan(none.mean));

    std::vector<float> v;
    for (int i = 0; i < 50; ++i)
        v.push_back(float(i % 7));
    const MeanInterval a = bootstrapMean(v, 42), b = bootstrapMean(v, 42), c = bootstrapMean(v, 43);
    QCOMPARE(a.low, b.low);
    QCOMPARE(a.high, b.high);
    QVERIFY(a.low != c.low || a.high != c.high);
    QVERIFY(a.low < a.mean && a.mean < a.high);
    PDS_VERIFY_MESSAGE(messageOf<ConfigError>([&] { bootstrapMean(v, 1, 0); }), "resamples");
}

void TestCompare::differencesSharesHistogram()
{
    const auto d = differences({1.0f, 2.0f, 3.0f, kNaN}, {2.0f, 2.0f, 1.0f, 1.0f});
    QCOMPARE(d.size(), std::size_t(4));
    QCOMPARE(d[0], -1.0f);
    QCOMPARE(d[1], 0.0f);
    QCOMPARE(d[2], 2.0f);
    QVERIFY(std::isnan(d[3]));
    const ShiftShares s = shiftShares(d);
    QCOMPARE(s.count, std::int64_t(3));
    QCOMPARE(s.lower, 1.0 / 3);
    QCOMPARE(s.same, 1.0 / 3);
    QCOMPARE(s.higher, 1.0 / 3);
    PDS_VERIFY_MESSAGE(messageOf<Error>([] { differences({1.0f}, {1.0f, 2.0f}); }), "1 and 2 examples");

    const auto h = histogram({0, 2, 2, 5, 1, -1}, 3, {1, 1, 0, 1, 1, 1});
    QCOMPARE(h, (std::vector<std::int64_t>{1, 1, 1, 0}));

    double mean = 0, spread = 0;
    meanAndSpread({0.5, 0.7}, mean, spread);
    QCOMPARE(mean, 0.6);
    QVERIFY(std::abs(spread - std::sqrt(0.02)) < 1e-12);
}

void TestCompare::parseRegimesRefusesUnknownAndRepeated()
{
    QCOMPARE(parseRegimes("seal,standard"), (std::vector<Regime>{Regime::Seal, Regime::Standard}));
    PDS_VERIFY_MESSAGE(messageOf<ConfigError>([] { parseRegimes("standard,sael"); }),
                       "--regimes: unknown regime 'sael'");
    PDS_VERIFY_MESSAGE(messageOf<ConfigError>([] { parseRegimes("llf,seal,llf"); }), "--regimes names llf twice");
}

void TestCompare::regimesShareMembersSeedsAndEpochs()
{
    const CompareConfig c = baseConfig(path("same.h5"));
    const RunConfig standard = regimeStudyConfig(c, Regime::Standard);
    const RunConfig llf = regimeStudyConfig(c, Regime::Llf);
    const RunConfig seal = regimeStudyConfig(c, Regime::Seal);
    // The same total epochs: standard trains generations × epochs in one go.
    QCOMPARE(standard.train.totalEpochs(), 6);
    QCOMPARE(llf.train.totalEpochs(), 6);
    QCOMPARE(seal.train.totalEpochs(), 6);
    QCOMPARE(standard.train.generations, 1);
    QCOMPARE(seal.train.regime, Regime::Seal);
    QVERIFY(standard.output != llf.output && llf.output != seal.output);

    // Member m of every regime trains with the same seed on the same subset.
    const std::vector<std::int32_t> labels = {0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3};
    for (int m = 0; m < c.base.study.models; ++m) {
        const RunConfig a = studyMemberConfig(standard, m), b = studyMemberConfig(llf, m),
                        s = studyMemberConfig(seal, m);
        QCOMPARE(memberSeed(a.train.seed, a.study.member), memberSeed(b.train.seed, b.study.member));
        QCOMPARE(memberSeed(a.train.seed, a.study.member), memberSeed(s.train.seed, s.study.member));
        const auto mask = memberMask(labels, 4, a.study, a.train.seed);
        QCOMPARE(memberMask(labels, 4, b.study, b.train.seed), mask);
        QCOMPARE(memberMask(labels, 4, s.study, s.train.seed), mask);
        QVERIFY(a.output != b.output);
    }
}

void TestCompare::refusedBeforeAnythingIsWritten_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::newRow("unknown regime") << QStringList{"--regimes", "standard,annealing"}
                                    << "--regimes: unknown regime 'annealing'";
    QTest::newRow("repeated regime") << QStringList{"--regimes", "seal,standard,seal"} << "--regimes names seal twice";
    QTest::newRow("one regime") << QStringList{"--regimes", "seal"} << "--regimes needs at least two regimes";
    QTest::newRow("one generation") << QStringList{"--regimes", "standard,llf", "--generations", "1"}
                                    << "--generations must be at least 2";
    QTest::newRow("unknown stage") << QStringList{"--split-stage", "block9"} << "--split-stage: the model has no stage 'block9'";
    QTest::newRow("transfer size") << QStringList{"--transfer-path", m_otherSize, "--transfer-format", "idx"}
                                   << "--transfer: other-size has 1×14×14 images but synthetic has 1×12×12";
    QTest::newRow("one regime flag") << QStringList{"--regime", "llf"} << "compare takes the list in --regimes";
}

void TestCompare::refusedBeforeAnythingIsWritten()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const QString out = path("refused.h5");
    const Outcome o = pdepth(QStringList{"compare", "--data-path", m_data, "--format", "idx", "--model", "mlp",
                                         "--device", "cpu", "-o", out}
                             + args);
    QVERIFY2(o.exitCode == 2, qPrintable(describe(o)));
    PDS_VERIFY_MESSAGE(o.err, message);
    QVERIFY(!QFile::exists(out));
    QVERIFY(!QFile::exists(out + ".part"));
    QVERIFY(!QDir(path("refused.regimes")).exists());
}

void TestCompare::fileRoundTrip()
{
    // A stand-in study file: the comparison copies it whole.
    const std::string study = path("fake-study.h5").toStdString();
    {
        h5::Handle f = h5::createFile(study);
        h5::writeAttr(f, "format", "pdepth-run");
        h5::Handle g = h5::requireGroup(f, "models/m000");
        h5::writeVector(g, "in_train", std::vector<std::int32_t>{1, 0});
    }
    Comparison c;
    c.configJson = "{}";
    c.generations = 2;
    c.epochsPerGeneration = 3;
    c.bootstrapResamples = 100;
    c.transferDataset = "mnist";
    for (const char *name : {"standard", "seal"}) {
        RegimeResult r;
        r.regime = name;
        r.studyFile = std::string("x.regimes/") + name + ".h5";
        r.models = 1;
        r.generations = 2;
        r.probes = 3;
        r.generationAccuracy = {0.5, 0.75};
        r.probeNames = {"input", "hidden1", "logits"};
        r.probeAccuracy = {0.2, 0.6, 0.9};
        r.train.exampleDepth = {1.0f, kNaN};
        r.train.histogram = {0, 1, 0, 0};
        r.train.mean = {1.0, 1.0, 1.0, 1};
        r.test.exampleDepth = {2.0f};
        r.test.histogram = {0, 0, 1, 0};
        r.test.mean = {2.0, 2.0, 2.0, 1};
        r.transferAccuracy = {0.8};
        r.transferMean = 0.8;
        c.regimes.push_back(r);
    }
    DepthDifference d;
    d.a = "standard";
    d.b = "seal";
    d.train.depth = {0.0f, kNaN};
    d.train.mean = {0.0, 0.0, 0.0, 1};
    d.train.shares.same = 1.0;
    d.test.depth = {-1.0f};
    d.test.mean = {-1.0, -1.0, -1.0, 1};
    d.test.shares.lower = 1.0;
    c.differences.push_back(d);

    const std::string file = path("roundtrip.h5").toStdString();
    writeComparison(file, c, {study, study});
    QVERIFY(isComparisonFile(file));
    QVERIFY(!isComparisonFile(study));
    const Comparison back = readComparison(file);
    QCOMPARE(back.regimes.size(), std::size_t(2));
    QCOMPARE(back.regimes[1].regime, std::string("seal"));
    QCOMPARE(back.regimes[0].generationAccuracy, (std::vector<double>{0.5, 0.75}));
    QCOMPARE(back.regimes[0].probeNames, c.regimes[0].probeNames);
    QCOMPARE(back.regimes[0].test.histogram, c.regimes[0].test.histogram);
    QCOMPARE(back.regimes[0].transferAccuracy, (std::vector<double>{0.8}));
    QCOMPARE(back.differences.size(), std::size_t(1));
    QCOMPARE(back.differences[0].test.shares.lower, 1.0);
    QCOMPARE(back.transferDataset, std::string("mnist"));
    PDS_VERIFY_MESSAGE(messageOf<StoreError>([&] { readComparison(study); }), "not a comparison file");

    bool ok = false;
    const QString py = runPython(QStringLiteral("import h5py\n"
                                                "f = h5py.File('%1', 'r')\n"
                                                "print(f.attrs['format'])\n"
                                                "print(list(f['regimes/seal/study/models/m000/in_train'][:]))\n"
                                                "print(f['differences/standard_minus_seal/test'].attrs['share_lower'])\n")
                                     .arg(QString::fromStdString(file)),
                                 &ok);
    QVERIFY(ok);
    QVERIFY2(py.contains("pdepth-comparison") && py.contains("[1, 0]") && py.contains("1.0"), qPrintable(py));
}

void TestCompare::compareEndToEnd()
{
    const QString out = path("cmp.h5");
    const QStringList args{"compare", "--data-path", m_data, "--format", "idx", "--model", "mlp", "--mlp-layers",
                           "2", "--mlp-units", "16", "--epochs", "1", "--generations", "2", "--models", "2",
                           "--k", "5", "--threads", "2", "--device", "cpu", "--regimes", "standard,llf,seal",
                           "--transfer-path", m_transfer, "--transfer-format", "idx", "--bootstrap", "200",
                           "--jobs", "2", "-o", out};
    const Outcome o = pdepth(args);
    QVERIFY2(o.exitCode == 0, qPrintable(describe(o)));
    QVERIFY2(o.out.contains("6 members trained, 0 reused"), qPrintable(o.out));
    QVERIFY2(o.out.contains("seal − ") || o.out.contains("llf − seal"), qPrintable(o.out));

    // Run again: every member is reused.
    const Outcome again = pdepth(args);
    QVERIFY2(again.exitCode == 0, qPrintable(describe(again)));
    QVERIFY2(again.out.contains("0 members trained, 6 reused"), qPrintable(again.out));

    const Outcome info = pdepth({"info", out});
    QVERIFY2(info.exitCode == 0 && info.out.contains("pdepth-comparison") && info.out.contains("transfer"),
             qPrintable(describe(info)));

    bool ok = false;
    const QString py = runPython(
        QStringLiteral(
            "import h5py, numpy as np\n"
            "f = h5py.File('%1', 'r')\n"
            "names = [n.decode() if isinstance(n, bytes) else n for n in f.attrs['regimes']]\n"
            "assert names == ['standard', 'llf', 'seal'], names\n"
            "masks = {}; seeds = {}\n"
            "for r in names:\n"
            "    g = f['regimes/' + r]\n"
            "    assert g['generation_test_accuracy'].shape == (2, 2), g['generation_test_accuracy'].shape\n"
            "    assert g['probe_accuracy'].shape == (2, 4)\n"
            "    for s in ('train', 'test'):\n"
            "        d = g['depth/' + s]\n"
            "        assert d.attrs['low'] <= d.attrs['mean'] <= d.attrs['high']\n"
            "        assert d['histogram'].shape == (5,) and d['histogram'][:].sum() > 0\n"
            "    assert g['depth/test/example_depth'].shape == (60,)\n"
            "    t = g['transfer/accuracy'][:]\n"
            "    assert t.shape == (2,) and ((t >= 0) & (t <= 1)).all()\n"
            "    st = g['study']\n"
            "    masks[r] = [st['models/%2/in_train' % m][:].tolist() for m in ('m000', 'm001')]\n"
            "    seeds[r] = [int(st['models/%2' % m].attrs['seed']) for m in ('m000', 'm001')]\n"
            "    assert st['models/m000'].attrs['epochs_completed'] == 2\n"
            "assert masks['standard'] == masks['llf'] == masks['seal']\n"
            "assert seeds['standard'] == seeds['llf'] == seeds['seal']\n"
            "d = f['differences/llf_minus_seal/test']\n"
            "a = f['regimes/llf/depth/test/example_depth'][:]; b = f['regimes/seal/depth/test/example_depth'][:]\n"
            "assert np.allclose(d['depth'][:], a - b, equal_nan=True)\n"
            "print(abs(d.attrs['share_lower'] + d.attrs['share_same'] + d.attrs['share_higher'] - 1) < 1e-9)\n")
            .arg(out, "%s"),
        &ok);
    QVERIFY(ok);
    QVERIFY2(py.trimmed() == "True", qPrintable(py));
}

QTEST_GUILESS_MAIN(TestCompare)
#include "tst_compare.moc"
