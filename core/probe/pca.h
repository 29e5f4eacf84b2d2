#pragma once

#include <cstdint>
#include <vector>

namespace pds {

/// Principal components of a point set, projected.
struct PcaResult {
    int components = 0;
    std::vector<float> projected; ///< row-major [n, components]: centred data times each component
    std::vector<float> explained; ///< share of the total variance along each component
};

/// Projects `n` points of `dim` features (row-major `data`, float32) onto
/// their first `components` principal components, in order of decreasing
/// variance. The data are centred; the components come from the dim×dim
/// covariance when that is cheap, otherwise from randomized subspace iteration
/// seeded by `seed` (never an n×n matrix). Each component's sign is fixed so
/// that its largest-magnitude entry is positive, so the same input always
/// gives the same picture. Torch-free so that views can include it; throws
/// pds::Error on bad arguments (null data, n < 2, dim < 1, components not in
/// 1..dim).
PcaResult pcaProject(const float *data, std::int64_t n, std::int64_t dim, int components,
                     std::uint64_t seed = 0);

} // namespace pds
