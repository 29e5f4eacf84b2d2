#pragma once

// LineSeries is the plain data LineChart::setChart() takes and has no use
// apart from it, so the two share this header.

#include "charts/vtkhost.h"

#include <QColor>
#include <QString>

#include <vector>

class vtkContextView;
class vtkChartXY;

namespace pds {

/// One line of a LineChart.
struct LineSeries {
    QString name;
    std::vector<double> x, y;
    QColor colour;
    bool dashed = false;
};

/// A titled line chart (training curves, probe accuracy per layer) that
/// exports like every view. Plain data in, no knowledge of runs.
class LineChart : public VtkHost {
    Q_OBJECT
public:
    explicit LineChart(QWidget *parent = nullptr);
    ~LineChart() override;

    void setChart(const QString &title, const QString &xTitle, const QString &yTitle,
                  std::vector<LineSeries> series);
    /// Names the x ticks (e.g. probe names); empty = numeric ticks.
    void setXTickLabels(const QStringList &labels);
    /// Fixes the y range (e.g. 0..1 for accuracies); lo >= hi = automatic.
    void setYRange(double lo, double hi);
    int seriesCount() const { return static_cast<int>(m_series.size()); }
    QString figureTitle() const override { return m_title; }

private:
    void rebuild();

    vtkNew<vtkContextView> m_view;
    vtkNew<vtkChartXY> m_chart;
    QString m_title, m_xTitle, m_yTitle;
    QStringList m_ticks;
    double m_yLo = 0, m_yHi = 0;
    std::vector<LineSeries> m_series;
};

} // namespace pds
