#include "charts/linechart.h"

#include "charts/chartstyle.h"

#include <vtkAxis.h>
#include <vtkChartXY.h>
#include <vtkDoubleArray.h>
#include <vtkPen.h>
#include <vtkPlot.h>
#include <vtkTable.h>
#include <vtkTextProperty.h>

#include <algorithm>
#include <cmath>

namespace pds {

LineChart::LineChart(QWidget *parent) : TitledChart(parent)
{
    rebuild();
}

void LineChart::setChart(const QString &title, const QString &xTitle, const QString &yTitle,
                             std::vector<LineSeries> series)
{
    m_title = title;
    m_xTitle = xTitle;
    m_yTitle = yTitle;
    m_series = std::move(series);
    rebuild();
}

void LineChart::setSubtitle(const QString &subtitle)
{
    m_subtitle = subtitle;
    setTitles(m_title, m_subtitle, m_xTitle, m_yTitle);
    update();
}

void LineChart::setXTickLabels(const QStringList &labels)
{
    m_ticks = labels;
    rebuild();
}

void LineChart::setYRange(double lo, double hi)
{
    m_yLo = lo;
    m_yHi = hi;
    rebuild();
}

void LineChart::rebuild()
{
    vtkChartXY *chart = chartXY();
    chart->ClearPlots();
    setTitles(m_title, m_subtitle, m_xTitle, m_yTitle);
    vtkAxis *x = chart->GetAxis(vtkAxis::BOTTOM);
    vtkAxis *y = chart->GetAxis(vtkAxis::LEFT);
    int legendEntries = 0;
    bool integralX = true;
    for (const LineSeries &s : m_series) {
        if (s.x.empty())
            continue;
        vtkNew<vtkTable> table;
        vtkNew<vtkDoubleArray> xs, ys;
        xs->SetName("x");
        ys->SetName(s.name.toStdString().c_str());
        for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
            xs->InsertNextValue(s.x[i]);
            ys->InsertNextValue(s.y[i]);
        }
        table->AddColumn(xs);
        table->AddColumn(ys);
        // A line needs two points; the first epoch of a live run has one.
        vtkPlot *line = chart->AddPlot(s.x.size() < 2 ? vtkChart::POINTS : vtkChart::LINE);
        line->SetInputData(table, 0, 1);
        line->SetColor(static_cast<unsigned char>(s.colour.red()), static_cast<unsigned char>(s.colour.green()),
                       static_cast<unsigned char>(s.colour.blue()), 255);
        line->SetWidth(2.0);
        if (s.dashed)
            line->GetPen()->SetLineType(vtkPen::DASH_LINE);
        line->SetLabel(s.name.toStdString());
        line->SetLegendVisibility(s.inLegend);
        legendEntries += s.inLegend ? 1 : 0;
        for (double v : s.x)
            integralX = integralX && v == std::floor(v);
    }
    chart->SetShowLegend(legendEntries > 1);
    const DataExtent e = dataExtent(chart);
    double x0 = e.valid ? e.x0 : 0, x1 = e.valid ? e.x1 : 1, y0 = e.valid ? e.y0 : 0, y1 = e.valid ? e.y1 : 1;
    if (!m_ticks.isEmpty()) {
        x0 = 0;
        x1 = std::max(x1, double(m_ticks.size() - 1));
    }
    fitAxis(x, x0, x1);
    fitAxis(y, y0, y1);
    if (m_yHi > m_yLo)
        y->SetRange(std::max(m_yLo, y->GetMinimum()), std::min(m_yHi, y->GetMaximum()));
    if (!m_ticks.isEmpty()) {
        setNamedTicks(x, m_ticks);
        x->GetLabelProperties()->SetOrientation(m_ticks.size() > 8 ? 45 : 0);
    } else {
        setNiceTicks(x, 5, integralX);
    }
    setNiceTicks(y);
    update();
}

} // namespace pds
