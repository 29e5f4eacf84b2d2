#pragma once

#include "charts/examplescatterchart.h"

namespace pds {

/// One point of a SizeScatterChart: an example, its two coordinates and its trajectory type.
using SizeScatterPoint = ExamplePoint;

/// Scatter of every example's memorisation at the smallest size (x) against
/// the largest (y), one plot per trajectory type in the trajectory palette,
/// the diagonal for reference and the selected examples marked on top.
class SizeScatterChart : public ExampleScatterChart {
    Q_OBJECT
public:
    explicit SizeScatterChart(QWidget *parent = nullptr);

    /// Points with a NaN coordinate are left out; `types` names the plots.
    void setPoints(const QString &title, const QString &subtitle, const QString &xTitle, const QString &yTitle,
                   const QStringList &types, std::vector<SizeScatterPoint> points);
};

} // namespace pds
