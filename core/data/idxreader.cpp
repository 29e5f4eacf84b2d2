#include "data/readers.h"

#include "util/error.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <numeric>

namespace fs = std::filesystem;

namespace pds {

std::vector<std::uint8_t> readFileBytes(const std::string &path)
{
    std::error_code ec;
    if (!fs::exists(path, ec))
        throw DatasetError(path, "file not found");
    if (fs::is_directory(path, ec))
        throw DatasetError(path, "is a folder, not a file");

    // gzopen reads plain files transparently, so one path serves both.
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f)
        throw DatasetError(path, "cannot open file for reading");
    gzbuffer(f, 1 << 20);

    std::vector<std::uint8_t> out;
    std::vector<std::uint8_t> chunk(1 << 20);
    for (;;) {
        const int n = gzread(f, chunk.data(), static_cast<unsigned>(chunk.size()));
        if (n < 0) {
            int err = 0;
            const std::string msg = gzerror(f, &err);
            gzclose(f);
            throw DatasetError(path, "corrupt compressed data (" + msg + ")");
        }
        if (n == 0)
            break;
        out.insert(out.end(), chunk.begin(), chunk.begin() + n);
    }
    int err = Z_OK;
    gzerror(f, &err);
    const int closeResult = gzclose(f);
    // A gzip stream cut short reads without error but reports Z_BUF_ERROR.
    if (err == Z_BUF_ERROR || closeResult == Z_BUF_ERROR)
        throw DatasetError(path, "compressed file is truncated");
    if (err != Z_OK && err != Z_STREAM_END)
        throw DatasetError(path, "corrupt compressed data");
    return out;
}

IdxArray parseIdx(const std::uint8_t *bytes, std::size_t size, const std::string &path)
{
    if (size < 4)
        throw DatasetError(path, "file is too short for an IDX header (" + std::to_string(size)
                                     + " bytes)");
    if (bytes[0] != 0 || bytes[1] != 0)
        throw DatasetError(path, "wrong magic number: not an IDX file");
    if (bytes[2] != 0x08) {
        char type[8];
        std::snprintf(type, sizeof type, "0x%02x", bytes[2]);
        throw DatasetError(path, "IDX element type " + std::string(type)
                                     + " is not supported (only unsigned bytes, 0x08)");
    }
    const int rank = bytes[3];
    if (rank < 1 || rank > 4)
        throw DatasetError(path, "IDX rank " + std::to_string(rank) + " is not supported");
    const std::size_t header = 4 + 4 * static_cast<std::size_t>(rank);
    if (size < header)
        throw DatasetError(path, "file is truncated inside the IDX header");

    IdxArray a;
    std::int64_t count = 1;
    for (int d = 0; d < rank; ++d) {
        const std::uint8_t *p = bytes + 4 + 4 * d;
        const std::int64_t dim = (std::int64_t(p[0]) << 24) | (std::int64_t(p[1]) << 16)
                                 | (std::int64_t(p[2]) << 8) | std::int64_t(p[3]);
        if (dim == 0)
            throw DatasetError(path, "IDX dimension " + std::to_string(d) + " is zero");
        if (count > (std::int64_t(1) << 40) / dim)
            throw DatasetError(path, "IDX dimensions are implausibly large");
        count *= dim;
        a.dims.push_back(dim);
    }
    const std::size_t expected = header + static_cast<std::size_t>(count);
    if (size < expected)
        throw DatasetError(path, "file is truncated: header promises " + std::to_string(count)
                                     + " values but only " + std::to_string(size - header)
                                     + " are present");
    if (size > expected)
        throw DatasetError(path, "file has " + std::to_string(size - expected)
                                     + " unexpected trailing bytes");
    a.data.assign(bytes + header, bytes + expected);
    return a;
}

Split readIdxSplit(const std::string &imagesPath, const std::string &labelsPath, int numClasses,
                   int *channels, int *height, int *width)
{
    const auto imageBytes = readFileBytes(imagesPath);
    IdxArray images = parseIdx(imageBytes.data(), imageBytes.size(), imagesPath);
    const auto labelBytes = readFileBytes(labelsPath);
    IdxArray labels = parseIdx(labelBytes.data(), labelBytes.size(), labelsPath);

    if (images.dims.size() != 3 && images.dims.size() != 4)
        throw DatasetError(imagesPath, "expected images of rank 3 (N×H×W) or 4 (N×H×W×C), found rank "
                                           + std::to_string(images.dims.size()));
    if (labels.dims.size() != 1)
        throw DatasetError(labelsPath, "expected labels of rank 1, found rank "
                                           + std::to_string(labels.dims.size()));
    const std::int64_t n = images.dims[0];
    if (labels.dims[0] != n)
        throw DatasetError(labelsPath, "holds " + std::to_string(labels.dims[0])
                                           + " labels but " + imagesPath + " holds "
                                           + std::to_string(n) + " images");
    *height = static_cast<int>(images.dims[1]);
    *width = static_cast<int>(images.dims[2]);
    *channels = images.dims.size() == 4 ? static_cast<int>(images.dims[3]) : 1;

    Split s;
    s.labels.resize(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) {
        const int label = labels.data[static_cast<std::size_t>(i)];
        if (label >= numClasses)
            throw DatasetError(labelsPath, "label " + std::to_string(label) + " of example "
                                               + std::to_string(i) + " is outside 0.."
                                               + std::to_string(numClasses - 1));
        s.labels[static_cast<std::size_t>(i)] = label;
    }
    s.cleanLabels = s.labels;
    s.sourceIndices.resize(static_cast<std::size_t>(n));
    std::iota(s.sourceIndices.begin(), s.sourceIndices.end(), 0);
    s.noisy.assign(static_cast<std::size_t>(n), 0);

    if (*channels == 1) {
        s.images = std::move(images.data);
    } else {
        // IDX stores interleaved channels (HWC); we keep planes (CHW).
        const std::int64_t hw = std::int64_t(*height) * *width;
        s.images.resize(images.data.size());
        for (std::int64_t i = 0; i < n; ++i)
            for (std::int64_t p = 0; p < hw; ++p)
                for (int c = 0; c < *channels; ++c)
                    s.images[static_cast<std::size_t>((i * *channels + c) * hw + p)] =
                        images.data[static_cast<std::size_t>((i * hw + p) * *channels + c)];
    }
    return s;
}

namespace {

std::string findIdxFile(const std::string &dir, const std::vector<std::string> &stems)
{
    for (const auto &stem : stems)
        for (const char *suffix : {"", ".gz"}) {
            const fs::path p = fs::path(dir) / (stem + suffix);
            std::error_code ec;
            if (fs::is_regular_file(p, ec))
                return p.string();
        }
    throw DatasetError(dir, "no " + stems.front() + "[.gz] file in this folder");
}

/// Refuses labels counted into classes (no class names, no class count)
/// that leave a class without any example: a stray label such as 42 in a
/// ten-class file would otherwise make a 43-class model in silence.
void requireNoEmptyClass(const Split &train, const std::string &trainLabels, const Split &test,
                         const std::string &testLabels)
{
    std::vector<std::int64_t> counts(256, 0);
    for (const Split *s : {&train, &test})
        for (const auto label : s->labels)
            ++counts[static_cast<std::size_t>(label)];
    int largest = 255;
    while (largest > 0 && counts[static_cast<std::size_t>(largest)] == 0)
        --largest;
    int empty = 0;
    while (empty < largest && counts[static_cast<std::size_t>(empty)] > 0)
        ++empty;
    if (empty >= largest)
        return;
    int emptyEnd = empty;
    while (counts[static_cast<std::size_t>(emptyEnd + 1)] == 0)
        ++emptyEnd;
    const std::string gap = empty == emptyEnd ? "class " + std::to_string(empty)
                                              : "classes " + std::to_string(empty) + ".." + std::to_string(emptyEnd);
    // Name the first example whose label lies beyond the gap: the likely stray.
    for (const auto &[split, path] : {std::pair{&train, &trainLabels}, std::pair{&test, &testLabels}})
        for (std::size_t i = 0; i < split->labels.size(); ++i)
            if (split->labels[i] > emptyEnd)
                throw DatasetError(*path, "label " + std::to_string(split->labels[i]) + " of example "
                                              + std::to_string(i) + " leaves " + gap
                                              + " without any example; if the dataset has "
                                              + std::to_string(largest + 1)
                                              + " classes, give the class count (--classes "
                                              + std::to_string(largest + 1) + ")");
}

} // namespace

Dataset loadIdxFolder(const std::string &dir, const std::string &name,
                      const std::vector<std::string> &classNames, int numClasses)
{
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        throw DatasetError(dir, "dataset folder not found");
    Dataset d;
    d.name = name;
    d.format = "idx";
    d.source = dir;
    d.classNames = classNames;
    // Without names or a count, any byte is a valid label and the classes are counted below.
    if (classNames.empty() && numClasses > 0)
        for (int i = 0; i < numClasses; ++i)
            d.classNames.push_back(std::to_string(i));
    const int k = d.classNames.empty() ? 256 : static_cast<int>(d.classNames.size());
    const std::string trainLabels = findIdxFile(dir, {"train-labels-idx1-ubyte", "train-labels.idx1-ubyte"});
    const std::string testLabels = findIdxFile(dir, {"t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"});
    int c = 0, h = 0, w = 0, ct = 0, ht = 0, wt = 0;
    d.train = readIdxSplit(findIdxFile(dir, {"train-images-idx3-ubyte", "train-images.idx3-ubyte"}),
                           trainLabels, k, &c, &h, &w);
    const std::string testImages =
        findIdxFile(dir, {"t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"});
    d.test = readIdxSplit(testImages, testLabels, k, &ct, &ht, &wt);
    if (c != ct || h != ht || w != wt)
        throw DatasetError(testImages, "test images are " + std::to_string(ht) + "×"
                                           + std::to_string(wt) + " but train images are "
                                           + std::to_string(h) + "×" + std::to_string(w));
    if (d.classNames.empty()) {
        requireNoEmptyClass(d.train, trainLabels, d.test, testLabels);
        int largest = 0;
        for (const Split *s : {&d.train, &d.test})
            for (const auto label : s->labels)
                largest = std::max(largest, static_cast<int>(label));
        for (int i = 0; i <= largest; ++i)
            d.classNames.push_back(std::to_string(i));
    }
    d.channels = c;
    d.height = h;
    d.width = w;
    d.validate();
    return d;
}

} // namespace pds
