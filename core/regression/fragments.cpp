#include "regression/fragments.h"

#include "data/transforms.h"
#include "util/error.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

namespace pds {

int Fragmentation::fragmentOf(double v) const
{
    for (int j = 0; j < count(); ++j)
        if (v >= low(j) && v <= high(j))
            return j;
    return -1;
}

std::vector<double> distinctValues(const std::vector<float> &targets)
{
    std::vector<double> v(targets.begin(), targets.end());
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
}

Fragmentation fragmentValues(std::vector<double> values, int fragments)
{
    const int d = static_cast<int>(values.size());
    if (fragments < 2 || fragments % 2 != 0)
        throw ConfigError("the number of fragments (regression.fragments, --fragments) must be even and at least 2 "
                          "(fragments are paired), got "
                              + std::to_string(fragments),
                          "regression.fragments");
    if (fragments > d)
        throw ConfigError("the number of fragments (regression.fragments, --fragments) is " + std::to_string(fragments)
                              + ", more than the number of distinct target values (" + std::to_string(d) + ")",
                          "regression.fragments");
    Fragmentation f;
    f.values = std::move(values);
    const int base = d / fragments, extra = d % fragments;
    f.first.push_back(0);
    for (int j = 0; j < fragments; ++j)
        f.first.push_back(f.first.back() + base + (j < extra ? 1 : 0));
    return f;
}

std::vector<std::pair<int, int>> pairFragments(const Fragmentation &f)
{
    const int n = f.count();
    auto distance = [&](int a, int b) { return f.low(b) - f.high(a); };
    std::vector<std::pair<int, int>> best, current;
    double bestMin = -std::numeric_limits<double>::infinity(), bestSum = bestMin;
    std::vector<bool> used(static_cast<std::size_t>(n), false);
    // Every perfect matching, lowest free fragment first; F is small (105 matchings at F = 8).
    std::function<void(double, double)> search = [&](double minSoFar, double sum) {
        int a = 0;
        while (a < n && used[static_cast<std::size_t>(a)])
            ++a;
        if (a == n) {
            if (minSoFar > bestMin || (minSoFar == bestMin && sum > bestSum)) {
                bestMin = minSoFar;
                bestSum = sum;
                best = current;
            }
            return;
        }
        used[static_cast<std::size_t>(a)] = true;
        for (int b = a + 1; b < n; ++b) {
            if (used[static_cast<std::size_t>(b)])
                continue;
            used[static_cast<std::size_t>(b)] = true;
            current.emplace_back(a, b);
            const double d = distance(a, b);
            search(std::min(minSoFar, d), sum + d);
            current.pop_back();
            used[static_cast<std::size_t>(b)] = false;
        }
        used[static_cast<std::size_t>(a)] = false;
    };
    search(std::numeric_limits<double>::infinity(), 0.0);
    return best;
}

std::vector<double> fragmentWeights(double y, const Fragmentation &f)
{
    const double r = f.range();
    std::vector<double> w(static_cast<std::size_t>(f.count()));
    for (int j = 0; j < f.count(); ++j)
        w[static_cast<std::size_t>(j)] = r / (std::abs(y - f.mid(j)) + 0.1);
    // Subtracting the largest logit keeps exp finite; the softmax does not change.
    const double top = *std::max_element(w.begin(), w.end());
    double sum = 0.0;
    for (double &x : w)
        sum += (x = std::exp(x - top));
    for (double &x : w)
        x /= sum;
    return w;
}

std::pair<int, int> jitterWindow(int distinct, double share, int minValues, Rng &rng)
{
    const int len = std::min(distinct, std::max(minValues, static_cast<int>(std::lround(share * distinct))));
    const int start = static_cast<int>(rng.below(static_cast<std::uint64_t>(distinct - len + 1)));
    return {start, start + len};
}

} // namespace pds
