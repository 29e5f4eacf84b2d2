#pragma once

#include <QStringList>

namespace pds {
struct FigureGeometry;
class VtkHost;
}

namespace pds::test {

/// Where a figure fails a reader; empty when it passes: texts inside the
/// figure and apart, distinct tick labels (listed and drawn), a legend that
/// stays inside and hides no marks, and data inside the axes with at most
/// 10 % of an axis as margin on a side (0.6 of a step on an axis whose ticks
/// name categories, or on x when `xNamed`: sizes, trajectory types).
QStringList figureProblems(const FigureGeometry &g, bool xNamed = false);

/// What keeps a shown chart from going into a paper unedited; empty when
/// nothing: figureProblems on screen and at three export sizes (journal
/// column at 300 dpi, twice that, a thumbnail at 72 dpi), then exports to
/// `base`.png (3.5 × 2.6 in at 300 dpi, titled, drawn in colour), .svg (valid,
/// sized in points) and .pdf (a PDF).
QStringList publishProblems(VtkHost *chart, const QString &base, bool xNamed = false);

} // namespace pds::test
