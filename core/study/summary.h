#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pds {

/// Thresholds of the difficulty groups on the per-example scores
/// (docs/difficulty.md defines each score and group).
struct GroupThresholds {
    double labelIssue = 0.75; ///< mislabeled / looks like another class: label-issue score at least this…
    double dominant = 0.6;    ///< …and one other class holds this share of the held-out votes (rare: none does)
    double ambiguity = 0.6;   ///< ambiguous: ambiguity score at least this
    double rarity = 0.3;      ///< rare: rarity score at least this, and no other class dominant
    double easiness = 0.6;    ///< easy: easiness score at least this
};

enum class DifficultyGroup : std::int8_t { Other = 0, Easy = 1, Ambiguous = 2, Mislabeled = 3, Rare = 4 };

/// Names in enum order: other, easy, ambiguous, mislabeled, rare.
const std::vector<std::string> &groupNames();

/// What one model of a study contributes, for one split.
struct MemberSplit {
    std::vector<std::uint8_t> inTrain;          ///< per example; all 0 for the test split
    std::vector<std::int32_t> depth;            ///< prediction depth, 0..P
    std::vector<std::int32_t> finalPred;
    std::vector<float> iterationLearned, forgettingEvents, confidence, variability;
    std::vector<float> finalProbGiven; ///< probability of the given label after the last epoch
    std::vector<float> finalProb;      ///< [N, K] softmax after the last epoch; empty when the member has no logits
};

/// Training dynamics of each example averaged over a subset of a study's models.
struct SplitDynamics {
    std::vector<float> iterationLearned, forgettingEvents, confidence, variability;
};

/// Per-example aggregates of a study over its models, for one split.
struct SplitSummary {
    std::vector<float> depthTrainMean, depthTrainStd; ///< over models that trained on the example (NaN if none)
    std::vector<float> depthValMean, depthValStd;     ///< over models that held it out (NaN if none)
    std::vector<std::int32_t> modelsTrain, modelsVal;
    std::vector<float> heldOutDistribution;           ///< [N, K]: share of held-out models predicting each class
    std::vector<float> heldOutProbability;            ///< [N, K]: mean final softmax over held-out models
    /// Mean over the held-out models of the entropy of each one's softmax, over
    /// log K: the doubt each model has, not their disagreement (not stored; the
    /// ambiguity score uses it; the vote entropy where a member has no logits).
    std::vector<float> heldOutEntropy;
    std::vector<float> consistency;                   ///< share of held-out models predicting the given label
    std::vector<float> heldOutConfidence;             ///< mean final probability of the given label over held-out models
    std::vector<float> trainedConfidence;             ///< the same over the models that trained on the example
    std::vector<float> accuracyTrained, accuracyHeldOut;
    std::vector<float> memorisation;                  ///< accuracyTrained − accuracyHeldOut (NaN if either is undefined)
    SplitDynamics trained;                            ///< over the models that trained on the example (NaN if none)
    SplitDynamics heldOut;                            ///< over the models that held it out (NaN if none)
    std::vector<float> labelIssue, ambiguity, rarity, easiness; ///< scores in [0, 1] (NaN without a held-out model)
    std::vector<std::int8_t> group;
    /// Not stored: true when a reader computed the summary on open because the
    /// file predates what is above (docs/run-format.md).
    bool recomputed = false;
};

/// Aggregates `members` for one split with `labels` (given) over K classes and P probes.
SplitSummary summarise(const std::vector<MemberSplit> &members, const std::vector<std::int32_t> &labels,
                       int numClasses, int probes, const GroupThresholds &thresholds);

/// (Re)computes the label-issue, ambiguity, rarity and easiness scores from
/// the held-out distributions, confidences, accuracies and depths of `s`.
void computeScores(SplitSummary &s, const std::vector<std::int32_t> &labels, int numClasses, int probes);

/// (Re)assigns the difficulty group of every example of a summary from its scores.
void assignGroups(SplitSummary &s, const std::vector<std::int32_t> &labels, int numClasses,
                  const GroupThresholds &t);

} // namespace pds
