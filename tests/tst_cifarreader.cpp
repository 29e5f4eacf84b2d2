// Tests of the CIFAR-10/100 binary reader: parseCifarRecords and loadCifarFolder.

#include "testsupport.h"

#include "data/readers.h"
#include "util/error.h"

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <fstream>

using namespace pds;
using namespace pds::test;

namespace {

constexpr std::size_t kPixels = 3 * 32 * 32;

/// The pixel bytes of record `id`: a pattern that differs per record and per position.
std::vector<std::uint8_t> pixelsOf(int id)
{
    std::vector<std::uint8_t> p(kPixels);
    for (std::size_t j = 0; j < kPixels; ++j)
        p[j] = static_cast<std::uint8_t>((id * 31 + j * 7) % 256);
    return p;
}

/// One binary record: the label bytes, then the 3072 pixels of record `id`.
std::vector<std::uint8_t> record(std::vector<std::uint8_t> labelBytes, int id)
{
    auto pixels = pixelsOf(id);
    labelBytes.insert(labelBytes.end(), pixels.begin(), pixels.end());
    return labelBytes;
}

std::vector<std::uint8_t> concat(const std::vector<std::vector<std::uint8_t>> &parts)
{
    std::vector<std::uint8_t> out;
    for (const auto &p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

void writeText(const std::string &path, const std::string &text)
{
    std::ofstream(path) << text;
}

/// A CIFAR-10 folder: five batches of two records, a test batch of three.
/// Train record b*2+i has label (b*2+i) % 10 and pixel pattern b*2+i.
void writeCifar10Folder(const std::string &dir)
{
    for (int b = 0; b < 5; ++b)
        writeBytes(dir + "/data_batch_" + std::to_string(b + 1) + ".bin",
                   concat({record({std::uint8_t((b * 2) % 10)}, b * 2),
                           record({std::uint8_t((b * 2 + 1) % 10)}, b * 2 + 1)}));
    writeBytes(dir + "/test_batch.bin",
               concat({record({9}, 100), record({0}, 101), record({4}, 102)}));
    writeText(dir + "/batches.meta.txt",
              "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n");
}

} // namespace

class TestCifarReader : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parseRecords_data();
    void parseRecords();
    void parseRecords_appends();
    void parseRecords_malformed_data();
    void parseRecords_malformed();

    void loadCifar10();
    void loadCifar10_gzipAndWithoutNames();
    void loadCifar100();
    void loadCifar_missingBatch();
    void loadCifar_badBatch();
    void loadCifar_missingFolder();
    void loadCifar_badVariant();
};

void TestCifarReader::parseRecords_data()
{
    QTest::addColumn<int>("labelBytes");
    QTest::addColumn<int>("numClasses");
    QTest::addColumn<QByteArray>("labels"); ///< label bytes of each record, labelBytes per record
    QTest::addColumn<QList<int>>("expected");

    QTest::newRow("cifar10") << 1 << 10 << QByteArray("\x03\x00\x09", 3) << QList<int>{3, 0, 9};
    // CIFAR-100 records hold (coarse, fine); the fine label is the class.
    QTest::newRow("cifar100 fine label") << 2 << 100 << QByteArray("\x13\x2a\x00\x63\x05\x00", 6)
                                         << QList<int>{42, 99, 0};
}

void TestCifarReader::parseRecords()
{
    QFETCH(int, labelBytes);
    QFETCH(int, numClasses);
    QFETCH(QByteArray, labels);
    QFETCH(QList<int>, expected);

    std::vector<std::vector<std::uint8_t>> records;
    for (int r = 0; r < expected.size(); ++r)
        records.push_back(record(std::vector<std::uint8_t>(labels.begin() + r * labelBytes,
                                                           labels.begin() + (r + 1) * labelBytes),
                                 r));
    const auto bytes = concat(records);
    Split s;
    parseCifarRecords(bytes.data(), bytes.size(), labelBytes, numClasses, "mem", s);

    QCOMPARE(s.size(), std::int64_t(expected.size()));
    for (int r = 0; r < expected.size(); ++r) {
        QCOMPARE(s.labels[r], expected[r]);
        QCOMPARE(s.cleanLabels[r], expected[r]);
        QCOMPARE(s.sourceIndices[r], std::int64_t(r));
        QCOMPARE(s.noisy[r], std::uint8_t(0));
        // Records store R, G and B planes: the same N×C×H×W order the split keeps.
        const auto want = pixelsOf(r);
        QVERIFY(std::equal(want.begin(), want.end(), s.images.begin() + r * kPixels));
    }
    QCOMPARE(s.images.size(), expected.size() * kPixels);
}

void TestCifarReader::parseRecords_appends()
{
    // Batches are parsed into one split; indices continue across them.
    Split s;
    const auto first = concat({record({1}, 0), record({2}, 1)});
    const auto second = record({3}, 2);
    parseCifarRecords(first.data(), first.size(), 1, 10, "batch1", s);
    parseCifarRecords(second.data(), second.size(), 1, 10, "batch2", s);
    QCOMPARE(s.labels, (std::vector<std::int32_t>{1, 2, 3}));
    QCOMPARE(s.sourceIndices, (std::vector<std::int64_t>{0, 1, 2}));
    QVERIFY(std::equal(s.images.begin() + 2 * kPixels, s.images.end(), pixelsOf(2).begin()));
}

void TestCifarReader::parseRecords_malformed_data()
{
    QTest::addColumn<int>("labelBytes");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("message");

    auto q = [](const std::vector<std::uint8_t> &v) {
        return QByteArray(reinterpret_cast<const char *>(v.data()), static_cast<qsizetype>(v.size()));
    };
    auto two = concat({record({1}, 0), record({2}, 1)});
    QTest::newRow("empty") << 1 << QByteArray() << "file is empty";
    auto shortByOne = two;
    shortByOne.pop_back();
    QTest::newRow("one byte short") << 1 << q(shortByOne)
                                    << "6145 bytes is not a whole number of 3073-byte records";
    auto longByOne = two;
    longByOne.push_back(0);
    QTest::newRow("one byte long") << 1 << q(longByOne) << "6147 bytes is not a whole number of 3073-byte records";
    QTest::newRow("cifar10 file read as cifar100") << 2 << q(two)
                                                   << "6146 bytes is not a whole number of 3074-byte records";
    QTest::newRow("label 10") << 1 << q(concat({record({1}, 0), record({10}, 1)}))
                              << "label 10 of record 1 is outside 0..9";
    QTest::newRow("label 255") << 1 << q(record({255}, 0)) << "label 255 of record 0 is outside 0..9";
    QTest::newRow("cifar100 fine label 100") << 2 << q(record({3, 100}, 0))
                                             << "label 100 of record 0 is outside 0..99";
}

void TestCifarReader::parseRecords_malformed()
{
    QFETCH(int, labelBytes);
    QFETCH(QByteArray, bytes);
    QFETCH(QString, message);
    const std::vector<std::uint8_t> v(bytes.begin(), bytes.end());
    Split s;
    const QString msg = messageOf<DatasetError>([&] {
        parseCifarRecords(v.data(), v.size(), labelBytes, labelBytes == 1 ? 10 : 100, "dir/data_batch_1.bin", s);
    });
    PDS_VERIFY_MESSAGE(msg, "dir/data_batch_1.bin: ");
    PDS_VERIFY_MESSAGE(msg, message);
}

void TestCifarReader::loadCifar10()
{
    QTemporaryDir dir;
    const std::string p = dir.path().toStdString();
    writeCifar10Folder(p);
    const Dataset d = loadCifarFolder(p, 10);
    QCOMPARE(d.name, std::string("cifar10"));
    QCOMPARE(d.format, std::string("cifar10"));
    QCOMPARE(d.source, p);
    QCOMPARE(d.channels, 3);
    QCOMPARE(d.height, 32);
    QCOMPARE(d.width, 32);
    QCOMPARE(d.numClasses(), 10);
    QCOMPARE(d.classNames.front(), std::string("airplane"));
    QCOMPARE(d.classNames.back(), std::string("truck"));
    QCOMPARE(d.train.size(), std::int64_t(10));
    QCOMPARE(d.test.size(), std::int64_t(3));
    QCOMPARE(d.train.labels, (std::vector<std::int32_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
    QCOMPARE(d.test.labels, (std::vector<std::int32_t>{9, 0, 4}));
    // Batches are read in order 1..5.
    for (int i = 0; i < 10; ++i) {
        const auto want = pixelsOf(i);
        QVERIFY(std::equal(want.begin(), want.end(), d.train.images.begin() + i * kPixels));
    }
    const auto want = pixelsOf(102);
    QVERIFY(std::equal(want.begin(), want.end(), d.test.images.begin() + 2 * kPixels));
}

void TestCifarReader::loadCifar10_gzipAndWithoutNames()
{
    // A batch may be gzip-compressed under its usual name; without a usable
    // batches.meta.txt the classes are numbered.
    QTemporaryDir dir;
    const std::string p = dir.path().toStdString();
    writeCifar10Folder(p);
    writeBytes(p + "/data_batch_3.bin", concat({record({4}, 4), record({5}, 5)}), /*gzip=*/true);
    writeText(p + "/batches.meta.txt", "only\nthree\nnames\n");
    const Dataset d = loadCifarFolder(p, 10);
    QCOMPARE(d.train.size(), std::int64_t(10));
    QCOMPARE(d.train.labels[4], 4);
    QCOMPARE(d.classNames.front(), std::string("class 0"));
    QCOMPARE(d.classNames.back(), std::string("class 9"));
}

void TestCifarReader::loadCifar100()
{
    QTemporaryDir dir;
    const std::string p = dir.path().toStdString();
    writeBytes(p + "/train.bin", concat({record({0, 17}, 0), record({19, 99}, 1)}));
    writeBytes(p + "/test.bin", record({5, 42}, 2));
    std::string names;
    for (int i = 0; i < 100; ++i)
        names += "fine" + std::to_string(i) + "\r\n";
    writeText(p + "/fine_label_names.txt", names);
    const Dataset d = loadCifarFolder(p, 100);
    QCOMPARE(d.name, std::string("cifar100"));
    QCOMPARE(d.numClasses(), 100);
    QCOMPARE(d.classNames[42], std::string("fine42")); // trailing \r removed
    QCOMPARE(d.train.labels, (std::vector<std::int32_t>{17, 99}));
    QCOMPARE(d.test.labels, (std::vector<std::int32_t>{42}));
}

void TestCifarReader::loadCifar_missingBatch()
{
    QTemporaryDir dir;
    const std::string p = dir.path().toStdString();
    writeCifar10Folder(p);
    QVERIFY(QFile::remove(dir.filePath("data_batch_4.bin")));
    const QString msg = messageOf<DatasetError>([&] { loadCifarFolder(p, 10); });
    QCOMPARE(msg, QString::fromStdString(p + "/data_batch_4.bin: file not found"));

    writeCifar10Folder(p); // every batch back, then the test batch gone
    QVERIFY(QFile::remove(dir.filePath("test_batch.bin")));
    const QString testMsg = messageOf<DatasetError>([&] { loadCifarFolder(p, 10); });
    QCOMPARE(testMsg, QString::fromStdString(p + "/test_batch.bin: file not found"));
}

void TestCifarReader::loadCifar_badBatch()
{
    QTemporaryDir dir;
    const std::string p = dir.path().toStdString();
    writeCifar10Folder(p);
    writeBytes(p + "/data_batch_2.bin", std::vector<std::uint8_t>(100, 1));
    const QString msg = messageOf<DatasetError>([&] { loadCifarFolder(p, 10); });
    PDS_VERIFY_MESSAGE(msg, QString::fromStdString(p + "/data_batch_2.bin: file is truncated or not a CIFAR binary batch"));

    writeBytes(p + "/data_batch_2.bin", {});
    PDS_VERIFY_MESSAGE(messageOf<DatasetError>([&] { loadCifarFolder(p, 10); }),
                       QString::fromStdString(p + "/data_batch_2.bin: file is empty"));
}

void TestCifarReader::loadCifar_missingFolder()
{
    QTemporaryDir dir;
    const std::string missing = dir.filePath("cifar-10-batches-bin").toStdString();
    QCOMPARE(messageOf<DatasetError>([&] { loadCifarFolder(missing, 10); }),
             QString::fromStdString(missing + ": dataset folder not found"));
}

void TestCifarReader::loadCifar_badVariant()
{
    QTemporaryDir dir;
    PDS_VERIFY_MESSAGE(messageOf<DatasetError>([&] { loadCifarFolder(dir.path().toStdString(), 20); }),
                       "CIFAR variant must be 10 or 100");
}

QTEST_GUILESS_MAIN(TestCifarReader)
#include "tst_cifarreader.moc"
