#pragma once

#include "charts/vtkhost.h"

#include <QPointF>
#include <QPointer>

#include <vtkSmartPointer.h>

#include <cstdint>
#include <vector>

class vtkChartXY;
class vtkContextView;
class vtkObject;
class vtkPlotPoints;

namespace pds {

class ExampleSelection;
class FigureTitleItem;
class RunDocument;

/// Scatter of every example that has both coordinates: validation-split depth
/// on x, train-split depth (or memorisation) on y, one plot per difficulty
/// group, the shared selection drawn on top. Rectangle or lasso drags select
/// examples into the shared selection (filtering the gallery); a click picks
/// one example.
class GroupsChart : public VtkHost {
    Q_OBJECT
public:
    enum class Axes { TrainDepth, Memorisation };
    enum class Tool { Rectangle, Lasso };

    explicit GroupsChart(ExampleSelection *selection, QWidget *parent = nullptr);
    ~GroupsChart() override;

    /// Shows `doc` (null: an empty chart). The chart follows its groupsChanged().
    void setDocument(RunDocument *doc);
    void setAxes(Axes axes);
    Axes axes() const { return m_axes; }
    void setTool(Tool tool);
    Tool tool() const { return m_tool; }

    /// Selects the examples whose drawn (jittered) points lie in the rectangle,
    /// in data coordinates, exactly as a rectangle drag does.
    void selectRect(double x0, double y0, double x1, double y1);
    /// Selects the examples whose drawn points lie inside the polygon (data coordinates).
    void selectPolygon(const std::vector<QPointF> &dataPoints);

    /// Points drawn in the plot of `group` (index into RunDocument::groupLabels()).
    int plottedCount(int group) const;
    /// Points drawn over all groups.
    int plottedTotal() const;
    /// The examples drawn highlighted (the shared selection among plotted ones), sorted.
    std::vector<std::int64_t> highlighted() const;
    /// Where `example` is drawn (jitter included), or NaN if it is not plotted.
    QPointF position(std::int64_t example) const;
    /// Half-width of the jitter along each axis in data units (depth axes: 0.2 probe).
    double jitterWidth(int axis) const;
    /// The VTK chart (its axes map data to pixels).
    vtkChartXY *chartXY() const;
    /// The chart's title and subtitle (on two lines), drawn elided when narrow.
    QString title() const;
    QString figureTitle() const override { return title().replace(QLatin1Char('\n'), QStringLiteral(" — ")); }
    FigureGeometry figureGeometry() override;

Q_SIGNALS:
    /// The plotted points changed (new document, thresholds, axes).
    void plotted();

protected:
    bool settleLayout() override;

private:
    void rebuild();
    /// Axes fitted to the drawn points, ticks at whole probes named as the probes are.
    void fitAxes(const std::vector<std::vector<float>> &xs, const std::vector<std::vector<float>> &ys,
                 bool memorisation);
    void showSelection();
    void collectSelection();
    void onVtkSelection(vtkObject *caller, unsigned long event, void *callData);

    QPointer<ExampleSelection> m_selection;
    QPointer<RunDocument> m_doc;
    Axes m_axes = Axes::TrainDepth;
    Tool m_tool = Tool::Rectangle;
    vtkSmartPointer<vtkContextView> m_view;
    vtkSmartPointer<vtkChartXY> m_chart;
    vtkSmartPointer<FigureTitleItem> m_titleItem;
    std::vector<vtkSmartPointer<vtkPlotPoints>> m_groupPlots;
    std::vector<std::vector<std::int64_t>> m_plotExamples; ///< per group plot: row → example
    vtkSmartPointer<vtkPlotPoints> m_highlight;
    std::vector<std::int64_t> m_highlighted;
    std::vector<float> m_x, m_y; ///< drawn position per example, NaN if not plotted
    QString m_title;
    QString m_xTitle, m_yTitle; ///< in full; the axes draw them elided to their length
};

} // namespace pds
