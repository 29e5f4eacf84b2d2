#pragma once

// The figure style every chart shares (fonts, axis fitting, named integer
// ticks, legend placement and the figure title) and the title item itself,
// which has no use apart from these helpers, so the two share this header.

#include <QColor>
#include <QString>
#include <QStringList>

#include <vtkContextItem.h>
#include <vtkNew.h>
#include <vtkSmartPointer.h>
#include <vtkTextProperty.h>

#include <string>
#include <vector>

class vtkAxis;
class vtkChartXY;
class vtkContext2D;
class vtkDataArray;
class vtkPlot;
class vtkPlotBar;
class vtkTable;
class QColor;

namespace pds {

/// Point sizes of figure text. Ticks are the base size: the export dialog's
/// font size sets them and scales the rest alike.
struct FigureFonts {
    static constexpr int title = 12;
    static constexpr int subtitle = 10;
    static constexpr int axisTitle = 11;
    static constexpr int ticks = 10;
    static constexpr int legend = 10;
};

/// The data extent of a chart's visible plots (bars count from zero and
/// include their width), in data coordinates.
struct DataExtent {
    double x0 = 0, x1 = 0, y0 = 0, y1 = 0;
    bool valid = false;
};

/// House style on a chart: fonts, black text, light grid, legend off the plot.
void styleChart(vtkChartXY *chart);

/// Fixes the axis to [lo, hi] widened by `margin` of the span on each side;
/// an empty span gets ±0.5 so a single value sits in the middle.
void fitAxis(vtkAxis *axis, double lo, double hi, double margin = 0.05);

/// Ticks at the integers 0..n−1 named by `labels` (probe names, models),
/// those inside a fixed axis's range only (set the range first), thinned to
/// every k-th when `maxTicks` would be exceeded.
void setNamedTicks(vtkAxis *axis, const QStringList &labels, int maxTicks = 12);

/// Round tick values (1, 2 or 5 × 10^k apart) inside [lo, hi], about
/// `targetCount` of them; whole numbers when `integers`.
std::vector<double> niceTickValues(double lo, double hi, int targetCount, bool integers = false);
/// Decimals that keep ticks `step` apart distinct (and no more).
int tickDecimals(double step);

/// Ticks at "nice" round values (1, 2, 5 × 10^k) inside the axis range,
/// labelled with only as many decimals as keep them distinct; `integers`
/// keeps them whole (epochs, depths).
void setNiceTicks(vtkAxis *axis, int targetCount = 5, bool integers = false);

/// A visible plot of a chart with the arrays it draws (bar: null unless a bar plot).
struct PlotArrays {
    vtkPlot *plot;
    vtkDataArray *x, *y;
    vtkPlotBar *bar;
};
/// The visible plots of `chart` that have data.
std::vector<PlotArrays> plotArrays(vtkChartXY *chart);


/// The extent of every visible plot's data (see DataExtent).
DataExtent dataExtent(vtkChartXY *chart);

/// A table of two columns, x and y (float or double, as given), as a point or
/// line plot reads it (SetInputData(table, 0, 1)); rows past the shorter list are left out.
template <typename T>
vtkSmartPointer<vtkTable> xyTable(const std::vector<T> &xs, const std::vector<T> &ys);
/// Colours a plot's marks or line with `c` at opacity `alpha` (0–255).
void setPlotColour(vtkPlot *plot, const QColor &c, int alpha = 255);

/// Puts the legend inline in the plot corner that holds no marks, or outside
/// on the right when every corner has some (above the plot instead when it
/// is wide and `aboveAllowed`). Needs a laid-out chart (after one render);
/// returns true when it moved the legend.
bool placeLegend(vtkChartXY *chart, int dpi, bool aboveAllowed = true);

/// Sets the axis title to `full`, elided in the middle to the axis's length
/// as laid out; returns true when the drawn title changed.
bool fitAxisTitle(vtkAxis *axis, const QString &full, int dpi);

/// Turns a bottom axis's tick labels upright (reading upwards) when side by
/// side they would touch, and back when they have room; returns true when
/// it turned them.
bool untangleTickLabels(vtkAxis *axis, int dpi);

/// What every chart's settleLayout() does for one vtkChartXY: places the
/// legend, elides the axis titles (given in full) to the axes and turns
/// crowded bottom tick labels upright. Returns true when something moved.
bool settleChart(vtkChartXY *chart, const QString &xTitle, const QString &yTitle, int dpi);

/// `text` cut to at most `chars` characters, the middle replaced by "…"
/// (legend entries that name runs).
QString elideChars(const QString &text, int chars);

/// `text` shortened in the middle ("start…end") to at most `maxWidth`
/// pixels as `painter` draws it with its current text property.
QString elideMiddle(vtkContext2D *painter, const QString &text, float maxWidth);

/// A figure's title and optional subtitle, centred over the whole scene and
/// elided in the middle to its width (never clipped). It sizes the charts it
/// is given to the space below it, so add it to the scene before them.
class FigureTitleItem : public vtkContextItem {
public:
    vtkTypeMacro(FigureTitleItem, vtkContextItem);
    static FigureTitleItem *New();

    void setTitle(const QString &title, const QString &subtitle = QString());
    QString title() const { return m_title; }
    QString subtitle() const { return m_subtitle; }
    /// The charts laid out below the title (FILL_RECT); not owned.
    void setCharts(std::vector<vtkChartXY *> charts) { m_charts = std::move(charts); }
    /// True when the last paint had to elide the title or subtitle.
    bool elided() const { return m_elided; }

    bool Paint(vtkContext2D *painter) override;

protected:
    FigureTitleItem();
    ~FigureTitleItem() override;

private:
    FigureTitleItem(const FigureTitleItem &) = delete;
    void operator=(const FigureTitleItem &) = delete;

    QString m_title, m_subtitle;
    std::vector<vtkChartXY *> m_charts;
    vtkNew<vtkTextProperty> m_titleProp, m_subtitleProp;
    bool m_elided = false;
};

} // namespace pds
