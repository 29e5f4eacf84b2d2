// Tests of what guards run files against damage (format version 2): the
// Fletcher32 checksums on stored data, the attributes digest, version 1 files,
// the complete check, and the check in a child process before opening.

#include "mutationsupport.h"
#include "runfixtures.h"
#include "testsupport.h"

#include "store/comparefile.h"
#include "store/guardedopen.h"
#include "store/h5inspect.h"
#include "store/integrity.h"
#include "store/runformat.h"
#include "store/runreader.h"
#include "store/schema.h"
#include "store/sweepfile.h"
#include "util/error.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>


using namespace pds;
using namespace pds::test;

namespace {

const char *const kConfigJson = R"({"model": {"arch": "mlp"}, "train": {"epochs": 2}})";
const char *const kScorePath = "/models/m000/scores/train/confidence";

/// A complete run of one model and two epochs (as tst_runfile writes it).
void writeRun(const std::string &path)
{
    ModelInfo info;
    info.arch = "mlp";
    info.seed = 7;
    info.epochsPlanned = 2;
    info.device = "cpu";
    info.probeNames = {"input", "hidden1", "logits"};
    info.inTrain = {1, 1, 0, 1, 1};
    RunWriter w(path);
    w.writeHeader(kConfigJson, tinyDataset(), ChannelStats{{0.25f}, {0.5f}}, 1);
    w.beginModel(0, info);
    for (int e = 1; e <= 2; ++e)
        w.appendEpoch(0, curve(e), record(e, 5), record(e, 3));
    w.finishModel(0, scores(5, 0.f), scores(3, 10.f), std::vector<float>(5 * 2, 1.5f),
                  std::vector<float>(3 * 2, -1.5f), 2, runformat::kStatusComplete, 12.5);
    w.finish(runformat::kStatusComplete);
}

/// Where the first chunk of a dataset lies in the file: [offset, offset + size).
std::pair<std::size_t, std::size_t> firstChunk(const std::string &path, const std::string &dataset)
{
    h5::Handle file = h5::openFile(path, false);
    h5::Handle ds = h5::openDataset(file, dataset);
    h5::Handle space(H5Dget_space(ds));
    haddr_t addr = 0;
    hsize_t size = 0;
    unsigned mask = 0;
    if (H5Dget_chunk_info(ds, space, 0, nullptr, &mask, &addr, &size) < 0)
        return {0, 0};
    return {static_cast<std::size_t>(addr), static_cast<std::size_t>(size)};
}

/// A shell script standing in for pdepth-check.
QString fakeChecker(const QTemporaryDir &dir, const QString &body)
{
    const QString path = dir.filePath("fake-check.sh");
    QFile f(path);
    f.open(QIODevice::WriteOnly);
    f.write(("#!/bin/sh\n" + body + "\n").toUtf8());
    f.close();
    f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    return path;
}

QString realChecker()
{
    return QFileInfo(pdepthPath()).dir().filePath(QStringLiteral("pdepth-check"));
}

/// A small sweep file of two sizes, its /dataset copied from a run file
/// beside it; `lengthen` makes one per-example array of the second size one
/// value too long, as damage to a dataset's shape would.
void writeSweep(const std::string &path, const std::string &runPath, bool lengthen = false)
{
    writeRun(runPath);
    const std::size_t n = 5;
    SweepData d;
    d.configJson = kConfigJson;
    d.model = "cnn";
    d.axis = "width";
    d.members = 2;
    d.ratio = 0.5;
    d.delta = 0.1;
    d.z = 1.0;
    d.labels = {0, 1, 0, 1, 0};
    d.trajectoryNames = {"constant", "decreasing"};
    d.trajectory = {0, 1, 0, 0, 1};
    d.typeShares = {0.6, 0.4};
    d.deltaGrid = {0.05, 0.1};
    d.sharesByDelta = {{0.5, 0.5}, {0.6, 0.4}};
    d.proxyNames = {"depth"};
    d.agreement = {0.8};
    d.proxyTrajectory = {{0, 1, 0, 0, 1}};
    d.memberFiles = {"w.members/s00_m000.h5"};
    for (int i = 0; i < 2; ++i) {
        SweepSize s;
        s.size = 4.0 * (i + 1);
        s.arch = "cnn";
        s.plain.pIn = s.plain.pOut = s.plain.mem = s.plain.se = std::vector<float>(n, 0.25f * float(i + 1));
        s.plain.mIn = s.plain.mOut = std::vector<std::int32_t>(n, 1);
        s.plain.testAccuracy = s.plain.trainAccuracy = {0.9, 0.8};
        s.proxies = {std::vector<float>(n, 1.f)};
        s.spearman = {0.5};
        d.sizes.push_back(s);
    }
    if (lengthen)
        d.sizes[1].plain.mem.push_back(0.f);
    writeSweepFile(path, d, runPath);
}

/// A small comparison file of two regimes (the run file stands in for their studies).
void writeComparisonFile(const std::string &path, const std::string &runPath)
{
    writeRun(runPath);
    Comparison c;
    c.configJson = kConfigJson;
    c.generations = 2;
    c.epochsPerGeneration = 1;
    c.bootstrapResamples = 100;
    for (const char *name : {"standard", "llf"}) {
        RegimeResult r;
        r.regime = name;
        r.studyFile = "run.h5";
        r.models = 1;
        r.generations = 2;
        r.probes = 3;
        r.generationAccuracy = {0.5, 0.6};
        r.probeNames = {"input", "hidden1", "logits"};
        r.probeAccuracy = {0.3, 0.5, 0.6};
        for (RegimeDepth *d : {&r.train, &r.test}) {
            d->exampleDepth = {1.f, 2.f, 0.f, 3.f};
            d->histogram = {1, 1, 1, 1};
            d->mean = {1.5, 1.0, 2.0, 4};
        }
        c.regimes.push_back(r);
    }
    DepthDifference diff;
    diff.a = "standard";
    diff.b = "llf";
    for (SplitDifference *s : {&diff.train, &diff.test}) {
        s->depth = {0.f, 0.f, 0.f, 0.f};
        s->mean = {0.0, 0.0, 0.0, 4};
        s->shares = {0.0, 1.0, 0.0, 4};
    }
    c.differences.push_back(diff);
    writeComparison(path, c, {runPath, runPath});
}

/// What a damaged sweep or comparison file makes of `pdepth info`: it must
/// end normally (no signal), fail, and name the file.
QString infoFailure(const std::string &path)
{
    const Outcome o = pdepth({QStringLiteral("info"), QString::fromStdString(path)}, 120000);
    if (o.exitCode <= 0)
        return QStringLiteral("pdepth info did not refuse the file: ") + describe(o);
    return o.err;
}

} // namespace

class TestIntegrity : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void cleanup();
    void writtenFilesCarryChecksumsAndDigest();
    void writersKeepTheDigest();
    void damagedChunkNamesTheDataset();
    void changedAttributeIsCaught_data();
    void changedAttributeIsCaught();
    void versionOneFileOpensWithANote();
    void versionOneWithDigestIsRefused();
    void childCrashBecomesAnError();
    void childHangBecomesAnError();
    void realCheckerPassesAndRefuses();
    void missingCheckerIsSaid();
    void cliCheckReportsEachProblem();
    void damagedSweepOrComparisonIsRefused_data();
    void damagedSweepOrComparisonIsRefused();
    void damagedShapeIsRefused();
};

void TestIntegrity::cleanup()
{
    setCheckerExecutable({});
    setCheckTimeLimit(10.0);
}

void TestIntegrity::writtenFilesCarryChecksumsAndDigest()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("run.h5").toStdString();
    writeRun(path);
    h5::Handle file = h5::openFile(path, false);
    QCOMPARE(h5::readAttrInt(file, schema::kFormatVersion), std::int64_t(runformat::kFormatVersion));
    QVERIFY(h5::readAttrString(file, schema::kAttributesDigest).rfind("fnv1a64:", 0) == 0);
    int chunked = 0;
    for (const auto &e : h5::listObjects(file)) {
        if (e.kind != h5::ObjectEntry::Kind::Dataset || !h5::isChunked(file, e.path))
            continue;
        ++chunked;
        QVERIFY2(h5::hasChecksum(file, e.path), e.path.c_str());
    }
    QVERIFY(chunked > 20);
    const FileCheck c = checkRunFile(path, false);
    QVERIFY2(c.ok(), c.ok() ? "" : c.problems.front().what.c_str());
    QVERIFY(c.notes.empty());
    RunReader reader(path);
    QVERIFY(reader.warnings().empty());
}

void TestIntegrity::writersKeepTheDigest()
{
    // Reopened (as resume does), a status changed, finished again: the digest follows every change.
    QTemporaryDir dir;
    const std::string path = dir.filePath("run.h5").toStdString();
    writeRun(path);
    {
        RunWriter w(path, RunWriter::Reopen{});
        w.markModel(0, runformat::kStatusComplete, "checked");
        w.finish(runformat::kStatusIncomplete, "stopped");
    }
    const RunReader reader(path);
    QCOMPARE(reader.summary().status, std::string(runformat::kStatusIncomplete));
    QCOMPARE(reader.summary().models.front().statusMessage, std::string("checked"));
    QVERIFY(checkRunFile(path, false).ok());
}

void TestIntegrity::damagedChunkNamesTheDataset()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("run.h5").toStdString();
    writeRun(path);
    const auto [offset, size] = firstChunk(path, kScorePath);
    QVERIFY(size > 0);
    auto bytes = readAll(path);
    bytes[offset + size / 2] = static_cast<char>(bytes[offset + size / 2] ^ 0x10);
    writeAll(path, bytes);

    // The attributes are intact, so the file opens; the damaged values are refused when read.
    RunReader reader(path);
    const QString msg = messageOf<StoreError>([&] { reader.score(0, "train", "confidence"); });
    PDS_VERIFY_MESSAGE(msg, QString::fromStdString(path));
    PDS_VERIFY_MESSAGE(msg, kScorePath);
    PDS_VERIFY_MESSAGE(msg, "does not match its checksum");

    const FileCheck full = checkRunFile(path, false);
    QCOMPARE(full.problems.size(), std::size_t(1));
    QCOMPARE(full.problems.front().object, std::string(kScorePath));
    QCOMPARE(full.problems.front().file, path);
    PDS_VERIFY_MESSAGE(QString::fromStdString(full.problems.front().what), "does not match its checksum");
    // A quick check reads no stored values, so it cannot see this damage.
    QVERIFY(checkRunFile(path, true).ok());
}

void TestIntegrity::changedAttributeIsCaught_data()
{
    QTest::addColumn<bool>("rawBytes");
    QTest::newRow("status rewritten through HDF5") << false;
    QTest::newRow("config bytes changed in the file") << true;
}

void TestIntegrity::changedAttributeIsCaught()
{
    QFETCH(bool, rawBytes);
    QTemporaryDir dir;
    const std::string path = dir.filePath("run.h5").toStdString();
    writeRun(path);
    if (rawBytes) {
        auto bytes = readAll(path);
        const std::string from = R"("epochs": 2)";
        auto at = std::search(bytes.begin(), bytes.end(), from.begin(), from.end());
        QVERIFY(at != bytes.end());
        *(at + static_cast<std::ptrdiff_t>(from.size()) - 1) = '9';
        writeAll(path, bytes);
    } else {
        h5::Handle file = h5::openFile(path, true);
        h5::writeAttr(file, schema::kStatus, runformat::kStatusRunning);
    }
    const QString msg = messageOf<StoreError>([&] { RunReader r(path); });
    PDS_VERIFY_MESSAGE(msg, QString::fromStdString(path) + ": the file's structure or attributes were changed or damaged");
    const FileCheck quick = checkRunFile(path, true);
    QCOMPARE(quick.problems.size(), std::size_t(1));
    QCOMPARE(quick.problems.front().object, std::string("/"));
    PDS_VERIFY_MESSAGE(QString::fromStdString(quick.problems.front().what), "changed or damaged");
}

void TestIntegrity::versionOneFileOpensWithANote()
{
    QTemporaryDir dir;
    const std::string v2 = dir.filePath("v2.h5").toStdString();
    const std::string v1 = dir.filePath("v1.h5").toStdString();
    writeRun(v2);
    // A version 1 file as the writers made it: the same layout, no checksum filter, no digest.
    bool ok = false;
    runPython(QStringLiteral(R"(
import h5py
src = h5py.File('%1', 'r')
dst = h5py.File('%2', 'w')
def copy(s, d):
    for k, v in s.attrs.items():
        d.attrs[k] = v
    for name, obj in s.items():
        link = s.get(name, getlink=True)
        if isinstance(link, h5py.ExternalLink):
            d[name] = h5py.ExternalLink(link.filename, link.path)
        elif isinstance(obj, h5py.Group):
            copy(obj, d.create_group(name))
        else:
            kw = dict(chunks=obj.chunks, maxshape=obj.maxshape, compression='gzip', compression_opts=1, shuffle=True) if obj.chunks else {}
            copy_attrs = d.create_dataset(name, data=obj[()], dtype=obj.dtype, **kw)
            for k, v in obj.attrs.items():
                copy_attrs.attrs[k] = v
copy(src, dst)
del dst.attrs['attributes_digest']
dst.attrs['format_version'] = 1
dst.close()
)").arg(QString::fromStdString(v2), QString::fromStdString(v1)), &ok);
    QVERIFY(ok);
    RunReader reader(v1);
    QCOMPARE(reader.summary().formatVersion, 1);
    QCOMPARE(reader.warnings().size(), std::size_t(1));
    QCOMPARE(reader.warnings().front().kind, ReadWarning::Kind::NoChecksums);
    PDS_VERIFY_MESSAGE(QString::fromStdString(reader.warnings().front().message), "carries no checksums");
    QCOMPARE(reader.score(0, "test", "confidence"), RunReader(v2).score(0, "test", "confidence"));
    const FileCheck c = checkRunFile(v1, false);
    QVERIFY(c.ok());
    QCOMPARE(c.notes.size(), std::size_t(1));
    // `pdepth info` shows the note.
    QProcess info;
    info.start(pdepthPath(), {QStringLiteral("info"), QString::fromStdString(v1)});
    QVERIFY(info.waitForFinished(120000));
    QCOMPARE(info.exitCode(), 0);
    PDS_VERIFY_MESSAGE(QString::fromUtf8(info.readAllStandardOutput()), "note        format version 1: the file carries no checksums");
}

void TestIntegrity::versionOneWithDigestIsRefused()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("run.h5").toStdString();
    writeRun(path);
    {
        h5::Handle file = h5::openFile(path, true);
        h5::writeAttr(file, schema::kFormatVersion, std::int64_t(1));
    }
    PDS_VERIFY_MESSAGE(messageOf<StoreError>([&] { RunReader r(path); }), "its version was changed");
}

void TestIntegrity::childCrashBecomesAnError()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("crashing.h5").toStdString();
    writeRun(path);
    setCheckerExecutable(fakeChecker(dir, QStringLiteral("printf 'reading\\t/\\nreading\\t/models/m001/probes\\n'\n"
                                                         "kill -SEGV $$"))
                             .toStdString());
    const QString msg = messageOf<StoreError>([&] { (void)verifyBeforeOpening(path); });
    QCOMPARE(msg.section(QStringLiteral(" ("), 0, 0),
             QStringLiteral("crashing.h5 is damaged: the HDF5 library crashed reading /models/m001/probes"));
    PDS_VERIFY_MESSAGE(msg, "signal 11");
}

void TestIntegrity::childHangBecomesAnError()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("hanging.h5").toStdString();
    writeRun(path);
    setCheckerExecutable(fakeChecker(dir, QStringLiteral("printf 'reading\\t/dataset\\n'\nexec sleep 60")).toStdString());
    setCheckTimeLimit(0.5);
    QElapsedTimer timer;
    timer.start();
    const QString msg = messageOf<StoreError>([&] { (void)verifyBeforeOpening(path); });
    QVERIFY(timer.elapsed() < 10000);
    QCOMPARE(msg, QStringLiteral("hanging.h5 is damaged: the HDF5 library did not finish reading /dataset within 0.5 s"));
}

void TestIntegrity::realCheckerPassesAndRefuses()
{
    QVERIFY(QFileInfo::exists(realChecker()));
    setCheckerExecutable(realChecker().toStdString());
    QTemporaryDir dir;
    const std::string good = dir.filePath("good.h5").toStdString();
    const std::string bad = dir.filePath("bad.h5").toStdString();
    writeRun(good);
    writeRun(bad);
    {
        h5::Handle file = h5::openFile(bad, true);
        h5::writeAttr(file, schema::kStatusMessage, "edited");
    }
    QCOMPARE(verifyBeforeOpening(good), std::string());
    const ChildCheck c = checkInChildProcess(good, false, 60);
    QCOMPARE(int(c.outcome), int(ChildCheck::Outcome::Passed));
    QVERIFY(!c.lastObject.empty());
    const QString msg = messageOf<StoreError>([&] { (void)verifyBeforeOpening(bad); });
    PDS_VERIFY_MESSAGE(msg, QString::fromStdString(bad) + ": the file's structure or attributes were changed or damaged");
}

void TestIntegrity::missingCheckerIsSaid()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("unguarded.h5").toStdString();
    writeRun(path);
    setCheckerExecutable(dir.filePath(QStringLiteral("no-such-checker")).toStdString());
    const QString note = QString::fromStdString(verifyBeforeOpening(path));
    PDS_VERIFY_MESSAGE(note, QString::fromStdString(path) + " was opened without the crash guard (");
    PDS_VERIFY_MESSAGE(note, "run pdepth check on it");
}

void TestIntegrity::cliCheckReportsEachProblem()
{
    QTemporaryDir dir;
    const std::string good = dir.filePath("good.h5").toStdString();
    const std::string bad = dir.filePath("bad.h5").toStdString();
    writeRun(good);
    writeRun(bad);
    const auto [offset, size] = firstChunk(bad, kScorePath);
    auto bytes = readAll(bad);
    bytes[offset + size / 2] = static_cast<char>(~bytes[offset + size / 2]);
    writeAll(bad, bytes);

    QProcess check;
    check.start(pdepthPath(), {QStringLiteral("check"), QString::fromStdString(good), QString::fromStdString(bad)});
    QVERIFY(check.waitForFinished(120000));
    const QString out = QString::fromUtf8(check.readAllStandardOutput());
    QCOMPARE(check.exitCode(), 1);
    PDS_VERIFY_MESSAGE(out, QString::fromStdString(good) + ": ok");
    PDS_VERIFY_MESSAGE(out, QString::fromStdString(bad) + ": " + kScorePath + ": ");
    PDS_VERIFY_MESSAGE(out, "does not match its checksum");

    QProcess quick;
    quick.start(pdepthPath(), {QStringLiteral("check"), QStringLiteral("--quick"), QString::fromStdString(good)});
    QVERIFY(quick.waitForFinished(120000));
    QCOMPARE(quick.exitCode(), 0);
}

void TestIntegrity::damagedSweepOrComparisonIsRefused_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("damage");
    for (const char *kind : {"sweep", "comparison"})
        for (const char *damage : {"truncated", "chunk", "attribute"})
            QTest::newRow((std::string(kind) + " " + damage).c_str()) << QString(kind) << QString(damage);
}

void TestIntegrity::damagedSweepOrComparisonIsRefused()
{
    QFETCH(QString, kind);
    QFETCH(QString, damage);
    setCheckerExecutable(realChecker().toStdString());
    QTemporaryDir dir;
    const std::string path = dir.filePath(kind + ".h5").toStdString();
    const std::string run = dir.filePath("run.h5").toStdString();
    const bool sweep = kind == "sweep";
    if (sweep)
        writeSweep(path, run);
    else
        writeComparisonFile(path, run);
    auto read = [&] {
        if (sweep)
            SweepReader r(path);
        else
            (void)readComparison(path);
    };
    // Sound, it reads, checks and prints.
    read();
    QVERIFY(checkRunFile(path, false).ok());
    const Outcome good = pdepth({QStringLiteral("info"), QString::fromStdString(path)}, 120000);
    QVERIFY2(good.exitCode == 0, qPrintable(describe(good)));

    auto bytes = readAll(path);
    if (damage == "truncated") {
        bytes.resize(bytes.size() / 2);
    } else if (damage == "chunk") {
        const std::string dataset = sweep ? "/sweep/sizes/s01/mem" : "/regimes/llf/depth/test/example_depth";
        const auto [offset, size] = firstChunk(path, dataset);
        QVERIFY(size > 0);
        bytes[offset + size / 2] = static_cast<char>(bytes[offset + size / 2] ^ 0x04);
    } else {
        // The configuration JSON is an attribute; one digit changes.
        const std::string from = R"("epochs": 2)";
        auto at = std::search(bytes.begin(), bytes.end(), from.begin(), from.end());
        QVERIFY(at != bytes.end());
        *(at + static_cast<std::ptrdiff_t>(from.size()) - 1) = '7';
    }
    writeAll(path, bytes);

    // The reader refuses it naming the file.
    const QString msg = messageOf<StoreError>(read);
    PDS_VERIFY_MESSAGE(msg, QString::fromStdString(path));
    if (damage == "chunk")
        PDS_VERIFY_MESSAGE(msg, "does not match its checksum");
    if (damage == "attribute")
        PDS_VERIFY_MESSAGE(msg, "changed or damaged");
    // The complete check finds it; pdepth info refuses it, naming it, and does not crash.
    QVERIFY(!checkRunFile(path, false).ok());
    PDS_VERIFY_MESSAGE(infoFailure(path), QString::fromStdString(path));
}

void TestIntegrity::damagedShapeIsRefused()
{
    // A per-example array one value too long, with a digest that matches (as if
    // written so): the reader's shape check names it instead of reading past the end.
    QTemporaryDir dir;
    const std::string path = dir.filePath("sweep.h5").toStdString();
    writeSweep(path, dir.filePath("run.h5").toStdString(), /*lengthen=*/true);
    const QString msg = messageOf<StoreError>([&] { SweepReader r(path); });
    PDS_VERIFY_MESSAGE(msg, QString::fromStdString(path) + ": sweep/sizes/s01/mem holds 6 values where 5 are expected");
    PDS_VERIFY_MESSAGE(infoFailure(path), "sweep/sizes/s01/mem holds 6 values");
}

QTEST_GUILESS_MAIN(TestIntegrity)
#include "tst_integrity.moc"
