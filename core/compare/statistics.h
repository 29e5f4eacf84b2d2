#pragma once

#include <cstdint>
#include <vector>

namespace pds {

/// A mean with its bootstrap confidence interval.
struct MeanInterval {
    double mean = 0.0;
    double low = 0.0, high = 0.0; ///< the interval's ends (equal to the mean for one value)
    std::int64_t count = 0;       ///< finite values the mean is over; 0 leaves mean, low and high NaN
};

/// The mean of the finite values of `values` (NaN marks "no value") and its
/// percentile bootstrap interval at `level`: `resamples` means of as many
/// values drawn with replacement from the finite ones (seeded by `seed`),
/// sorted; the ends are their (1 − level)/2 and (1 + level)/2 quantiles,
/// interpolated linearly between neighbours as numpy.percentile does.
MeanInterval bootstrapMean(const std::vector<float> &values, std::uint64_t seed, int resamples = 2000,
                           double level = 0.95);

/// Per example `a − b` (NaN where either is NaN).
std::vector<float> differences(const std::vector<float> &a, const std::vector<float> &b);

/// How the per-example differences fall: shares (of the finite ones) below
/// −tolerance, within ±tolerance and above +tolerance.
struct ShiftShares {
    double lower = 0.0, same = 0.0, higher = 0.0;
    std::int64_t count = 0;
};
ShiftShares shiftShares(const std::vector<float> &difference, double tolerance = 0.0);

/// Counts of the integer values 0..maxValue in `values`, skipping the others
/// and the examples whose `include` entry is 0 (all counted when `include` is empty).
std::vector<std::int64_t> histogram(const std::vector<std::int32_t> &values, int maxValue,
                                    const std::vector<std::uint8_t> &include = {});

/// Mean and sample standard deviation (0 for one value) of `values`.
void meanAndSpread(const std::vector<double> &values, double &mean, double &spread);

} // namespace pds
