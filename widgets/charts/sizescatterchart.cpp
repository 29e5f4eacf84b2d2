#include "charts/sizescatterchart.h"

#include "charts/palette.h"

namespace pds {

SizeScatterChart::SizeScatterChart(QWidget *parent) : ExampleScatterChart(parent), m_colour(&trajectoryColour)
{
    setPoints(tr("No sweep open"), QString(), QString(), QString(), {}, {});
}

void SizeScatterChart::setPoints(const QString &title, const QString &subtitle, const QString &xTitle,
                                 const QString &yTitle, const QStringList &types, std::vector<SizeScatterPoint> points)
{
    std::vector<QColor> colours;
    for (int type = 0; type < types.size(); ++type)
        colours.push_back(m_colour(type));
    ExampleScatterChart::setPoints(title, subtitle, xTitle, yTitle, types, colours, std::move(points));
}

} // namespace pds
