#pragma once

#include "data/dataset.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <exception>
#include <string>
#include <vector>

/// Helpers that make small, exact test inputs on disk.
namespace pds::test {

/// Big-endian IDX bytes of unsigned bytes with the given dimensions.
std::vector<std::uint8_t> idxBytes(const std::vector<std::uint32_t> &dims,
                                   const std::vector<std::uint8_t> &values);
/// Writes bytes to a file, gzip-compressed when `gzip` is set.
void writeBytes(const std::string &path, const std::vector<std::uint8_t> &bytes, bool gzip = false);

/// A synthetic IDX dataset folder: `perClass` train and `perClassTest` test
/// images (h×w grey) per class, each class a distinct bright square on noise,
/// so a small network learns it in an epoch or two.
void writeSyntheticIdx(const std::string &dir, int classes, int perClass, int perClassTest,
                       int size = 12, std::uint64_t seed = 1, bool gzip = true);

/// A PNG of w×h with `channels` channels filled with `value`.
void writePng(const std::string &path, int w, int h, int channels, std::uint8_t value);
/// A PNG of w×h with `channels` channels from interleaved (row-major HWC) pixels.
void writePngPixels(const std::string &path, int w, int h, int channels,
                    const std::vector<std::uint8_t> &pixels);

/// Runs a Python snippet with Debian's python3 (which has h5py); returns its
/// standard output, or fails the test with its error output.
QString runPython(const QString &code, bool *ok);

/// The pdepth executable built beside the tests.
QString pdepthPath();

/// How a `pdepth` process ended.
struct Outcome {
    int exitCode = -1; ///< -1 when it crashed, did not start or timed out
    QString out, err;
};
/// Runs `pdepth args` to its end (killed after `timeoutMs`).
Outcome pdepth(const QStringList &args, int timeoutMs = 600000);
/// Exit code, stdout and stderr, for a failure message.
QString describe(const Outcome &o);

/// Runs `f` and returns the message of the `E` it throws. When it throws
/// nothing, or something else, the returned text says so, so that a check
/// like `QVERIFY2(msg.contains(fragment), qPrintable(msg))` fails readably.
template <typename E, typename F> QString messageOf(F &&f)
{
    try {
        f();
    } catch (const E &e) {
        return QString::fromStdString(e.what());
    } catch (const std::exception &e) {
        return QStringLiteral("<threw another exception type: %1>").arg(QString::fromStdString(e.what()));
    }
    return QStringLiteral("<no exception>");
}

} // namespace pds::test

/// Fails the test unless `message` contains `fragment`; shows both when it does not.
#define PDS_VERIFY_MESSAGE(message, fragment)                                                     \
    do {                                                                                          \
        const QString pdsMessage_ = (message);                                                    \
        const QString pdsFragment_ = (fragment);                                                  \
        QVERIFY2(pdsMessage_.contains(pdsFragment_),                                              \
                 qPrintable(QStringLiteral("message \"%1\" lacks \"%2\"").arg(pdsMessage_, pdsFragment_))); \
    } while (false)
