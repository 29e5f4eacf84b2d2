#pragma once

#include "charts/vtkhost.h"

#include <QString>

class vtkChartXY;
class vtkContextView;

namespace pds {

class FigureTitleItem;

/// A VtkHost with one vtkChartXY under a FigureTitleItem, in the house style:
/// the scene, the title and subtitle, the axis titles elided to their axes,
/// the legend placement and the figure geometry. Charts derive from it and
/// fill chartXY() with their plots.
class TitledChart : public VtkHost {
    Q_OBJECT
public:
    explicit TitledChart(QWidget *parent = nullptr);
    ~TitledChart() override;

    vtkChartXY *chartXY() const;
    /// Widget position of a point in data coordinates of the bottom and left
    /// axes; valid after the view has been rendered once.
    QPointF chartToWidget(double x, double y) const;
    QString figureTitle() const override;
    FigureGeometry figureGeometry() override;

protected:
    /// Sets the title lines and the axis titles (in full; drawn elided to the axes).
    void setTitles(const QString &title, const QString &subtitle, const QString &xTitle, const QString &yTitle);
    bool settleLayout() override;

private:
    vtkNew<vtkContextView> m_view;
    vtkNew<vtkChartXY> m_chart;
    vtkNew<FigureTitleItem> m_titleItem;
    QString m_title, m_subtitle, m_xTitle, m_yTitle;
};

} // namespace pds
