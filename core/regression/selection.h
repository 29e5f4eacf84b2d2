#pragma once
// Torch-free: the selection rule and the metrics are definitions
// (docs/regression.md) tested on constructed cases with known expert outputs.

#include "regression/fragments.h"

#include <cstdint>
#include <utility>
#include <vector>

namespace pds {

/// α_self of every example and fragment, row-major [N, F]: 1 where the
/// expert (or the neighbours) of the fragment's pair speak for the fragment.
using FragmentVotes = std::vector<std::uint8_t>;

/// Prediction space: `prefersLower[p][i]` is 1 when pair p's expert puts
/// example i in the pair's lower fragment (its class 0), 0 for the upper.
FragmentVotes predictionVotes(const std::vector<std::pair<int, int>> &pairs, int fragments,
                              const std::vector<std::vector<std::uint8_t>> &prefersLower);

/// Feature space: `neighbourFragments[p]` holds, row-major [N, K], the
/// fragments of the K nearest neighbours of each example among pair p's
/// examples. A fragment of the pair gets a vote when at least K − 1 of them carry it.
FragmentVotes featureVotes(const std::vector<std::pair<int, int>> &pairs, int fragments, int k,
                           const std::vector<std::vector<std::int32_t>> &neighbourFragments);

/// Σ_j η_j α_self(j) α_ngb(j), α_ngb(j) = α_self(j − 1) OR α_self(j + 1)
/// (a neighbour outside 0 … F − 1 counts 0), for one example.
double selectionProbability(const std::vector<double> &eta, const std::uint8_t *votes);

/// ConFrag's choice for every example: the two probabilities and the draws.
struct Selection {
    std::vector<float> pPred, pKnn;
    std::vector<std::uint8_t> selected;
};

/// Selects example i when a Bernoulli(p_pred) or a Bernoulli(p_knn) draw
/// succeeds; the draws come from `seed` (two per example, in order).
Selection selectExamples(const std::vector<float> &noisyTargets, const Fragmentation &fragments,
                         const FragmentVotes &predVotes, const FragmentVotes &knnVotes, std::uint64_t seed);

/// Throws ConfigError (regression.k) unless k is smaller than the number of
/// examples of every pair (an example's neighbours leave itself out).
void requireNeighbours(const std::vector<std::int32_t> &fragmentOfExample,
                       const std::vector<std::pair<int, int>> &pairs, int k);

/// Small-loss selection: the round(keep · N) examples of lowest loss (ties to the lower index).
std::vector<std::uint8_t> smallLossSelection(const std::vector<float> &losses, double keep);

/// Share of examples selected.
double selectionRate(const std::vector<std::uint8_t> &selected);

/// Error Residual Ratio, mean version: mean |ỹ − y| over the selected
/// examples ÷ mean |ỹ − y| over all. NaN when nothing is selected or no target is wrong.
double errorResidualRatio(const std::vector<float> &noisy, const std::vector<float> &clean,
                          const std::vector<std::uint8_t> &selected);
/// Sum version: Σ over the selected ÷ Σ over all (= ERR × selection rate); NaN when no target is wrong.
double errorResidualSum(const std::vector<float> &noisy, const std::vector<float> &clean,
                        const std::vector<std::uint8_t> &selected);

/// MRAE = 100 · (MAE − MAE of the clean-target model) / MAE of the clean-target model.
double mrae(double mae, double cleanMae);

} // namespace pds
