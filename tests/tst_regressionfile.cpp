// The regression run file on disk: a run killed (SIGKILL) or interrupted
// (SIGINT) at chosen epochs resumes to the records of an uninterrupted run,
// an interrupted file opens with a clear message, the experts' prediction
// depth reads back with h5py, and damaged files give clear errors, never a
// crash. Real `pdepth` processes on a tiny rotation benchmark (a few
// seconds each on one CPU thread).

#include "testsupport.h"
#include "mutationsupport.h"
#include "store/integrity.h"
#include "store/regressionwriter.h"
#include "util/error.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <csignal>
#include <random>

using namespace pds;
using namespace pds::test;

namespace {

constexpr int kTrain = 182; // two images per angle
constexpr int kEpochs = 3;

QStringList runArgs(const QString &out)
{
    return {"train", "--task", "regression", "--dataset", "fashion-mnist", "--limit", QString::number(kTrain),
            "--test-limit", "91", "--noise", "symmetric", "--noise-fraction", "0.4", "--select", "confrag,none,clean",
            "--model", "cnn", "--cnn-k", "4", "--optimizer", "adam", "--lr", "0.001", "--epochs",
            QString::number(kEpochs), "--batch", "32", "--device", "cpu", "--threads", "1", "--seed", "4", "--probe",
            "--k", "10", "-o", out};
}

/// Runs `args` and sends `signal` once stderr shows `line` (a committed
/// epoch's message); returns false when the process ended before that.
bool stopAt(const QStringList &args, const QString &line, int signal)
{
    QProcess p;
    p.start(pdepthPath(), args);
    if (!p.waitForStarted(30000))
        return false;
    QByteArray err;
    while (p.state() != QProcess::NotRunning) {
        p.waitForReadyRead(50);
        err += p.readAllStandardError();
        if (err.contains(line.toUtf8())) {
            ::kill(static_cast<pid_t>(p.processId()), signal);
            p.waitForFinished(60000);
            return true;
        }
    }
    return false;
}

/// Compares two regression run files record by record with h5py: every
/// per-epoch array and final value except the seconds each epoch took
/// (wall time) and the checkpoint bytes (LibTorch's archive is not byte-stable).
QString compareFiles(const QString &a, const QString &b)
{
    bool ok = false;
    const QString out = runPython(QStringLiteral(R"(
import h5py, numpy as np
skip = {"curves/seconds", "checkpoint"}
def walk(g, prefix=""):
    out = {}
    for k, v in g.items():
        p = prefix + k
        if isinstance(v, h5py.Group):
            out.update(walk(v, p + "/"))
        else:
            out[p] = v[()]
    return out
with h5py.File(%1, "r") as fa, h5py.File(%2, "r") as fb:
    assert fa.attrs["status"] == fb.attrs["status"] == "complete", (fa.attrs["status"], fb.attrs["status"])
    for m in fa.attrs["methods"]:
        ga, gb = fa["methods/" + m], fb["methods/" + m]
        for key in ("mae", "rmse", "mrae", "epochs_completed"):
            assert ga.attrs[key] == gb.attrs[key], (m, key, ga.attrs[key], gb.attrs[key])
        da, db = walk(ga), walk(gb)
        assert sorted(da) == sorted(db), (m, sorted(da), sorted(db))
        for k in da:
            if k in skip or k.endswith("/seconds"):
                continue
            assert np.array_equal(da[k], db[k], equal_nan=da[k].dtype.kind == "f"), (m, k)
    assert list(fa.attrs["methods"]) == list(fb.attrs["methods"])
    print("same")
)")
                                        .arg("'" + a + "'", "'" + b + "'"),
                                    &ok);
    return ok ? QString() : out;
}

} // namespace

class TestRegressionFile : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void resumedRunsMatchTheUninterruptedOne();
    void randomKillsLeaveSoundFiles();
    void expertDepthReadBack();
    void damagedFilesGiveClearErrors();

private:
    QTemporaryDir m_dir;
    QString m_reference;
};

void TestRegressionFile::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_reference = m_dir.filePath("reference.h5");
    const auto o = pdepth(runArgs(m_reference));
    QVERIFY2(o.exitCode == 0, qPrintable(describe(o)));
}

void TestRegressionFile::resumedRunsMatchTheUninterruptedOne()
{
    const QString out = m_dir.filePath("stopped.h5");
    // Killed outright in the middle of ConFrag (experts and regressor half trained).
    QVERIFY(stopAt(runArgs(out), "confrag epoch 2/3", SIGKILL));
    QVERIFY(QFile::exists(out + ".part"));
    QVERIFY(!QFile::exists(out));
    // The interrupted file opens and says what to do; nothing crashes.
    const auto info = pdepth({"info", out + ".part"});
    QVERIFY2(info.exitCode == 0, qPrintable(describe(info)));
    QVERIFY2(info.out.contains("status: running") && info.out.contains("pdepth resume"), qPrintable(describe(info)));
    QVERIFY2(info.out.contains("confrag"), qPrintable(describe(info)));

    // The resumed run is interrupted again (SIGINT) in the second method, then resumed to its end.
    QVERIFY(stopAt({"resume", out}, "none epoch 1/3", SIGINT));
    QVERIFY(QFile::exists(out));
    {
        const RegressionReader stopped(out.toStdString());
        QCOMPARE(QString::fromStdString(stopped.status()), QString("incomplete"));
        QCOMPARE(stopped.method("confrag").epochsCompleted, kEpochs);
        QVERIFY(stopped.method("none").epochsCompleted >= 1);
    }
    const auto again = pdepth({"info", out});
    QVERIFY2(again.exitCode == 0 && again.out.contains("status: incomplete (cancelled)"), qPrintable(describe(again)));
    const auto resumed = pdepth({"resume", out});
    QVERIFY2(resumed.exitCode == 0, qPrintable(describe(resumed)));
    QVERIFY2(resumed.out.contains("MRAE"), qPrintable(describe(resumed)));
    const QString diff = compareFiles(m_reference, out);
    QVERIFY2(diff.isEmpty(), qPrintable(diff));
    // A finished run has nothing left to resume.
    const auto done = pdepth({"resume", out});
    QVERIFY2(done.exitCode != 0 && done.err.contains("already complete"), qPrintable(describe(done)));
}

void TestRegressionFile::randomKillsLeaveSoundFiles()
{
    // Seeded moments across the whole run, checked with h5py for a consistent
    // file, then resumed to the reference's records.
    std::mt19937_64 rng(17);
    for (int i = 0; i < 3; ++i) {
        const QString out = m_dir.filePath(QString("random%1.h5").arg(i));
        QProcess p;
        p.start(pdepthPath(), runArgs(out));
        QVERIFY(p.waitForStarted(30000));
        while (!QFile::exists(out + ".part") && p.state() != QProcess::NotRunning)
            p.waitForFinished(5);
        p.waitForFinished(static_cast<int>(rng() % 6000));
        if (p.state() != QProcess::NotRunning) {
            p.kill();
            QVERIFY(p.waitForFinished(30000));
        }
        const QString file = QFile::exists(out + ".part") ? out + ".part" : out;
        bool ok = false;
        const QString check = runPython(QStringLiteral(R"(
import h5py
with h5py.File(%1, "r") as f:
    for m in f.attrs.get("methods", []):
        g = f["methods/" + m]
        e = int(g.attrs["epochs_completed"])
        assert len(g["curves/epoch"]) == e and g["selection"].shape[0] == e, m
        if e:
            assert g["checkpoint"].attrs["epoch"] == e, m
print("consistent")
)")
                                            .arg("'" + file + "'"),
                                        &ok);
        QVERIFY2(ok, qPrintable(check));
        if (file != out || RegressionReader(out.toStdString()).status() != "complete") {
            const auto r = pdepth({"resume", out});
            QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        }
        const QString diff = compareFiles(m_reference, out);
        QVERIFY2(diff.isEmpty(), qPrintable(QString("kill %1: %2").arg(i).arg(diff)));
    }
}

void TestRegressionFile::expertDepthReadBack()
{
    const RegressionReader reader(m_reference.toStdString());
    const auto depth = reader.expertDepth();
    QVERIFY(depth.has_value());
    QCOMPARE(depth->experts, 2); // four fragments, two pairs
    QCOMPARE(depth->depth.size(), std::size_t(2 * kTrain));
    const int probes = static_cast<int>(depth->probeNames.size());
    QVERIFY(probes >= 3);
    for (const auto d : depth->depth)
        QVERIFY(d >= 0 && d <= probes);
    bool ok = false;
    const QString py = runPython(QStringLiteral(R"(
import h5py, numpy as np
with h5py.File(%1, "r") as f:
    g = f["methods/confrag"]
    d = g["expert_depth"]
    probes = list(d.attrs["probes"])
    assert d.shape == (2, %2), d.shape
    assert d.dtype == np.int32
    v = d[()]
    assert v.min() >= 0 and v.max() <= len(probes), (v.min(), v.max())
    k = int(d.attrs["k"])
    pair = (f["dataset/train/fragment"][()] % 2 == 0).sum()
    assert k == min(10, min(pair, %2 - pair) - 1), k
    acc = g["expert_probe_accuracy"][()]
    assert acc.shape == (2, len(probes)) and (acc >= 0).all() and (acc <= 1).all(), acc
    print("ok", probes, np.bincount(v.ravel()))
)")
                                        .arg("'" + m_reference + "'")
                                        .arg(kTrain),
                                    &ok);
    QVERIFY2(ok, qPrintable(py));
    const auto info = pdepth({"info", m_reference});
    QVERIFY2(info.exitCode == 0 && info.out.contains("prediction depth of the experts (k = "), qPrintable(describe(info)));
    QVERIFY2(info.out.contains("expert 1: mean depth"), qPrintable(describe(info)));
}

void TestRegressionFile::damagedFilesGiveClearErrors()
{
    const auto original = readAll(m_reference.toStdString());

    // Cut in half: every command refuses it by name.
    const QString cut = m_dir.filePath("cut.h5");
    writeAll(cut.toStdString(), std::vector<char>(original.begin(), original.begin() + long(original.size() / 2)));
    for (const QStringList &args : {QStringList{"info", cut}, QStringList{"resume", cut}, QStringList{"check", cut}}) {
        const auto o = pdepth(args);
        QVERIFY2(o.exitCode > 0, qPrintable(args.join(' ') + "\n" + describe(o)));
        QVERIFY2((o.err + o.out).contains(cut), qPrintable(args.join(' ') + "\n" + describe(o)));
    }
    QVERIFY(!messageOf<StoreError>([&] { RegressionReader r(cut.toStdString()); }).isEmpty());

    // One bit of the stored targets flipped: the full check names the dataset.
    const QString flipped = m_dir.filePath("flipped.h5");
    QFile::copy(m_reference, flipped);
    bool ok = false;
    const QString py = runPython(QStringLiteral(R"(
import h5py
with h5py.File(%1, "r") as f:
    off = f["dataset/train/clean_target"].id.get_chunk_info(0).byte_offset
with open(%1, "r+b") as f:
    f.seek(off + 40); b = f.read(1); f.seek(off + 40); f.write(bytes([b[0] ^ 0x10]))
print("flipped")
)")
                                        .arg("'" + flipped + "'"),
                                    &ok);
    QVERIFY2(ok, qPrintable(py));
    const auto check = pdepth({"check", flipped});
    QVERIFY2(check.exitCode == 1, qPrintable(describe(check)));
    QVERIFY2(check.out.contains("/dataset/train/clean_target") && check.out.contains("checksum"), qPrintable(describe(check)));

    // The stored configuration's text changed: the digest refuses the file on opening.
    const QString changed = m_dir.filePath("changed.h5");
    auto bytes = original;
    const std::string from = R"("epochs": 3)";
    auto at = std::search(bytes.begin(), bytes.end(), from.begin(), from.end());
    QVERIFY(at != bytes.end());
    *(at + long(from.size()) - 1) = '7';
    writeAll(changed.toStdString(), bytes);
    const QString msg = messageOf<StoreError>([&] { RegressionReader r(changed.toStdString()); });
    QVERIFY2(msg.contains(changed + ": the file's structure or attributes were changed or damaged"), qPrintable(msg));
    const auto info = pdepth({"info", changed});
    QVERIFY2(info.exitCode > 0 && info.err.contains("changed or damaged"), qPrintable(describe(info)));
    const auto resume = pdepth({"resume", changed});
    QVERIFY2(resume.exitCode > 0 && resume.err.contains("changed or damaged"), qPrintable(describe(resume)));

    // Random damage of every kind: never a crash, a clear error or a sound read.
    std::mt19937_64 rng(5);
    for (int i = 0; i < 8; ++i) {
        const Mutation m = mutate(original, rng);
        const QString path = m_dir.filePath(QString("mutated%1.h5").arg(i));
        writeAll(path.toStdString(), m.bytes);
        const auto o = pdepth({"info", path});
        QVERIFY2(o.exitCode >= 0, qPrintable(QString::fromStdString(m.kind) + "\n" + describe(o)));
        if (o.exitCode != 0)
            QVERIFY2(o.err.contains(path) || o.err.contains(QFileInfo(path).fileName()),
                     qPrintable(QString::fromStdString(m.kind) + "\n" + describe(o)));
    }
}

QTEST_GUILESS_MAIN(TestRegressionFile)
#include "tst_regressionfile.moc"
