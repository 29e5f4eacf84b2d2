#include "regression/selection.h"

#include "data/transforms.h"
#include "util/error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

namespace pds {

FragmentVotes predictionVotes(const std::vector<std::pair<int, int>> &pairs, int fragments,
                              const std::vector<std::vector<std::uint8_t>> &prefersLower)
{
    const std::size_t n = prefersLower.empty() ? 0 : prefersLower.front().size();
    FragmentVotes votes(n * static_cast<std::size_t>(fragments), 0);
    for (std::size_t p = 0; p < pairs.size(); ++p)
        for (std::size_t i = 0; i < n; ++i) {
            const int chosen = prefersLower[p][i] ? pairs[p].first : pairs[p].second;
            votes[i * static_cast<std::size_t>(fragments) + static_cast<std::size_t>(chosen)] = 1;
        }
    return votes;
}

FragmentVotes featureVotes(const std::vector<std::pair<int, int>> &pairs, int fragments, int k,
                           const std::vector<std::vector<std::int32_t>> &neighbourFragments)
{
    const std::size_t n = neighbourFragments.empty() ? 0 : neighbourFragments.front().size() / std::size_t(k);
    FragmentVotes votes(n * static_cast<std::size_t>(fragments), 0);
    for (std::size_t p = 0; p < pairs.size(); ++p)
        for (std::size_t i = 0; i < n; ++i) {
            const auto *row = neighbourFragments[p].data() + i * std::size_t(k);
            for (const int j : {pairs[p].first, pairs[p].second}) {
                const auto c = std::count(row, row + k, j);
                if (c >= k - 1)
                    votes[i * static_cast<std::size_t>(fragments) + static_cast<std::size_t>(j)] = 1;
            }
        }
    return votes;
}

double selectionProbability(const std::vector<double> &eta, const std::uint8_t *votes)
{
    const int f = static_cast<int>(eta.size());
    double p = 0.0;
    for (int j = 0; j < f; ++j) {
        const bool ngb = (j > 0 && votes[j - 1]) || (j + 1 < f && votes[j + 1]);
        if (votes[j] && ngb)
            p += eta[static_cast<std::size_t>(j)];
    }
    return p;
}

Selection selectExamples(const std::vector<float> &noisyTargets, const Fragmentation &fragments,
                         const FragmentVotes &predVotes, const FragmentVotes &knnVotes, std::uint64_t seed)
{
    const std::size_t n = noisyTargets.size(), f = static_cast<std::size_t>(fragments.count());
    Selection s;
    s.pPred.resize(n);
    s.pKnn.resize(n);
    s.selected.resize(n);
    Rng rng(seed);
    for (std::size_t i = 0; i < n; ++i) {
        const auto eta = fragmentWeights(noisyTargets[i], fragments);
        const double pp = selectionProbability(eta, predVotes.data() + i * f);
        const double pk = selectionProbability(eta, knnVotes.data() + i * f);
        const double u1 = rng.uniform(), u2 = rng.uniform();
        s.pPred[i] = static_cast<float>(pp);
        s.pKnn[i] = static_cast<float>(pk);
        s.selected[i] = (u1 < pp || u2 < pk) ? 1 : 0;
    }
    return s;
}

void requireNeighbours(const std::vector<std::int32_t> &fragmentOfExample,
                       const std::vector<std::pair<int, int>> &pairs, int k)
{
    for (const auto &pair : pairs) {
        const int a = pair.first, b = pair.second; // named copies: C++17 lambdas cannot capture structured bindings
        const auto size = std::count_if(fragmentOfExample.begin(), fragmentOfExample.end(),
                                        [a, b](int j) { return j == a || j == b; });
        if (k >= size)
            throw ConfigError("the feature-space k (regression.k, --select-k) is " + std::to_string(k)
                                  + "; it must be smaller than the number of examples of every fragment pair, and pair ("
                                  + std::to_string(a) + ", " + std::to_string(b) + ") has " + std::to_string(size),
                              "regression.k");
    }
}

std::vector<std::uint8_t> smallLossSelection(const std::vector<float> &losses, double keep)
{
    std::vector<std::size_t> order(losses.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return losses[a] < losses[b]; });
    const auto kept = std::min(losses.size(), static_cast<std::size_t>(std::llround(keep * double(losses.size()))));
    std::vector<std::uint8_t> mask(losses.size(), 0);
    for (std::size_t r = 0; r < kept; ++r)
        mask[order[r]] = 1;
    return mask;
}

double selectionRate(const std::vector<std::uint8_t> &selected)
{
    if (selected.empty())
        return 0.0;
    return double(std::count(selected.begin(), selected.end(), std::uint8_t(1))) / double(selected.size());
}

namespace {

struct ErrorSums {
    double selected = 0.0, all = 0.0;
    std::size_t nSelected = 0;
};

ErrorSums errorSums(const std::vector<float> &noisy, const std::vector<float> &clean,
                    const std::vector<std::uint8_t> &selected)
{
    ErrorSums s;
    for (std::size_t i = 0; i < noisy.size(); ++i) {
        const double e = std::abs(double(noisy[i]) - double(clean[i]));
        s.all += e;
        if (selected[i]) {
            s.selected += e;
            ++s.nSelected;
        }
    }
    return s;
}

} // namespace

double errorResidualRatio(const std::vector<float> &noisy, const std::vector<float> &clean,
                          const std::vector<std::uint8_t> &selected)
{
    const auto s = errorSums(noisy, clean, selected);
    if (s.nSelected == 0 || s.all == 0.0)
        return std::numeric_limits<double>::quiet_NaN();
    return (s.selected / double(s.nSelected)) / (s.all / double(noisy.size()));
}

double errorResidualSum(const std::vector<float> &noisy, const std::vector<float> &clean,
                        const std::vector<std::uint8_t> &selected)
{
    const auto s = errorSums(noisy, clean, selected);
    return s.all == 0.0 ? std::numeric_limits<double>::quiet_NaN() : s.selected / s.all;
}

double mrae(double mae, double cleanMae)
{
    return 100.0 * (mae - cleanMae) / cleanMae;
}

} // namespace pds
