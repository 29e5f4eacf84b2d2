#pragma once

// IntervalSeries is the plain data IntervalChart::setChart() takes and has
// no use apart from it, so the two share this header.

#include "charts/titledchart.h"

#include <QColor>
#include <QStringList>

#include <vector>

namespace pds {

/// One series of an IntervalChart: points with an interval each.
struct IntervalSeries {
    QString name;
    QColor colour;
    std::vector<double> x, y, low, high; ///< low/high: the interval's ends (NaN: no bar)
    bool joined = false;                 ///< draw a line through the points as well
};

/// Points with error bars (a bootstrap interval, a spread over members),
/// several series side by side: on categories (regimes) the series are set
/// apart a little so their bars do not cover one another. Exports like
/// every chart.
class IntervalChart : public TitledChart {
    Q_OBJECT
public:
    explicit IntervalChart(QWidget *parent = nullptr);

    /// `categories` names x = 0, 1, … (empty: numeric x ticks). `yLo < yHi`
    /// bounds the y axis and the intervals (e.g. 0..1 for accuracies).
    void setChart(const QString &title, const QString &subtitle, const QString &xTitle, const QString &yTitle,
                  std::vector<IntervalSeries> series, const QStringList &categories = {}, double yLo = 0,
                  double yHi = 0);
    int seriesCount() const { return static_cast<int>(m_series.size()); }
    const IntervalSeries &series(int i) const { return m_series[static_cast<std::size_t>(i)]; }

private:
    std::vector<IntervalSeries> m_series;
};

} // namespace pds
