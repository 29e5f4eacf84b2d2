#include "data/dataset.h"

#include "util/error.h"

#include <algorithm>
#include <cstring>

namespace pds {

namespace {

void validateSplit(const Dataset &d, const Split &s, const char *which)
{
    const std::string where = d.source + " (" + which + " split)";
    const auto n = static_cast<std::size_t>(s.size());
    if (s.images.size() != n * static_cast<std::size_t>(d.imageSize()))
        throw DatasetError(where, "image data does not match " + std::to_string(n)
                                      + " images of " + std::to_string(d.imageSize()) + " bytes");
    if (s.cleanLabels.size() != n || s.sourceIndices.size() != n || s.noisy.size() != n)
        throw DatasetError(where, "per-example arrays differ in length");
    for (std::size_t i = 0; i < n; ++i) {
        if (s.labels[i] < 0 || s.labels[i] >= d.numClasses())
            throw DatasetError(where, "label " + std::to_string(s.labels[i]) + " of example "
                                          + std::to_string(i) + " is outside 0.."
                                          + std::to_string(d.numClasses() - 1));
    }
}

} // namespace

void Dataset::validate() const
{
    if (channels <= 0 || height <= 0 || width <= 0)
        throw DatasetError(source, "image shape is empty");
    if (classNames.size() < 2)
        throw DatasetError(source, "a dataset needs at least two classes");
    validateSplit(*this, train, "train");
    validateSplit(*this, test, "test");
}

Split selectExamples(const Split &split, const std::vector<std::int64_t> &indices,
                     std::int64_t imageSize)
{
    Split out;
    const auto n = indices.size();
    out.images.resize(n * static_cast<std::size_t>(imageSize));
    out.labels.reserve(n);
    out.cleanLabels.reserve(n);
    out.sourceIndices.reserve(n);
    out.noisy.reserve(n);
    for (std::size_t k = 0; k < n; ++k) {
        const auto i = static_cast<std::size_t>(indices[k]);
        std::memcpy(out.images.data() + k * imageSize, split.images.data() + i * imageSize,
                    static_cast<std::size_t>(imageSize));
        out.labels.push_back(split.labels[i]);
        out.cleanLabels.push_back(split.cleanLabels[i]);
        out.sourceIndices.push_back(split.sourceIndices[i]);
        out.noisy.push_back(split.noisy[i]);
    }
    return out;
}

} // namespace pds
