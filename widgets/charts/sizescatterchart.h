#pragma once

#include "charts/examplescatterchart.h"

namespace pds {

/// One point of a SizeScatterChart: an example, its two coordinates and its trajectory type.
using SizeScatterPoint = ExamplePoint;

/// Scatter of one value per example against another, one plot per type in a
/// type palette, the diagonal for reference and the selected examples marked
/// on top: the Model sizes view's memorisation at the smallest size (x)
/// against the largest (y) by trajectory type, and the regression view's
/// clean (x) against noisy target (y) by selected / not selected.
class SizeScatterChart : public ExampleScatterChart {
    Q_OBJECT
public:
    explicit SizeScatterChart(QWidget *parent = nullptr);

    /// The palette of the types (trajectoryColour unless set); applies from the next setPoints().
    void setTypeColours(QColor (*colour)(int type)) { m_colour = colour; }

    /// Points with a NaN coordinate are left out; `types` names the plots.
    void setPoints(const QString &title, const QString &subtitle, const QString &xTitle, const QString &yTitle,
                   const QStringList &types, std::vector<SizeScatterPoint> points);

private:
    QColor (*m_colour)(int type);
};

} // namespace pds
