#include "data/readers.h"

#include "util/error.h"

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace pds {

namespace {

constexpr std::size_t kCifarPixels = 3 * 32 * 32;

std::vector<std::string> readLines(const fs::path &p)
{
    std::vector<std::string> lines;
    std::ifstream in(p);
    std::string line;
    while (std::getline(in, line)) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
            line.pop_back();
        if (!line.empty())
            lines.push_back(line);
    }
    return lines;
}

std::vector<std::string> numberedClasses(int n)
{
    std::vector<std::string> names;
    for (int i = 0; i < n; ++i)
        names.push_back("class " + std::to_string(i));
    return names;
}

void readCifarFile(const fs::path &p, int labelBytes, int numClasses, Split &out)
{
    std::error_code ec;
    if (!fs::is_regular_file(p, ec))
        throw DatasetError(p.string(), "file not found");
    const auto bytes = readFileBytes(p.string());
    parseCifarRecords(bytes.data(), bytes.size(), labelBytes, numClasses, p.string(), out);
}

} // namespace

void parseCifarRecords(const std::uint8_t *bytes, std::size_t size, int labelBytes,
                       int numClasses, const std::string &path, Split &out)
{
    const std::size_t record = static_cast<std::size_t>(labelBytes) + kCifarPixels;
    if (size == 0)
        throw DatasetError(path, "file is empty");
    if (size % record != 0)
        throw DatasetError(path, "file is truncated or not a CIFAR binary batch: "
                                     + std::to_string(size) + " bytes is not a whole number of "
                                     + std::to_string(record) + "-byte records");
    const std::size_t n = size / record;
    const std::size_t start = out.labels.size();
    out.images.reserve(out.images.size() + n * kCifarPixels);
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t *r = bytes + i * record;
        const int label = r[labelBytes - 1];
        if (label >= numClasses)
            throw DatasetError(path, "label " + std::to_string(label) + " of record "
                                         + std::to_string(i) + " is outside 0.."
                                         + std::to_string(numClasses - 1));
        out.labels.push_back(label);
        out.cleanLabels.push_back(label);
        out.sourceIndices.push_back(static_cast<std::int64_t>(start + i));
        out.noisy.push_back(0);
        out.images.insert(out.images.end(), r + labelBytes, r + record);
    }
}

Dataset loadCifarFolder(const std::string &dir, int variant)
{
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        throw DatasetError(dir, "dataset folder not found");
    if (variant != 10 && variant != 100)
        throw DatasetError(dir, "CIFAR variant must be 10 or 100");
    Dataset d;
    d.name = variant == 10 ? "cifar10" : "cifar100";
    d.format = d.name;
    d.source = dir;
    d.channels = 3;
    d.height = 32;
    d.width = 32;
    const fs::path root(dir);
    if (variant == 10) {
        d.classNames = readLines(root / "batches.meta.txt");
        if (d.classNames.size() != 10)
            d.classNames = numberedClasses(10);
        for (int b = 1; b <= 5; ++b)
            readCifarFile(root / ("data_batch_" + std::to_string(b) + ".bin"), 1, 10, d.train);
        readCifarFile(root / "test_batch.bin", 1, 10, d.test);
    } else {
        d.classNames = readLines(root / "fine_label_names.txt");
        if (d.classNames.size() != 100)
            d.classNames = numberedClasses(100);
        readCifarFile(root / "train.bin", 2, 100, d.train);
        readCifarFile(root / "test.bin", 2, 100, d.test);
    }
    d.validate();
    return d;
}

} // namespace pds
