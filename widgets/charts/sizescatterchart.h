#pragma once

#include "charts/titledchart.h"

#include <QColor>
#include <QStringList>

#include <cstdint>
#include <vector>

namespace pds {

/// One point of a SizeScatterChart: an example, its two coordinates and its type.
struct SizeScatterPoint {
    std::int64_t example = 0;
    float x = 0, y = 0;
    int type = 0;
};

/// Scatter of one value per example against another, one plot per type,
/// the diagonal y = x for reference and the selected examples marked on top:
/// the Model sizes view's memorisation at the smallest size (x) against the
/// largest (y) by trajectory type, and the regression view's clean (x)
/// against noisy target (y) by selected / not selected.
class SizeScatterChart : public TitledChart {
    Q_OBJECT
public:
    explicit SizeScatterChart(QWidget *parent = nullptr);
    ~SizeScatterChart() override;

    /// The palette of the types (trajectoryColour unless set); applies from the next setPoints().
    void setTypeColours(QColor (*colour)(int type)) { m_colour = colour; }

    /// Points with a NaN coordinate are left out; `types` names the plots.
    void setPoints(const QString &title, const QString &subtitle, const QString &xTitle, const QString &yTitle,
                   const QStringList &types, std::vector<SizeScatterPoint> points);
    /// Marks these examples (sorted) with crosses.
    void setHighlighted(const std::vector<std::int64_t> &examples);
    /// Points drawn over all types, and in the plot of `type`.
    int plottedTotal() const;
    int plottedCount(int type) const;
    int highlightedCount() const { return m_highlightedCount; }

private:
    QColor (*m_colour)(int) = nullptr;
    std::vector<SizeScatterPoint> m_points; ///< the plotted ones
    std::vector<int> m_perType;
    int m_highlightedCount = 0;
};

} // namespace pds
