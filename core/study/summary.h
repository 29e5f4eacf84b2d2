#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pds {

/// Thresholds of the difficulty groups (docs/difficulty.md explains each).
/// Depths are normalised by the number of probes P = L + 1, so 0 is the input
/// and 1 means even the logits probe disagreed.
struct GroupThresholds {
    double easyDepth = 0.34;     ///< easy: both normalised depths at most this
    double highDepth = 0.5;      ///< ambiguous: validation-split depth at least this
    double consistent = 0.9;     ///< easy: consistency at least this
    double dominant = 0.6;       ///< share of held-out models that makes a class dominate
    double mislabeledConfidence = 0.1; ///< mislabeled: held-out probability of the given label at most this
    double split = 0.2;          ///< ambiguous: the runner-up class holds at least this share
    double memorised = 0.5;      ///< rare: accuracy when trained on at least this…
    double heldOutWrong = 0.5;   ///< …and accuracy when held out below this
    double memorisation = 0.3;   ///< rare: or a memorisation score at least this
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
};

/// Per-example aggregates of a study over its models, for one split.
struct SplitSummary {
    std::vector<float> depthTrainMean, depthTrainStd; ///< over models that trained on the example (NaN if none)
    std::vector<float> depthValMean, depthValStd;     ///< over models that held it out (NaN if none)
    std::vector<std::int32_t> modelsTrain, modelsVal;
    std::vector<float> heldOutDistribution;           ///< [N, K]: share of held-out models predicting each class
    std::vector<float> consistency;                   ///< share of held-out models predicting the given label
    std::vector<float> heldOutConfidence;             ///< mean final probability of the given label over held-out models
    std::vector<float> accuracyTrained, accuracyHeldOut;
    std::vector<float> memorisation;                  ///< accuracyTrained − accuracyHeldOut (NaN if either is undefined)
    std::vector<float> iterationLearned, forgettingEvents, confidence, variability; ///< means over models
    std::vector<std::int8_t> group;
};

/// Aggregates `members` for one split with `labels` (given) over K classes and P probes.
SplitSummary summarise(const std::vector<MemberSplit> &members, const std::vector<std::int32_t> &labels,
                       int numClasses, int probes, const GroupThresholds &thresholds);

/// (Re)assigns the difficulty group of every example of a summary.
void assignGroups(SplitSummary &s, const std::vector<std::int32_t> &labels, int numClasses, int probes,
                  const GroupThresholds &t);

} // namespace pds
