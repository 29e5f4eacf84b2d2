#include "compare/statistics.h"

#include "data/transforms.h"
#include "util/error.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace pds {

namespace {

/// numpy.percentile's default ("linear") quantile of sorted values.
double quantile(const std::vector<double> &sorted, double q)
{
    const double pos = q * double(sorted.size() - 1);
    const auto below = static_cast<std::size_t>(std::floor(pos));
    const auto above = std::min(sorted.size() - 1, below + 1);
    return sorted[below] + (pos - double(below)) * (sorted[above] - sorted[below]);
}

} // namespace

MeanInterval bootstrapMean(const std::vector<float> &values, std::uint64_t seed, int resamples, double level)
{
    if (resamples < 1)
        throw ConfigError("bootstrap resamples must be at least 1, got " + std::to_string(resamples));
    if (!(level > 0.0 && level < 1.0))
        throw ConfigError("bootstrap level must lie in (0, 1), got " + std::to_string(level));
    std::vector<double> finite;
    finite.reserve(values.size());
    for (float v : values)
        if (std::isfinite(v))
            finite.push_back(v);
    MeanInterval r;
    r.count = static_cast<std::int64_t>(finite.size());
    if (finite.empty()) {
        r.mean = r.low = r.high = std::numeric_limits<double>::quiet_NaN();
        return r;
    }
    double sum = 0.0;
    for (double v : finite)
        sum += v;
    r.mean = sum / double(finite.size());
    Rng rng(seed);
    std::vector<double> means(static_cast<std::size_t>(resamples));
    for (auto &m : means) {
        double s = 0.0;
        for (std::size_t i = 0; i < finite.size(); ++i)
            s += finite[static_cast<std::size_t>(rng.below(finite.size()))];
        m = s / double(finite.size());
    }
    std::sort(means.begin(), means.end());
    r.low = quantile(means, (1.0 - level) / 2.0);
    r.high = quantile(means, (1.0 + level) / 2.0);
    return r;
}

std::vector<float> differences(const std::vector<float> &a, const std::vector<float> &b)
{
    if (a.size() != b.size())
        throw Error("cannot take per-example differences of " + std::to_string(a.size()) + " and "
                    + std::to_string(b.size()) + " examples");
    std::vector<float> d(a.size());
    for (std::size_t i = 0; i < a.size(); ++i)
        d[i] = a[i] - b[i]; // NaN stays NaN
    return d;
}

ShiftShares shiftShares(const std::vector<float> &difference, double tolerance)
{
    ShiftShares s;
    for (float d : difference) {
        if (!std::isfinite(d))
            continue;
        ++s.count;
        if (d < -tolerance)
            s.lower += 1;
        else if (d > tolerance)
            s.higher += 1;
        else
            s.same += 1;
    }
    if (s.count > 0) {
        s.lower /= double(s.count);
        s.same /= double(s.count);
        s.higher /= double(s.count);
    }
    return s;
}

std::vector<std::int64_t> histogram(const std::vector<std::int32_t> &values, int maxValue,
                                    const std::vector<std::uint8_t> &include)
{
    std::vector<std::int64_t> counts(static_cast<std::size_t>(std::max(0, maxValue + 1)), 0);
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (!include.empty() && !include[i])
            continue;
        if (values[i] >= 0 && values[i] <= maxValue)
            ++counts[static_cast<std::size_t>(values[i])];
    }
    return counts;
}

void meanAndSpread(const std::vector<double> &values, double &mean, double &spread)
{
    mean = spread = 0.0;
    if (values.empty())
        return;
    for (double v : values)
        mean += v;
    mean /= double(values.size());
    if (values.size() < 2)
        return;
    double ss = 0.0;
    for (double v : values)
        ss += (v - mean) * (v - mean);
    spread = std::sqrt(ss / double(values.size() - 1));
}

} // namespace pds
