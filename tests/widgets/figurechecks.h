#pragma once

#include <QStringList>

namespace pds {
struct FigureGeometry;
}

namespace pds::test {

/// Where a figure fails a reader; empty when it passes: texts inside the
/// figure and apart, distinct tick labels (listed and drawn), a legend that
/// stays inside and hides no marks, and data inside the axes with at most
/// 10 % of an axis as margin on a side (0.6 of a step on an axis whose ticks
/// name categories, or on x when `xNamed`: sizes, trajectory types).
QStringList figureProblems(const FigureGeometry &g, bool xNamed = false);

} // namespace pds::test
