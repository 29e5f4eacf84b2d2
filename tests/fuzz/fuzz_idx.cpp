// libFuzzer target: the IDX reader (parseIdx on the raw input, readIdxSplit on
// an image file and a label file cut from it).
//
// Input layout for the split: byte 0 is the class count - 1, bytes 1-2 the
// length of the image file (little-endian, clamped), then the image file's
// bytes, then the label file's bytes. Either file may be gzip-compressed,
// since readFileBytes inflates what starts with the gzip magic.

#include "fuzzsupport.h"

#include "data/readers.h"
#include "util/error.h"

#include <algorithm>

using namespace pds;
using pds::fuzz::require;

namespace {

void fuzzParse(const std::uint8_t *data, std::size_t size)
{
    try {
        const IdxArray a = parseIdx(data, size, "input");
        std::int64_t count = 1;
        for (const auto d : a.dims) {
            require(d > 0, "parseIdx: dimensions are positive");
            count *= d;
        }
        require(!a.dims.empty() && a.dims.size() <= 4, "parseIdx: rank is 1..4");
        require(static_cast<std::int64_t>(a.data.size()) == count, "parseIdx: data matches dims");
    } catch (const pds::Error &) {
    }
}

void fuzzSplit(const std::uint8_t *data, std::size_t size)
{
    if (size < 3)
        return;
    const int numClasses = data[0] + 1;
    const std::size_t rest = size - 3;
    const std::size_t imageSize = std::min<std::size_t>(data[1] | (std::size_t(data[2]) << 8), rest);
    const std::uint8_t *image = data + 3;
    const std::uint8_t *label = image + imageSize;

    const auto &dir = pds::fuzz::freshScratch();
    const auto imagesPath = dir.path() / "images-idx3-ubyte";
    const auto labelsPath = dir.path() / "labels-idx1-ubyte";
    pds::fuzz::writeFile(imagesPath, image, imageSize);
    pds::fuzz::writeFile(labelsPath, label, rest - imageSize);
    try {
        int c = 0, h = 0, w = 0;
        const Split s = readIdxSplit(imagesPath.string(), labelsPath.string(), numClasses, &c, &h, &w);
        require(c > 0 && h > 0 && w > 0, "readIdxSplit: shape is positive");
        const auto n = static_cast<std::size_t>(s.size());
        require(s.images.size() == n * std::size_t(c) * std::size_t(h) * std::size_t(w),
                "readIdxSplit: images match N×C×H×W");
        require(s.cleanLabels.size() == n && s.sourceIndices.size() == n && s.noisy.size() == n,
                "readIdxSplit: per-example arrays agree");
        for (const auto label : s.labels)
            require(label >= 0 && label < numClasses, "readIdxSplit: labels lie in 0..K-1");
    } catch (const pds::Error &) {
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    fuzzParse(data, size);
    fuzzSplit(data, size);
    return 0;
}
