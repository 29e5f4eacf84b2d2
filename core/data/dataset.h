#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pds {

/// The examples of one split, images as uint8 in N×C×H×W order.
/// `labels` are the labels training sees (possibly noisy); `cleanLabels`
/// are the labels as read from the source, kept so noise can be studied.
struct Split {
    std::vector<std::uint8_t> images;
    std::vector<std::int32_t> labels;
    std::vector<std::int32_t> cleanLabels;
    std::vector<std::int64_t> sourceIndices; ///< index of each example in its source file
    std::vector<std::uint8_t> noisy;         ///< 1 where labels != cleanLabels

    std::int64_t size() const { return static_cast<std::int64_t>(labels.size()); }
};

/// A labelled image dataset with a train and a test split.
struct Dataset {
    std::string name;   ///< catalogue name or folder name
    std::string format; ///< "idx", "cifar10", "cifar100", "folder"
    std::string source; ///< where it was read from
    int channels = 0;
    int height = 0;
    int width = 0;
    std::vector<std::string> classNames;
    Split train;
    Split test;

    int numClasses() const { return static_cast<int>(classNames.size()); }
    std::int64_t imageSize() const { return std::int64_t(channels) * height * width; }

    /// Throws DatasetError unless sizes, shapes and labels are consistent.
    void validate() const;
};

/// Selects the examples `indices` (in that order) of a split.
Split selectExamples(const Split &split, const std::vector<std::int64_t> &indices,
                     std::int64_t imageSize);

} // namespace pds
