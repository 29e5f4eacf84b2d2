// The per-example scores of a study and the difficulty groups cut from them;
// docs/difficulty.md gives each formula and the reason for it.

#include "study/summary.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace pds {

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

/// What the held-out models believe about one example: per class the mean of
/// the vote share and the mean probability, so that 4 votes still give a
/// continuous value and a confident minority is not lost.
struct HeldOutBelief {
    double label = 0;   ///< in the given label
    double other = 0;   ///< in the strongest other class
};

HeldOutBelief heldOutBelief(const SplitSummary &s, std::size_t i, std::size_t y, std::size_t k)
{
    HeldOutBelief b;
    for (std::size_t c = 0; c < k; ++c) {
        const double p = s.heldOutProbability[i * k + c];
        const double belief = 0.5 * (s.heldOutDistribution[i * k + c] + p);
        if (c == y)
            b.label = belief;
        else
            b.other = std::max(b.other, belief);
    }
    return b;
}

double clamp01(double v) { return std::min(1.0, std::max(0.0, v)); }

} // namespace

void computeScores(SplitSummary &s, const std::vector<std::int32_t> &labels, int numClasses, int probes)
{
    const std::size_t n = labels.size();
    const std::size_t k = static_cast<std::size_t>(numClasses);
    const double scale = probes > 0 ? double(probes) : 1.0;
    s.labelIssue.assign(n, kNaN);
    s.ambiguity.assign(n, kNaN);
    s.rarity.assign(n, kNaN);
    s.easiness.assign(n, kNaN);
    for (std::size_t i = 0; i < n; ++i) {
        const auto y = static_cast<std::size_t>(labels[i]);
        if (s.modelsVal[i] == 0 || y >= k)
            continue; // without a held-out model nothing can be said
        const HeldOutBelief b = heldOutBelief(s, i, y, k);
        const double valDepth = clamp01(s.depthValMean[i] / scale);
        const bool trained = s.modelsTrain[i] > 0;
        const double trainDepth = trained ? clamp01(s.depthTrainMean[i] / scale) : 0.0;
        s.labelIssue[i] = float(1.0 - b.label);
        s.ambiguity[i] = float(clamp01((2.0 * s.heldOutEntropy[i] + valDepth) / 3.0));
        s.easiness[i] = float(b.label * (1.0 - std::max(valDepth, trainDepth)));
        if (trained) {
            const double trainedBelief = 0.5 * (s.accuracyTrained[i] + s.trainedConfidence[i]);
            const double gap = std::max(0.0, trainedBelief - b.label);
            s.rarity[i] = float(0.5 * (gap + trainDepth) * (1.0 - b.other));
        }
    }
}

void assignGroups(SplitSummary &s, const std::vector<std::int32_t> &labels, int numClasses,
                  const GroupThresholds &t)
{
    const std::size_t n = labels.size();
    const std::size_t k = static_cast<std::size_t>(numClasses);
    s.group.assign(n, static_cast<std::int8_t>(DifficultyGroup::Other));
    for (std::size_t i = 0; i < n; ++i) {
        const auto y = static_cast<std::size_t>(labels[i]);
        if (s.modelsVal[i] == 0 || y >= k)
            continue;
        double otherVotes = 0;
        for (std::size_t c = 0; c < k; ++c)
            if (c != y)
                otherVotes = std::max<double>(otherVotes, s.heldOutDistribution[i * k + c]);
        // NaN scores compare false, so an undefined score never puts an example in a group.
        DifficultyGroup g = DifficultyGroup::Other;
        // Both groups of memorised, unrecognised examples part on whether the
        // held-out models agree on one other class.
        if (s.labelIssue[i] >= t.labelIssue && otherVotes >= t.dominant)
            g = DifficultyGroup::Mislabeled;
        else if (s.rarity[i] >= t.rarity && otherVotes < t.dominant)
            g = DifficultyGroup::Rare;
        else if (s.ambiguity[i] >= t.ambiguity)
            g = DifficultyGroup::Ambiguous;
        else if (s.easiness[i] >= t.easiness)
            g = DifficultyGroup::Easy;
        s.group[i] = static_cast<std::int8_t>(g);
    }
}

} // namespace pds
