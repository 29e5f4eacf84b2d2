#pragma once

// LineSeries is the plain data LineChart::setChart() takes and has no use
// apart from it, so the two share this header.

#include "charts/titledchart.h"

#include <QColor>
#include <QString>
#include <QStringList>

#include <vector>

namespace pds {

/// One line of a LineChart.
struct LineSeries {
    QString name;
    std::vector<double> x, y;
    QColor colour;
    bool dashed = false;
    bool inLegend = true; ///< false: drawn but not listed (a second curve of the same model)
};

/// A titled line chart (training curves, probe accuracy per layer) that
/// exports like every view. Plain data in, no knowledge of runs.
class LineChart : public TitledChart {
    Q_OBJECT
public:
    explicit LineChart(QWidget *parent = nullptr);

    /// `title` is drawn elided in the middle when the view is narrow; the
    /// full text stays in the tooltip and in exported files.
    void setChart(const QString &title, const QString &xTitle, const QString &yTitle,
                  std::vector<LineSeries> series);
    /// A second, smaller title line (the run, what the line styles mean).
    void setSubtitle(const QString &subtitle);
    /// Names the x ticks (e.g. probe names); empty = numeric ticks.
    void setXTickLabels(const QStringList &labels);
    /// Bounds the y range (e.g. 0..1 for accuracies): the axis fits the data
    /// but never goes past them; lo >= hi = no bounds.
    void setYRange(double lo, double hi);
    int seriesCount() const { return static_cast<int>(m_series.size()); }

private:
    void rebuild();

    QString m_title, m_subtitle, m_xTitle, m_yTitle;
    QStringList m_ticks;
    double m_yLo = 0, m_yHi = 0;
    std::vector<LineSeries> m_series;
};

} // namespace pds
