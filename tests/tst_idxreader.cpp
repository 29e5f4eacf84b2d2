// Tests of the IDX (MNIST-format) reader: parseIdx, readIdxSplit, loadIdxFolder.

#include "testsupport.h"

#include "data/readers.h"
#include "util/error.h"

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <filesystem>
#include <fstream>

using namespace pds;
using namespace pds::test;

namespace {

QByteArray toQBytes(const std::vector<std::uint8_t> &v)
{
    return QByteArray(reinterpret_cast<const char *>(v.data()), static_cast<qsizetype>(v.size()));
}

std::vector<std::uint8_t> fromQBytes(const QByteArray &b)
{
    return std::vector<std::uint8_t>(b.begin(), b.end());
}

std::vector<std::uint8_t> readRaw(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}

/// Writes an IDX folder by hand: train 3 images of 2×2, test 2 images.
void writeSmallFolder(const std::string &dir, bool gzip)
{
    const std::string sfx = gzip ? ".gz" : "";
    writeBytes(dir + "/train-images-idx3-ubyte" + sfx,
               idxBytes({3, 2, 2}, {0, 1, 2, 3, 10, 11, 12, 13, 250, 251, 252, 253}), gzip);
    writeBytes(dir + "/train-labels-idx1-ubyte" + sfx, idxBytes({3}, {2, 0, 1}), gzip);
    writeBytes(dir + "/t10k-images-idx3-ubyte" + sfx, idxBytes({2, 2, 2}, {5, 6, 7, 8, 9, 8, 7, 6}), gzip);
    writeBytes(dir + "/t10k-labels-idx1-ubyte" + sfx, idxBytes({2}, {1, 1}), gzip);
}

} // namespace

class TestIdxReader : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parseIdx_values();
    void parseIdx_malformed_data();
    void parseIdx_malformed();

    void readIdxSplit_happy_data();
    void readIdxSplit_happy();
    void readIdxSplit_interleavedChannels();
    void readIdxSplit_malformed_data();
    void readIdxSplit_malformed();
    void readIdxSplit_missingFile();
    void readFileBytes_truncatedGzip();
    void readFileBytes_corruptGzip();
    void readFileBytes_folder();

    void loadIdxFolder_happy_data();
    void loadIdxFolder_happy();
    void loadIdxFolder_alternativeNames();
    void loadIdxFolder_inferredClasses();
    void loadIdxFolder_strayLabelRefused();
    void loadIdxFolder_classCountGiven();
    void loadIdxFolder_synthetic();
    void loadIdxFolder_missingFolder();
    void loadIdxFolder_missingFile();
    void loadIdxFolder_testShapeDiffers();
    void loadIdxFolder_labelOutsideClasses();
};

void TestIdxReader::parseIdx_values()
{
    const auto bytes = idxBytes({2, 3}, {1, 2, 3, 4, 5, 6});
    const IdxArray a = parseIdx(bytes.data(), bytes.size(), "mem");
    QCOMPARE(a.dims, (std::vector<std::int64_t>{2, 3}));
    QCOMPARE(a.data, (std::vector<std::uint8_t>{1, 2, 3, 4, 5, 6}));

    // Dimensions are big-endian 32-bit: 0x00000102 = 258.
    const auto wide = idxBytes({258}, std::vector<std::uint8_t>(258, 7));
    const IdxArray b = parseIdx(wide.data(), wide.size(), "mem");
    QCOMPARE(b.dims, (std::vector<std::int64_t>{258}));
    QCOMPARE(b.data.size(), std::size_t(258));
}

void TestIdxReader::parseIdx_malformed_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("message");

    QTest::newRow("empty") << QByteArray() << "file is too short for an IDX header (0 bytes)";
    QTest::newRow("three bytes") << QByteArray("\0\0\x08", 3) << "file is too short for an IDX header (3 bytes)";
    QTest::newRow("wrong magic") << toQBytes({1, 2, 8, 1, 0, 0, 0, 1, 5}) << "wrong magic number: not an IDX file";
    QTest::newRow("gzip bytes as IDX") << toQBytes({0x1f, 0x8b, 8, 0, 0, 0, 0, 0}) << "wrong magic number";
    QTest::newRow("int16 elements") << toQBytes({0, 0, 0x0B, 1, 0, 0, 0, 1, 0, 5})
                                    << "IDX element type 0x0b is not supported (only unsigned bytes, 0x08)";
    QTest::newRow("float elements") << toQBytes({0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0})
                                    << "IDX element type 0x0d is not supported";
    QTest::newRow("rank 0") << toQBytes({0, 0, 8, 0}) << "IDX rank 0 is not supported";
    QTest::newRow("rank 5") << toQBytes({0, 0, 8, 5}) << "IDX rank 5 is not supported";
    QTest::newRow("truncated header") << toQBytes({0, 0, 8, 3, 0, 0, 0, 2, 0, 0})
                                      << "file is truncated inside the IDX header";
    QTest::newRow("zero dimension") << toQBytes(idxBytes({2, 0, 3}, {})) << "IDX dimension 1 is zero";
    QTest::newRow("huge dimensions")
        << toQBytes(idxBytes({0xffffffffu, 0xffffffffu, 0xffffffffu}, {}))
        << "IDX dimensions are implausibly large";
    QTest::newRow("truncated data") << toQBytes(idxBytes({2, 2, 3}, std::vector<std::uint8_t>(10, 1)))
                                    << "file is truncated: header promises 12 values but only 10 are present";
    QTest::newRow("header only") << toQBytes(idxBytes({4}, {}))
                                 << "header promises 4 values but only 0 are present";
    QTest::newRow("trailing bytes") << toQBytes(idxBytes({2, 2, 3}, std::vector<std::uint8_t>(15, 1)))
                                    << "file has 3 unexpected trailing bytes";
}

void TestIdxReader::parseIdx_malformed()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, message);
    const auto v = fromQBytes(bytes);
    const QString msg = messageOf<DatasetError>([&] { parseIdx(v.data(), v.size(), "some/file.idx"); });
    PDS_VERIFY_MESSAGE(msg, message);
    PDS_VERIFY_MESSAGE(msg, "some/file.idx: ");
}

void TestIdxReader::readIdxSplit_happy_data()
{
    QTest::addColumn<bool>("gzip");
    QTest::newRow("raw") << false;
    QTest::newRow("gzip") << true;
}

void TestIdxReader::readIdxSplit_happy()
{
    QFETCH(bool, gzip);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string images = dir.filePath("images").toStdString() + (gzip ? ".gz" : "");
    const std::string labels = dir.filePath("labels").toStdString() + (gzip ? ".gz" : "");
    std::vector<std::uint8_t> pixels;
    for (int i = 0; i < 4 * 2 * 3; ++i)
        pixels.push_back(static_cast<std::uint8_t>(i * 10));
    writeBytes(images, idxBytes({4, 2, 3}, pixels), gzip);
    writeBytes(labels, idxBytes({4}, {3, 0, 2, 1}), gzip);
    if (gzip) // the files really are compressed
        QCOMPARE(readRaw(images).at(0), std::uint8_t(0x1f));

    int c = 0, h = 0, w = 0;
    const Split s = readIdxSplit(images, labels, 4, &c, &h, &w);
    QCOMPARE(c, 1);
    QCOMPARE(h, 2);
    QCOMPARE(w, 3);
    QCOMPARE(s.size(), std::int64_t(4));
    QCOMPARE(s.images, pixels);
    QCOMPARE(s.labels, (std::vector<std::int32_t>{3, 0, 2, 1}));
    QCOMPARE(s.cleanLabels, s.labels);
    QCOMPARE(s.sourceIndices, (std::vector<std::int64_t>{0, 1, 2, 3}));
    QCOMPARE(s.noisy, (std::vector<std::uint8_t>(4, 0)));
}

void TestIdxReader::readIdxSplit_interleavedChannels()
{
    // Rank-4 IDX images are N×H×W×C; the split keeps planes (N×C×H×W).
    QTemporaryDir dir;
    const std::string images = dir.filePath("images").toStdString();
    const std::string labels = dir.filePath("labels").toStdString();
    // One 1×2 image of 3 channels: pixel 0 = (1,2,3), pixel 1 = (4,5,6).
    writeBytes(images, idxBytes({1, 1, 2, 3}, {1, 2, 3, 4, 5, 6}));
    writeBytes(labels, idxBytes({1}, {0}));
    int c = 0, h = 0, w = 0;
    const Split s = readIdxSplit(images, labels, 2, &c, &h, &w);
    QCOMPARE(c, 3);
    QCOMPARE(h, 1);
    QCOMPARE(w, 2);
    QCOMPARE(s.images, (std::vector<std::uint8_t>{1, 4, 2, 5, 3, 6}));
}

void TestIdxReader::readIdxSplit_malformed_data()
{
    QTest::addColumn<QByteArray>("images");
    QTest::addColumn<QByteArray>("labels");
    QTest::addColumn<bool>("blameLabels"); ///< the message names the labels file, else the images file
    QTest::addColumn<QString>("message");

    const auto fourImages = toQBytes(idxBytes({4, 2, 2}, std::vector<std::uint8_t>(16, 9)));
    QTest::newRow("more images than labels")
        << fourImages << toQBytes(idxBytes({3}, {0, 1, 2})) << true << "holds 3 labels but ";
    QTest::newRow("more labels than images")
        << fourImages << toQBytes(idxBytes({5}, {0, 1, 2, 3, 0})) << true << "holds 5 labels but ";
    QTest::newRow("label outside classes")
        << fourImages << toQBytes(idxBytes({4}, {0, 1, 7, 2})) << true
        << "label 7 of example 2 is outside 0..3";
    QTest::newRow("label 255") << fourImages << toQBytes(idxBytes({4}, {255, 1, 1, 2})) << true
                               << "label 255 of example 0 is outside 0..3";
    QTest::newRow("images of rank 2")
        << toQBytes(idxBytes({4, 4}, std::vector<std::uint8_t>(16, 9))) << toQBytes(idxBytes({4}, {0, 1, 2, 3}))
        << false << "expected images of rank 3 (N×H×W) or 4 (N×H×W×C), found rank 2";
    QTest::newRow("labels of rank 2")
        << fourImages << toQBytes(idxBytes({4, 1}, {0, 1, 2, 3})) << true
        << "expected labels of rank 1, found rank 2";
    QTest::newRow("truncated images")
        << toQBytes(idxBytes({4, 2, 2}, std::vector<std::uint8_t>(15, 9))) << toQBytes(idxBytes({4}, {0, 1, 2, 3}))
        << false << "header promises 16 values but only 15 are present";
    QTest::newRow("wrong magic in labels")
        << fourImages << toQBytes({0, 1, 8, 1, 0, 0, 0, 4, 0, 1, 2, 3}) << true << "wrong magic number";
}

void TestIdxReader::readIdxSplit_malformed()
{
    QFETCH(QByteArray, images);
    QFETCH(QByteArray, labels);
    QFETCH(bool, blameLabels);
    QFETCH(QString, message);
    QTemporaryDir dir;
    const std::string imagesPath = dir.filePath("img-idx3-ubyte").toStdString();
    const std::string labelsPath = dir.filePath("lbl-idx1-ubyte").toStdString();
    writeBytes(imagesPath, fromQBytes(images));
    writeBytes(labelsPath, fromQBytes(labels));
    int c = 0, h = 0, w = 0;
    const QString msg = messageOf<DatasetError>([&] { readIdxSplit(imagesPath, labelsPath, 4, &c, &h, &w); });
    PDS_VERIFY_MESSAGE(msg, message);
    PDS_VERIFY_MESSAGE(msg, QString::fromStdString(blameLabels ? labelsPath : imagesPath) + ": ");
}

void TestIdxReader::readIdxSplit_missingFile()
{
    QTemporaryDir dir;
    const std::string labels = dir.filePath("labels").toStdString();
    writeBytes(labels, idxBytes({1}, {0}));
    const std::string missing = dir.filePath("no-such-images").toStdString();
    int c = 0, h = 0, w = 0;
    const QString msg = messageOf<DatasetError>([&] { readIdxSplit(missing, labels, 2, &c, &h, &w); });
    QCOMPARE(msg, QString::fromStdString(missing + ": file not found"));
}

void TestIdxReader::readFileBytes_truncatedGzip()
{
    QTemporaryDir dir;
    const std::string whole = dir.filePath("whole.gz").toStdString();
    std::vector<std::uint8_t> values(4000);
    for (std::size_t i = 0; i < values.size(); ++i)
        values[i] = static_cast<std::uint8_t>((i * 7919) % 251);
    writeBytes(whole, idxBytes({4000}, values), /*gzip=*/true);
    QCOMPARE(readFileBytes(whole), idxBytes({4000}, values));

    auto bytes = readRaw(whole);
    QVERIFY(bytes.size() > 40);
    bytes.resize(bytes.size() / 2);
    const std::string cut = dir.filePath("cut-idx1-ubyte.gz").toStdString();
    writeBytes(cut, bytes);
    const QString msg = messageOf<DatasetError>([&] { readFileBytes(cut); });
    QCOMPARE(msg, QString::fromStdString(cut + ": compressed file is truncated"));

    // Through the IDX reader the same file gives the same message.
    int c = 0, h = 0, w = 0;
    const QString viaSplit = messageOf<DatasetError>([&] { readIdxSplit(cut, whole, 10, &c, &h, &w); });
    QCOMPARE(viaSplit, msg);
}

void TestIdxReader::readFileBytes_corruptGzip()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("corrupt.gz").toStdString();
    // A valid gzip header followed by a deflate stream that is nonsense.
    std::vector<std::uint8_t> bytes{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    for (int i = 0; i < 64; ++i)
        bytes.push_back(0xff);
    writeBytes(path, bytes);
    const QString msg = messageOf<DatasetError>([&] { readFileBytes(path); });
    PDS_VERIFY_MESSAGE(msg, QString::fromStdString(path + ": corrupt compressed data"));
}

void TestIdxReader::readFileBytes_folder()
{
    QTemporaryDir dir;
    const QString msg = messageOf<DatasetError>([&] { readFileBytes(dir.path().toStdString()); });
    QCOMPARE(msg, dir.path() + ": is a folder, not a file");
}

void TestIdxReader::loadIdxFolder_happy_data()
{
    QTest::addColumn<bool>("gzip");
    QTest::newRow("raw") << false;
    QTest::newRow("gzip") << true;
}

void TestIdxReader::loadIdxFolder_happy()
{
    QFETCH(bool, gzip);
    QTemporaryDir dir;
    writeSmallFolder(dir.path().toStdString(), gzip);
    const Dataset d = loadIdxFolder(dir.path().toStdString(), "tiny", {"a", "b", "c"});
    QCOMPARE(d.name, std::string("tiny"));
    QCOMPARE(d.format, std::string("idx"));
    QCOMPARE(d.source, dir.path().toStdString());
    QCOMPARE(d.classNames, (std::vector<std::string>{"a", "b", "c"}));
    QCOMPARE(d.channels, 1);
    QCOMPARE(d.height, 2);
    QCOMPARE(d.width, 2);
    QCOMPARE(d.train.size(), std::int64_t(3));
    QCOMPARE(d.test.size(), std::int64_t(2));
    QCOMPARE(d.train.images, (std::vector<std::uint8_t>{0, 1, 2, 3, 10, 11, 12, 13, 250, 251, 252, 253}));
    QCOMPARE(d.train.labels, (std::vector<std::int32_t>{2, 0, 1}));
    QCOMPARE(d.test.images, (std::vector<std::uint8_t>{5, 6, 7, 8, 9, 8, 7, 6}));
    QCOMPARE(d.test.labels, (std::vector<std::int32_t>{1, 1}));
    QCOMPARE(d.test.sourceIndices, (std::vector<std::int64_t>{0, 1}));
}

void TestIdxReader::loadIdxFolder_alternativeNames()
{
    // Some mirrors name the files train-images.idx3-ubyte and so on.
    QTemporaryDir dir;
    const std::string p = dir.path().toStdString();
    writeBytes(p + "/train-images.idx3-ubyte", idxBytes({2, 1, 1}, {1, 2}));
    writeBytes(p + "/train-labels.idx1-ubyte", idxBytes({2}, {0, 1}));
    writeBytes(p + "/t10k-images.idx3-ubyte", idxBytes({1, 1, 1}, {3}));
    writeBytes(p + "/t10k-labels.idx1-ubyte", idxBytes({1}, {1}));
    const Dataset d = loadIdxFolder(p, "alt", {"x", "y"});
    QCOMPARE(d.train.images, (std::vector<std::uint8_t>{1, 2}));
    QCOMPARE(d.test.labels, (std::vector<std::int32_t>{1}));
}

void TestIdxReader::loadIdxFolder_inferredClasses()
{
    // IDX files carry no class names: without a list or a count, classes are 0..the largest label.
    QTemporaryDir dir;
    const std::string p = dir.path().toStdString();
    writeBytes(p + "/train-images-idx3-ubyte", idxBytes({4, 1, 1}, {1, 2, 3, 4}));
    writeBytes(p + "/train-labels-idx1-ubyte", idxBytes({4}, {0, 3, 4, 1}));
    writeBytes(p + "/t10k-images-idx3-ubyte", idxBytes({2, 1, 1}, {4, 5}));
    writeBytes(p + "/t10k-labels-idx1-ubyte", idxBytes({2}, {5, 2}));
    const Dataset d = loadIdxFolder(p, "letters", {});
    QCOMPARE(d.numClasses(), 6);
    QCOMPARE(d.classNames.front(), std::string("0"));
    QCOMPARE(d.classNames.back(), std::string("5"));
    QCOMPARE(d.test.labels, (std::vector<std::int32_t>{5, 2}));
}

void TestIdxReader::loadIdxFolder_strayLabelRefused()
{
    // Ten classes and one stray label 42, which would otherwise make a 43-class model.
    QTemporaryDir dir;
    const std::string p = dir.path().toStdString();
    writeSyntheticIdx(p, 10, 3, 1, 4, 1, false);
    auto labels = readRaw(p + "/train-labels-idx1-ubyte");
    labels[8 + 17] = 42;
    writeBytes(p + "/train-labels-idx1-ubyte", labels);
    const QString msg = messageOf<DatasetError>([&] { loadIdxFolder(p, "custom", {}); });
    QCOMPARE(msg, QString::fromStdString(p + "/train-labels-idx1-ubyte: label 42 of example 17 leaves classes 10..41 "
                                             "without any example; if the dataset has 43 classes, give the class "
                                             "count (--classes 43)"));
}

void TestIdxReader::loadIdxFolder_classCountGiven()
{
    // With the count given, empty classes are the user's choice; labels beyond it are still refused.
    QTemporaryDir dir;
    const std::string p = dir.path().toStdString();
    writeBytes(p + "/train-images-idx3-ubyte", idxBytes({3, 1, 1}, {1, 2, 3}));
    writeBytes(p + "/train-labels-idx1-ubyte", idxBytes({3}, {0, 11, 4}));
    writeBytes(p + "/t10k-images-idx3-ubyte", idxBytes({2, 1, 1}, {4, 5}));
    writeBytes(p + "/t10k-labels-idx1-ubyte", idxBytes({2}, {13, 2}));
    PDS_VERIFY_MESSAGE(messageOf<DatasetError>([&] { loadIdxFolder(p, "letters", {}); }),
                       "train-labels-idx1-ubyte: label 11 of example 1 leaves class 1 without any example");
    const Dataset d = loadIdxFolder(p, "letters", {}, 14);
    QCOMPARE(d.numClasses(), 14);
    QCOMPARE(d.classNames.back(), std::string("13"));
    PDS_VERIFY_MESSAGE(messageOf<DatasetError>([&] { loadIdxFolder(p, "letters", {}, 12); }),
                       "t10k-labels-idx1-ubyte: label 13 of example 0 is outside 0..11");
}

void TestIdxReader::loadIdxFolder_synthetic()
{
    QTemporaryDir dir;
    writeSyntheticIdx(dir.path().toStdString(), 4, 5, 2, 9);
    const Dataset d = loadIdxFolder(dir.path().toStdString(), "synthetic", {"a", "b", "c", "d"});
    QCOMPARE(d.train.size(), std::int64_t(20));
    QCOMPARE(d.test.size(), std::int64_t(8));
    QCOMPARE(d.height, 9);
    QCOMPARE(d.width, 9);
    QCOMPARE(d.train.images.size(), std::size_t(20 * 81));
    for (std::int64_t i = 0; i < d.train.size(); ++i)
        QCOMPARE(d.train.labels[static_cast<std::size_t>(i)], std::int32_t(i % 4));
}

void TestIdxReader::loadIdxFolder_missingFolder()
{
    QTemporaryDir dir;
    const std::string missing = dir.filePath("nowhere").toStdString();
    const QString msg = messageOf<DatasetError>([&] { loadIdxFolder(missing, "x", {"a", "b"}); });
    QCOMPARE(msg, QString::fromStdString(missing + ": dataset folder not found"));
}

void TestIdxReader::loadIdxFolder_missingFile()
{
    QTemporaryDir dir;
    writeSmallFolder(dir.path().toStdString(), false);
    QVERIFY(QFile::remove(dir.filePath("t10k-labels-idx1-ubyte")));
    const QString msg = messageOf<DatasetError>([&] { loadIdxFolder(dir.path().toStdString(), "x", {"a", "b", "c"}); });
    QCOMPARE(msg, dir.path() + ": no t10k-labels-idx1-ubyte[.gz] file in this folder");
}

void TestIdxReader::loadIdxFolder_testShapeDiffers()
{
    QTemporaryDir dir;
    const std::string p = dir.path().toStdString();
    writeSmallFolder(p, false);
    writeBytes(p + "/t10k-images-idx3-ubyte", idxBytes({2, 3, 3}, std::vector<std::uint8_t>(18, 1)));
    const QString msg = messageOf<DatasetError>([&] { loadIdxFolder(p, "x", {"a", "b", "c"}); });
    PDS_VERIFY_MESSAGE(msg, "t10k-images-idx3-ubyte: test images are 3×3 but train images are 2×2");
}

void TestIdxReader::loadIdxFolder_labelOutsideClasses()
{
    QTemporaryDir dir;
    writeSmallFolder(dir.path().toStdString(), true);
    // Label 2 is present, but only two class names are given.
    const QString msg = messageOf<DatasetError>([&] { loadIdxFolder(dir.path().toStdString(), "x", {"a", "b"}); });
    PDS_VERIFY_MESSAGE(msg, "train-labels-idx1-ubyte.gz: label 2 of example 0 is outside 0..1");
}

QTEST_GUILESS_MAIN(TestIdxReader)
#include "tst_idxreader.moc"
