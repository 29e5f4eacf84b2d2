// libFuzzer target: the CIFAR binary reader (parseCifarRecords) on the raw
// input, as CIFAR-10 records (one label byte) and as CIFAR-100 records (coarse
// and fine label bytes), each appended to a split that already holds one record.

#include "fuzzsupport.h"

#include "data/readers.h"
#include "util/error.h"

using namespace pds;
using pds::fuzz::require;

namespace {

constexpr std::size_t kPixels = 3 * 32 * 32;

void fuzzRecords(const std::uint8_t *data, std::size_t size, int labelBytes, int numClasses)
{
    // A split with one record already in it, so appending is exercised too.
    Split s;
    s.images.assign(kPixels, 0);
    s.labels = {0};
    s.cleanLabels = {0};
    s.sourceIndices = {0};
    s.noisy = {0};
    try {
        parseCifarRecords(data, size, labelBytes, numClasses, "input.bin", s);
    } catch (const pds::Error &) {
        // A failed parse may leave the split part-filled; only whole records count below.
        return;
    }
    const auto n = static_cast<std::size_t>(s.size());
    require(n == 1 + size / (std::size_t(labelBytes) + kPixels), "parseCifarRecords: one example per record");
    require(s.images.size() == n * kPixels, "parseCifarRecords: 3072 pixels per example");
    require(s.cleanLabels.size() == n && s.sourceIndices.size() == n && s.noisy.size() == n,
            "parseCifarRecords: per-example arrays agree");
    for (std::size_t i = 0; i < n; ++i) {
        require(s.labels[i] >= 0 && s.labels[i] < numClasses, "parseCifarRecords: labels lie in 0..K-1");
        require(s.sourceIndices[i] == static_cast<std::int64_t>(i), "parseCifarRecords: source indices count up");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    fuzzRecords(data, size, /*labelBytes=*/1, /*numClasses=*/10);
    fuzzRecords(data, size, /*labelBytes=*/2, /*numClasses=*/100);
    return 0;
}
