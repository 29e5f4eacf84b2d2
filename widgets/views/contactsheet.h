#pragma once

#include <QString>

#include <cstdint>
#include <vector>

namespace pds {

class RunDocument;

/// Writes a contact sheet of `examples` (in that order) to `path`: a title
/// line, then a grid of images, each captioned with its given label and its
/// value in `scoreColumn` (e.g. "Shirt · Train-split depth 4.5") and its name.
/// The format follows the suffix: .png (one image, 300 dpi) or .pdf (vector
/// text, images embedded, as many A4 pages as needed). Small images are
/// enlarged by a whole factor, nearest-neighbour, so pixels stay crisp.
/// Returns false with a message in `error` on failure; never leaves half a file.
bool writeContactSheet(const RunDocument &doc, const std::vector<std::int64_t> &examples,
                       const QString &scoreColumn, const QString &path, QString *error,
                       const QString &title = {});

} // namespace pds
