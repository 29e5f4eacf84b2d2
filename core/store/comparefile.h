#pragma once

#include "compare/statistics.h"

#include <cstdint>
#include <string>
#include <vector>

namespace pds {

/// The depth of one split under one regime: per example, its histogram and
/// the mean over examples with a bootstrap interval (docs/difficulty.md).
struct RegimeDepth {
    std::vector<float> exampleDepth;      ///< [N]; NaN where no member qualifies
    std::vector<std::int64_t> histogram;  ///< [P + 1]: (member, example) pairs at each depth
    MeanInterval mean;
};

/// What a comparison records of one regime, besides its study.
struct RegimeResult {
    std::string regime;    ///< standard, llf or seal
    std::string studyFile; ///< relative to the comparison file's folder
    int models = 0, generations = 0, probes = 0;
    std::vector<double> generationAccuracy; ///< [models, generations] row-major
    std::vector<std::string> probeNames;
    std::vector<double> probeAccuracy;      ///< [models, probes] row-major
    RegimeDepth train, test;
    std::vector<double> transferAccuracy;   ///< [models]; empty without a transfer probe
    double transferMean = 0.0, transferSpread = 0.0;
};

/// Per-example depth of regime `a` minus that of regime `b` in one split.
struct SplitDifference {
    std::vector<float> depth;
    MeanInterval mean;
    ShiftShares shares;
};

/// The depth differences of one pair of regimes.
struct DepthDifference {
    std::string a, b;
    SplitDifference train, test;
};

/// A comparison file's content, as written and as read (the copied studies aside).
struct Comparison {
    std::string configJson; ///< the shared configuration (train.regime not used)
    int generations = 0, epochsPerGeneration = 0;
    int bootstrapResamples = 0;
    double bootstrapLevel = 0.95;
    std::string transferDataset; ///< empty without a transfer probe
    std::vector<RegimeResult> regimes;
    std::vector<DepthDifference> differences;
};

/// Writes `c` to `path` through `<path>.part`, renamed when complete, copying
/// the study file `studyPaths[i]` of each regime whole into
/// regimes/<regime>/study. Throws StoreError.
void writeComparison(const std::string &path, const Comparison &c, const std::vector<std::string> &studyPaths);

/// Reads a comparison file (all but the copied studies). Throws StoreError
/// naming the file and the object that is missing or malformed.
Comparison readComparison(const std::string &path);

/// Whether `path` is an HDF5 file whose root says it is a comparison.
bool isComparisonFile(const std::string &path);

} // namespace pds
