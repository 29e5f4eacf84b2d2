#include "mutationsupport.h"

#include "store/h5inspect.h"
#include "study/study.h"
#include "testsupport.h"
#include "train/runjob.h"
#include "util/error.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <numeric>

namespace fs = std::filesystem;

namespace pds::test {

RunFiles makeTinyRunFiles(const std::string &dir)
{
    RunConfig c;
    c.dataset.name = "synthetic";
    c.dataset.format = "idx";
    c.dataset.path = dir + "/data";
    fs::create_directories(c.dataset.path);
    writeSyntheticIdx(c.dataset.path, 4, 30, 5);
    c.model.arch = "mlp";
    c.model.mlpHiddenUnits = 16;
    c.model.mlpHiddenLayers = 1;
    c.train.epochs = 2;
    c.train.device = DeviceChoice::Cpu;
    c.train.threads = 1;
    c.study.k = 3;
    CancelToken cancel;
    RunFiles files;
    RunConfig single = c;
    single.study.probe = true;
    single.output = files.run = dir + "/run.h5";
    RunJob(single).run(nullptr, cancel);
    RunConfig study = c;
    study.study.models = 2;
    study.study.ratio = 0.5;
    study.output = files.study = dir + "/study.h5";
    StudyJob(study).run(nullptr, cancel);
    return files;
}

Mutation mutate(const std::vector<char> &original, std::mt19937_64 &rng)
{
    Mutation m;
    m.bytes = original;
    const std::size_t size = original.size();
    auto below = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
    switch (below(5)) {
    case 0: {
        m.kind = "random bytes";
        const std::size_t n = 1 + below(64);
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t at = below(size);
            m.bytes[at] = static_cast<char>(below(256));
            m.ranges.push_back({at, at + 1});
        }
        break;
    }
    case 1: {
        m.kind = "bit flips";
        const std::size_t n = 1 + below(16);
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t at = below(size);
            m.bytes[at] = static_cast<char>(m.bytes[at] ^ (1 << below(8)));
            m.ranges.push_back({at, at + 1});
        }
        break;
    }
    case 2: {
        m.kind = "truncation";
        const std::size_t keep = below(size);
        m.bytes.resize(keep);
        m.ranges.push_back({keep, size});
        break;
    }
    case 3: {
        m.kind = "zeroed block";
        const std::size_t length = std::min<std::size_t>(size, 1 + below(4096));
        const std::size_t at = below(size - length + 1);
        std::fill(m.bytes.begin() + static_cast<std::ptrdiff_t>(at),
                  m.bytes.begin() + static_cast<std::ptrdiff_t>(at + length), '\0');
        m.ranges.push_back({at, at + length});
        break;
    }
    default: {
        m.kind = "shuffled pages";
        constexpr std::size_t kPage = 4096;
        const std::size_t pages = size / kPage;
        if (pages < 2) {
            std::reverse(m.bytes.begin(), m.bytes.end());
            m.ranges.push_back({0, size});
            break;
        }
        std::vector<std::size_t> order(pages);
        std::iota(order.begin(), order.end(), 0);
        std::shuffle(order.begin(), order.end(), rng);
        for (std::size_t p = 0; p < pages; ++p)
            if (order[p] != p) {
                std::copy_n(original.begin() + static_cast<std::ptrdiff_t>(order[p] * kPage), kPage,
                            m.bytes.begin() + static_cast<std::ptrdiff_t>(p * kPage));
                m.ranges.push_back({p * kPage, (p + 1) * kPage});
            }
        break;
    }
    }
    // Changes that leave a byte as it was are not changes.
    m.ranges.erase(std::remove_if(m.ranges.begin(), m.ranges.end(),
                                  [&](const auto &r) {
                                      return r.second <= m.bytes.size()
                                             && std::equal(original.begin() + static_cast<std::ptrdiff_t>(r.first),
                                                           original.begin() + static_cast<std::ptrdiff_t>(r.second),
                                                           m.bytes.begin() + static_cast<std::ptrdiff_t>(r.first));
                                  }),
                   m.ranges.end());
    return m;
}

std::vector<char> readAll(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    return std::vector<char>(std::istreambuf_iterator<char>(in), {});
}

void writeAll(const std::string &path, const std::vector<char> &bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string contentDump(const std::string &path)
{
    {
        h5::Handle file = h5::openFile(path, false);
        std::string dump;
        for (const auto &name : h5::attributeNames(file))
            dump += h5::attributeBytes(file, name);
        for (const auto &e : h5::listObjects(file)) {
            dump += e.path + e.target;
            if (e.kind != h5::ObjectEntry::Kind::Group && e.kind != h5::ObjectEntry::Kind::Dataset)
                continue;
            h5::Handle obj = h5::openObject(file, e.path);
            for (const auto &name : h5::attributeNames(obj))
                dump += h5::attributeBytes(obj, name);
            if (e.kind == h5::ObjectEntry::Kind::Dataset) {
                dump += h5::datasetLayout(file, e.path);
                for (const double v : h5::readArray<double>(file, e.path))
                    dump += std::to_string(v) + ",";
            }
        }
        return dump;
    }
}

std::string regionOf(const std::string &path, const std::vector<std::pair<std::size_t, std::size_t>> &ranges)
{
    if (ranges.empty())
        return "no byte changed";
    const auto size = static_cast<std::size_t>(fs::file_size(path));
    bool chunk = false, end = false;
    std::vector<std::pair<std::size_t, std::size_t>> chunks;
    h5::Handle file = h5::openFile(path, false);
    for (const auto &e : h5::listObjects(file)) {
        if (e.kind != h5::ObjectEntry::Kind::Dataset)
            continue;
        h5::Handle ds = h5::openDataset(file, e.path);
        h5::Handle space(H5Dget_space(ds));
        hsize_t n = 0;
        if (H5Dget_num_chunks(ds, space, &n) < 0)
            continue;
        for (hsize_t i = 0; i < n; ++i) {
            haddr_t addr = 0;
            hsize_t bytes = 0;
            unsigned mask = 0;
            if (H5Dget_chunk_info(ds, space, i, nullptr, &mask, &addr, &bytes) >= 0)
                chunks.push_back({static_cast<std::size_t>(addr), static_cast<std::size_t>(addr + bytes)});
        }
    }
    bool other = false;
    for (const auto &r : ranges) {
        if (r.second > size || r.first >= size) {
            end = true;
            continue;
        }
        for (std::size_t b = r.first; b < r.second; ++b) {
            const bool inChunk = std::any_of(chunks.begin(), chunks.end(),
                                             [&](const auto &c) { return b >= c.first && b < c.second; });
            (inChunk ? chunk : other) = true;
        }
    }
    if (end)
        return "file end (truncation)";
    if (chunk && !other)
        return "dataset chunks";
    if (chunk)
        return "dataset chunks and metadata";
    return "metadata or free space";
}

} // namespace pds::test
