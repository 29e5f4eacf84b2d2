#include "regression/targetnoise.h"

#include "data/transforms.h"
#include "regression/fragments.h"
#include "util/error.h"
#include "util/seeds.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace pds {

namespace {

constexpr double kPi = 3.14159265358979323846;

/// A standard normal draw (Box–Muller), from the portable generator so noise is the same everywhere.
double standardNormal(Rng &rng)
{
    const double u1 = 1.0 - rng.uniform(); // in (0, 1], so the log is finite
    const double u2 = rng.uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * kPi * u2);
}

void symmetric(std::vector<float> &out, const std::vector<double> &values, double p, Rng &rng)
{
    if (values.size() < 2)
        return;
    std::map<double, std::vector<std::size_t>> byValue;
    for (std::size_t i = 0; i < out.size(); ++i)
        byValue[out[i]].push_back(i);
    for (auto &[value, members] : byValue) {
        const auto changed = static_cast<std::size_t>(std::llround(p * double(members.size())));
        rng.shuffle(members);
        const auto self = static_cast<std::uint64_t>(std::lower_bound(values.begin(), values.end(), value) - values.begin());
        for (std::size_t m = 0; m < changed; ++m) {
            // A uniform draw among the other values: skip over the example's own.
            auto k = rng.below(values.size() - 1);
            if (k >= self)
                ++k;
            out[members[m]] = static_cast<float>(values[k]);
        }
    }
}

void gaussian(std::vector<float> &out, const std::vector<double> &values, int sigmaMax, Rng &rng)
{
    const double lo = values.front(), hi = values.back();
    std::map<double, double> sigma;
    for (double v : values)
        sigma[v] = double(1 + rng.below(static_cast<std::uint64_t>(sigmaMax)));
    for (float &t : out) {
        const double s = sigma[t];
        double y;
        do
            y = std::round(double(t) + s * standardNormal(rng));
        while (y < lo || y > hi);
        t = static_cast<float>(y);
    }
}

} // namespace

std::vector<float> noisyTargets(const std::vector<float> &clean, const TargetNoise &noise)
{
    std::vector<float> out = clean;
    if (clean.empty() || noise.kind == TargetNoise::Kind::None)
        return out;
    const auto values = distinctValues(clean);
    Rng rng(noise.seed ^ seeds::kTargetNoise);
    if (noise.kind == TargetNoise::Kind::Symmetric) {
        if (noise.fraction < 0.0 || noise.fraction > 1.0)
            throw ConfigError("noise fraction must lie in [0, 1]", "noise.fraction");
        symmetric(out, values, noise.fraction, rng);
    } else {
        if (noise.sigmaMax < 1)
            throw ConfigError("Gaussian noise needs sigma_max of at least 1", "noise.sigma_max");
        gaussian(out, values, noise.sigmaMax, rng);
    }
    return out;
}

} // namespace pds
