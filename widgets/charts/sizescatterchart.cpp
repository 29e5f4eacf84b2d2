#include "charts/sizescatterchart.h"

#include "charts/chartstyle.h"
#include "charts/palette.h"

#include <vtkAxis.h>
#include <vtkChartXY.h>
#include <vtkPen.h>
#include <vtkPlotPoints.h>

#include <algorithm>
#include <cmath>

namespace pds {

SizeScatterChart::SizeScatterChart(QWidget *parent) : TitledChart(parent)
{
    setPoints(tr("No sweep open"), QString(), QString(), QString(), {}, {});
}

SizeScatterChart::~SizeScatterChart() = default;

void SizeScatterChart::setPoints(const QString &title, const QString &subtitle, const QString &xTitle,
                                 const QString &yTitle, const QStringList &types, std::vector<SizeScatterPoint> points)
{
    vtkChartXY *chart = chartXY();
    m_points.clear();
    for (const SizeScatterPoint &p : points)
        if (std::isfinite(p.x) && std::isfinite(p.y) && p.type >= 0 && p.type < types.size())
            m_points.push_back(p);
    m_perType.assign(static_cast<std::size_t>(types.size()), 0);
    chart->ClearPlots();
    setTitles(title, subtitle, xTitle, yTitle);
    vtkAxis *x = chart->GetAxis(vtkAxis::BOTTOM), *y = chart->GetAxis(vtkAxis::LEFT);

    // mem lies in [-1, 1]; the diagonal marks examples memorised alike at both ends.
    float lo = 0, hi = 1;
    for (const SizeScatterPoint &p : m_points) {
        lo = std::min({lo, p.x, p.y});
        hi = std::max({hi, p.x, p.y});
    }
    auto *diagonal = chartXY()->AddPlot(vtkChart::LINE);
    diagonal->SetInputData(xyTable({lo, hi}, {lo, hi}), 0, 1);
    setPlotColour(diagonal, QColor(0x99, 0x99, 0x99));
    diagonal->GetPen()->SetLineType(vtkPen::DASH_LINE);
    diagonal->SetLabel(tr("equal").toStdString());
    diagonal->SetLegendVisibility(false);
    diagonal->SetSelectable(false);

    for (int type = 0; type < types.size(); ++type) {
        std::vector<float> xs, ys;
        for (const SizeScatterPoint &p : m_points)
            if (p.type == type) {
                xs.push_back(p.x);
                ys.push_back(p.y);
            }
        m_perType[static_cast<std::size_t>(type)] = static_cast<int>(xs.size());
        if (xs.empty())
            continue;
        auto *plot = vtkPlotPoints::SafeDownCast(chartXY()->AddPlot(vtkChart::POINTS));
        plot->SetInputData(xyTable(xs, ys), 0, 1);
        setPlotColour(plot, trajectoryColour(type));
        plot->SetMarkerStyle(vtkPlotPoints::CIRCLE);
        plot->SetMarkerSize(6);
        plot->SetLabel(types[type].toStdString());
    }
    chartXY()->SetShowLegend(!m_points.empty());
    fitAxis(x, lo, hi);
    fitAxis(y, lo, hi);
    setNiceTicks(x);
    setNiceTicks(y);
    m_highlightedCount = 0;
    update();
}

void SizeScatterChart::setHighlighted(const std::vector<std::int64_t> &examples)
{
    // The highlight is the last plot when present; drop it before drawing it anew.
    const int plots = static_cast<int>(chartXY()->GetNumberOfPlots());
    if (m_highlightedCount > 0 && plots > 0)
        chartXY()->RemovePlot(plots - 1);
    std::vector<float> xs, ys;
    for (const SizeScatterPoint &p : m_points)
        if (std::binary_search(examples.begin(), examples.end(), p.example)) {
            xs.push_back(p.x);
            ys.push_back(p.y);
        }
    m_highlightedCount = static_cast<int>(xs.size());
    if (!xs.empty()) {
        auto *plot = vtkPlotPoints::SafeDownCast(chartXY()->AddPlot(vtkChart::POINTS));
        plot->SetInputData(xyTable(xs, ys), 0, 1);
        plot->SetColor(0, 0, 0, 255);
        plot->SetMarkerStyle(vtkPlotPoints::CROSS);
        plot->SetMarkerSize(11);
        plot->SetLabel(tr("selected").toStdString());
    }
    update();
}

int SizeScatterChart::plottedTotal() const
{
    return static_cast<int>(m_points.size());
}

int SizeScatterChart::plottedCount(int type) const
{
    return type >= 0 && type < static_cast<int>(m_perType.size()) ? m_perType[static_cast<std::size_t>(type)] : 0;
}

} // namespace pds
