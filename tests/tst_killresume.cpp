// Kills a real `pdepth train --probe` run with SIGKILL at 20 seeded random
// moments (while loading, mid-epoch, mid-commit, while probing, after the
// end) and checks each time that (1) what is on disk opens with h5py and
// holds every completed epoch, consistently, and (2) `pdepth resume` then
// finishes with per-example results identical to an uninterrupted run.

#include "data/transforms.h"
#include "testsupport.h"

#include <QProcess>
#include <QtTest/QtTest>

#include <algorithm>

using namespace pds;

namespace {

QStringList runArgs(const QString &data, const QString &out)
{
    return {"train", "--data-path", data, "--format", "idx", "--model", "cnn", "--cnn-k", "4", "--epochs", "4",
            "--batch", "32", "--threads", "1", "--probe", "--k", "5", "-o", out};
}

/// Checks a run file (or .part) with h5py: it opens, and the number of
/// completed epochs matches every per-epoch array. Returns the epochs.
int checkConsistent(const QString &path)
{
    bool ok = false;
    const QString out = test::runPython(QStringLiteral(R"(
import h5py
f = h5py.File(%1, "r")
assert f.attrs["format"] == "pdepth-run"
status = f.attrs["status"]
epochs = 0
if "models/m000" in f:
    m = f["models/m000"]
    epochs = int(m.attrs["epochs_completed"])
    assert len(m["curves/epoch"]) == epochs, "curves"
    for split in ("train", "test"):
        for name in ("pred", "prob_given", "margin", "loss", "el2n"):
            assert m["dynamics/%s/%s" % (split, name)].shape[0] == epochs, name
    if epochs and m.attrs["status"] != "complete":
        assert m["checkpoint"].attrs["epoch"] == epochs, "checkpoint"
print(status, epochs)
)").arg("'" + path + "'"), &ok);
    if (!ok)
        return -1;
    return out.trimmed().split(' ').last().toInt();
}

bool sameResults(const QString &a, const QString &b)
{
    bool ok = false;
    const QString out = test::runPython(QStringLiteral(R"(
import h5py, numpy as np
a = h5py.File(%1, "r")["models/m000"]
b = h5py.File(%2, "r")["models/m000"]
names = []
a.visit(lambda n: names.append(n) if isinstance(a[n], h5py.Dataset) else None)
bad = [n for n in names if n != "curves/seconds" and not np.array_equal(a[n][()], b[n][()])]
print("differ:", bad)
)").arg("'" + a + "'", "'" + b + "'"), &ok);
    if (!ok)
        return false;
    if (out.trimmed() != "differ: []")
        qWarning().noquote() << out;
    return out.trimmed() == "differ: []";
}

} // namespace

class TestKillResume : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void killAtRandomPoints()
    {
        QTemporaryDir dir;
        const QString data = dir.filePath("data");
        QVERIFY(QDir().mkpath(data));
        test::writeSyntheticIdx(data.toStdString(), 4, 120, 25, 12);
        const QString pdepth = test::pdepthPath();

        QElapsedTimer timer;
        timer.start();
        const QString reference = dir.filePath("reference.h5");
        QProcess ref;
        ref.start(pdepth, runArgs(data, reference));
        // Kill moments are drawn from the time the run file exists (the start
        // of the process is mostly loading LibTorch) to a little past the end.
        qint64 firstWrite = -1;
        while (!ref.waitForFinished(10))
            if (firstWrite < 0 && QFile::exists(reference + ".part"))
                firstWrite = timer.elapsed();
        QCOMPARE(ref.exitCode(), 0);
        const qint64 duration = timer.elapsed();
        if (firstWrite < 0)
            firstWrite = duration / 2;

        // The window kills are drawn from: the run's time after its file first
        // appears. It follows the machine: a run that ends before its kill
        // shows how long runs take now (load may have dropped since the reference).
        qint64 window = duration - firstWrite;
        Rng rng(20241127);
        int resumed = 0, restarted = 0, alreadyDone = 0;
        for (int i = 0; i < 20; ++i) {
            const QString out = dir.filePath(QString("killed%1.h5").arg(i));
            // Each kill comes a random time after this run's file first appears
            // (a few just before), so machine load does not skew where they land.
            const int killAfter = static_cast<int>(rng.below(static_cast<std::uint64_t>(window * 11 / 10 + 60))) - 60;
            QProcess p;
            p.start(pdepth, runArgs(data, out));
            QVERIFY(p.waitForStarted());
            QElapsedTimer sinceStart;
            sinceStart.start();
            while (!QFile::exists(out + ".part") && p.state() != QProcess::NotRunning
                   && sinceStart.elapsed() < 60000)
                p.waitForFinished(5);
            const bool sawPart = QFile::exists(out + ".part");
            const qint64 fileAppeared = sinceStart.elapsed();
            if (killAfter > 0)
                p.waitForFinished(killAfter);
            if (sawPart && p.state() == QProcess::NotRunning && QFile::exists(out))
                window = std::max<qint64>(1, sinceStart.elapsed() - fileAppeared);
            if (p.state() != QProcess::NotRunning) {
                p.kill(); // SIGKILL: no handler runs, nothing is cleaned up
                QVERIFY(p.waitForFinished(30000));
            }

            const bool part = QFile::exists(out + ".part"), final = QFile::exists(out);
            if (!part && !final) {
                // Killed before the run file was first written: nothing was lost; start again.
                QProcess again;
                again.start(pdepth, runArgs(data, out));
                QVERIFY(again.waitForFinished(300000));
                QCOMPARE(again.exitCode(), 0);
                ++restarted;
            } else {
                const int epochs = checkConsistent(part ? out + ".part" : out);
                QVERIFY2(epochs >= 0, qPrintable(QString("kill %1 after %2 ms left an unreadable file").arg(i).arg(killAfter)));
                if (part) {
                    QProcess resume;
                    resume.start(pdepth, {"resume", out + ".part"});
                    QVERIFY(resume.waitForFinished(300000));
                    QVERIFY2(resume.exitCode() == 0, resume.readAllStandardError().constData());
                    ++resumed;
                } else {
                    ++alreadyDone;
                }
            }
            QVERIFY2(checkConsistent(out) == 4, qPrintable(QString("kill %1 after %2 ms").arg(i).arg(killAfter)));
            QVERIFY2(sameResults(reference, out), qPrintable(QString("kill %1 after %2 ms").arg(i).arg(killAfter)));
        }
        qInfo("20 kills: %d resumed, %d killed before the first write, %d after the end", resumed, restarted,
              alreadyDone);
        QVERIFY2(resumed >= 8, "too few kills landed inside the run; the timing of this machine is off");
    }
};

QTEST_GUILESS_MAIN(TestKillResume)
#include "tst_killresume.moc"
