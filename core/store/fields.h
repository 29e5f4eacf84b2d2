#pragma once

#include "store/schema.h"
#include "study/summary.h"
#include "train/dynamics.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

/// Which member of an in-memory struct each per-example array of the schema
/// holds, so the writers and the reader walk one table (store-internal).
namespace pds::schema {

template <typename S, typename T> struct Field {
    const char *name;
    std::vector<T> S::*member;
};

/// dynamics/<split>/ besides pred (int32).
inline constexpr Field<EpochRecord, float> kRecordFloats[] = {
    {kProbGiven, &EpochRecord::probGiven}, {kMargin, &EpochRecord::margin},
    {kLoss, &EpochRecord::loss}, {kEl2n, &EpochRecord::el2n}};

/// scores/<split>/.
inline constexpr Field<ExampleScores, std::int32_t> kScoreInts[] = {
    {kIterationLearned, &ExampleScores::iterationLearned}, {kForgettingEvents, &ExampleScores::forgettingEvents},
    {kFinalPred, &ExampleScores::finalPred}};
inline constexpr Field<ExampleScores, float> kScoreFloats[] = {
    {kConfidence, &ExampleScores::confidence}, {kVariability, &ExampleScores::variability},
    {kCorrectness, &ExampleScores::correctness}, {kEl2n, &ExampleScores::el2n}};

/// summary/<split>/ besides held_out_distribution, held_out_probability ([N, K]) and group (int32 on file, int8 in memory).
inline constexpr Field<SplitSummary, std::int32_t> kSummaryInts[] = {
    {kModelsTrain, &SplitSummary::modelsTrain}, {kModelsVal, &SplitSummary::modelsVal}};
inline constexpr Field<SplitSummary, float> kSummaryFloats[] = {
    {kDepthTrainMean, &SplitSummary::depthTrainMean},
    {kDepthTrainStd, &SplitSummary::depthTrainStd},
    {kDepthValMean, &SplitSummary::depthValMean},
    {kDepthValStd, &SplitSummary::depthValStd},
    {kConsistency, &SplitSummary::consistency},
    {kHeldOutConfidence, &SplitSummary::heldOutConfidence},
    {kTrainedConfidence, &SplitSummary::trainedConfidence},
    {kAccuracyTrained, &SplitSummary::accuracyTrained},
    {kAccuracyHeldOut, &SplitSummary::accuracyHeldOut},
    {kMemorisation, &SplitSummary::memorisation},
    {kLabelIssue, &SplitSummary::labelIssue},
    {kAmbiguity, &SplitSummary::ambiguity},
    {kRarity, &SplitSummary::rarity},
    {kEasiness, &SplitSummary::easiness}};

/// summary/<split>/train_split/ and summary/<split>/held_out/.
inline constexpr Field<SplitDynamics, float> kSplitDynamicsFloats[] = {
    {kIterationLearned, &SplitDynamics::iterationLearned},
    {kForgettingEvents, &SplitDynamics::forgettingEvents},
    {kConfidence, &SplitDynamics::confidence},
    {kVariability, &SplitDynamics::variability}};
/// The two subsets of models the dynamics of summary/<split>/ are averaged over.
inline constexpr std::pair<const char *, SplitDynamics SplitSummary::*> kSplitDynamicsGroups[] = {
    {kTrainSplit, &SplitSummary::trained}, {kHeldOut, &SplitSummary::heldOut}};

/// A one-value-per-example array of a summary by its name in summaryNames(), as float.
std::vector<float> summaryValues(const SplitSummary &s, const std::string &name);

} // namespace pds::schema
