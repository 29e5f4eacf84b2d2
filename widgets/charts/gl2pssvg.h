#pragma once

// The SVG that VTK's GL2PS exporter writes, and what figure export does with
// it: a title line added where GL2PS wrote none, and the drawing painted as
// vectors (into a PDF).

#include <QByteArray>
#include <QSizeF>
#include <QString>

class QPainter;

namespace pds {

/// Adds a title line above the drawing of a GL2PS SVG that has none.
QByteArray addSvgTitle(const QByteArray &svg, const QString &title);
/// Root size of an SVG in user units (its viewBox).
QSizeF svgSize(const QByteArray &svg);
/// Paints the SVG subset GL2PS writes (polygon, polyline, circle, text, g)
/// with QPainter. QSvgRenderer would do, but it turns text into outlines in a
/// PDF; this keeps text as text (searchable, embedded fonts). Adjacent
/// triangles of one colour are filled as one path so viewers draw no seams.
void paintGl2psSvg(const QByteArray &svg, QPainter &painter);

} // namespace pds
