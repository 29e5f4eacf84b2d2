#pragma once

#include "train/config.h"

#include <string>

namespace pds {

/// A setting in which two study members were configured differently: its JSON
/// key ("study.k") and the two values as JSON text. `key` is empty when they
/// agree on every setting that shapes a study.
struct SettingDifference {
    std::string key;
    std::string first, other;
    bool any() const { return !key.empty(); }
};

/// The first setting that two members of one study may not differ in. Members
/// differ by design in `study.member` and `output`; they may also differ in
/// where and how fast they ran (device, threads, evaluation batch size, memory
/// format, cuDNN benchmarking), in which embeddings they kept and in the path
/// of the dataset (whose contents the merge compares itself). Everything else
/// (data, noise, model, training, k, pooling limit, ensemble size and ratio)
/// must be equal.
SettingDifference studySettingDifference(const RunConfig &first, const RunConfig &other);

/// The first setting in which a member file of a sweep (`found`) differs from
/// what the sweep expects of that member (`expected`): like the study's rule,
/// but the member index must match too, and a distilled student's teacher may
/// have moved with the sweep's folder.
SettingDifference sweepSettingDifference(const RunConfig &expected, const RunConfig &found);

} // namespace pds
