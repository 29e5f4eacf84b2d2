#include "charts/sizescatterchart.h"

#include "charts/chartstyle.h"
#include "charts/palette.h"

#include <vtkAxis.h>
#include <vtkChartXY.h>
#include <vtkFloatArray.h>
#include <vtkPen.h>
#include <vtkPlotPoints.h>
#include <vtkTable.h>

#include <algorithm>
#include <cmath>

namespace pds {

namespace {

vtkNew<vtkTable> pointTable(const std::vector<float> &xs, const std::vector<float> &ys)
{
    vtkNew<vtkTable> table;
    vtkNew<vtkFloatArray> x, y;
    x->SetName("x");
    y->SetName("y");
    for (std::size_t i = 0; i < xs.size(); ++i) {
        x->InsertNextValue(xs[i]);
        y->InsertNextValue(ys[i]);
    }
    table->AddColumn(x);
    table->AddColumn(y);
    return table;
}

void colourPlot(vtkPlot *plot, const QColor &c)
{
    plot->SetColor(static_cast<unsigned char>(c.red()), static_cast<unsigned char>(c.green()),
                   static_cast<unsigned char>(c.blue()), 255);
}

} // namespace

SizeScatterChart::SizeScatterChart(QWidget *parent) : TitledChart(parent), m_colour(&trajectoryColour)
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

    // The diagonal marks examples alike on both axes (memorised alike at both
    // ends, a target left as it was); the range keeps 0..1 (mem's scale) in view.
    float lo = 0, hi = 1;
    for (const SizeScatterPoint &p : m_points) {
        lo = std::min({lo, p.x, p.y});
        hi = std::max({hi, p.x, p.y});
    }
    auto *diagonal = chartXY()->AddPlot(vtkChart::LINE);
    diagonal->SetInputData(pointTable({lo, hi}, {lo, hi}), 0, 1);
    colourPlot(diagonal, QColor(0x99, 0x99, 0x99));
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
        plot->SetInputData(pointTable(xs, ys), 0, 1);
        colourPlot(plot, m_colour(type));
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
        plot->SetInputData(pointTable(xs, ys), 0, 1);
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
