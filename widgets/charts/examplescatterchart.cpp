#include "charts/examplescatterchart.h"

#include "charts/chartstyle.h"

#include <vtkAxis.h>
#include <vtkChartXY.h>
#include <vtkCommand.h>
#include <vtkContextMouseEvent.h>
#include <vtkIdTypeArray.h>
#include <vtkPen.h>
#include <vtkPlotPoints.h>
#include <vtkTable.h>

#include <algorithm>
#include <cmath>

namespace pds {

ExampleScatterChart::ExampleScatterChart(QWidget *parent) : TitledChart(parent)
{
    chartXY()->AddObserver(vtkCommand::InteractionEvent, this, &ExampleScatterChart::onChartClick);
    chartXY()->AddObserver(vtkCommand::SelectionChangedEvent, this, &ExampleScatterChart::onChartSelection);
}

ExampleScatterChart::~ExampleScatterChart() = default;

void ExampleScatterChart::setPickingEnabled(bool on)
{
    vtkChartXY *chart = chartXY();
    chart->SetActionToButton(vtkChart::SELECT, on ? vtkContextMouseEvent::LEFT_BUTTON : -1);
    if (on) {
        // Wheel zooms; the middle button pans what the left one no longer does.
        chart->SetActionToButton(vtkChart::PAN, vtkContextMouseEvent::MIDDLE_BUTTON);
        chart->SetClickActionToButton(vtkChart::SELECT, -1);
        chart->SetClickActionToButton(vtkChart::NOTIFY, vtkContextMouseEvent::LEFT_BUTTON);
    } else {
        chart->SetActionToButton(vtkChart::PAN, vtkContextMouseEvent::LEFT_BUTTON);
        chart->SetClickActionToButton(vtkChart::NOTIFY, -1);
    }
}

void ExampleScatterChart::setPoints(const QString &title, const QString &subtitle, const QString &xTitle,
                                    const QString &yTitle, const QStringList &types, const std::vector<QColor> &colours,
                                    std::vector<ExamplePoint> points)
{
    vtkChartXY *chart = chartXY();
    m_points.clear();
    for (const ExamplePoint &p : points)
        if (std::isfinite(p.x) && std::isfinite(p.y) && p.type >= 0 && p.type < types.size())
            m_points.push_back(p);
    m_perType.assign(static_cast<std::size_t>(types.size()), 0);
    m_plotOfType.assign(static_cast<std::size_t>(types.size()), -1);
    m_plotExamples.assign(static_cast<std::size_t>(types.size()), {});
    chart->ClearPlots();
    setTitles(title, subtitle, xTitle, yTitle);
    vtkAxis *x = chart->GetAxis(vtkAxis::BOTTOM), *y = chart->GetAxis(vtkAxis::LEFT);

    // The diagonal marks examples alike on both axes; the range covers [0, 1] at
    // least. An empty chart (nothing open) shows its title and axes only.
    float lo = 0, hi = 1;
    for (const ExamplePoint &p : m_points) {
        lo = std::min({lo, p.x, p.y});
        hi = std::max({hi, p.x, p.y});
    }
    if (!m_points.empty()) {
        auto *diagonal = chart->AddPlot(vtkChart::LINE);
        diagonal->SetInputData(xyTable(std::vector<float>{lo, hi}, std::vector<float>{lo, hi}), 0, 1);
        setPlotColour(diagonal, QColor(0x99, 0x99, 0x99));
        diagonal->GetPen()->SetLineType(vtkPen::DASH_LINE);
        diagonal->SetLabel(tr("equal").toStdString());
        diagonal->SetLegendVisibility(false);
        diagonal->SetSelectable(false);
    }

    for (int type = 0; type < types.size(); ++type) {
        std::vector<double> xs, ys;
        auto &examples = m_plotExamples[static_cast<std::size_t>(type)];
        for (const ExamplePoint &p : m_points)
            if (p.type == type) {
                xs.push_back(p.x);
                ys.push_back(p.y);
                examples.push_back(p.example);
            }
        m_perType[static_cast<std::size_t>(type)] = static_cast<int>(xs.size());
        if (xs.empty())
            continue;
        m_plotOfType[static_cast<std::size_t>(type)] = static_cast<int>(chart->GetNumberOfPlots());
        auto *plot = vtkPlotPoints::SafeDownCast(chart->AddPlot(vtkChart::POINTS));
        plot->SetInputData(xyTable(xs, ys), 0, 1);
        setPlotColour(plot, type < static_cast<int>(colours.size()) ? colours[static_cast<std::size_t>(type)] : QColor(Qt::black));
        plot->SetMarkerStyle(vtkPlotPoints::CIRCLE);
        plot->SetMarkerSize(6);
        plot->SetLabel(types[type].toStdString());
    }
    chart->SetShowLegend(!m_points.empty());
    fitAxis(x, lo, hi);
    fitAxis(y, lo, hi);
    setNiceTicks(x);
    setNiceTicks(y);
    m_highlightedCount = 0;
    update();
}

void ExampleScatterChart::setHighlighted(const std::vector<std::int64_t> &examples)
{
    // The highlight is the last plot when present; drop it before drawing it anew.
    const int plots = static_cast<int>(chartXY()->GetNumberOfPlots());
    if (m_highlightedCount > 0 && plots > 0)
        chartXY()->RemovePlot(plots - 1);
    std::vector<double> xs, ys;
    for (const ExamplePoint &p : m_points)
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
        plot->SetSelectable(false);
    }
    update();
}

int ExampleScatterChart::plottedTotal() const
{
    return static_cast<int>(m_points.size());
}

int ExampleScatterChart::plottedCount(int type) const
{
    return type >= 0 && type < static_cast<int>(m_perType.size()) ? m_perType[static_cast<std::size_t>(type)] : 0;
}

std::vector<std::int64_t> ExampleScatterChart::examplesIn(const QRectF &rect) const
{
    const QRectF r = rect.normalized();
    std::vector<std::int64_t> out;
    for (const ExamplePoint &p : m_points)
        if (p.x >= r.left() && p.x <= r.right() && p.y >= r.top() && p.y <= r.bottom())
            out.push_back(p.example);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

void ExampleScatterChart::onChartClick(vtkObject *, unsigned long, void *callData)
{
    const auto *hit = static_cast<const vtkChartPlotData *>(callData);
    if (!hit)
        return;
    for (std::size_t type = 0; type < m_plotOfType.size(); ++type) {
        const int plot = m_plotOfType[type];
        if (plot < 0 || chartXY()->GetPlot(plot)->GetLabel() != hit->SeriesName)
            continue;
        const auto &examples = m_plotExamples[type];
        if (hit->Index >= 0 && hit->Index < static_cast<vtkIdType>(examples.size()))
            Q_EMIT examplesPicked({examples[static_cast<std::size_t>(hit->Index)]});
        return;
    }
}

void ExampleScatterChart::onChartSelection()
{
    // A dragged box: the chart has marked the points inside it in each plot.
    std::vector<std::int64_t> picked;
    for (std::size_t type = 0; type < m_plotOfType.size(); ++type) {
        const int plot = m_plotOfType[type];
        vtkIdTypeArray *ids = plot >= 0 ? chartXY()->GetPlot(plot)->GetSelection() : nullptr;
        const auto &examples = m_plotExamples[type];
        for (vtkIdType k = 0; ids && k < ids->GetNumberOfTuples(); ++k) {
            const vtkIdType row = ids->GetValue(k);
            if (row >= 0 && row < static_cast<vtkIdType>(examples.size()))
                picked.push_back(examples[static_cast<std::size_t>(row)]);
        }
    }
    std::sort(picked.begin(), picked.end());
    Q_EMIT examplesPicked(picked);
}

} // namespace pds
