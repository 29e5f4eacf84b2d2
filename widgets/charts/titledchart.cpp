#include "charts/titledchart.h"

#include "charts/chartstyle.h"
#include "charts/figureinspect.h"

#include <vtkAxis.h>
#include <vtkChartXY.h>
#include <vtkContextScene.h>
#include <vtkContextView.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkRenderer.h>

namespace pds {

TitledChart::TitledChart(QWidget *parent) : VtkHost(parent)
{
    m_view->SetRenderWindow(renderWindow());
    m_view->GetRenderer()->SetBackground(1.0, 1.0, 1.0);
    m_view->GetScene()->AddItem(m_titleItem);
    m_view->GetScene()->AddItem(m_chart);
    m_titleItem->setCharts({m_chart});
    m_chart->SetLayoutStrategy(vtkChart::FILL_RECT);
    styleChart(m_chart);
    for (int axis : {vtkAxis::BOTTOM, vtkAxis::LEFT})
        m_chart->GetAxis(axis)->SetBehavior(vtkAxis::FIXED);
}

TitledChart::~TitledChart()
{
    m_chart->RemoveAllObservers();
}

vtkChartXY *TitledChart::chartXY() const
{
    return m_chart;
}

void TitledChart::setTitles(const QString &title, const QString &subtitle, const QString &xTitle, const QString &yTitle)
{
    m_title = title;
    m_subtitle = subtitle;
    m_xTitle = xTitle;
    m_yTitle = yTitle;
    m_titleItem->setTitle(m_title, m_subtitle);
    m_chart->GetAxis(vtkAxis::BOTTOM)->SetTitle(m_xTitle.toStdString());
    m_chart->GetAxis(vtkAxis::LEFT)->SetTitle(m_yTitle.toStdString());
}

QPointF TitledChart::chartToWidget(double x, double y) const
{
    auto toScene = [](vtkAxis *axis, double value, int dim) {
        const float *p1 = axis->GetPoint1(), *p2 = axis->GetPoint2();
        const double t = (value - axis->GetMinimum()) / (axis->GetMaximum() - axis->GetMinimum());
        return p1[dim] + t * (p2[dim] - p1[dim]);
    };
    const double sceneX = toScene(m_chart->GetAxis(vtkAxis::BOTTOM), x, 0);
    const double sceneY = toScene(m_chart->GetAxis(vtkAxis::LEFT), y, 1);
    // The scene counts device pixels from the bottom left.
    const double dpr = devicePixelRatioF();
    return {sceneX / dpr, (renderWindow()->GetSize()[1] - sceneY) / dpr};
}

QString TitledChart::figureTitle() const
{
    return m_subtitle.isEmpty() ? m_title : m_title + QStringLiteral(" — ") + m_subtitle;
}

bool TitledChart::settleLayout()
{
    const bool changed = settleChart(m_chart, m_xTitle, m_yTitle, renderDpi());
    setToolTip(m_titleItem->elided() ? figureTitle() : QString());
    return changed;
}

FigureGeometry TitledChart::figureGeometry()
{
    return inspectFigure(m_view->GetScene(), {m_chart}, renderDpi());
}

} // namespace pds
