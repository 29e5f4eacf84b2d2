// The Studio's open path (RunDocument::openChecked, which MainWindow::openFile
// uses for every file the Studio did not write) on damaged run files: it
// never takes the Studio down, and every refusal has a message.

#include "mutationsupport.h"
#include "testsupport.h"

#include "models/rundocument.h"
#include "store/guardedopen.h"
#include "util/error.h"

#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest/QtTest>

using namespace pds;
using namespace pds::test;

class TestOpenGuard : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void crashingFileGivesAnError();
    void mutatedFilesNeverCrashTheStudio();

private:
    QTemporaryDir m_dir;
    RunFiles m_files;
    std::string m_checker;
};

void TestOpenGuard::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_files = makeTinyRunFiles(m_dir.path().toStdString());
    m_checker = QFileInfo(pdepthPath()).dir().filePath(QStringLiteral("pdepth-check")).toStdString();
    QVERIFY(QFileInfo::exists(QString::fromStdString(m_checker)));
}

void TestOpenGuard::cleanup()
{
    setCheckerExecutable(m_checker);
}

void TestOpenGuard::crashingFileGivesAnError()
{
    // A checker that dies the way HDF5 does on some damaged files.
    const QString script = m_dir.filePath(QStringLiteral("segv.sh"));
    QFile f(script);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("#!/bin/sh\nprintf 'reading\\t/models/m001/probes\\n'\nkill -SEGV $$\n");
    f.close();
    f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    setCheckerExecutable(script.toStdString());
    const QString copy = m_dir.filePath(QStringLiteral("copy.h5"));
    QVERIFY(QFile::copy(QString::fromStdString(m_files.study), copy));
    const QString msg = messageOf<StoreError>([&] { RunDocument::openChecked(copy); });
    PDS_VERIFY_MESSAGE(msg, "copy.h5 is damaged: the HDF5 library crashed reading /models/m001/probes");
    // The file the Studio writes itself is not checked in a child.
    RunDocument own(copy);
    QVERIFY(own.modelCount() == 2);
}

void TestOpenGuard::mutatedFilesNeverCrashTheStudio()
{
    setCheckerExecutable(m_checker);
    const int count = qEnvironmentVariableIntValue("PDS_MUTATION_COUNT") > 0
                          ? qEnvironmentVariableIntValue("PDS_MUTATION_COUNT") : 60;
    std::mt19937_64 rng(7);
    const std::vector<std::string> sources = {m_files.run, m_files.study};
    std::vector<std::vector<char>> originals = {readAll(sources[0]), readAll(sources[1])};
    int detected = 0, opened = 0;
    for (int i = 0; i < count; ++i) {
        const Mutation m = mutate(originals[static_cast<std::size_t>(i) % 2], rng);
        const QString path = m_dir.filePath(QStringLiteral("studio-mutated-%1.h5").arg(i));
        writeAll(path.toStdString(), m.bytes);
        try {
            auto doc = RunDocument::openChecked(path);
            QVERIFY(doc->size() > 0);
            ++opened;
        } catch (const Error &e) {
            QVERIFY2(std::string(e.what()).size() > 0, qPrintable(path));
            ++detected;
        }
        QFile::remove(path);
    }
    qInfo("Studio open path: %d of %d damaged files refused with a message, %d opened", detected, count, opened);
    QCOMPARE(detected + opened, count);
}

QTEST_MAIN(TestOpenGuard)
#include "tst_openguard.moc"
