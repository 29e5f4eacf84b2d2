#pragma once
// Torch-free: the fragments, their pairing and the weights of an example are
// definitions (docs/regression.md) tested on hand-made numbers.

#include <cstdint>
#include <utility>
#include <vector>

namespace pds {

class Rng;

/// The sorted distinct target values split into F contiguous fragments with
/// equal numbers of distinct values; when F does not divide their count the
/// first fragments take one value more (numpy's array_split).
struct Fragmentation {
    std::vector<double> values; ///< sorted distinct values
    std::vector<int> first;     ///< index in `values` where each fragment starts; F + 1 entries

    int count() const { return static_cast<int>(first.size()) - 1; }
    double low(int j) const { return values[static_cast<std::size_t>(first[static_cast<std::size_t>(j)])]; }
    double high(int j) const { return values[static_cast<std::size_t>(first[static_cast<std::size_t>(j) + 1]) - 1]; }
    /// The middle of fragment j: halfway between its smallest and largest value.
    double mid(int j) const { return 0.5 * (low(j) + high(j)); }
    /// The fragment whose value range holds `v`; -1 when `v` lies outside every
    /// fragment (below the first, above the last, or in no fragment's range).
    int fragmentOf(double v) const;
    /// The largest minus the smallest value (R in the weights).
    double range() const { return values.empty() ? 0.0 : values.back() - values.front(); }
};

/// The sorted distinct values of `targets`.
std::vector<double> distinctValues(const std::vector<float> &targets);

/// Splits `values` (sorted, distinct) into `fragments` groups; throws
/// ConfigError naming regression.fragments when it is odd, below 2 or larger
/// than the number of values.
Fragmentation fragmentValues(std::vector<double> values, int fragments);

/// The fragments paired so that the smallest label distance between the
/// closest examples of paired fragments (low of the upper minus high of the
/// lower) is as large as it can be; of equally good matchings the one with
/// the larger summed distance, then the first in lexicographic order. With
/// evenly spread fragments this is j with j + F/2. Each pair is (lower, upper).
std::vector<std::pair<int, int>> pairFragments(const Fragmentation &fragments);

/// η_j = softmax_j(R / (|y − mid_j| + 0.1)): how much fragment j speaks for
/// an example with target `y`.
std::vector<double> fragmentWeights(double y, const Fragmentation &fragments);

/// Neighbourhood jittering: a random contiguous window of round(share · D) of
/// the D distinct values (at least `minValues`), as [first, last) indices.
std::pair<int, int> jitterWindow(int distinct, double share, int minValues, Rng &rng);

} // namespace pds
