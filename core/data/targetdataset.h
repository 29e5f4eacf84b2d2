#pragma once

#include "data/dataset.h"

#include <cstdint>
#include <string>
#include <vector>

namespace pds {

/// The examples of one split of a regression dataset: images as uint8
/// N×C×H×W and one continuous target each. `targets` are what training sees
/// (possibly noisy); `cleanTargets` are the targets as read or built.
struct TargetSplit {
    std::vector<std::uint8_t> images;
    std::vector<float> targets;
    std::vector<float> cleanTargets;
    std::vector<std::int64_t> sourceIndices; ///< index of each image in its source
    std::int64_t size() const { return static_cast<std::int64_t>(cleanTargets.size()); }
};

/// Images with continuous targets, a train and a test split.
struct TargetDataset {
    std::string name;   ///< e.g. "rotation-fashion-mnist" or the folder name
    std::string format; ///< "rotation" or "csv"
    std::string source; ///< where the images were read from
    int channels = 0;
    int height = 0;
    int width = 0;
    TargetSplit train;
    TargetSplit test;
    std::int64_t imageSize() const { return std::int64_t(channels) * height * width; }
};

/// The rotation-angle benchmark: `limit` train and `testLimit` test images
/// of `source` (0 = all), drawn at random, each turned by an integer angle in
/// −45 … 45 degrees (91 values, as balanced as the count allows) about its
/// centre, bilinear, zero outside. The angle is the target. Deterministic for a seed.
TargetDataset rotationBenchmark(const Dataset &source, std::int64_t limit, std::int64_t testLimit,
                                std::uint64_t seed);

/// Turns one C×H×W image by `degrees` (counter-clockwise) about its centre.
std::vector<std::uint8_t> rotateImage(const std::uint8_t *image, int channels, int height, int width,
                                      double degrees);

/// One row of a target CSV file.
struct TargetRow {
    std::string file; ///< as written, relative to the CSV's folder
    float target = 0.0f;
    int line = 0; ///< 1-based line in the CSV
};

/// Parses a target CSV (rows `file,target`, an optional header `file,target`,
/// blank lines ignored). Throws DatasetError naming `path` and the line for a
/// row without two fields, a target that is not a finite number, or a file
/// listed twice.
std::vector<TargetRow> parseTargetCsv(const std::string &text, const std::string &path);

/// Loads an image folder with targets: `root/train.csv` (and `root/test.csv`
/// if present) list `file,target` with files relative to `root`. A missing
/// image is an error naming the CSV and its line; all images must have one size.
TargetDataset loadTargetFolder(const std::string &root);

} // namespace pds
