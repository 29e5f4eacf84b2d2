// libFuzzer target: the image-folder reader (loadImageFolder) on two images cut
// from the input and laid out as classes on disk.
//
// Input layout: byte 0 holds flags, bytes 1-2 the length of image A
// (little-endian, clamped), then image A's bytes, then image B's bytes.
//   bit 0  train/test layout: train/a/A, train/b/B and test/b/A (else a/A, b/B)
//   bit 1  image A is named .jpg (else .png); bit 2 the same for image B
//   bit 3  both images go to class a; class b is an empty folder
//   bit 4  the test folder also has a class c that train lacks
// stb_image picks the decoder by content, not by name, so every format it
// knows is reachable from either name.

#include "fuzzsupport.h"

#include "data/readers.h"
#include "util/error.h"

#include <algorithm>

using namespace pds;
using pds::fuzz::require;

namespace {

void checkSplit(const Dataset &d, const Split &s)
{
    const auto n = static_cast<std::size_t>(s.size());
    require(s.images.size() == n * static_cast<std::size_t>(d.imageSize()), "loadImageFolder: images match N×C×H×W");
    require(s.cleanLabels.size() == n && s.sourceIndices.size() == n && s.noisy.size() == n,
            "loadImageFolder: per-example arrays agree");
    for (const auto label : s.labels)
        require(label >= 0 && label < d.numClasses(), "loadImageFolder: labels lie in 0..K-1");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 3)
        return 0;
    const std::uint8_t flags = data[0];
    const std::size_t rest = size - 3;
    const std::size_t sizeA = std::min<std::size_t>(data[1] | (std::size_t(data[2]) << 8), rest);
    const std::uint8_t *a = data + 3;
    const std::uint8_t *b = a + sizeA;
    const std::size_t sizeB = rest - sizeA;

    const bool splits = flags & 1;
    const std::string extA = (flags & 2) ? ".jpg" : ".png";
    const std::string extB = (flags & 4) ? ".jpg" : ".png";
    const std::string classB = (flags & 8) ? "a" : "b";

    const auto &dir = pds::fuzz::freshScratch();
    const auto root = dir.path() / "images";
    const auto train = splits ? root / "train" : root;
    pds::fuzz::writeFile(train / "a" / ("0" + extA), a, sizeA);
    pds::fuzz::writeFile(train / classB / ("1" + extB), b, sizeB);
    std::error_code ec;
    std::filesystem::create_directories(train / "b", ec);
    if (splits) {
        pds::fuzz::writeFile(root / "test" / "b" / ("2" + extA), a, sizeA);
        if (flags & 16)
            pds::fuzz::writeFile(root / "test" / "c" / ("3" + extB), b, sizeB);
    }

    try {
        const Dataset d = loadImageFolder(root.string());
        require(d.numClasses() >= 2, "loadImageFolder: at least two classes");
        require(d.channels == 1 || d.channels == 3, "loadImageFolder: grey or RGB");
        require(d.train.size() >= 1, "loadImageFolder: train split is not empty");
        checkSplit(d, d.train);
        checkSplit(d, d.test);
    } catch (const pds::Error &) {
    }
    return 0;
}
