#include "data/transforms.h"

#include "util/error.h"
#include "util/seeds.h"

#include <algorithm>
#include <cmath>

namespace pds {

std::uint64_t Rng::next()
{
    std::uint64_t z = (m_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

std::uint64_t Rng::below(std::uint64_t n)
{
    // Rejection keeps the draw unbiased when n does not divide 2^64.
    const std::uint64_t limit = ~std::uint64_t(0) - (~std::uint64_t(0) % n);
    std::uint64_t x;
    do {
        x = next();
    } while (x >= limit);
    return x % n;
}

double Rng::uniform()
{
    return double(next() >> 11) * (1.0 / 9007199254740992.0);
}

std::vector<std::int64_t> stratifiedSubset(const std::vector<std::int32_t> &labels, int numClasses,
                                           std::int64_t limit, std::uint64_t seed)
{
    const auto n = static_cast<std::int64_t>(labels.size());
    if (limit < 0)
        throw ConfigError("subset size must not be negative");
    std::vector<std::int64_t> all(labels.size());
    for (std::int64_t i = 0; i < n; ++i)
        all[static_cast<std::size_t>(i)] = i;
    if (limit == 0 || limit >= n)
        return all;

    std::vector<std::vector<std::int64_t>> byClass(static_cast<std::size_t>(numClasses));
    for (std::int64_t i = 0; i < n; ++i)
        byClass[static_cast<std::size_t>(labels[static_cast<std::size_t>(i)])].push_back(i);

    // Largest-remainder allocation keeps class proportions and the exact total.
    std::vector<std::int64_t> quota(byClass.size());
    std::vector<std::pair<double, int>> remainders;
    std::int64_t assigned = 0;
    for (std::size_t c = 0; c < byClass.size(); ++c) {
        const double exact = double(limit) * double(byClass[c].size()) / double(n);
        quota[c] = static_cast<std::int64_t>(std::floor(exact));
        assigned += quota[c];
        remainders.push_back({exact - double(quota[c]), static_cast<int>(c)});
    }
    std::stable_sort(remainders.begin(), remainders.end(),
                     [](const auto &a, const auto &b) { return a.first > b.first; });
    for (std::size_t r = 0; assigned < limit && r < remainders.size(); ++r, ++assigned)
        ++quota[static_cast<std::size_t>(remainders[r].second)];

    Rng rng(seed);
    std::vector<std::int64_t> picked;
    picked.reserve(static_cast<std::size_t>(limit));
    for (std::size_t c = 0; c < byClass.size(); ++c) {
        rng.shuffle(byClass[c]);
        picked.insert(picked.end(), byClass[c].begin(), byClass[c].begin() + quota[c]);
    }
    std::sort(picked.begin(), picked.end());
    return picked;
}

std::int64_t injectNoise(Split &split, int numClasses, const NoiseSpec &spec)
{
    if (spec.kind == NoiseSpec::Kind::Gaussian)
        throw ConfigError("Gaussian noise applies to regression targets only (--task regression)", "noise.kind");
    if (spec.kind == NoiseSpec::Kind::None || spec.fraction == 0.0)
        return 0;
    if (!(spec.fraction >= 0.0 && spec.fraction <= 1.0))
        throw ConfigError("label-noise fraction must lie in [0, 1], got "
                          + std::to_string(spec.fraction));
    if (numClasses < 2)
        throw ConfigError("label noise needs at least two classes");
    Rng rng(spec.seed ^ seeds::kNoise);
    std::int64_t changed = 0;
    auto flip = [&](std::int64_t i, int to) {
        split.labels[static_cast<std::size_t>(i)] = to;
        split.noisy[static_cast<std::size_t>(i)] =
            to != split.cleanLabels[static_cast<std::size_t>(i)] ? 1 : 0;
        ++changed;
    };

    if (spec.kind == NoiseSpec::Kind::Symmetric) {
        std::vector<std::int64_t> order(static_cast<std::size_t>(split.size()));
        for (std::size_t i = 0; i < order.size(); ++i)
            order[i] = static_cast<std::int64_t>(i);
        rng.shuffle(order);
        const auto count = static_cast<std::size_t>(std::llround(spec.fraction * double(order.size())));
        for (std::size_t k = 0; k < count; ++k) {
            const std::int64_t i = order[k];
            const int from = split.labels[static_cast<std::size_t>(i)];
            int to = static_cast<int>(rng.below(static_cast<std::uint64_t>(numClasses - 1)));
            if (to >= from)
                ++to;
            flip(i, to);
        }
        return changed;
    }

    if (static_cast<int>(spec.classMap.size()) != numClasses)
        throw ConfigError("asymmetric noise map has " + std::to_string(spec.classMap.size())
                          + " entries but the dataset has " + std::to_string(numClasses)
                          + " classes");
    for (int to : spec.classMap)
        if (to < 0 || to >= numClasses)
            throw ConfigError("asymmetric noise map names class " + std::to_string(to)
                              + ", outside 0.." + std::to_string(numClasses - 1));
    // Members are taken from the labels as given, so that a label moved by one
    // class (cat → dog) is not moved again by another (dog → cat).
    const std::vector<std::int32_t> given = split.labels;
    for (int c = 0; c < numClasses; ++c) {
        if (spec.classMap[static_cast<std::size_t>(c)] == c)
            continue;
        std::vector<std::int64_t> members;
        for (std::int64_t i = 0; i < split.size(); ++i)
            if (given[static_cast<std::size_t>(i)] == c)
                members.push_back(i);
        rng.shuffle(members);
        const auto count = static_cast<std::size_t>(std::llround(spec.fraction * double(members.size())));
        for (std::size_t k = 0; k < count; ++k)
            flip(members[k], spec.classMap[static_cast<std::size_t>(c)]);
    }
    return changed;
}

ChannelStats channelStats(const Split &split, int channels, int height, int width)
{
    ChannelStats s;
    const std::size_t hw = std::size_t(height) * width;
    const std::size_t n = static_cast<std::size_t>(split.size());
    for (int c = 0; c < channels; ++c) {
        double sum = 0.0, sumSq = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint8_t *p = split.images.data() + (i * channels + c) * hw;
            std::uint64_t a = 0, b = 0;
            for (std::size_t k = 0; k < hw; ++k) {
                a += p[k];
                b += std::uint64_t(p[k]) * p[k];
            }
            sum += double(a);
            sumSq += double(b);
        }
        const double count = double(n * hw) > 0 ? double(n * hw) : 1.0;
        const double mean = sum / count / 255.0;
        const double var = std::max(0.0, sumSq / count / (255.0 * 255.0) - mean * mean);
        s.mean.push_back(static_cast<float>(mean));
        s.std.push_back(static_cast<float>(std::max(std::sqrt(var), 1e-6)));
    }
    return s;
}

} // namespace pds
