#pragma once

#include <QString>

#include <cstdint>
#include <vector>

namespace pds {

class RunDocument;

/// Writes `rows` (example numbers, in that order) of `doc` as CSV: example,
/// split, index, source_index, label, label_name, clean_label,
/// clean_label_name, noisy, group, then every score column by name (NaN
/// empty). Written to a temporary file and renamed, so a failed export never
/// leaves half a file; false with a message in `error` on failure.
bool writeExampleCsv(const RunDocument &doc, const std::vector<std::int64_t> &rows, const QString &path,
                     QString *error);

} // namespace pds
