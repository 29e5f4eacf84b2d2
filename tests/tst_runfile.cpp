// Tests of the run file: RunWriter, RunReader, exportCsv, and the file as
// another tool (h5py) sees it.

#include "runfixtures.h"
#include "testsupport.h"

#include "store/h5file.h"
#include "store/integrity.h"
#include "store/runformat.h"
#include "store/runreader.h"
#include "store/runwriter.h"
#include "util/error.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>
#include <fstream>

using namespace pds;
using namespace pds::test;

namespace {

const char *const kConfigJson = R"({"model": {"arch": "mlp"}, "train": {"epochs": 2}})";

ModelInfo modelInfo()
{
    ModelInfo info;
    info.arch = "mlp";
    info.seed = 7;
    info.epochsPlanned = 2;
    info.device = "cpu (2 threads)";
    info.probeNames = {"input", "hidden1", "logits"};
    info.inTrain = {1, 1, 0, 1, 1};
    return info;
}

ChannelStats stats()
{
    return ChannelStats{{0.25f}, {0.5f}};
}

/// Writes a complete run of one model and two epochs to `path`; checks the
/// `.part` name along the way.
void writeRun(const std::string &path)
{
    const Dataset d = tinyDataset();
    RunWriter w(path);
    QCOMPARE(w.path(), path);
    QCOMPARE(w.partialPath(), path + ".part");
    w.writeHeader(kConfigJson, d, stats(), 1);
    w.beginModel(0, modelInfo());
    for (int e = 1; e <= 2; ++e)
        w.appendEpoch(0, curve(e), record(e, 5), record(e, 3));
    w.finishModel(0, scores(5, 0.f), scores(3, 10.f), std::vector<float>(5 * 2, 1.5f),
                  std::vector<float>(3 * 2, -1.5f), 2, runformat::kStatusComplete, 12.5);
    QVERIFY(QFile::exists(QString::fromStdString(path + ".part")));
    QVERIFY(!QFile::exists(QString::fromStdString(path)));
    w.finish(runformat::kStatusComplete);
    QVERIFY(!QFile::exists(QString::fromStdString(path + ".part")));
    QVERIFY(QFile::exists(QString::fromStdString(path)));
}

/// Runs a Python snippet that prints one JSON object; returns it parsed.
QJsonObject pythonJson(const QString &code)
{
    bool ok = false;
    const QString out = runPython(code, &ok);
    if (!ok)
        return {};
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(out.toUtf8(), &err);
    if (err.error != QJsonParseError::NoError)
        qWarning().noquote() << "python printed:" << out;
    return doc.object();
}

QString pyPath(const std::string &path)
{
    return QString::fromStdString(path).replace('\\', "\\\\").replace('\'', "\\'");
}

/// Stores a fresh digest after an edit made with h5py, so that the reader's
/// checks behind the digest (tst_integrity tests the digest itself) are reached.
void redigest(const std::string &path)
{
    h5::Handle file = h5::openFile(path, true);
    writeAttributesDigest(file);
}

} // namespace

class TestRunFile : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void writeThenRead();
    void readWithH5py();
    void emptyTestSplit();
    void writerWithoutFinish();
    void finishStatuses_data();
    void finishStatuses();
    void exportCsv_rows();
    void exportCsv_missingFolder();

    void readerErrors_data();
    void readerErrors();
    void writerMissingFolder();
    void writerEmptyPath();
    void claimedSizes();
    void failedWriteKeepsThePreviousFile();

private:
    QTemporaryDir m_dir;
};

void TestRunFile::writeThenRead()
{
    const std::string path = m_dir.filePath("run.h5").toStdString();
    writeRun(path);

    const RunReader r(path);
    const RunSummary &s = r.summary();
    QCOMPARE(s.path, path);
    QCOMPARE(s.formatVersion, runformat::kFormatVersion);
    QCOMPARE(s.softwareVersion, std::string(PDS_VERSION));
    QCOMPARE(s.status, std::string("complete"));
    QCOMPARE(s.statusMessage, std::string());
    QVERIFY(!s.created.empty());
    QVERIFY(!s.finished.empty());
    QCOMPARE(s.configJson, std::string(kConfigJson));
    QCOMPARE(s.datasetName, std::string("tiny"));
    QCOMPARE(s.datasetFormat, std::string("idx"));
    QCOMPARE(s.datasetSource, std::string("/data/tiny"));
    QCOMPARE(s.classNames, (std::vector<std::string>{"cat", "dog"}));
    QCOMPARE(s.channels, 1);
    QCOMPARE(s.height, 2);
    QCOMPARE(s.width, 2);
    QCOMPARE(s.trainSize, std::int64_t(5));
    QCOMPARE(s.testSize, std::int64_t(3));
    QCOMPARE(s.noisyLabels, std::int64_t(1));

    QCOMPARE(s.models.size(), std::size_t(1));
    const ModelSummary &m = s.models[0];
    QCOMPARE(m.index, 0);
    QCOMPARE(m.group, std::string("models/m000"));
    QCOMPARE(m.arch, std::string("mlp"));
    QCOMPARE(m.seed, std::int64_t(7));
    QCOMPARE(m.device, std::string("cpu (2 threads)"));
    QCOMPARE(m.status, std::string("complete"));
    QCOMPARE(m.epochsPlanned, 2);
    QCOMPARE(m.epochsCompleted, 2);
    QCOMPARE(m.trainSeconds, 12.5);
    QVERIFY(m.hasScores);
    QCOMPARE(m.probeNames, (std::vector<std::string>{"input", "hidden1", "logits"}));
    QCOMPARE(m.curves.size(), std::size_t(2));
    for (int e = 1; e <= 2; ++e) {
        const EpochCurve &c = m.curves[static_cast<std::size_t>(e - 1)];
        const EpochCurve want = curve(e);
        QCOMPARE(c.epoch, e);
        QCOMPARE(c.lr, want.lr);
        QCOMPARE(c.trainLoss, want.trainLoss);
        QCOMPARE(c.trainAccuracy, want.trainAccuracy);
        QCOMPARE(c.evalTrainLoss, want.evalTrainLoss);
        QCOMPARE(c.evalTrainAccuracy, want.evalTrainAccuracy);
        QCOMPARE(c.testLoss, want.testLoss);
        QCOMPARE(c.testAccuracy, want.testAccuracy);
        QCOMPARE(c.seconds, want.seconds);
    }

    const Dataset d = tinyDataset();
    QCOMPARE(r.labels("train"), d.train.labels);
    QCOMPARE(r.cleanLabels("train"), d.train.cleanLabels);
    QCOMPARE(r.noisy("train"), d.train.noisy);
    QCOMPARE(r.sourceIndices("train"), d.train.sourceIndices);
    QCOMPARE(r.labels("test"), d.test.labels);
    QCOMPARE(r.inTrain(0), modelInfo().inTrain);

    QCOMPARE(r.score(0, "train", "confidence"), scores(5, 0.f).confidence);
    QCOMPARE(r.score(0, "test", "el2n"), scores(3, 10.f).el2n);
    const auto learned = r.score(0, "train", "iteration_learned");
    QCOMPARE(learned, (std::vector<float>{1, 2, 1, 2, 1}));
    QCOMPARE(r.dynamicsRow(0, "test", "prob_given", 1), record(2, 3).probGiven);
    QCOMPARE(r.dynamicsRow(0, "train", "pred", 0), (std::vector<float>{1, 0, 1, 0, 1}));
    PDS_VERIFY_MESSAGE(messageOf<StoreError>([&] { r.dynamicsRow(0, "train", "loss", 2); }),
                       "has no row 2");
    PDS_VERIFY_MESSAGE(messageOf<StoreError>([&] { r.labels("validation"); }),
                       "unknown split 'validation' (expected train or test)");
}

void TestRunFile::readWithH5py()
{
    const std::string path = m_dir.filePath("py.h5").toStdString();
    writeRun(path);
    const QJsonObject o = pythonJson(QStringLiteral(R"(
import h5py, json
f = h5py.File('%1', 'r')
m = f['models/m000']
out = {
  'format': f.attrs['format'],
  'status': f.attrs['status'],
  'version': int(f.attrs['format_version']),
  'config': json.loads(f.attrs['config']),
  'class_names': [str(c) for c in f['dataset'].attrs['class_names']],
  'shapes': {k: list(m['dynamics/' + k].shape) for k in
             ['train/pred', 'train/prob_given', 'train/margin', 'train/loss', 'train/el2n',
              'test/pred', 'test/el2n']},
  'pred_dtype': str(m['dynamics/train/pred'].dtype),
  'prob_dtype': str(m['dynamics/train/prob_given'].dtype),
  'labels': m.file['dataset/train/label'][:].tolist(),
  'logits': list(m['final/test/logits'].shape),
  'epochs': m['curves/epoch'][:].tolist(),
  'epochs_completed': int(m.attrs['epochs_completed']),
  'probe_names': [str(p) for p in m.attrs['probe_names']],
  'mean': f['dataset'].attrs['normalisation_mean'].tolist(),
}
print(json.dumps(out))
)").arg(pyPath(path)));
    QVERIFY2(!o.isEmpty(), "h5py could not read the run file");
    QCOMPARE(o["format"].toString(), QStringLiteral("pdepth-run"));
    QCOMPARE(o["status"].toString(), QStringLiteral("complete"));
    QCOMPARE(o["version"].toInt(), runformat::kFormatVersion);
    QCOMPARE(o["config"].toObject()["model"].toObject()["arch"].toString(), QStringLiteral("mlp"));
    QCOMPARE(o["class_names"].toArray(), (QJsonArray{"cat", "dog"}));
    const QJsonObject shapes = o["shapes"].toObject();
    for (const QString &k : {"train/pred", "train/prob_given", "train/margin", "train/loss", "train/el2n"})
        QCOMPARE(shapes[k].toArray(), (QJsonArray{2, 5}));
    QCOMPARE(shapes["test/pred"].toArray(), (QJsonArray{2, 3}));
    QCOMPARE(shapes["test/el2n"].toArray(), (QJsonArray{2, 3}));
    QCOMPARE(o["pred_dtype"].toString(), QStringLiteral("int32"));
    QCOMPARE(o["prob_dtype"].toString(), QStringLiteral("float32"));
    QCOMPARE(o["labels"].toArray(), (QJsonArray{0, 1, 1, 0, 1}));
    QCOMPARE(o["logits"].toArray(), (QJsonArray{3, 2}));
    QCOMPARE(o["epochs"].toArray(), (QJsonArray{1, 2}));
    QCOMPARE(o["epochs_completed"].toInt(), 2);
    QCOMPARE(o["probe_names"].toArray(), (QJsonArray{"input", "hidden1", "logits"}));
    QCOMPARE(o["mean"].toArray(), (QJsonArray{0.25}));
}

void TestRunFile::emptyTestSplit()
{
    // An image folder without a test/ folder has an empty test split; its
    // per-example arrays are [epochs, 0].
    const std::string path = m_dir.filePath("no-test.h5").toStdString();
    Dataset d = tinyDataset();
    d.test = Split{};
    {
        RunWriter w(path);
        w.writeHeader(kConfigJson, d, stats(), 0);
        w.beginModel(0, modelInfo());
        for (int e = 1; e <= 2; ++e)
            w.appendEpoch(0, curve(e), record(e, 5), record(e, 0));
        w.finishModel(0, scores(5, 0.f), scores(0, 0.f), std::vector<float>(5 * 2, 1.f), {}, 2,
                      runformat::kStatusComplete, 1.0);
        w.finish(runformat::kStatusComplete);
    }
    const RunReader r(path);
    QCOMPARE(r.summary().testSize, std::int64_t(0));
    QCOMPARE(r.summary().models.at(0).epochsCompleted, 2);
    QCOMPARE(r.dynamicsRow(0, "train", "prob_given", 1), record(2, 5).probGiven);
    QVERIFY(r.dynamicsRow(0, "test", "prob_given", 1).empty());
    QVERIFY(r.score(0, "test", "confidence").empty());
    QVERIFY(r.labels("test").empty());

    const QJsonObject o = pythonJson(QStringLiteral(R"(
import h5py, json
f = h5py.File('%1', 'r')
print(json.dumps({'test': list(f['models/m000/dynamics/test/pred'].shape),
                  'train': list(f['models/m000/dynamics/train/pred'].shape),
                  'epochs': list(f['models/m000/curves/epoch'].shape),
                  'logits': list(f['models/m000/final/test/logits'].shape)}))
)").arg(pyPath(path)));
    QCOMPARE(o["test"].toArray(), (QJsonArray{2, 0}));
    QCOMPARE(o["train"].toArray(), (QJsonArray{2, 5}));
    QCOMPARE(o["epochs"].toArray(), (QJsonArray{2}));
    QCOMPARE(o["logits"].toArray(), (QJsonArray{0, 2}));

    const std::string csv = m_dir.filePath("no-test.csv").toStdString();
    exportCsv(r, csv);
    QFile f(QString::fromStdString(csv));
    QVERIFY(f.open(QIODevice::ReadOnly | QIODevice::Text));
    QCOMPARE(QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts).size(), 1 + 5);
}

void TestRunFile::writerWithoutFinish()
{
    // A writer destroyed mid-run (an exception unwinding, say) closes the file as failed.
    const std::string path = m_dir.filePath("abandoned.h5").toStdString();
    {
        RunWriter w(path);
        w.writeHeader(kConfigJson, tinyDataset(), stats(), 1);
        w.beginModel(0, modelInfo());
        w.appendEpoch(0, curve(1), record(1, 5), record(1, 3));
    }
    QVERIFY(!QFile::exists(QString::fromStdString(path + ".part")));
    QVERIFY(QFile::exists(QString::fromStdString(path)));

    const QJsonObject o = pythonJson(QStringLiteral(R"(
import h5py, json
f = h5py.File('%1', 'r')
print(json.dumps({'status': f.attrs['status'], 'message': f.attrs['status_message'],
                  'rows': f['models/m000/dynamics/train/loss'].shape[0]}))
)").arg(pyPath(path)));
    QCOMPARE(o["status"].toString(), QStringLiteral("failed"));
    QCOMPARE(o["message"].toString(), QStringLiteral("the writer was closed before the run finished"));
    QCOMPARE(o["rows"].toInt(), 1);

    const RunReader r(path);
    QCOMPARE(r.summary().status, std::string("failed"));
    QCOMPARE(r.summary().models.at(0).epochsCompleted, 1);
    QVERIFY(!r.summary().models.at(0).hasScores);
    QCOMPARE(r.summary().models.at(0).curves.size(), std::size_t(1));
}

void TestRunFile::finishStatuses_data()
{
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("message");
    QTest::newRow("incomplete") << "incomplete" << "cancelled by the user";
    QTest::newRow("failed") << "failed" << "training diverged";
}

void TestRunFile::finishStatuses()
{
    QFETCH(QString, status);
    QFETCH(QString, message);
    const std::string path = m_dir.filePath("status-" + status + ".h5").toStdString();
    {
        RunWriter w(path);
        w.writeHeader(kConfigJson, tinyDataset(), stats(), 0);
        w.beginModel(0, modelInfo());
        w.appendEpoch(0, curve(1), record(1, 5), record(1, 3));
        w.markModel(0, status.toStdString(), message.toStdString());
        w.finish(status.toStdString(), message.toStdString());
        w.finish("complete"); // a second finish changes nothing
    }
    const RunReader r(path);
    QCOMPARE(QString::fromStdString(r.summary().status), status);
    QCOMPARE(QString::fromStdString(r.summary().statusMessage), message);
    QCOMPARE(QString::fromStdString(r.summary().models.at(0).status), status);
    QCOMPARE(QString::fromStdString(r.summary().models.at(0).statusMessage), message);
}

void TestRunFile::exportCsv_rows()
{
    const std::string path = m_dir.filePath("export.h5").toStdString();
    writeRun(path);
    const std::string csv = m_dir.filePath("export.csv").toStdString();
    exportCsv(RunReader(path), csv);
    QVERIFY(!QFile::exists(QString::fromStdString(csv + ".tmp")));

    QFile f(QString::fromStdString(csv));
    QVERIFY(f.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList lines = QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 1 + 5 + 3);
    const QStringList header = lines[0].split(',');
    QCOMPARE(header.mid(0, 7), (QStringList{"split", "index", "source_index", "label", "clean_label", "noisy", "in_train"}));
    for (const auto &name : RunReader::scoreNames())
        QVERIFY2(header.contains(QString::fromStdString(name)), name.c_str());
    for (const QString &line : lines)
        QCOMPARE(line.split(',').size(), header.size());
    // Train rows first, then test rows; the noisy example shows its clean label.
    QCOMPARE(lines[3].split(',').mid(0, 7), (QStringList{"train", "2", "12", "1", "0", "1", "0"}));
    QCOMPARE(lines[6].split(',').mid(0, 3), (QStringList{"test", "0", "0"}));
    const int confidence = static_cast<int>(header.indexOf("confidence"));
    QCOMPARE(lines[7].split(',')[confidence].toDouble(), 10.1);
}

void TestRunFile::exportCsv_missingFolder()
{
    const std::string path = m_dir.filePath("export2.h5").toStdString();
    writeRun(path);
    const std::string csv = m_dir.filePath("no/such/folder/out.csv").toStdString();
    const QString msg = messageOf<StoreError>([&] { exportCsv(RunReader(path), csv); });
    QCOMPARE(msg, QString::fromStdString(csv + ": cannot write (folder missing or not writable)"));
}

void TestRunFile::readerErrors_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("message");

    QTest::newRow("missing file") << "missing" << "file not found";
    QTest::newRow("text file") << "text" << "not an HDF5 file, or it is damaged";
    QTest::newRow("empty file") << "empty" << "not an HDF5 file, or it is damaged";
    QTest::newRow("truncated run file") << "truncated" << "not an HDF5 file, or it is damaged";
    QTest::newRow("another tool's HDF5 file")
        << "foreign" << "not a Prediction Depth Studio run file (no 'format' attribute 'pdepth-run')";
    QTest::newRow("newer format version") << "newer"
                                          << "run file format version 99 is newer than this program understands (2)";
    QTest::newRow("label dataset deleted") << "no-label" << "dataset 'dataset/train/label' is missing";
    QTest::newRow("label dataset too short") << "short-label" << "dataset/train/label should hold 5 values";
    QTest::newRow("dataset group deleted") << "no-dataset" << "group 'dataset' is missing";
    QTest::newRow("curve deleted") << "no-curve" << "dataset 'curves/test_accuracy' is missing";
    QTest::newRow("status attribute deleted") << "no-status" << "attribute 'status' is missing";
    // Found by fuzz_runfile: HDF5 reads all values of an attribute, so an array
    // where one value belongs overran the variable it was read into.
    QTest::newRow("format version is an array")
        << "version-array" << "attribute 'format_version' should hold one value but holds 3";
    QTest::newRow("status is a list of strings")
        << "status-array" << "attribute 'status' should hold one value but holds 2";
    QTest::newRow("train seconds is an array")
        << "seconds-array" << "attribute 'train_seconds' should hold one value but holds 2";
    QTest::newRow("status edited, digest not")
        << "undigested" << "the file's structure or attributes were changed or damaged";
}

void TestRunFile::readerErrors()
{
    QFETCH(QString, kind);
    QFETCH(QString, message);
    const std::string path = m_dir.filePath("bad-" + kind + ".h5").toStdString();
    const QString p = pyPath(path);
    auto python = [](const QString &code) {
        bool ok = false;
        runPython(code, &ok);
        return ok;
    };

    if (kind == "text") {
        std::ofstream(path) << "split,index\ntrain,0\n";
    } else if (kind == "empty") {
        std::ofstream out(path);
    } else if (kind == "truncated") {
        writeRun(path);
        QFile::resize(QString::fromStdString(path), 1000);
    } else if (kind == "foreign") {
        QVERIFY(python(QStringLiteral("import h5py, numpy\nwith h5py.File('%1', 'w') as f:\n"
                                      "    f['images'] = numpy.zeros((4, 28, 28), 'uint8')\n"
                                      "    f.attrs['format'] = 'keras'\n").arg(p)));
    } else if (kind != "missing") {
        writeRun(path);
        const QMap<QString, QString> edits{
            {"newer", "f.attrs['format_version'] = 99"},
            {"no-label", "del f['dataset/train/label']"},
            {"short-label", "del f['dataset/train/label']\n    f['dataset/train/label'] = [0, 1]"},
            {"no-dataset", "del f['dataset']"},
            {"no-curve", "del f['models/m000/curves/test_accuracy']"},
            {"no-status", "del f.attrs['status']"},
            {"version-array", "f.attrs['format_version'] = [1, 1, 1]"},
            {"status-array", "f.attrs['status'] = ['complete', 'failed']"},
            {"seconds-array", "f['models/m000'].attrs['train_seconds'] = [1.0, 2.0]"},
            {"undigested", "f.attrs['status'] = 'failed'"},
        
};
        QVERIFY(edits.contains(kind));
        QVERIFY(python(QStringLiteral("import h5py\nwith h5py.File('%1', 'r+') as f:\n    %2\n").arg(p, edits[kind])));
        if (kind != "undigested")
            redigest(path);
    }

    const QString msg = messageOf<StoreError>([&] { RunReader r(path); });
    QCOMPARE(msg.left(msg.indexOf(QStringLiteral(" (digest "))), QString::fromStdString(path) + ": " + message);
}

void TestRunFile::writerMissingFolder()
{
    const std::string folder = m_dir.filePath("not-there").toStdString();
    const std::string path = folder + "/run.h5";
    const QString msg = messageOf<StoreError>([&] { RunWriter w(path); });
    QCOMPARE(msg, QString::fromStdString(path + ".part: folder " + folder + " does not exist"));
}

void TestRunFile::writerEmptyPath()
{
    QCOMPARE(messageOf<StoreError>([] { RunWriter w(""); }), QStringLiteral("no output path given"));
}

void TestRunFile::claimedSizes()
{
    // Found by fuzz_runfile: HDF5 lets a 2 KB file declare a dataset of 2^40
    // values whose chunks were never written; the reader allocated for all of
    // them before checking anything (std::bad_alloc, or std::length_error when
    // the count passes 2^61, or a heap overflow when the product of the
    // dimensions wraps around).
    const std::string path = m_dir.filePath("claims.h5").toStdString();
    writeRun(path);
    bool ok = false;
    runPython(QStringLiteral(R"(
import h5py
with h5py.File('%1', 'r+') as f:
    m = f['models/m000']
    del m['scores/train/confidence'], m['dynamics/train/loss'], m['scores/test/el2n']
    m.create_dataset('scores/train/confidence', shape=(2**40,), maxshape=(None,), chunks=(1024,), dtype='f4')
    m.create_dataset('dynamics/train/loss', shape=(2, 2**40), maxshape=(None, None), chunks=(1, 1024), dtype='f4')
    m.create_dataset('scores/test/el2n', shape=(2**33, 2**33), maxshape=(None, None), chunks=(1, 1024), dtype='f4')
)").arg(pyPath(path)), &ok);
    QVERIFY(ok);
    redigest(path);

    const RunReader r(path);
    QCOMPARE(messageOf<StoreError>([&] { r.score(0, "train", "confidence"); }),
             QStringLiteral("dataset 'models/m000/scores/train/confidence' claims 1099511627776 values "
                            "but the file stores only 0 bytes of them"));
    QCOMPARE(messageOf<StoreError>([&] { r.dynamicsRow(0, "train", "loss", 1); }),
             QStringLiteral("dataset 'models/m000/dynamics/train/loss' claims 1099511627776 values "
                            "but the file stores only 0 bytes of them"));
    QCOMPARE(messageOf<StoreError>([&] { r.score(0, "test", "el2n"); }),
             QStringLiteral("dataset 'models/m000/scores/test/el2n' claims an impossible number of values"));
    const std::string csv = m_dir.filePath("claims.csv").toStdString();
    PDS_VERIFY_MESSAGE(messageOf<StoreError>([&] { exportCsv(r, csv); }), "claims 1099511627776 values");
    QVERIFY(!QFile::exists(QString::fromStdString(csv)));
    QVERIFY(!QFile::exists(QString::fromStdString(csv + ".tmp"))); // no half export left behind
    // The parts the file does store still read.
    QCOMPARE(r.score(0, "train", "el2n"), scores(5, 0.f).el2n);
}


void TestRunFile::failedWriteKeepsThePreviousFile()
{
    // A write that fails (here the temporary name is taken by a folder, as a full
    // disk would fail it) reports the problem and keeps the last good file.
    const std::string path = m_dir.filePath("failing-write.h5").toStdString();
    RunWriter writer(path);
    QVERIFY(QDir().mkpath(QString::fromStdString(path + ".part.tmp")));
    const QString message = messageOf<StoreError>([&] { writer.finish("complete"); });
    QVERIFY2(message.contains("the previous version of the file is kept"), qPrintable(message));
    bool ok = false;
    const QString status = runPython(QString("import h5py; print(h5py.File('%1.part', 'r').attrs['status'])")
                                         .arg(QString::fromStdString(path)), &ok);
    QVERIFY(ok);
    QCOMPARE(status.trimmed(), QString("running"));
}

QTEST_GUILESS_MAIN(TestRunFile)
#include "tst_runfile.moc"
