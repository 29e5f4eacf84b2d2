#include "charts/intervalchart.h"

#include "charts/chartstyle.h"

#include <vtkAxis.h>
#include <vtkChartXY.h>
#include <vtkPen.h>
#include <vtkPlotLine.h>
#include <vtkPlotPoints.h>
#include <vtkTable.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace pds {

IntervalChart::IntervalChart(QWidget *parent) : TitledChart(parent)
{
    setChart(tr("No comparison open"), QString(), QString(), QString(), {});
}

void IntervalChart::setChart(const QString &title, const QString &subtitle, const QString &xTitle,
                             const QString &yTitle, std::vector<IntervalSeries> series, const QStringList &categories,
                             double yLo, double yHi)
{
    m_series = std::move(series);
    vtkChartXY *chart = chartXY();
    chart->ClearPlots();
    setTitles(title, subtitle, xTitle, yTitle);
    const bool named = !categories.isEmpty();
    // Series that share a category stand side by side, 0.3 of a step apart at most.
    bool shared = false;
    for (std::size_t a = 0; a < m_series.size() && !shared; ++a)
        for (std::size_t b = a + 1; b < m_series.size() && !shared; ++b)
            for (double x : m_series[a].x)
                shared = shared || std::find(m_series[b].x.begin(), m_series[b].x.end(), x) != m_series[b].x.end();
    const double spread = named && shared ? std::min(0.3, 0.6 / double(m_series.size())) : 0.0;
    double xMin = std::numeric_limits<double>::infinity(), xMax = -xMin, yMin = xMin, yMax = -xMin;
    for (std::size_t s = 0; s < m_series.size(); ++s) {
        const IntervalSeries &in = m_series[s];
        const double offset = spread * (double(s) - double(m_series.size() - 1) / 2.0);
        std::vector<double> xs, ys, barX, barY;
        for (std::size_t i = 0; i < in.x.size() && i < in.y.size(); ++i) {
            if (!std::isfinite(in.y[i]))
                continue;
            const double x = in.x[i] + offset;
            xs.push_back(x);
            ys.push_back(in.y[i]);
            xMin = std::min(xMin, x);
            xMax = std::max(xMax, x);
            yMin = std::min(yMin, in.y[i]);
            yMax = std::max(yMax, in.y[i]);
            double lo = i < in.low.size() ? in.low[i] : NAN, hi = i < in.high.size() ? in.high[i] : NAN;
            // ± a spread may pass a bound the value cannot (an accuracy above 1).
            if (yLo < yHi) {
                lo = std::max(lo, yLo);
                hi = std::min(hi, yHi);
            }
            if (std::isfinite(lo) && std::isfinite(hi)) {
                // Segment pairs: the line plot draws 0–1, 2–3, … when not a polyline.
                barX.insert(barX.end(), {x, x});
                barY.insert(barY.end(), {lo, hi});
                yMin = std::min(yMin, lo);
                yMax = std::max(yMax, hi);
            }
        }
        if (xs.empty())
            continue;
        if (!barX.empty()) {
            auto *bars = vtkPlotLine::SafeDownCast(chart->AddPlot(vtkChart::LINE));
            bars->SetInputData(xyTable(barX, barY), 0, 1);
            bars->SetPolyLine(false);
            bars->SetMarkerStyle(vtkPlotPoints::NONE);
            setPlotColour(bars, in.colour);
            bars->SetWidth(1.5f);
            bars->SetLabel((in.name + tr(" interval")).toStdString());
            bars->SetLegendVisibility(false);
            bars->SetSelectable(false);
        }
        auto *points = vtkPlotPoints::SafeDownCast(chart->AddPlot(in.joined ? vtkChart::LINE : vtkChart::POINTS));
        points->SetInputData(xyTable(xs, ys), 0, 1);
        setPlotColour(points, in.colour);
        points->SetMarkerStyle(vtkPlotPoints::CIRCLE);
        points->SetMarkerSize(8);
        if (in.joined)
            points->SetWidth(1.5f);
        points->SetLabel(in.name.toStdString());
        points->SetSelectable(false);
    }
    vtkAxis *x = chart->GetAxis(vtkAxis::BOTTOM), *y = chart->GetAxis(vtkAxis::LEFT);
    const bool empty = !std::isfinite(xMin);
    if (named) {
        x->SetRange(-0.6, categories.size() - 0.4);
        setNamedTicks(x, categories);
        x->SetGridVisible(false);
    } else {
        fitAxis(x, empty ? 0 : xMin, empty ? 1 : xMax);
        setNiceTicks(x, 5, true);
        x->SetGridVisible(true);
    }
    if (empty) {
        yMin = 0;
        yMax = 1;
    }
    if (yLo < yHi) {
        // Bounded (accuracies): the axis fits the data but never passes the bounds.
        const double pad = 0.05 * std::max(yMax - yMin, 1e-3);
        y->SetRange(std::max(yLo, yMin - pad), std::min(yHi, yMax + pad));
        if (y->GetMinimum() >= y->GetMaximum())
            y->SetRange(yLo, yHi);
    } else {
        fitAxis(y, yMin, yMax);
    }
    setNiceTicks(y);
    chart->SetShowLegend(m_series.size() > 1 && !empty);
    update();
}

} // namespace pds
