#pragma once

#include "charts/titledchart.h"

#include <QColor>
#include <QRectF>
#include <QStringList>

#include <cstdint>
#include <vector>

class vtkObject;

namespace pds {

/// One point of an ExampleScatterChart: an example, its two coordinates and its type.
struct ExamplePoint {
    std::int64_t example = 0;
    float x = 0, y = 0;
    int type = 0;
};

/// Scatter of one value per example against another, one plot per type of
/// example in a colour of its own, the diagonal for reference and the
/// selected examples marked with crosses on top. When picking is on, a drag
/// (rubber band) or a click picks examples and examplesPicked() names them.
class ExampleScatterChart : public TitledChart {
    Q_OBJECT
public:
    explicit ExampleScatterChart(QWidget *parent = nullptr);
    ~ExampleScatterChart() override;

    /// Points with a NaN coordinate are left out; `types` names the plots,
    /// `colours` colours them (one each).
    void setPoints(const QString &title, const QString &subtitle, const QString &xTitle, const QString &yTitle,
                   const QStringList &types, const std::vector<QColor> &colours, std::vector<ExamplePoint> points);
    /// Marks these examples (sorted) with crosses.
    void setHighlighted(const std::vector<std::int64_t> &examples);
    /// Points drawn over all types, and in the plot of `type`.
    int plottedTotal() const;
    int plottedCount(int type) const;
    int highlightedCount() const { return m_highlightedCount; }

    /// The left button picks examples instead of panning the view.
    void setPickingEnabled(bool on);
    /// The examples whose points lie in `rect` (data coordinates), sorted.
    std::vector<std::int64_t> examplesIn(const QRectF &rect) const;

Q_SIGNALS:
    /// Examples picked with the mouse (sorted; empty: a click beside every point).
    void examplesPicked(const std::vector<std::int64_t> &examples);

private:
    void onChartClick(vtkObject *caller, unsigned long event, void *callData);
    void onChartSelection();

    std::vector<ExamplePoint> m_points;              ///< the plotted ones
    std::vector<std::vector<std::int64_t>> m_plotExamples; ///< per type plot, in the plot's row order
    std::vector<int> m_plotOfType;                   ///< chart plot index of each type, -1 if none
    std::vector<int> m_perType;
    int m_highlightedCount = 0;
};

} // namespace pds
