// Damaged run files, as users hand them over: a single run and a small study
// made here, with random bytes, bit flips, truncation, zeroed blocks or
// shuffled 4 KiB pages. The process that opens them (the CLI's and the
// Studio's open path: the check in a child process, then RunReader) must never
// crash or hang, every problem it detects must come with a message, and a file
// it accepts must give back exactly the values of the original.
// PDS_MUTATION_COUNT (default 60) and PDS_MUTATION_SEED choose the files;
// scripts/fuzz.sh runs 1,000. PDS_MUTATION_REPORT names a Markdown report;
// PDS_MUTATION_KEEP a folder for the files whose values changed unnoticed.

#include "mutationsupport.h"
#include "testsupport.h"

#include "store/guardedopen.h"
#include "store/runreader.h"
#include "util/error.h"

#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <map>

using namespace pds;
using namespace pds::test;

namespace {

int envInt(const char *name, int fallback)
{
    const QByteArray v = qgetenv(name);
    return v.isEmpty() ? fallback : v.toInt();
}

/// Counts of one kind of mutation.
struct Tally {
    int files = 0, detected = 0, childDied = 0, acceptedUnchanged = 0, acceptedChanged = 0;
    std::map<std::string, int> acceptedRegions;
};

} // namespace

class TestMutation : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void mutatedFilesNeverCrashTheParent();

private:
    QTemporaryDir m_dir;
    RunFiles m_files;
};

void TestMutation::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_files = makeTinyRunFiles(m_dir.path().toStdString());
    setCheckerExecutable(QFileInfo(pdepthPath()).dir().filePath(QStringLiteral("pdepth-check")).toStdString());
}

void TestMutation::mutatedFilesNeverCrashTheParent()
{
    const int count = envInt("PDS_MUTATION_COUNT", 60);
    const int cliEvery = envInt("PDS_MUTATION_CLI_EVERY", 5);
    std::mt19937_64 rng(static_cast<std::uint64_t>(envInt("PDS_MUTATION_SEED", 20261202)));
    const std::vector<std::string> sources = {m_files.run, m_files.study};
    std::vector<std::vector<char>> originals;
    std::vector<std::string> dumps;
    for (const auto &s : sources) {
        originals.push_back(readAll(s));
        dumps.push_back(contentDump(s));
    }
    std::map<std::string, Tally> tallies;
    QStringList silentChanges;
    int cliRuns = 0;
    for (int i = 0; i < count; ++i) {
        const std::size_t which = static_cast<std::size_t>(i) % sources.size();
        const Mutation m = mutate(originals[which], rng);
        const std::string path = m_dir.filePath(QStringLiteral("mutated-%1.h5").arg(i)).toStdString();
        writeAll(path, m.bytes);
        Tally &t = tallies[m.kind];
        ++t.files;
        std::string message;
        std::string dump;
        try {
            const std::string unguarded = verifyBeforeOpening(path);
            QVERIFY2(unguarded.empty(), unguarded.c_str());
            RunReader reader(path);
            dump = contentDump(path);
        } catch (const Error &e) {
            message = e.what();
            QVERIFY2(!message.empty(), path.c_str());
        }
        if (!message.empty()) {
            ++t.detected;
            if (message.find("the HDF5 library crashed") != std::string::npos
                || message.find("the HDF5 library did not finish") != std::string::npos)
                ++t.childDied;
        } else if (dump == dumps[which]) {
            ++t.acceptedUnchanged;
            ++t.acceptedRegions[regionOf(sources[which], m.ranges)];
        } else {
            ++t.acceptedChanged;
            if (const QByteArray keep = qgetenv("PDS_MUTATION_KEEP"); !keep.isEmpty())
                QFile::copy(QString::fromStdString(path), QString::fromLocal8Bit(keep) + QStringLiteral("/mutated-%1.h5").arg(i));
            silentChanges << QStringLiteral("%1 (%2 in %3)").arg(QString::fromStdString(path),
                                                                 QString::fromStdString(m.kind),
                                                                 QString::fromStdString(regionOf(sources[which], m.ranges)));
        }
        if (cliEvery > 0 && i % cliEvery == 0) {
            for (const QString &command : {QStringLiteral("info"), QStringLiteral("check")}) {
                QProcess p;
                p.setProcessChannelMode(QProcess::MergedChannels);
                p.start(pdepthPath(), {command, QString::fromStdString(path)});
                QVERIFY2(p.waitForFinished(120000), qPrintable(command + " hung on " + QString::fromStdString(path)));
                QVERIFY2(p.exitStatus() == QProcess::NormalExit,
                         qPrintable(command + " crashed on " + QString::fromStdString(path)));
                QVERIFY2(p.exitCode() == 0 || p.exitCode() == 1,
                         qPrintable(command + QStringLiteral(" exit %1 on ").arg(p.exitCode()) + QString::fromStdString(path)));
                if (p.exitCode() == 1)
                    QVERIFY2(!p.readAll().trimmed().isEmpty(), qPrintable(command + " gave no message"));
                ++cliRuns;
            }
        }
        QFile::remove(QString::fromStdString(path));
    }

    QString report = QStringLiteral("| mutation | files | detected | of which HDF5 crashed or hung in the child | accepted, values unchanged | accepted, values changed | where the accepted ones hit |\n"
                                    "|---|---:|---:|---:|---:|---:|---|\n");
    Tally total;
    for (const auto &[kind, t] : tallies) {
        QStringList regions;
        for (const auto &[region, n] : t.acceptedRegions) {
            regions << QStringLiteral("%1 × %2").arg(n).arg(QString::fromStdString(region));
            total.acceptedRegions[region] += n;
        }
        report += QStringLiteral("| %1 | %2 | %3 | %4 | %5 | %6 | %7 |\n")
                      .arg(QString::fromStdString(kind)).arg(t.files).arg(t.detected).arg(t.childDied)
                      .arg(t.acceptedUnchanged).arg(t.acceptedChanged).arg(regions.join(QStringLiteral(", ")));
        total.files += t.files;
        total.detected += t.detected;
        total.childDied += t.childDied;
        total.acceptedUnchanged += t.acceptedUnchanged;
        total.acceptedChanged += t.acceptedChanged;
    }
    QStringList regions;
    for (const auto &[region, n] : total.acceptedRegions)
        regions << QStringLiteral("%1 × %2").arg(n).arg(QString::fromStdString(region));
    report += QStringLiteral("| **all** | %1 | %2 | %3 | %4 | %5 | %6 |\n")
                  .arg(total.files).arg(total.detected).arg(total.childDied).arg(total.acceptedUnchanged)
                  .arg(total.acceptedChanged).arg(regions.join(QStringLiteral(", ")));
    report += QStringLiteral("\n%1 runs of `pdepth info` / `pdepth check`: none crashed or hung.\n").arg(cliRuns);
    qInfo().noquote() << "\n" << report;
    if (const QByteArray out = qgetenv("PDS_MUTATION_REPORT"); !out.isEmpty()) {
        QFile f(QString::fromLocal8Bit(out));
        if (f.open(QIODevice::WriteOnly))
            f.write(report.toUtf8());
    }
    QVERIFY2(silentChanges.isEmpty(), qPrintable("values changed without a complaint: " + silentChanges.join(", ")));
}

QTEST_GUILESS_MAIN(TestMutation)
#include "tst_mutation.moc"
