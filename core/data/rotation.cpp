#include "data/targetdataset.h"

#include "data/transforms.h"
#include "util/seeds.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace pds {

namespace {

constexpr int kMinAngle = -45;
constexpr int kAngles = 91;

/// `count` examples of `split`, chosen at random, each with an angle: the
/// angles −45 … 45 repeated in turn, so every value has ⌊count / 91⌋ or one more.
TargetSplit rotatedSplit(const Split &split, std::int64_t count, int channels, int height, int width,
                         std::uint64_t seed)
{
    Rng rng(seed);
    std::vector<std::int64_t> order(static_cast<std::size_t>(split.size()));
    std::iota(order.begin(), order.end(), std::int64_t(0));
    rng.shuffle(order);
    if (count > 0 && count < split.size())
        order.resize(static_cast<std::size_t>(count));
    std::vector<int> angles(order.size());
    for (std::size_t i = 0; i < angles.size(); ++i)
        angles[i] = kMinAngle + static_cast<int>(i % kAngles);
    rng.shuffle(angles);
    const std::int64_t imageSize = std::int64_t(channels) * height * width;
    TargetSplit out;
    out.images.reserve(order.size() * static_cast<std::size_t>(imageSize));
    for (std::size_t i = 0; i < order.size(); ++i) {
        const auto src = order[i];
        const auto rotated = rotateImage(split.images.data() + src * imageSize, channels, height, width, angles[i]);
        out.images.insert(out.images.end(), rotated.begin(), rotated.end());
        out.cleanTargets.push_back(static_cast<float>(angles[i]));
        out.sourceIndices.push_back(split.sourceIndices.empty() ? src : split.sourceIndices[static_cast<std::size_t>(src)]);
    }
    out.targets = out.cleanTargets;
    return out;
}

} // namespace

std::vector<std::uint8_t> rotateImage(const std::uint8_t *image, int channels, int height, int width, double degrees)
{
    const double a = degrees * 3.14159265358979323846 / 180.0;
    const double c = std::cos(a), s = std::sin(a);
    const double cy = 0.5 * (height - 1), cx = 0.5 * (width - 1);
    std::vector<std::uint8_t> out(static_cast<std::size_t>(channels) * height * width, 0);
    const std::size_t plane = std::size_t(height) * width;
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            // Inverse mapping: where in the source does output pixel (x, y) come from.
            const double dx = x - cx, dy = y - cy;
            const double sx = c * dx - s * dy + cx, sy = s * dx + c * dy + cy;
            const int x0 = static_cast<int>(std::floor(sx)), y0 = static_cast<int>(std::floor(sy));
            const double fx = sx - x0, fy = sy - y0;
            for (int ch = 0; ch < channels; ++ch) {
                const std::uint8_t *p = image + ch * plane;
                auto at = [&](int yy, int xx) -> double {
                    return (yy < 0 || yy >= height || xx < 0 || xx >= width) ? 0.0 : p[std::size_t(yy) * width + xx];
                };
                const double v = (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1))
                                 + fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1));
                out[ch * plane + std::size_t(y) * width + x] =
                    static_cast<std::uint8_t>(std::clamp(std::lround(v), 0L, 255L));
            }
        }
    return out;
}

TargetDataset rotationBenchmark(const Dataset &source, std::int64_t limit, std::int64_t testLimit,
                                std::uint64_t seed)
{
    TargetDataset d;
    d.name = "rotation-" + source.name;
    d.format = "rotation";
    d.source = source.source;
    d.channels = source.channels;
    d.height = source.height;
    d.width = source.width;
    d.train = rotatedSplit(source.train, limit, d.channels, d.height, d.width, seed ^ seeds::kRotation);
    d.test = rotatedSplit(source.test, testLimit, d.channels, d.height, d.width,
                          (seed + seeds::kTestSubset) ^ seeds::kRotation);
    return d;
}

} // namespace pds
