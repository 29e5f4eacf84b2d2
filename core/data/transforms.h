#pragma once

#include "data/dataset.h"

#include <cstdint>
#include <vector>

namespace pds {

/// A small, portable random generator (SplitMix64) so that subsets and noise
/// are the same on every platform and standard library for a given seed.
class Rng {
public:
    explicit Rng(std::uint64_t seed) : m_state(seed) {}
    std::uint64_t next();
    /// Uniform integer in [0, n).
    std::uint64_t below(std::uint64_t n);
    /// Uniform double in [0, 1).
    double uniform();
    template <typename T> void shuffle(std::vector<T> &v)
    {
        for (std::size_t i = v.size(); i > 1; --i)
            std::swap(v[i - 1], v[static_cast<std::size_t>(below(i))]);
    }

private:
    std::uint64_t m_state;
};

/// Indices (ascending) of a class-stratified random subset of `limit` examples:
/// each class keeps its share (largest remainder), members drawn at random.
std::vector<std::int64_t> stratifiedSubset(const std::vector<std::int32_t> &labels, int numClasses,
                                           std::int64_t limit, std::uint64_t seed);

/// Label noise to inject into a split's given labels.
struct NoiseSpec {
    enum class Kind { None, Symmetric, Asymmetric, Gaussian }; ///< Gaussian: regression targets only
    Kind kind = Kind::None;
    double fraction = 0.0;      ///< symmetric: of all examples; asymmetric: of each mapped class
    std::vector<int> classMap;  ///< asymmetric: class -> class (identity entries are left alone)
    int sigmaMax = 0;           ///< Gaussian (regression): largest σ
    std::uint64_t seed = 0;
};

/// Moves labels as the spec says, keeping cleanLabels; returns how many changed.
/// Symmetric noise changes exactly round(fraction·N) labels, each to a uniformly
/// chosen *other* class; asymmetric noise changes round(fraction·N_c) labels of
/// each mapped class c to map[c].
std::int64_t injectNoise(Split &split, int numClasses, const NoiseSpec &spec);

/// Per-channel mean and standard deviation of pixel values scaled to [0, 1].
struct ChannelStats {
    std::vector<float> mean;
    std::vector<float> std;
};
ChannelStats channelStats(const Split &split, int channels, int height, int width);

} // namespace pds
