#include "charts/gl2pssvg.h"

#include <QColor>
#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPath>
#include <QPolygonF>
#include <QRegularExpression>
#include <QTransform>
#include <QXmlStreamReader>

#include <algorithm>
#include <cmath>

namespace pds {
namespace {

/// Parses an SVG transform list ("translate(0,24) rotate(-90, 17, 289)").
QTransform svgTransform(QStringView text)
{
    static const QRegularExpression item(QStringLiteral("(\\w+)\\s*\\(([^)]*)\\)"));
    static const QRegularExpression separator(QStringLiteral("[\\s,]+"));
    QTransform total;
    for (auto it = item.globalMatch(text); it.hasNext();) {
        const auto m = it.next();
        QList<double> v;
        for (const QString &n : m.captured(2).split(separator, Qt::SkipEmptyParts))
            v << n.toDouble();
        QTransform t;
        const QString op = m.captured(1);
        if (op == QLatin1String("translate") && !v.isEmpty())
            t.translate(v[0], v.value(1));
        else if (op == QLatin1String("scale") && !v.isEmpty())
            t.scale(v[0], v.value(1, v[0]));
        else if (op == QLatin1String("rotate") && !v.isEmpty())
            t.translate(v.value(1), v.value(2)).rotate(v[0]).translate(-v.value(1), -v.value(2));
        else if (op == QLatin1String("matrix") && v.size() == 6)
            t = QTransform(v[0], v[1], v[2], v[3], v[4], v[5]);
        total = t * total; // the last transform in the list applies first
    }
    return total;
}

QPolygonF svgPoints(QStringView text)
{
    static const QRegularExpression separator(QStringLiteral("[\\s,]+"));
    const QStringList numbers = text.toString().split(separator, Qt::SkipEmptyParts);
    QPolygonF points;
    for (int i = 0; i + 1 < numbers.size(); i += 2)
        points << QPointF(numbers[i].toDouble(), numbers[i + 1].toDouble());
    return points;
}

QColor svgColour(const QXmlStreamAttributes &a, const QString &name)
{
    QColor colour = QColor::fromString(a.value(name).toString());
    if (colour.isValid() && a.hasAttribute(name + QStringLiteral("-opacity")))
        colour.setAlphaF(a.value(name + QStringLiteral("-opacity")).toDouble());
    return colour;
}

} // namespace

/// Adds a title line above the drawing of a GL2PS SVG that has none.
QByteArray addSvgTitle(const QByteArray &svg, const QString &title)
{
    static const QRegularExpression header(QStringLiteral(
        "<svg([^>]*?)width=\"([\\d.]+)(\\w*)\"([^>]*?)height=\"([\\d.]+)(\\w*)\"([^>]*?)viewBox=\"0 0 ([\\d.]+) ([\\d.]+)\"([^>]*)>"));
    QString text = QString::fromUtf8(svg);
    const auto m = header.match(text);
    const int end = text.lastIndexOf(QStringLiteral("</svg>"));
    if (!m.hasMatch() || end < 0)
        return svg;
    const double w = m.captured(8).toDouble(), h = m.captured(9).toDouble();
    const double band = std::max(24.0, h / 18), grow = (h + band) / h;
    const QString newHeader =
        QStringLiteral("<svg%1width=\"%2%3\"%4height=\"%5%6\"%7viewBox=\"0 0 %8 %9\"%10>\n"
                       "<text fill=\"#000000\" x=\"%11\" y=\"%12\" font-size=\"%13\" text-anchor=\"middle\" "
                       "font-family=\"Helvetica\" font-weight=\"bold\">%14</text>\n<g transform=\"translate(0,%15)\">")
            .arg(m.captured(1), QString::number(m.captured(2).toDouble()), m.captured(3), m.captured(4),
                 QString::number(m.captured(5).toDouble() * grow), m.captured(6), m.captured(7))
            .arg(w).arg(h + band).arg(m.captured(10))
            .arg(w / 2).arg(band * 0.7).arg(std::round(band * 0.6)).arg(title.toHtmlEscaped()).arg(band);
    text.insert(end, QStringLiteral("</g>\n"));
    text.replace(m.capturedStart(), m.capturedLength(), newHeader);
    return text.toUtf8();
}

/// Root size of an SVG in user units (its viewBox).
QSizeF svgSize(const QByteArray &svg)
{
    QXmlStreamReader xml(svg);
    while (!xml.atEnd())
        if (xml.readNext() == QXmlStreamReader::StartElement && xml.name() == QLatin1String("svg")) {
            const QStringList box = xml.attributes().value(QStringLiteral("viewBox")).toString().split(QLatin1Char(' '), Qt::SkipEmptyParts);
            if (box.size() == 4)
                return {box[2].toDouble(), box[3].toDouble()};
            return {xml.attributes().value(QStringLiteral("width")).toDouble(),
                    xml.attributes().value(QStringLiteral("height")).toDouble()};
        }
    return {};
}

/// Paints the SVG subset GL2PS writes (polygon, polyline, circle, text, g)
/// with QPainter. QSvgRenderer would do, but it turns text into outlines in a
/// PDF; this keeps text as text (searchable, embedded fonts). Adjacent
/// triangles of one colour are filled as one path so viewers draw no seams.
void paintGl2psSvg(const QByteArray &svg, QPainter &painter)
{
    QXmlStreamReader xml(svg);
    std::vector<QTransform> stack{QTransform()};
    QPainterPath fill;
    fill.setFillRule(Qt::WindingFill);
    QColor fillColour;
    auto flush = [&] {
        if (!fill.isEmpty())
            painter.fillPath(fill, fillColour);
        fill = QPainterPath();
        fill.setFillRule(Qt::WindingFill);
    };
    while (!xml.atEnd()) {
        const auto token = xml.readNext();
        if (token == QXmlStreamReader::EndElement && xml.name() == QLatin1String("g")) {
            flush();
            if (stack.size() > 1)
                stack.pop_back();
            continue;
        }
        if (token != QXmlStreamReader::StartElement)
            continue;
        const QXmlStreamAttributes a = xml.attributes();
        const QTransform transform = svgTransform(a.value(QStringLiteral("transform"))) * stack.back();
        const QStringView name = xml.name();
        if (name == QLatin1String("g")) {
            flush();
            stack.push_back(transform);
        } else if (name == QLatin1String("polygon")) {
            const QColor colour = svgColour(a, QStringLiteral("fill"));
            if (colour != fillColour)
                flush();
            fillColour = colour;
            if (colour.isValid())
                fill.addPolygon(transform.map(svgPoints(a.value(QStringLiteral("points")))));
            fill.closeSubpath();
        } else if (name == QLatin1String("polyline") || name == QLatin1String("circle")) {
            flush();
            painter.save();
            painter.setTransform(transform);
            QPen pen(svgColour(a, QStringLiteral("stroke")));
            pen.setWidthF(a.hasAttribute(QStringLiteral("stroke-width")) ? a.value(QStringLiteral("stroke-width")).toDouble() : 1.0);
            pen.setCapStyle(Qt::FlatCap);
            const QList<double> dashes = [&] {
                QList<double> d;
                for (const QString &n : a.value(QStringLiteral("stroke-dasharray")).toString().split(QLatin1Char(','), Qt::SkipEmptyParts))
                    d << n.toDouble() / std::max(pen.widthF(), 1e-3); // QPen counts in line widths
                return d;
            }();
            if (dashes.size() >= 2 && dashes.size() % 2 == 0 && dashes[1] > 0)
                pen.setDashPattern(dashes);
            if (name == QLatin1String("polyline")) {
                painter.setPen(pen.color().isValid() ? pen : QPen(Qt::NoPen));
                painter.drawPolyline(svgPoints(a.value(QStringLiteral("points"))));
            } else {
                const double r = a.value(QStringLiteral("r")).toDouble();
                painter.setPen(Qt::NoPen);
                painter.setBrush(svgColour(a, QStringLiteral("fill")));
                painter.drawEllipse(QPointF(a.value(QStringLiteral("cx")).toDouble(), a.value(QStringLiteral("cy")).toDouble()), r, r);
            }
            painter.restore();
        } else if (name == QLatin1String("text")) {
            flush();
            const QString content = xml.readElementText(QXmlStreamReader::IncludeChildElements);
            QFont font(a.value(QStringLiteral("font-family")).toString());
            font.setPointSizeF(std::max(1.0, a.value(QStringLiteral("font-size")).toDouble()));
            font.setBold(a.value(QStringLiteral("font-weight")) == QLatin1String("bold"));
            font.setItalic(a.value(QStringLiteral("font-style")) == QLatin1String("italic"));
            painter.save();
            painter.setTransform(transform);
            painter.setFont(font);
            painter.setPen(svgColour(a, QStringLiteral("fill")));
            QPointF at(a.value(QStringLiteral("x")).toDouble(),
                       a.value(QStringLiteral("y")).toDouble() + a.value(QStringLiteral("dy")).toDouble());
            const double width = QFontMetricsF(font, painter.device()).horizontalAdvance(content);
            const QStringView anchor = a.value(QStringLiteral("text-anchor"));
            if (anchor == QLatin1String("middle"))
                at.rx() -= width / 2;
            else if (anchor == QLatin1String("end"))
                at.rx() -= width;
            painter.drawText(at, content);
            painter.restore();
        }
    }
    flush();
}

} // namespace pds
