#pragma once

#include <QString>

namespace pds {

/// Formats a score for display: integers plainly, others to 3 significant
/// digits; NaN gives an empty string.
QString formatScore(float value, bool integer, int precision = 3);

/// Formats a count with English group separators ("70,000").
QString thousands(qint64 n);

} // namespace pds
