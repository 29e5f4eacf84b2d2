#pragma once

#include <cstdint>
#include <vector>

namespace pds {

/// Noise on regression targets (docs/regression.md). Symmetric: within each
/// distinct target value, round(p · n_v) of its n_v examples, drawn at random,
/// get a uniformly drawn other distinct value. Gaussian: every example of
/// value t gets round(N(t, σ_t)), σ_t drawn uniformly from {1 … σ_max} once
/// per value, redrawn until it lies within the smallest and largest value.
struct TargetNoise {
    enum class Kind { None, Symmetric, Gaussian };
    Kind kind = Kind::None;
    double fraction = 0.0; ///< symmetric p
    int sigmaMax = 0;      ///< Gaussian σ_max
    std::uint64_t seed = 0;
};

/// The noisy targets of `clean` (which stay as they are); same order.
std::vector<float> noisyTargets(const std::vector<float> &clean, const TargetNoise &noise);

} // namespace pds
