// Tests of the image-folder reader: root/<class>/<image> and root/train|test/<class>/<image>.

#include "testsupport.h"

#include "data/readers.h"
#include "util/error.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <algorithm>
#include <fstream>

using namespace pds;
using namespace pds::test;

namespace {

/// Creates the folder of `file` (relative to `root`) and returns the file's path.
std::string place(const QTemporaryDir &root, const QString &file)
{
    const QString path = root.filePath(file);
    QDir().mkpath(QFileInfo(path).path());
    return path.toStdString();
}

/// A 24-bit BMP of w×h black pixels, written byte by byte so that its header
/// may say what no encoder would (zero columns, say).
std::vector<std::uint8_t> bmpBytes(std::int32_t w, std::int32_t h)
{
    const std::uint32_t rowBytes = (3 * static_cast<std::uint32_t>(std::max(w, 0)) + 3) / 4 * 4;
    const std::uint32_t pixelBytes = rowBytes * static_cast<std::uint32_t>(std::max(h, 0));
    std::vector<std::uint8_t> out{'B', 'M'};
    auto u32 = [&](std::uint32_t v) {
        for (int shift : {0, 8, 16, 24})
            out.push_back(static_cast<std::uint8_t>(v >> shift));
    };
    auto u16 = [&](std::uint16_t v) {
        out.push_back(static_cast<std::uint8_t>(v));
        out.push_back(static_cast<std::uint8_t>(v >> 8));
    };
    u32(54 + pixelBytes); // file size
    u32(0);               // reserved
    u32(54);              // offset of the pixels
    u32(40);              // BITMAPINFOHEADER
    u32(static_cast<std::uint32_t>(w));
    u32(static_cast<std::uint32_t>(h));
    u16(1);  // planes
    u16(24); // bits per pixel
    for (int i = 0; i < 6; ++i)
        u32(0); // no compression, sizes, resolution, palette
    out.resize(out.size() + pixelBytes, 0);
    return out;
}

} // namespace

class TestImageFolder : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void flatLayout();
    void splitLayout();
    void channels_data();
    void channels();
    void rgbPlanes();
    void ignoresOtherFiles();

    void errors_data();
    void errors();
    void missingFolder();
    void imageWithoutPixels();
    void vastClaimedSize();
};

void TestImageFolder::flatLayout()
{
    QTemporaryDir root;
    // Classes are sorted by name, whatever order they were created in.
    writePng(place(root, "zebra/b.png"), 4, 3, 1, 201);
    writePng(place(root, "zebra/a.png"), 4, 3, 1, 200);
    writePng(place(root, "apple/x.png"), 4, 3, 1, 10);
    writePng(place(root, "mango/m.PNG"), 4, 3, 1, 100);

    const Dataset d = loadImageFolder(root.path().toStdString());
    QCOMPARE(d.format, std::string("folder"));
    QCOMPARE(d.name, QFileInfo(root.path()).fileName().toStdString());
    QCOMPARE(d.classNames, (std::vector<std::string>{"apple", "mango", "zebra"}));
    QCOMPARE(d.channels, 1);
    QCOMPARE(d.width, 4);
    QCOMPARE(d.height, 3);
    QCOMPARE(d.train.size(), std::int64_t(4));
    QCOMPARE(d.test.size(), std::int64_t(0));
    QCOMPARE(d.train.labels, (std::vector<std::int32_t>{0, 1, 2, 2}));
    QCOMPARE(d.train.sourceIndices, (std::vector<std::int64_t>{0, 1, 2, 3}));
    // Images follow the labels; within a class, files are sorted by name.
    const std::uint8_t expected[] = {10, 100, 200, 201};
    for (int i = 0; i < 4; ++i)
        for (int p = 0; p < 12; ++p)
            QCOMPARE(d.train.images[static_cast<std::size_t>(i * 12 + p)], expected[i]);
}

void TestImageFolder::splitLayout()
{
    QTemporaryDir root;
    writePng(place(root, "train/dog/1.png"), 2, 2, 1, 50);
    writePng(place(root, "train/cat/1.png"), 2, 2, 1, 60);
    writePng(place(root, "train/cat/2.png"), 2, 2, 1, 61);
    // The test split may lack a class of the train split.
    writePng(place(root, "test/dog/1.png"), 2, 2, 1, 70);
    writePng(place(root, "test/dog/2.png"), 2, 2, 1, 71);

    const Dataset d = loadImageFolder(root.path().toStdString());
    QCOMPARE(d.classNames, (std::vector<std::string>{"cat", "dog"}));
    QCOMPARE(d.train.labels, (std::vector<std::int32_t>{0, 0, 1}));
    QCOMPARE(d.test.labels, (std::vector<std::int32_t>{1, 1}));
    QCOMPARE(d.test.images.front(), std::uint8_t(70));
    QCOMPARE(d.test.images.back(), std::uint8_t(71));
    QCOMPARE(d.test.sourceIndices, (std::vector<std::int64_t>{0, 1}));
}

void TestImageFolder::channels_data()
{
    QTest::addColumn<QList<int>>("imageChannels");
    QTest::addColumn<int>("expected");

    QTest::newRow("grey") << QList<int>{1, 1} << 1;
    QTest::newRow("grey and grey+alpha") << QList<int>{1, 2} << 1;
    QTest::newRow("grey and rgb") << QList<int>{1, 3} << 3;
    QTest::newRow("rgb") << QList<int>{3, 3} << 3;
    QTest::newRow("rgba") << QList<int>{4, 4} << 3;
    QTest::newRow("grey+alpha and rgba") << QList<int>{2, 4} << 3;
}

void TestImageFolder::channels()
{
    QFETCH(QList<int>, imageChannels);
    QFETCH(int, expected);
    QTemporaryDir root;
    for (int i = 0; i < imageChannels.size(); ++i)
        writePng(place(root, QStringLiteral("c%1/img.png").arg(i)), 3, 2, imageChannels[i], 90);
    const Dataset d = loadImageFolder(root.path().toStdString());
    QCOMPARE(d.channels, expected);
    QCOMPARE(d.train.images.size(), std::size_t(imageChannels.size()) * 3 * 2 * std::size_t(expected));
    // Uniform images stay uniform whatever conversion they went through.
    for (auto v : d.train.images)
        QCOMPARE(v, std::uint8_t(90));
}

void TestImageFolder::rgbPlanes()
{
    QTemporaryDir root;
    // A 2×1 RGB image: pixel 0 = (1,2,3), pixel 1 = (4,5,6); and a grey one.
    writePngPixels(place(root, "colour/a.png"), 2, 1, 3, {1, 2, 3, 4, 5, 6});
    writePngPixels(place(root, "grey/a.png"), 2, 1, 1, {7, 8});
    const Dataset d = loadImageFolder(root.path().toStdString());
    QCOMPARE(d.channels, 3);
    // Stored as planes (C×H×W); the grey image is repeated in every plane.
    QCOMPARE(d.train.images, (std::vector<std::uint8_t>{1, 4, 2, 5, 3, 6, 7, 8, 7, 8, 7, 8}));
}

void TestImageFolder::ignoresOtherFiles()
{
    QTemporaryDir root;
    writePng(place(root, "a/1.png"), 2, 2, 1, 1);
    writePng(place(root, "b/1.png"), 2, 2, 1, 2);
    std::ofstream(place(root, "b/notes.txt")) << "not an image";
    std::ofstream(place(root, "README")) << "not a class";
    writePng(place(root, ".hidden/1.png"), 2, 2, 1, 3);
    const Dataset d = loadImageFolder(root.path().toStdString());
    QCOMPARE(d.classNames, (std::vector<std::string>{"a", "b"}));
    QCOMPARE(d.train.size(), std::int64_t(2));
}

void TestImageFolder::errors_data()
{
    QTest::addColumn<QStringList>("pngs");      ///< "relative/path.png:WxH"
    QTest::addColumn<QStringList>("garbage");   ///< files holding garbage bytes
    QTest::addColumn<QStringList>("folders");   ///< empty folders
    QTest::addColumn<QString>("blamed");        ///< path (relative) the message names; "" = the root
    QTest::addColumn<QString>("message");

    QTest::newRow("empty folder") << QStringList{} << QStringList{} << QStringList{} << ""
                                  << "holds no class folders (expected <class>/<image>.png)";
    QTest::newRow("class folders without images")
        << QStringList{} << QStringList{"a/notes.txt"} << QStringList{"b"} << "" << "holds no .png or .jpg images";
    QTest::newRow("empty train folder") << QStringList{"test/a/1.png:2x2"} << QStringList{} << QStringList{"train"}
                                        << "train" << "holds no class folders";
    QTest::newRow("garbage png") << QStringList{"a/1.png:2x2", "b/1.png:2x2"} << QStringList{"b/2.png"}
                                 << QStringList{} << "b/2.png" << "unreadable image (";
    QTest::newRow("garbage jpg in test") << QStringList{"train/a/1.png:2x2", "train/b/1.png:2x2"}
                                         << QStringList{"test/a/broken.jpg"} << QStringList{} << "test/a/broken.jpg"
                                         << "unreadable image (";
    QTest::newRow("different sizes") << QStringList{"a/1.png:4x3", "b/1.png:5x4"} << QStringList{} << QStringList{}
                                     << "b/1.png" << "image is 5×4 but the others are 4×3";
    QTest::newRow("test size differs") << QStringList{"train/a/1.png:4x3", "train/b/1.png:4x3", "test/a/1.png:3x4"}
                                       << QStringList{} << QStringList{} << "test/a/1.png"
                                       << "image is 3×4 but the others are 4×3";
    QTest::newRow("test class not in train")
        << QStringList{"train/a/1.png:2x2", "train/b/1.png:2x2", "test/bird/1.png:2x2"} << QStringList{}
        << QStringList{} << "test/bird" << "class is not in the train folder";
    QTest::newRow("one class") << QStringList{"only/1.png:2x2", "only/2.png:2x2"} << QStringList{} << QStringList{}
                               << "" << "a dataset needs at least two classes";
}

void TestImageFolder::errors()
{
    QFETCH(QStringList, pngs);
    QFETCH(QStringList, garbage);
    QFETCH(QStringList, folders);
    QFETCH(QString, blamed);
    QFETCH(QString, message);

    QTemporaryDir root;
    for (const QString &spec : pngs) {
        const QStringList parts = spec.split(':');
        const QStringList size = parts[1].split('x');
        writePng(place(root, parts[0]), size[0].toInt(), size[1].toInt(), 1, 128);
    }
    for (const QString &file : garbage)
        std::ofstream(place(root, file)) << "this is not an image at all, just some text";
    for (const QString &folder : folders)
        QVERIFY(QDir().mkpath(root.filePath(folder)));

    const QString msg = messageOf<DatasetError>([&] { loadImageFolder(root.path().toStdString()); });
    PDS_VERIFY_MESSAGE(msg, (blamed.isEmpty() ? root.path() : root.filePath(blamed)) + ": " + message);
}

void TestImageFolder::missingFolder()
{
    QTemporaryDir root;
    const std::string missing = root.filePath("photos").toStdString();
    QCOMPARE(messageOf<DatasetError>([&] { loadImageFolder(missing); }),
             QString::fromStdString(missing + ": image folder not found"));
}

void TestImageFolder::imageWithoutPixels()
{
    // Found by fuzz_imagefolder: stb_image reads this BMP header as 0×2 pixels; the
    // zero width was taken for "no size yet", so the next image set the size and
    // decoding copied 2 columns out of a 0-column image (a heap overflow).
    QTemporaryDir root;
    const std::string empty = place(root, "a/empty.png"); // stb_image goes by content, not name
    writeBytes(empty, bmpBytes(0, 2));
    writePng(place(root, "b/1.png"), 2, 2, 1, 80);
    QCOMPARE(messageOf<DatasetError>([&] { loadImageFolder(root.path().toStdString()); }),
             QString::fromStdString(empty + ": image has no pixels (0×2)"));

    // The same header with real columns is a valid image.
    writeBytes(empty, bmpBytes(2, 2));
    const Dataset d = loadImageFolder(root.path().toStdString());
    QCOMPARE(d.width, 2);
    QCOMPARE(d.train.images.size(), std::size_t(2 * 2 * 2 * 3));
}

void TestImageFolder::vastClaimedSize()
{
    // Found by fuzz_imagefolder: 25 bytes of PNM header claim 16000000×16000000
    // pixels, and room for the whole split was allocated from the headers alone
    // (std::bad_alloc, not a DatasetError) before any image was decoded.
    QTemporaryDir root;
    const std::string claim = place(root, "a/claim.png");
    std::ofstream(claim, std::ios::binary) << "P5\n16000000 16000000\n255\n";
    std::ofstream(place(root, "b/claim.png"), std::ios::binary) << "P5\n16000000 16000000\n255\n";
    QCOMPARE(messageOf<DatasetError>([&] { loadImageFolder(root.path().toStdString()); }),
             QString::fromStdString(claim + ": image is 16000000×16000000, more than the 67108864 "
                                            "pixels (8192×8192) an image may have"));
}

QTEST_GUILESS_MAIN(TestImageFolder)
#include "tst_imagefolder.moc"
