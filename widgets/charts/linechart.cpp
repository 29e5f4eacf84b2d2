#include "charts/linechart.h"

#include <vtkAxis.h>
#include <vtkChartLegend.h>
#include <vtkChartXY.h>
#include <vtkContextScene.h>
#include <vtkContextView.h>
#include <vtkDoubleArray.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkPen.h>
#include <vtkPlot.h>
#include <vtkRenderer.h>
#include <vtkStringArray.h>
#include <vtkTable.h>
#include <vtkTextProperty.h>

namespace pds {

LineChart::LineChart(QWidget *parent) : VtkHost(parent)
{
    m_view->SetRenderWindow(renderWindow());
    m_view->GetRenderer()->SetBackground(1.0, 1.0, 1.0);
    m_view->GetScene()->AddItem(m_chart);
    m_chart->SetShowLegend(true);
    m_chart->GetTitleProperties()->SetFontSize(14);
    rebuild();
}

LineChart::~LineChart() = default;

void LineChart::setChart(const QString &title, const QString &xTitle, const QString &yTitle,
                             std::vector<LineSeries> series)
{
    m_title = title;
    m_xTitle = xTitle;
    m_yTitle = yTitle;
    m_series = std::move(series);
    rebuild();
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
    m_chart->ClearPlots();
    m_chart->SetTitle(m_title.toStdString());
    vtkAxis *x = m_chart->GetAxis(vtkAxis::BOTTOM);
    vtkAxis *y = m_chart->GetAxis(vtkAxis::LEFT);
    x->SetTitle(m_xTitle.toStdString());
    y->SetTitle(m_yTitle.toStdString());
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
        vtkPlot *line = m_chart->AddPlot(s.x.size() < 2 ? vtkChart::POINTS : vtkChart::LINE);
        line->SetInputData(table, 0, 1);
        line->SetColor(static_cast<unsigned char>(s.colour.red()), static_cast<unsigned char>(s.colour.green()),
                       static_cast<unsigned char>(s.colour.blue()), 255);
        line->SetWidth(2.0);
        if (s.dashed)
            line->GetPen()->SetLineType(vtkPen::DASH_LINE);
        line->SetLabel(s.name.toStdString());
    }
    if (!m_ticks.isEmpty()) {
        vtkNew<vtkDoubleArray> positions;
        vtkNew<vtkStringArray> labels;
        for (int i = 0; i < m_ticks.size(); ++i) {
            positions->InsertNextValue(i);
            labels->InsertNextValue(m_ticks[i].toStdString());
        }
        x->SetCustomTickPositions(positions, labels);
        x->GetLabelProperties()->SetOrientation(m_ticks.size() > 8 ? 45 : 0);
    } else {
        x->SetCustomTickPositions(nullptr);
    }
    if (m_yHi > m_yLo) {
        y->SetBehavior(vtkAxis::FIXED);
        y->SetRange(m_yLo, m_yHi);
    } else {
        y->SetBehavior(vtkAxis::AUTO);
    }
    m_chart->RecalculateBounds();
    update();
}

} // namespace pds
