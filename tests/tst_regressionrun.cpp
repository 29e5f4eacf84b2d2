// Tests of the regression task around the pure functions: the rotation
// benchmark, the target-folder CSV format and its errors, the task's
// configuration checks, and a tiny run end to end through pdepth, read back
// with RegressionReader and with h5py.

#include "testsupport.h"

#include "data/targetdataset.h"
#include "store/regressionwriter.h"
#include "train/config.h"
#include "util/error.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

using namespace pds;
using namespace pds::test;

namespace {

void writeText(const QString &path, const std::string &text)
{
    std::ofstream(path.toStdString()) << text;
}

/// A dataset of `n` train and `n` test 8×8 images whose pixel values are their index.
Dataset indexedImages(int n)
{
    Dataset d;
    d.name = "tiny";
    d.channels = 1;
    d.height = d.width = 8;
    for (Split *s : {&d.train, &d.test})
        for (int i = 0; i < n; ++i) {
            s->images.insert(s->images.end(), 64, std::uint8_t(i));
            s->labels.push_back(0);
            s->cleanLabels.push_back(0);
            s->sourceIndices.push_back(i);
            s->noisy.push_back(0);
        }
    return d;
}

/// A target folder: `rows` PNG images of 8×8 with targets 0, 1, 2, … in train.csv.
void writeTargetFolder(const QString &dir, int rows)
{
    std::string csv = "file,target\n";
    for (int i = 0; i < rows; ++i) {
        const std::string name = "img" + std::to_string(i) + ".png";
        writePng((dir + "/" + QString::fromStdString(name)).toStdString(), 8, 8, 1, std::uint8_t(10 * i));
        csv += name + "," + std::to_string(i % 12) + "\n";
    }
    writeText(dir + "/train.csv", csv);
    writeText(dir + "/test.csv", "img0.png,0\nimg1.png,1\n");
}

} // namespace

class TestRegressionRun : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void rotateImage();
    void rotationBalancedAndDeterministic();
    void csvRows();
    void csvErrors_data();
    void csvErrors();
    void targetFolder();
    void targetFolderMissingImage();
    void configRoundTrip();
    void configWrongTask_data();
    void configWrongTask();
    void cliRunReadBack();
    void cliBadInputWritesNothing_data();
    void cliBadInputWritesNothing();
    void cliBadTargetFolderWritesNothing_data();
    void cliBadTargetFolderWritesNothing();
};

void TestRegressionRun::rotateImage()
{
    // 3×3, one bright pixel right of centre; turning by 90° (counter-clockwise
    // in image coordinates, y down) moves it to above or below the centre.
    std::vector<std::uint8_t> img(9, 0);
    img[1 * 3 + 2] = 200;
    QCOMPARE(pds::rotateImage(img.data(), 1, 3, 3, 0.0), img);
    const auto r = pds::rotateImage(img.data(), 1, 3, 3, 90.0);
    QCOMPARE(int(r[4]), 0);
    QCOMPARE(int(r[0 * 3 + 1]) + int(r[2 * 3 + 1]), 200);
    QCOMPARE(int(r[1 * 3 + 2]), 0);
    // A full turn brings the image back.
    QCOMPARE(pds::rotateImage(img.data(), 1, 3, 3, 360.0), img);
}

void TestRegressionRun::rotationBalancedAndDeterministic()
{
    const Dataset d = indexedImages(200);
    const auto a = rotationBenchmark(d, 182, 91, 0);
    QCOMPARE(a.train.size(), std::int64_t(182));
    QCOMPARE(a.test.size(), std::int64_t(91));
    std::map<float, int> perAngle;
    for (const float t : a.train.cleanTargets)
        ++perAngle[t];
    QCOMPARE(int(perAngle.size()), 91);
    QCOMPARE(perAngle.begin()->first, -45.0f);
    QCOMPARE(perAngle.rbegin()->first, 45.0f);
    for (const auto &[angle, count] : perAngle)
        QCOMPARE(count, 2);
    QCOMPARE(a.train.targets, a.train.cleanTargets);
    const auto b = rotationBenchmark(d, 182, 91, 0);
    QCOMPARE(a.train.images, b.train.images);
    QCOMPARE(a.train.cleanTargets, b.train.cleanTargets);
    QCOMPARE(a.train.sourceIndices, b.train.sourceIndices);
    QVERIFY(rotationBenchmark(d, 182, 91, 1).train.sourceIndices != a.train.sourceIndices);
    QCOMPARE(a.name, std::string("rotation-tiny"));
    // Uniform images stay uniform at their centre whatever the angle.
    const auto i0 = a.train.sourceIndices[0];
    QCOMPARE(int(a.train.images[4 * 8 + 4]), int(i0));
}

void TestRegressionRun::csvRows()
{
    const auto rows = parseTargetCsv("file,target\n a.png , 3.5\n\nb.png,-2\r\n", "t.csv");
    QCOMPARE(rows.size(), std::size_t(2));
    QCOMPARE(rows[0].file, std::string("a.png"));
    QCOMPARE(rows[0].target, 3.5f);
    QCOMPARE(rows[1].line, 4);
    QCOMPARE(rows[1].target, -2.0f);
}

void TestRegressionRun::csvErrors_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");
    QTest::newRow("not a number") << "a.png,1\nb.png,old\n" << "t.csv:2: target 'old' of 'b.png' is not a number";
    QTest::newRow("nan") << "a.png,nan\n" << "t.csv:1: target 'nan'";
    QTest::newRow("empty target") << "a.png,\n" << "t.csv:1: target ''";
    QTest::newRow("one field") << "a.png\n" << "t.csv:1: expected two fields";
    QTest::newRow("three fields") << "a.png,1,2\n" << "t.csv:1: expected two fields";
    QTest::newRow("duplicate") << "a.png,1\nb.png,2\na.png,3\n" << "t.csv:3: 'a.png' is listed twice (first on line 1)";
    QTest::newRow("empty") << "file,target\n\n" << "t.csv: lists no images";
    QTest::newRow("header later") << "a.png,1\nfile,target\n" << "t.csv:2: target 'target'";
}

void TestRegressionRun::csvErrors()
{
    QFETCH(QString, text);
    QFETCH(QString, message);
    const QString msg = messageOf<DatasetError>([&] { parseTargetCsv(text.toStdString(), "t.csv"); });
    QVERIFY2(msg.contains(message), qPrintable(msg));
}

void TestRegressionRun::targetFolder()
{
    QTemporaryDir dir;
    writeTargetFolder(dir.path(), 5);
    const auto d = loadTargetFolder(dir.path().toStdString());
    QCOMPARE(d.format, std::string("csv"));
    QCOMPARE(d.train.size(), std::int64_t(5));
    QCOMPARE(d.test.size(), std::int64_t(2));
    QCOMPARE(d.train.cleanTargets, (std::vector<float>{0, 1, 2, 3, 4}));
    QCOMPARE(d.width, 8);
    QCOMPARE(int(d.train.images[3 * 64]), 30);
}

void TestRegressionRun::targetFolderMissingImage()
{
    QTemporaryDir dir;
    writeTargetFolder(dir.path(), 3);
    writeText(dir.path() + "/train.csv", "file,target\nimg0.png,1\ngone.png,2\n");
    const QString msg = messageOf<DatasetError>([&] { loadTargetFolder(dir.path().toStdString()); });
    QVERIFY2(msg.contains("train.csv:3: image 'gone.png' not found"), qPrintable(msg));
    QTemporaryDir empty;
    const QString none = messageOf<DatasetError>([&] { loadTargetFolder(empty.path().toStdString()); });
    QVERIFY2(none.contains("train.csv: not found"), qPrintable(none));
}

void TestRegressionRun::configRoundTrip()
{
    RunConfig c;
    c.task = Task::Regression;
    c.regression.methods = {SelectMethod::ConFrag, SelectMethod::Clean};
    c.regression.fragments = 6;
    c.regression.k = 5;
    c.noise.kind = NoiseSpec::Kind::Gaussian;
    c.noise.sigmaMax = 30;
    c.validate();
    const RunConfig back = runConfigFromJson(toJson(c));
    QVERIFY(back.task == Task::Regression);
    QVERIFY(back.regression.methods == c.regression.methods);
    QCOMPARE(back.regression.fragments, 6);
    QCOMPARE(back.regression.k, 5);
    QCOMPARE(back.noise.sigmaMax, 30);
    // A classification configuration keeps its JSON without the regression keys.
    const std::string plain = toJson(RunConfig{});
    QVERIFY(plain.find("regression") == std::string::npos && plain.find("sigma_max") == std::string::npos);
    // The task's fields have keys, and a regression configuration has every one of them.
    c.regression.methods = {SelectMethod::ConFrag};
    const std::string json = toJson(c);
    for (int f = static_cast<int>(ConfigField::NoiseSigmaMax); f <= static_cast<int>(ConfigField::RegressionKeep); ++f) {
        const std::string key = configFieldKey(static_cast<ConfigField>(f));
        QVERIFY2(!key.empty(), qPrintable(QString::number(f)));
        QVERIFY(configFieldFromKey(key) == static_cast<ConfigField>(f));
        const std::string leaf = key.substr(key.find('.') + 1);
        QVERIFY2(json.find("\"" + leaf + "\"") != std::string::npos, key.c_str());
    }
    const QString bad = messageOf<ConfigError>(
        [] { runConfigFromJson(R"({"task": "regression", "regression": {"methods": ["confrag", "coteach"]}})"); });
    QVERIFY2(bad.contains("coteach"), qPrintable(bad));
}

void TestRegressionRun::configWrongTask_data()
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("field");
    QTest::newRow("regime with regression") << R"({"task": "regression", "train": {"regime": "llf"}})" << "train.regime";
    QTest::newRow("models with regression") << R"({"task": "regression", "study": {"models": 4}})" << "study.models";
    QTest::newRow("probe without confrag")
        << R"({"task": "regression", "regression": {"methods": ["none"]}, "study": {"probe": true}})" << "study.probe";
    QTest::newRow("embeddings with regression") << R"({"task": "regression", "study": {"embeddings": "all"}})"
                                                << "study.embeddings";
    QTest::newRow("asymmetric with regression")
        << R"({"task": "regression", "noise": {"kind": "asymmetric", "fraction": 0.2}})" << "noise.kind";
    QTest::newRow("fragments with classification") << R"({"regression": {"fragments": 6}})" << "regression.fragments";
    QTest::newRow("gaussian with classification") << R"({"noise": {"kind": "gaussian", "sigma_max": 3}})" << "noise.kind";
    QTest::newRow("odd fragments") << R"({"task": "regression", "regression": {"fragments": 5}})" << "regression.fragments";
    QTest::newRow("k zero") << R"({"task": "regression", "regression": {"k": 0}})" << "regression.k";
    QTest::newRow("jitter") << R"({"task": "regression", "regression": {"jitter": 1.5}})" << "regression.jitter";
    QTest::newRow("gaussian without sigma") << R"({"task": "regression", "noise": {"kind": "gaussian"}})"
                                            << "noise.sigma_max";
    QTest::newRow("twice") << R"({"task": "regression", "regression": {"methods": ["none", "none"]}})"
                           << "regression.methods";
}

void TestRegressionRun::configWrongTask()
{
    QFETCH(QString, json);
    QFETCH(QString, field);
    try {
        runConfigFromJson(json.toStdString()).validate();
        QFAIL("the configuration was accepted");
    } catch (const ConfigError &e) {
        QCOMPARE(QString::fromStdString(e.field()), field);
        QVERIFY2(QString(e.what()).size() > 20, e.what());
    }
}

void TestRegressionRun::cliRunReadBack()
{
    QTemporaryDir dir;
    const QString out = dir.path() + "/reg.h5";
    const auto o = pdepth({"train", "--task", "regression", "--dataset", "fashion-mnist", "--limit", "364",
                           "--test-limit", "91", "--noise", "symmetric", "--noise-fraction", "0.4", "--select",
                           "confrag,small-loss,none,clean", "--model", "mlp", "--mlp-layers", "1", "--mlp-units", "32",
                           "--optimizer", "adam", "--lr", "0.001", "--epochs", "2", "--batch", "64", "--device", "cpu",
                           "--threads", "1", "--seed", "3", "-o", out});
    QVERIFY2(o.exitCode == 0, qPrintable(describe(o)));
    QVERIFY2(o.out.contains("confrag") && o.out.contains("MRAE"), qPrintable(describe(o)));

    const RegressionReader reader(out.toStdString());
    QCOMPARE(QString::fromStdString(reader.status()), QString("complete"));
    QCOMPARE(reader.methods(), (std::vector<std::string>{"confrag", "small-loss", "none", "clean"}));
    const auto noisy = reader.targets("train", false), clean = reader.targets("train", true);
    QCOMPARE(noisy.size(), std::size_t(364));
    int changed = 0;
    for (std::size_t i = 0; i < noisy.size(); ++i)
        changed += noisy[i] != clean[i];
    QVERIFY2(changed > 100 && changed < 190, qPrintable(QString::number(changed))); // about 40 % of 364
    const auto confrag = reader.method("confrag");
    QCOMPARE(confrag.epochsCompleted, 2);
    QCOMPARE(int(confrag.curves.size()), 2);
    for (const auto &e : confrag.curves) {
        QVERIFY(e.selectionRate > 0.0 && e.selectionRate <= 1.0);
        QVERIFY(std::abs(e.errSum - e.err * e.selectionRate) < 1e-9);
        QVERIFY(e.mae > 0.0 && std::isfinite(e.mae));
    }
    const auto mask = reader.selection("confrag", 2);
    QCOMPARE(mask.size(), std::size_t(364));
    const auto none = reader.method("none");
    QCOMPARE(none.curves.back().selectionRate, 1.0);
    QCOMPARE(none.curves.back().err, 1.0);
    QCOMPARE(reader.method("clean").mrae, 0.0);
    QVERIFY(std::isfinite(none.mrae));
    const auto small = reader.method("small-loss");
    QVERIFY(small.curves.front().selectionRate == 1.0);      // the keep ramp starts at everything
    QVERIFY(small.curves.back().selectionRate < 1.0);

    bool ok = false;
    const QString py = runPython(QStringLiteral(R"(
import h5py, json, math
with h5py.File(%1, "r") as f:
    assert f.attrs["format"] == "pdepth-regression-run", f.attrs["format"]
    assert json.loads(f.attrs["config"])["task"] == "regression"
    m = f["methods/confrag"]
    sel = m["selection"][:]
    assert sel.shape == (2, 364), sel.shape
    rate = m["curves/selection_rate"][:]
    assert abs(sel[-1].mean() - rate[-1]) < 1e-9
    noisy = f["dataset/train/target"][:]; clean = f["dataset/train/clean_target"][:]
    err = abs(noisy - clean); kept = sel[-1].astype(bool)
    expect = err[kept].mean() / err.mean()
    assert abs(expect - m["curves/err"][-1]) < 1e-5, (expect, m["curves/err"][-1])
    assert m["p_pred"].shape == (2, 364)
    assert f["fragments/pairs"][:].tolist() == [[0, 2], [1, 3]]
    assert len(f["methods/none/test_prediction"][:]) == 91
    print("ok", list(f.attrs["methods"]))
)")
                                        .arg("'" + out + "'"),
                                    &ok);
    QVERIFY2(ok && py.contains("ok"), qPrintable(py));
}

void TestRegressionRun::cliBadInputWritesNothing_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::newRow("k too large") << QStringList{"--select-k", "400"} << "regression.k, --select-k) is 400";
    QTest::newRow("fragments odd") << QStringList{"--fragments", "3"} << "--fragments) must be even";
    QTest::newRow("fragments over values") << QStringList{"--fragments", "100"} << "is 100, more than the number of distinct target values (91)";
    QTest::newRow("regime") << QStringList{"--regime", "llf"} << "train.regime";
    QTest::newRow("select unknown") << QStringList{"--select", "coteach"} << "--select must be";
    QTest::newRow("k equals a pair") << QStringList{"--select-k", "90"} << "is 90; it must be smaller than the number of examples of every fragment pair, and pair (1, 3) has 90";
    QTest::newRow("probe without confrag") << QStringList{"--select", "none", "--probe"} << "study.probe";
    QTest::newRow("gaussian small-loss without keep")
        << QStringList{"--select", "small-loss", "--noise", "gaussian", "--sigma-max", "30"} << "--keep";
}

void TestRegressionRun::cliBadInputWritesNothing()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    QTemporaryDir dir;
    const QString out = dir.path() + "/bad.h5";
    const auto o = pdepth(QStringList{"train", "--task", "regression", "--dataset", "fashion-mnist", "--limit", "182",
                                      "--test-limit", "91", "--epochs", "1", "--device", "cpu", "-o", out}
                          + args);
    QVERIFY2(o.exitCode == 2, qPrintable(describe(o)));
    QVERIFY2(o.err.contains(message), qPrintable(describe(o)));
    QVERIFY(!QFile::exists(out));
    QVERIFY(!QFile::exists(out + ".part"));
    // The same option on a classification run is refused the other way round.
    if (args.first() == "--fragments") {
        const auto c = pdepth(QStringList{"train", "--dataset", "fashion-mnist", "--limit", "100", "-o", out} + args);
        QVERIFY2(c.exitCode == 2 && c.err.contains("regression only"), qPrintable(describe(c)));
    }
}

void TestRegressionRun::cliBadTargetFolderWritesNothing_data()
{
    QTest::addColumn<QString>("csv");
    QTest::addColumn<QString>("message");
    QTest::newRow("target not numeric") << "file,target\nimg0.png,3\nimg1.png,twelve\n"
                                        << "train.csv:3: target 'twelve' of 'img1.png' is not a number";
    QTest::newRow("target column missing") << "img0.png\n" << "train.csv:1: expected two fields";
    QTest::newRow("missing image") << "img0.png,1\nnone.png,2\n" << "train.csv:2: image 'none.png' not found";
    QTest::newRow("listed twice") << "img0.png,1\nimg0.png,2\n" << "train.csv:2: 'img0.png' is listed twice";
}

void TestRegressionRun::cliBadTargetFolderWritesNothing()
{
    QFETCH(QString, csv);
    QFETCH(QString, message);
    QTemporaryDir data, dir;
    writeTargetFolder(data.path(), 12);
    writeText(data.path() + "/train.csv", csv.toStdString());
    const QString out = dir.path() + "/bad.h5";
    const auto o = pdepth({"train", "--task", "regression", "--format", "csv", "--data-path", data.path(), "--select",
                           "none", "--model", "mlp", "--epochs", "1", "--device", "cpu", "-o", out});
    QVERIFY2(o.exitCode != 0 && o.exitCode != -1, qPrintable(describe(o)));
    QVERIFY2(o.err.contains(data.path() + "/" + message), qPrintable(describe(o)));
    QVERIFY(!QFile::exists(out));
    QVERIFY(!QFile::exists(out + ".part"));
}

QTEST_GUILESS_MAIN(TestRegressionRun)
#include "tst_regressionrun.moc"
