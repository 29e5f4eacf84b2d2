#pragma once

#include "data/dataset.h"
#include "store/runwriter.h"
#include "train/dynamics.h"

#include <cstddef>

/// Small made-up run contents shared by the run-file tests (tst_runfile,
/// tst_schema): a tiny dataset and per-epoch values that encode where they
/// belong, so a value read back in the wrong place is caught.
namespace pds::test {

/// Two classes, 1×2×2 images, five train and three test examples (one noisy).
Dataset tinyDataset();
/// A made-up record of n examples for epoch e (1-based): values encode (e, i).
EpochRecord record(int e, std::size_t n);
/// The curve row of epoch e (1-based).
EpochCurve curve(int e);
/// Scores of n examples, shifted by `offset` where a value can be.
ExampleScores scores(std::size_t n, float offset);

} // namespace pds::test
