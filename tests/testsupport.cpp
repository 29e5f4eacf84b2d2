#include "testsupport.h"

#include "data/transforms.h"

#include <QCoreApplication>
#include <QProcess>
#include <QtTest/QtTest>

#include <stb/stb_image_write.h>
#include <zlib.h>

#include <fstream>
#include <stdexcept>

namespace pds::test {

std::vector<std::uint8_t> idxBytes(const std::vector<std::uint32_t> &dims,
                                   const std::vector<std::uint8_t> &values)
{
    std::vector<std::uint8_t> out{0, 0, 0x08, static_cast<std::uint8_t>(dims.size())};
    for (auto d : dims)
        for (int shift : {24, 16, 8, 0})
            out.push_back(static_cast<std::uint8_t>((d >> shift) & 0xff));
    out.insert(out.end(), values.begin(), values.end());
    return out;
}

void writeBytes(const std::string &path, const std::vector<std::uint8_t> &bytes, bool gzip)
{
    if (gzip) {
        gzFile f = gzopen(path.c_str(), "wb");
        if (!f)
            throw std::runtime_error("cannot write " + path);
        gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
        gzclose(f);
        return;
    }
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char *>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

void writeSyntheticIdx(const std::string &dir, int classes, int perClass, int perClassTest,
                       int size, std::uint64_t seed, bool gzip)
{
    Rng rng(seed);
    auto make = [&](int perClassCount, const std::string &imagesName, const std::string &labelsName) {
        std::vector<std::uint8_t> pixels, labels;
        const int n = classes * perClassCount;
        for (int i = 0; i < n; ++i) {
            const int c = i % classes;
            labels.push_back(static_cast<std::uint8_t>(c));
            // Class c lights a 3×3 square at a position of its own.
            const int cells = std::max(1, size / 3);
            const int cy = (c / cells) % cells * 3, cx = c % cells * 3;
            for (int y = 0; y < size; ++y)
                for (int x = 0; x < size; ++x) {
                    const bool on = y >= cy && y < cy + 3 && x >= cx && x < cx + 3;
                    pixels.push_back(static_cast<std::uint8_t>(on ? 200 + rng.below(56) : rng.below(60)));
                }
        }
        const std::string sfx = gzip ? ".gz" : "";
        writeBytes(dir + "/" + imagesName + sfx,
                   idxBytes({std::uint32_t(n), std::uint32_t(size), std::uint32_t(size)}, pixels), gzip);
        writeBytes(dir + "/" + labelsName + sfx, idxBytes({std::uint32_t(n)}, labels), gzip);
    };
    make(perClass, "train-images-idx3-ubyte", "train-labels-idx1-ubyte");
    make(perClassTest, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");
}

void writePng(const std::string &path, int w, int h, int channels, std::uint8_t value)
{
    std::vector<std::uint8_t> pixels(static_cast<std::size_t>(w * h * channels), value);
    if (!stbi_write_png(path.c_str(), w, h, channels, pixels.data(), w * channels))
        throw std::runtime_error("cannot write " + path);
}

void writePngPixels(const std::string &path, int w, int h, int channels,
                    const std::vector<std::uint8_t> &pixels)
{
    if (pixels.size() != static_cast<std::size_t>(w * h * channels))
        throw std::invalid_argument("writePngPixels: pixel count does not match the size");
    if (!stbi_write_png(path.c_str(), w, h, channels, pixels.data(), w * channels))
        throw std::runtime_error("cannot write " + path);
}

QString runPython(const QString &code, bool *ok)
{
    QString python = qEnvironmentVariable("PDS_PYTHON3", "/usr/bin/python3");
    QProcess p;
    p.start(python, {"-c", code});
    const bool finished = p.waitForFinished(120000);
    *ok = finished && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    if (!*ok)
        qWarning().noquote() << "python failed:" << p.readAllStandardError();
    return QString::fromUtf8(p.readAllStandardOutput());
}

QString pdepthPath()
{
    // CTest names the binary; run by hand, a test finds it beside the tests in the build tree.
    const QString fromCTest = qEnvironmentVariable("PDS_PDEPTH");
    if (!fromCTest.isEmpty())
        return fromCTest;
    return QCoreApplication::applicationDirPath() + "/../bin/pdepth";
}

Outcome pdepth(const QStringList &args, int timeoutMs)
{
    QProcess p;
    p.start(pdepthPath(), args);
    Outcome o;
    if (!p.waitForStarted(30000)) {
        o.err = "could not start " + pdepthPath();
        return o;
    }
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        o.err = "timed out";
        return o;
    }
    o.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    o.out = QString::fromUtf8(p.readAllStandardOutput());
    o.err = QString::fromUtf8(p.readAllStandardError());
    return o;
}

QString describe(const Outcome &o)
{
    return QStringLiteral("exit %1\nstdout: %2\nstderr: %3").arg(o.exitCode).arg(o.out, o.err);
}

} // namespace pds::test
