#include "figurechecks.h"

#include "charts/figureinspect.h"
#include "charts/vtkhost.h"
#include "studiofixture.h"

#include <QFile>
#include <QImage>
#include <QRectF>
#include <QSvgRenderer>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace pds::test {

QStringList figureProblems(const FigureGeometry &g, bool xNamed)
{
    QStringList out;
    const QRectF figure(QPointF(0, 0), g.size);
    auto name = [](const FigureText &t) { return QStringLiteral("\"%1\"").arg(t.text); };
    auto rect = [](const QRectF &r) {
        return QStringLiteral("[%1,%2 %3×%4]").arg(r.x(), 0, 'f', 0).arg(r.y(), 0, 'f', 0).arg(r.width(), 0, 'f', 0).arg(r.height(), 0, 'f', 0);
    };
    if (g.texts.empty())
        out << QStringLiteral("no text drawn");
    // Texts inside the figure (a pixel of antialiasing aside).
    for (const FigureText &t : g.texts)
        if (!figure.adjusted(-1, -1, 1, 1).contains(t.box))
            out << QStringLiteral("%1 %2 leaves the %3×%4 figure").arg(name(t), rect(t.box)).arg(g.size.width()).arg(g.size.height());
    // Titles, axis titles and tick labels never overlap one another.
    for (std::size_t i = 0; i < g.texts.size(); ++i)
        for (std::size_t j = i + 1; j < g.texts.size(); ++j) {
            const FigureText &a = g.texts[i], &b = g.texts[j];
            if (a.kind == FigureText::Legend || b.kind == FigureText::Legend)
                continue;
            const QRectF overlap = a.box.adjusted(1, 1, -1, -1).intersected(b.box.adjusted(1, 1, -1, -1));
            if (!overlap.isEmpty())
                out << QStringLiteral("%1 %2 overlaps %3 %4").arg(name(a), rect(a.box), name(b), rect(b.box));
        }
    for (std::size_t p = 0; p < g.panels.size(); ++p) {
        const FigurePanel &panel = g.panels[p];
        // Distinct tick labels per axis.
        for (const QStringList &ticks : {panel.xTicks, panel.yTicks}) {
            const std::set<QString> distinct(ticks.begin(), ticks.end());
            if (distinct.size() != static_cast<std::size_t>(ticks.size()))
                out << QStringLiteral("panel %1 repeats tick labels: %2").arg(p).arg(ticks.join(QLatin1Char(' ')));
        }
        std::map<int, std::set<QString>> drawnTicks;
        for (const FigureText &t : g.texts)
            if (t.kind == FigureText::TickLabel && t.panel == static_cast<int>(p)
                && !drawnTicks[t.axis].insert(t.text).second)
                out << QStringLiteral("panel %1 draws tick label %2 twice").arg(p).arg(name(t));
        // The legend hides no marks and stays inside the figure.
        if (!panel.legend.isEmpty()) {
            if (!figure.adjusted(-1, -1, 1, 1).contains(panel.legend))
                out << QStringLiteral("panel %1 legend %2 leaves the figure").arg(p).arg(rect(panel.legend));
            int hidden = 0;
            for (const QPointF &m : panel.marks)
                hidden += panel.legend.adjusted(1, 1, -1, -1).contains(m) ? 1 : 0;
            if (hidden > 0)
                out << QStringLiteral("panel %1 legend %2 covers %3 plotted marks").arg(p).arg(rect(panel.legend)).arg(hidden);
        }
        // Data inside the axes, with at most 10 % of the axis as margin on a
        // side (0.6 of a step on axes whose ticks name categories: probes, models).
        if (!panel.data.valid)
            continue;
        auto categorical = [](const QStringList &ticks) {
            for (const QString &t : ticks) {
                bool number = false;
                QString(t).remove(QLatin1Char('%')).toDouble(&number);
                if (!number)
                    return true;
            }
            return false;
        };
        auto checkAxis = [&](const char *axis, double lo, double hi, double d0, double d1, bool named) {
            const double span = hi - lo, eps = 1e-6 * std::max(1.0, std::abs(span));
            if (d0 < lo - eps || d1 > hi + eps)
                out << QStringLiteral("panel %1 %2 axis %3..%4 cuts the data %5..%6").arg(p).arg(QLatin1String(axis)).arg(lo).arg(hi).arg(d0).arg(d1);
            if (d1 - d0 <= eps)
                return;
            const double allowed = std::max(0.1 * span, named ? 0.6 : 0.0) + eps;
            if (d0 - lo > allowed || hi - d1 > allowed)
                out << QStringLiteral("panel %1 %2 axis %3..%4 leaves more than 10 % around the data %5..%6")
                           .arg(p).arg(QLatin1String(axis)).arg(lo).arg(hi).arg(d0).arg(d1);
        };
        checkAxis("x", panel.xMin, panel.xMax, panel.data.x0, panel.data.x1, xNamed || categorical(panel.xTicks));
        checkAxis("y", panel.yMin, panel.yMax, panel.data.y0, panel.data.y1, categorical(panel.yTicks));
    }
    return out;
}

QStringList publishProblems(VtkHost *chart, const QString &base, bool xNamed)
{
    chart->renderedImage();
    QStringList out;
    for (const QString &p : figureProblems(chart->figureGeometry(), xNamed))
        out << QStringLiteral("on screen: ") + p;
    const std::pair<QSize, int> sizes[] = {{QSize(1050, 780), 300}, {QSize(2100, 1400), 300}, {QSize(252, 190), 72}};
    for (const auto &[size, dpi] : sizes)
        for (const QString &p : figureProblems(chart->figureGeometryAt(size, dpi), xNamed))
            out << QStringLiteral("exported at %1×%2, %3 dpi: %4").arg(size.width()).arg(size.height()).arg(dpi).arg(p);
    const QSizeF inches(3.5, 2.6);
    QString error;
    const QString png = base + QStringLiteral(".png");
    if (!chart->exportFigure(png, FigureOptions{inches, 10, 300}, &error))
        return out << png + QStringLiteral(": ") + error;
    const QImage image(png);
    if (image.size() != (inches * 300).toSize())
        out << QStringLiteral("%1 is %2×%3 pixels").arg(png).arg(image.width()).arg(image.height());
    if (image.text(QStringLiteral("Title")) != chart->figureTitle())
        out << png + QStringLiteral(" lacks the figure's title");
    if (coloursOf(image, 4).size() <= 3)
        out << png + QStringLiteral(" is (nearly) blank");
    const QString svg = base + QStringLiteral(".svg");
    if (!chart->exportFigure(svg, FigureOptions{inches, 8, 300}, &error))
        return out << svg + QStringLiteral(": ") + error;
    const QSvgRenderer renderer(svg);
    if (!renderer.isValid() || renderer.viewBoxF().size().toSize() != (inches * 72).toSize())
        out << svg + QStringLiteral(" is not a valid SVG of 3.5 × 2.6 in");
    const QString pdf = base + QStringLiteral(".pdf");
    if (!chart->exportFigure(pdf, FigureOptions{inches, 8, 300}, &error))
        return out << pdf + QStringLiteral(": ") + error;
    QFile file(pdf);
    if (!file.open(QIODevice::ReadOnly) || file.read(5) != "%PDF-")
        out << pdf + QStringLiteral(" is not a PDF");
    return out;
}

} // namespace pds::test
