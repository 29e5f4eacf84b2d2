#include "data/readers.h"

#include "util/error.h"

#include <stb/stb_image.h>

#include <algorithm>
#include <filesystem>
#include <memory>

namespace fs = std::filesystem;

namespace pds {

namespace {

/// The most pixels an image may have (8192×8192). Datasets for this tool are
/// small images kept whole in memory; the limit also stops a few bytes of
/// header that claim a vast image (stb_image "decodes" truncated PNM data)
/// from costing gigabytes.
constexpr std::int64_t kMaxImagePixels = std::int64_t(1) << 26;

bool isImageFile(const fs::path &p)
{
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

std::vector<std::string> sortedSubfolders(const fs::path &dir)
{
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto &e : fs::directory_iterator(dir, ec))
        if (e.is_directory(ec) && e.path().filename().string().front() != '.')
            names.push_back(e.path().filename().string());
    if (ec)
        throw DatasetError(dir.string(), "cannot list folder (" + ec.message() + ")");
    std::sort(names.begin(), names.end());
    return names;
}

struct ImageEntry {
    fs::path path;
    int label;
};

std::vector<ImageEntry> listImages(const fs::path &root, const std::vector<std::string> &classes)
{
    std::vector<ImageEntry> entries;
    for (std::size_t c = 0; c < classes.size(); ++c) {
        const fs::path dir = root / classes[c];
        std::error_code ec;
        if (!fs::is_directory(dir, ec))
            continue; // a class may be absent from one split
        std::vector<fs::path> files;
        for (const auto &e : fs::directory_iterator(dir, ec))
            if (e.is_regular_file(ec) && isImageFile(e.path()))
                files.push_back(e.path());
        if (ec)
            throw DatasetError(dir.string(), "cannot list folder (" + ec.message() + ")");
        std::sort(files.begin(), files.end());
        for (auto &f : files)
            entries.push_back({std::move(f), static_cast<int>(c)});
    }
    return entries;
}

/// Checks every image's header so that size and channel count are settled
/// before any pixel is decoded.
void probeShapes(const std::vector<ImageEntry> &entries, int &width, int &height, int &channels)
{
    for (const auto &e : entries) {
        int w = 0, h = 0, c = 0;
        if (!stbi_info(e.path.string().c_str(), &w, &h, &c))
            throw DatasetError(e.path.string(), std::string("unreadable image (")
                                                    + stbi_failure_reason() + ")");
        // stb_image accepts some headers (BMP, for one) that declare zero columns or rows.
        if (w <= 0 || h <= 0)
            throw DatasetError(e.path.string(), "image has no pixels (" + std::to_string(w) + "×"
                                                    + std::to_string(h) + ")");
        if (std::int64_t(w) * h > kMaxImagePixels)
            throw DatasetError(e.path.string(), "image is " + std::to_string(w) + "×" + std::to_string(h)
                                                    + ", more than the " + std::to_string(kMaxImagePixels)
                                                    + " pixels (8192×8192) an image may have");
        if (width == 0) {
            width = w;
            height = h;
        } else if (w != width || h != height) {
            throw DatasetError(e.path.string(), "image is " + std::to_string(w) + "×"
                                                    + std::to_string(h) + " but the others are "
                                                    + std::to_string(width) + "×"
                                                    + std::to_string(height));
        }
        // Grey (1), grey+alpha (2) map to grey; colour with or without alpha to RGB.
        channels = std::max(channels, c >= 3 ? 3 : 1);
    }
}

Split decode(const std::vector<ImageEntry> &entries, int width, int height, int channels)
{
    Split s;
    const std::size_t hw = std::size_t(width) * height;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        int w = 0, h = 0, c = 0;
        const std::unique_ptr<stbi_uc, void (*)(void *)> pixels(
            stbi_load(entries[i].path.string().c_str(), &w, &h, &c, channels), stbi_image_free);
        if (!pixels)
            throw DatasetError(entries[i].path.string(), std::string("unreadable image (")
                                                             + stbi_failure_reason() + ")");
        // The copy below trusts the probed size, so a file that decodes to another
        // size (changed on disk since, or a header stb_image reads two ways) must stop here.
        if (w != width || h != height)
            throw DatasetError(entries[i].path.string(),
                               "image decodes to " + std::to_string(w) + "×" + std::to_string(h)
                                   + " but its header says " + std::to_string(width) + "×"
                                   + std::to_string(height));
        // Headers are only claims (25 bytes of PNM can claim 16M×16M pixels), so room
        // for the whole split is made once an image has decoded at the probed size.
        if (i == 0)
            s.images.resize(entries.size() * hw * channels);
        std::uint8_t *dst = s.images.data() + i * hw * channels;
        for (std::size_t p = 0; p < hw; ++p)
            for (int ch = 0; ch < channels; ++ch)
                dst[ch * hw + p] = pixels.get()[p * channels + ch];
        s.labels.push_back(entries[i].label);
        s.cleanLabels.push_back(entries[i].label);
        s.sourceIndices.push_back(static_cast<std::int64_t>(i));
        s.noisy.push_back(0);
    }
    return s;
}

} // namespace

Dataset loadImageFolder(const std::string &rootPath)
{
    const fs::path root(rootPath);
    std::error_code ec;
    if (!fs::is_directory(root, ec))
        throw DatasetError(rootPath, "image folder not found");

    const bool hasSplits = fs::is_directory(root / "train", ec);
    const fs::path trainRoot = hasSplits ? root / "train" : root;
    const fs::path testRoot = root / "test";

    // Classes come from the train folder; a test folder may only use those.
    Dataset d;
    d.classNames = sortedSubfolders(trainRoot);
    if (d.classNames.empty())
        throw DatasetError(trainRoot.string(), "holds no class folders (expected <class>/<image>.png)");
    if (hasSplits && fs::is_directory(testRoot, ec))
        for (const auto &c : sortedSubfolders(testRoot))
            if (!std::binary_search(d.classNames.begin(), d.classNames.end(), c))
                throw DatasetError((testRoot / c).string(), "class is not in the train folder");

    const auto trainEntries = listImages(trainRoot, d.classNames);
    if (trainEntries.empty())
        throw DatasetError(trainRoot.string(), "holds no .png or .jpg images");
    const auto testEntries = hasSplits ? listImages(testRoot, d.classNames) : std::vector<ImageEntry>{};

    int width = 0, height = 0, channels = 0;
    probeShapes(trainEntries, width, height, channels);
    probeShapes(testEntries, width, height, channels);

    d.name = root.filename().string();
    d.format = "folder";
    d.source = rootPath;
    d.width = width;
    d.height = height;
    d.channels = channels;
    d.train = decode(trainEntries, width, height, channels);
    d.test = decode(testEntries, width, height, channels);
    d.validate();
    return d;
}

std::vector<Split> decodeImageFiles(const std::vector<std::vector<std::string>> &lists, int &channels,
                                    int &height, int &width)
{
    std::vector<std::vector<ImageEntry>> entries(lists.size());
    width = height = channels = 0;
    for (std::size_t l = 0; l < lists.size(); ++l) {
        for (const auto &file : lists[l])
            entries[l].push_back({fs::path(file), 0});
        probeShapes(entries[l], width, height, channels);
    }
    std::vector<Split> splits;
    for (const auto &e : entries)
        splits.push_back(decode(e, width, height, channels));
    return splits;
}

} // namespace pds
