#pragma once

// SearchTerm is the parsed form of ExampleFilter::search and has no use apart
// from it, so the two share this header.

#include <QString>

#include <cstdint>
#include <limits>
#include <vector>

namespace pds {

/// Which examples a gallery or table shows. Every part is optional; an
/// example must pass all that are set.
struct ExampleFilter {
    int label = -1;        ///< given label, -1 for every class
    int group = -1;        ///< difficulty group, -1 for every group
    QString depthColumn;   ///< score column of the range below; empty for no range
    double depthMin = -std::numeric_limits<double>::infinity();
    double depthMax = std::numeric_limits<double>::infinity();
    bool noisyOnly = false;
    bool selectionOnly = false;
    std::vector<std::int64_t> selection; ///< sorted; used when selectionOnly
    QString search;        ///< see ExampleIndex::parseSearch

    bool operator==(const ExampleFilter &o) const;
    bool operator!=(const ExampleFilter &o) const { return !(*this == o); }
};

/// One term of an index search: examples `first..last` of a split (or both).
struct SearchTerm {
    int split = -1; ///< -1 both, 0 train, 1 test
    std::int64_t first = 0;
    std::int64_t last = std::numeric_limits<std::int64_t>::max();
};

} // namespace pds
