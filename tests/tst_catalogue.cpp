// Tests of dataset lookup: the catalogue, format detection and loadDataset.

#include "testsupport.h"

#include "data/catalogue.h"
#include "util/error.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest/QtTest>

using namespace pds;
using namespace pds::test;

class TestCatalogue : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void entries();
    void detectFormat_data();
    void detectFormat();
    void detectFormat_missingFolder();
    void loadByPath();
    void catalogueNameWithPath();
    void imageFolderByPath();
    void errors_data();
    void errors();
};

void TestCatalogue::entries()
{
    QStringList names;
    for (const auto &e : datasetCatalogue()) {
        names << QString::fromStdString(e.name);
        QVERIFY(e.format == "idx" || e.format == "cifar10" || e.format == "cifar100");
        if (e.format == "idx")
            QCOMPARE(e.classNames.size(), std::size_t(10));
    }
    QCOMPARE(names, (QStringList{"fashion-mnist", "mnist", "cifar10", "cifar100"}));
}

void TestCatalogue::detectFormat_data()
{
    QTest::addColumn<QStringList>("files");
    QTest::addColumn<QString>("format");
    QTest::newRow("idx, gzip") << QStringList{"train-images-idx3-ubyte.gz"} << "idx";
    QTest::newRow("idx, raw") << QStringList{"train-images-idx3-ubyte"} << "idx";
    QTest::newRow("idx, dotted name") << QStringList{"train-images.idx3-ubyte"} << "idx";
    QTest::newRow("cifar10") << QStringList{"data_batch_1.bin", "test_batch.bin"} << "cifar10";
    QTest::newRow("cifar100") << QStringList{"train.bin", "test.bin"} << "cifar100";
    QTest::newRow("anything else") << QStringList{"cat/1.png"} << "folder";
    QTest::newRow("empty") << QStringList{} << "folder";
}

void TestCatalogue::detectFormat()
{
    QFETCH(QStringList, files);
    QFETCH(QString, format);
    QTemporaryDir dir;
    for (const QString &f : files) {
        QDir().mkpath(QFileInfo(dir.filePath(f)).path());
        writeBytes(dir.filePath(f).toStdString(), {0});
    }
    QCOMPARE(QString::fromStdString(pds::detectFormat(dir.path().toStdString())), format);
}

void TestCatalogue::detectFormat_missingFolder()
{
    QTemporaryDir dir;
    const std::string missing = dir.filePath("gone").toStdString();
    QCOMPARE(messageOf<DatasetError>([&] { pds::detectFormat(missing); }),
             QString::fromStdString(missing + ": dataset folder not found"));
}

void TestCatalogue::loadByPath()
{
    // A folder outside the catalogue: format detected, name from the folder,
    // classes from the labels (IDX files carry no names).
    QTemporaryDir dir;
    const QString data = dir.filePath("letters");
    QVERIFY(QDir().mkpath(data));
    writeSyntheticIdx(data.toStdString(), 12, 2, 1, 6);
    DatasetSpec spec;
    spec.name = "";
    spec.path = data.toStdString();
    const Dataset d = loadDataset(spec);
    QCOMPARE(d.format, std::string("idx"));
    QCOMPARE(d.name, std::string("letters"));
    QCOMPARE(d.numClasses(), 12);
    QCOMPARE(d.train.size(), std::int64_t(24));

    spec.name = "synthetic";
    spec.format = "idx";
    const Dataset named = loadDataset(spec);
    QCOMPARE(named.name, std::string("letters")); // not a catalogue name: the folder names it
    QCOMPARE(named.numClasses(), 12);
}

void TestCatalogue::catalogueNameWithPath()
{
    // A catalogue name with a path: the catalogue's class names, read from the path.
    QTemporaryDir dir;
    writeSyntheticIdx(dir.path().toStdString(), 10, 1, 1, 6, 1, false);
    DatasetSpec spec;
    spec.name = "mnist";
    spec.path = dir.path().toStdString();
    const Dataset d = loadDataset(spec);
    QCOMPARE(d.name, std::string("mnist"));
    QCOMPARE(d.format, std::string("idx"));
    QCOMPARE(d.classNames.front(), std::string("0"));
    QCOMPARE(d.numClasses(), 10);

    spec.name = "fashion-mnist";
    QCOMPARE(loadDataset(spec).classNames.back(), std::string("Ankle boot"));
}

void TestCatalogue::imageFolderByPath()
{
    QTemporaryDir dir;
    for (const char *c : {"a", "b"}) {
        QVERIFY(QDir().mkpath(dir.filePath(c)));
        writePng(dir.filePath(QStringLiteral("%1/1.png").arg(c)).toStdString(), 3, 3, 3, 5);
    }
    DatasetSpec spec;
    spec.name = "";
    spec.path = dir.path().toStdString();
    const Dataset d = loadDataset(spec);
    QCOMPARE(d.format, std::string("folder"));
    QCOMPARE(d.channels, 3);
    QCOMPARE(d.numClasses(), 2);
}

void TestCatalogue::errors_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("format");
    QTest::addColumn<bool>("withPath");
    QTest::addColumn<QString>("message");

    QTest::newRow("unknown name, no path")
        << "imagenet" << "" << false
        << "unknown dataset 'imagenet': give a catalogue name (fashion-mnist, mnist, cifar10, cifar100) or a path";
    QTest::newRow("no name, no path")
        << "" << "" << false
        << "unknown dataset '': give a catalogue name (fashion-mnist, mnist, cifar10, cifar100) or a path";
    QTest::newRow("catalogue entry without a location") << "cifar10" << "" << false
                                                        << "dataset 'cifar10' has no default location: give its path";
    QTest::newRow("unknown format") << "" << "npz" << true
                                    << "unknown dataset format 'npz' (expected idx, cifar10, cifar100 or folder)";
}

void TestCatalogue::errors()
{
    QFETCH(QString, name);
    QFETCH(QString, format);
    QFETCH(bool, withPath);
    QFETCH(QString, message);
    QTemporaryDir dir;
    DatasetSpec spec;
    spec.name = name.toStdString();
    spec.format = format.toStdString();
    if (withPath)
        spec.path = dir.path().toStdString();
    QCOMPARE(messageOf<ConfigError>([&] { loadDataset(spec); }), message);
}

QTEST_GUILESS_MAIN(TestCatalogue)
#include "tst_catalogue.moc"
