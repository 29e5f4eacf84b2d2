#pragma once

#include <QColor>

namespace pds {

/// The palette every view uses for classes (10 distinct colours, repeated).
QColor classColour(int label);
/// Colours of the difficulty groups: other, easy, ambiguous, mislabeled, rare.
QColor groupColour(int group);

} // namespace pds
