#pragma once

#include "store/schema.h"
#include "study/summary.h"
#include "train/dynamics.h"

#include <cstdint>
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

/// summary/<split>/ besides held_out_distribution ([N, K]) and group (int32 on file, int8 in memory).
inline constexpr Field<SplitSummary, std::int32_t> kSummaryInts[] = {
    {kModelsTrain, &SplitSummary::modelsTrain}, {kModelsVal, &SplitSummary::modelsVal}};
inline constexpr Field<SplitSummary, float> kSummaryFloats[] = {
    {kDepthTrainMean, &SplitSummary::depthTrainMean},
    {kDepthTrainStd, &SplitSummary::depthTrainStd},
    {kDepthValMean, &SplitSummary::depthValMean},
    {kDepthValStd, &SplitSummary::depthValStd},
    {kConsistency, &SplitSummary::consistency},
    {kHeldOutConfidence, &SplitSummary::heldOutConfidence},
    {kAccuracyTrained, &SplitSummary::accuracyTrained},
    {kAccuracyHeldOut, &SplitSummary::accuracyHeldOut},
    {kMemorisation, &SplitSummary::memorisation},
    {kIterationLearned, &SplitSummary::iterationLearned},
    {kForgettingEvents, &SplitSummary::forgettingEvents},
    {kConfidence, &SplitSummary::confidence},
    {kVariability, &SplitSummary::variability}};

} // namespace pds::schema
