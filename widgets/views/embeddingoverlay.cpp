#include "views/embeddingoverlay.h"

#include "charts/chartstyle.h"
#include "charts/figureinspect.h"
#include "charts/pointcloud.h"
#include "charts/vtkhost.h"
#include "views/embeddingview.h"

#include <vtkBrush.h>
#include <vtkCamera.h>
#include <vtkContext2D.h>
#include <vtkCubeAxesActor.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkMarkerUtilities.h>
#include <vtkObjectFactory.h>
#include <vtkOpenGLGL2PSHelper.h>
#include <vtkPen.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkRenderer.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>
#include <vtkUnsignedCharArray.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace pds {
namespace {

/// True while vtkGL2PSExporter captures vector primitives.
bool capturingVectors()
{
    vtkOpenGLGL2PSHelper *gl2ps = vtkOpenGLGL2PSHelper::GetInstance();
    return gl2ps && gl2ps->GetActiveState() == vtkOpenGLGL2PSHelper::Capture;
}

} // namespace

vtkStandardNewMacro(EmbeddingOverlay);

bool EmbeddingOverlay::Paint(vtkContext2D *painter)
{
    if (view)
        view->paintOverlay(painter);
    return true;
}

namespace {

/// Where the title, the key and the plot area go in a frame of `width` ×
/// `height` pixels at `s` pixels per point (see EmbeddingView::layoutScene).
struct SceneLayout {
    float titleBottom = 0;     ///< the title's lower edge
    float keyX = 0, keyTop = 0; ///< the key's left edge and top
    float keyWidth = 0;        ///< swatch (or bar), gap and the widest label or the key's title
    QRectF area;               ///< where the cloud's box is fitted (display pixels)
};

void keyTitleFont(vtkTextProperty *text)
{
    text->SetFontSize(FigureFonts::legend);
    text->SetBold(true);
}

void keyLabelFont(vtkTextProperty *text)
{
    text->SetFontSize(FigureFonts::legend);
    text->SetBold(false);
}

void titleFont(vtkTextProperty *text)
{
    text->SetColor(0.0, 0.0, 0.0);
    text->SetFontFamilyToArial();
    text->SetFontSize(FigureFonts::title);
    text->SetBold(true);
    text->SetOrientation(0);
    text->ShadowOff();
}

float textHeight(vtkContext2D *painter)
{
    float b[4];
    painter->ComputeStringBounds("Ag", b);
    return b[3];
}

/// Lays the figure out: title on top, the key right-aligned below it, the
/// cloud's area in what is left, with room around it for tick labels and
/// axis titles.
SceneLayout sceneLayout(vtkContext2D *painter, float width, float height, double s, const QString &keyTitle,
                        const QStringList &keyLabels, bool keyIsScale)
{
    SceneLayout l;
    const float margin = static_cast<float>(6 * s);
    titleFont(painter->GetTextProp());
    l.titleBottom = height - margin - textHeight(painter);
    float bounds[4];
    keyTitleFont(painter->GetTextProp());
    painter->ComputeStringBounds(keyTitle.toUtf8().constData(), bounds);
    const float titleWidth = bounds[2];
    keyLabelFont(painter->GetTextProp());
    float labels = 0;
    for (const QString &label : keyLabels) {
        painter->ComputeStringBounds(label.toUtf8().constData(), bounds);
        labels = std::max(labels, bounds[2]);
    }
    const float swatch = static_cast<float>((keyIsScale ? 16 : 11) * s), gap = static_cast<float>(6 * s);
    l.keyWidth = std::max(titleWidth, swatch + gap + labels);
    // Exported SVG text is set in the viewer's font, often wider: keep a margin.
    l.keyX = width - static_cast<float>(16 * s) - l.keyWidth;
    l.keyTop = l.titleBottom - static_cast<float>(10 * s);
    // Around the cloud: tick labels and an axis title on every side an axis may face.
    const double left = 40 * s, bottom = 34 * s, right = 24 * s, top = 12 * s;
    const double x0 = left, x1 = std::max(x0 + 40 * s, double(l.keyX) - right);
    const double y0 = bottom, y1 = std::max(y0 + 40 * s, double(l.titleBottom) - top);
    l.area = QRectF(QPointF(x0, y0), QPointF(x1, y1));
    return l;
}

/// The box `text` would take at (x, y), as drawText() draws it.
QRectF textBox(vtkContext2D *painter, const QString &text, float x, float y)
{
    float b[4];
    painter->ComputeJustifiedStringBounds(text.toUtf8().constData(), b);
    return QRectF(x + b[0], y + b[1], b[2], b[3]);
}

/// Draws `text` at (x, y) with the painter's text property and returns its box.
QRectF drawText(vtkContext2D *painter, const QString &text, float x, float y)
{
    const QRectF box = textBox(painter, text, x, y);
    painter->DrawString(x, y, text.toUtf8().constData());
    return box;
}

/// Justifies text to lie on the side of its anchor that `(ux, uy)` points to.
void justifyAway(vtkTextProperty *text, float ux, float uy)
{
    if (ux > 0.3f)
        text->SetJustificationToLeft();
    else if (ux < -0.3f)
        text->SetJustificationToRight();
    else
        text->SetJustificationToCentered();
    if (uy > 0.3f)
        text->SetVerticalJustificationToBottom();
    else if (uy < -0.3f)
        text->SetVerticalJustificationToTop();
    else
        text->SetVerticalJustificationToCentered();
}

} // namespace

void EmbeddingView::layoutScene(int dpi)
{
    if (!m_shown)
        return;
    const int *size = m_host->renderWindow()->GetSize();
    if (size[0] <= 0 || size[1] <= 0)
        return;
    const double s = dpi / 72.0;
    const SceneLayout l = sceneLayout(measuringPainter(dpi), float(size[0]), float(size[1]), s, m_keyTitle,
                                      keyLabels(), m_keyIsScale);
    Area area;
    area.cx = (l.area.center().x() / size[0]) * 2 - 1;
    area.cy = (l.area.center().y() / size[1]) * 2 - 1;
    area.hx = l.area.width() / size[0];
    area.hy = l.area.height() / size[1];
    area.width = size[0];
    area.height = size[1];
    const bool moved = std::abs(area.cx - m_area.cx) > 1e-6 || std::abs(area.cy - m_area.cy) > 1e-6
                       || std::abs(area.hx - m_area.hx) > 1e-6 || std::abs(area.hy - m_area.hy) > 1e-6
                       || area.width != m_area.width || area.height != m_area.height;
    vtkCamera *camera = m_renderer->GetActiveCamera();
    if (moved || m_reach <= 0) {
        // A new size or proportions (a resized dock, an export): the cloud keeps the share of the area it filled.
        m_area = area;
        // VTK's window centre is the part of a larger image this view shows: the
        // image moves the other way, and Zoom then scales about the area's centre.
        camera->SetWindowCenter(-area.cx, -area.cy);
        // Zoom(k) scales the image by k; a camera fitted before the view had a size fills 92 %.
        const double reach = cloudReach();
        if (reach > 0 && std::isfinite(reach))
            camera->Zoom((m_reach > 0 ? m_reach : 0.92) / reach);
    }
    m_reach = cloudReach(); // the user's zoom since the last frame counts
}


void EmbeddingView::paintOverlay(vtkContext2D *painter)
{
    m_drawnTexts.clear();
    m_keyBox = QRectF();
    if (!m_shown)
        return;
    // Fonts are in points at the window's DPI; lengths follow the same scale.
    const double s = m_host->renderWindow()->GetDPI() / 72.0;
    const int *size = m_renderer->GetSize();
    const QRectF figure(0, 0, size[0], size[1]);
    vtkTextProperty *text = painter->GetTextProp();
    const SceneLayout l = sceneLayout(painter, float(size[0]), float(size[1]), s, m_keyTitle, keyLabels(), m_keyIsScale);
    std::vector<QRectF> taken; // boxes of the texts drawn so far, which later ones must not overlap
    auto record = [&](const QRectF &box, const QString &what, FigureText::Kind kind, int axis) {
        FigureText t;
        t.text = what;
        t.box = box;
        t.kind = kind;
        t.panel = kind == FigureText::Title ? -1 : std::max(0, axis); // one panel per axis (see figureGeometry)
        t.axis = axis;
        m_drawnTexts.push_back(t);
        if (kind != FigureText::Legend)
            taken.push_back(box);
    };
    auto vacant = [&](const QRectF &box) {
        if (!figure.contains(box))
            return false;
        for (const QRectF &t : taken)
            if (t.adjusted(-1, -1, 1, 1).intersects(box))
                return false;
        return !m_keyBox.adjusted(-2, -2, 2, 2).intersects(box);
    };

    // The title, elided in the middle to the width; the full one is in the tooltip and the files.
    titleFont(text);
    text->SetColor(0.0, 0.0, 0.0);
    text->SetJustificationToCentered();
    text->SetVerticalJustificationToTop();
    m_shownTitle = elideMiddle(painter, figureTitle(), static_cast<float>(size[0] - 12 * s));
    m_host->setToolTip(m_shownTitle != figureTitle() ? figureTitle() : QString());
    record(drawText(painter, m_shownTitle, static_cast<float>(size[0] / 2.0), static_cast<float>(size[1] - 6 * s)),
           m_shownTitle, FigureText::Title, -1);

    text->SetColor(0.1, 0.1, 0.1);
    text->SetBold(false);
    text->ShadowOff();

    // The key, right-aligned under the title, beside the plot area (first, so that axis texts keep off it).
    const float swatch = static_cast<float>(11 * s), barWidth = static_cast<float>(16 * s), gap = static_cast<float>(6 * s);
    keyTitleFont(text);
    text->SetJustificationToLeft();
    text->SetVerticalJustificationToTop();
    const float x = l.keyX;
    float y = l.keyTop;
    QRectF key = drawText(painter, m_keyTitle, x, y);
    record(key, m_keyTitle, FigureText::Legend, -1);
    y = static_cast<float>(key.top()) - gap;
    keyLabelFont(text);
    text->SetVerticalJustificationToCentered();
    const float row = std::max(static_cast<float>(m_keyIsScale ? 0 : 14 * s), textHeight(painter) * 1.25f);
    y -= row / 2;
    for (const KeyEntry &e : m_key) {
        const QColor &colour = e.colour;
        painter->GetBrush()->SetColor(colour.red(), colour.green(), colour.blue());
        painter->GetPen()->SetColor(colour.red(), colour.green(), colour.blue());
        painter->GetPen()->SetWidth(1.0f);
        if (m_keyIsScale)
            painter->DrawRect(x, y - row / 2, barWidth, row);
        else
            painter->DrawRect(x, y - swatch / 2, swatch, swatch);
        const QRectF box = drawText(painter, e.label, x + (m_keyIsScale ? barWidth : swatch) + gap, y);
        record(box, e.label, FigureText::Legend, -1);
        key = key.united(box).united(QRectF(x, y - row / 2, swatch, row));
        y -= row;
    }
    m_keyBox = key;
    text->SetColor(0.1, 0.1, 0.1);
    text->SetBold(false);
    text->SetJustificationToLeft();


    // The axes run from the lowest corner (the cube axes' StaticTriad). Each
    // gets round tick values with labels on its outer side (away from the
    // box's centre) and its title beyond them, turned along the axis.
    double b[6];
    m_cloud->GetBounds(b);
    vtkNew<vtkPolyData> corners;
    vtkNew<vtkPoints> cornerPoints;
    cornerPoints->InsertNextPoint(b[0], b[2], b[4]);
    cornerPoints->InsertNextPoint(b[1], b[2], b[4]);
    cornerPoints->InsertNextPoint(b[0], b[3], b[4]);
    cornerPoints->InsertNextPoint(b[0], b[2], b[5]);
    cornerPoints->InsertNextPoint((b[0] + b[1]) / 2, (b[2] + b[3]) / 2, (b[4] + b[5]) / 2);
    corners->SetPoints(cornerPoints);
    const std::vector<float> c = displayPositions(m_renderer, corners);
    const int axes = m_dimensions == 3 ? 3 : 2;
    const float tickLength = static_cast<float>(4 * s), labelGap = static_cast<float>(3 * s);
    painter->GetPen()->SetColor(90, 90, 90);
    painter->GetPen()->SetWidth(static_cast<float>(s));
    for (int axis = 1; axis <= axes && !c.empty(); ++axis) {
        const float dx = c[3 * axis] - c[0], dy = c[3 * axis + 1] - c[1];
        const float length = std::hypot(dx, dy);
        if (!std::isfinite(length) || length < 1.0f || !std::isfinite(c[12]))
            continue;
        const float ux = dx / length, uy = dy / length;
        // The normal pointing away from the box's centre (in 2-D: below the x axis, left of the y axis).
        float nx = -uy, ny = ux;
        if (nx * (c[12] - c[0]) + ny * (c[13] - c[1]) > 0) {
            nx = -nx;
            ny = -ny;
        }
        const double lo = b[2 * (axis - 1)], hi = b[2 * (axis - 1) + 1];
        const int target = std::clamp(static_cast<int>(length / (55 * s)), 2, 6);
        std::vector<double> ticks = niceTickValues(lo, hi, target, false);
        for (int more = target + 1; ticks.size() < 2 && more <= 12; ++more)
            ticks = niceTickValues(lo, hi, more, false); // a short range between round values
        const int decimals = tickDecimals(ticks.size() > 1 ? ticks[1] - ticks[0] : std::max(1e-9, hi - lo));
        text->SetFontSize(FigureFonts::ticks);
        text->SetOrientation(0);
        justifyAway(text, nx, ny);
        float outer = 0; // how far the drawn labels reach out from the axis
        for (double v : ticks) {
            const float t = hi > lo ? static_cast<float>((v - lo) / (hi - lo)) : 0.5f;
            const float x = c[0] + t * dx, y = c[1] + t * dy;
            painter->DrawLine(x, y, x + nx * tickLength, y + ny * tickLength);
            const QString label = QString::number(std::abs(v) < 1e-9 ? 0.0 : v, 'f', decimals);
            const float ax = x + nx * (tickLength + labelGap), ay = y + ny * (tickLength + labelGap);
            const QRectF box = textBox(painter, label, ax, ay);
            if (!vacant(box))
                continue; // a crowded or cut-off label is left out rather than drawn over another
            record(drawText(painter, label, ax, ay), label, FigureText::TickLabel, axis - 1);
            outer = std::max(outer, static_cast<float>(std::abs(nx) * box.width() + std::abs(ny) * box.height()));
        }
        // The title beyond the labels: along a near-horizontal or near-vertical axis, level beside a slanted one
        // (slanted text would cover a square as wide as it is long).
        text->SetFontSize(FigureFonts::axisTitle);
        const double slope = std::atan2(uy, ux) * 180.0 / 3.14159265358979;
        const double folded = std::abs(std::remainder(slope, 180.0)); // 0: horizontal, 90: vertical
        text->SetOrientation(folded > 70 ? 90 : 0);
        text->SetJustificationToCentered();
        text->SetVerticalJustificationToCentered();
        const QString &title = m_axisTitles[axis - 1];
        const QRectF level = textBox(painter, m_axisTitles[axis - 1], 0, 0);
        // Half the title's extent along the normal, so that its near edge clears the labels.
        const float half = static_cast<float>(std::abs(nx) * level.width() + std::abs(ny) * level.height()) / 2;
        QRectF box;
        float ax = 0, ay = 0;
        for (float extra = 0; extra < 60 * s; extra += static_cast<float>(4 * s)) {
            const float out = tickLength + labelGap + outer + labelGap + half + extra;
            ax = c[0] + dx / 2 + nx * out;
            ay = c[1] + dy / 2 + ny * out;
            box = textBox(painter, title, ax, ay);
            if (vacant(box))
                break;
        }
        // Kept inside the figure even when the axis runs close to its edge.
        ax += static_cast<float>(std::max(0.0, -box.left()) - std::max(0.0, box.right() - figure.width()));
        ay += static_cast<float>(std::max(0.0, -box.top()) - std::max(0.0, box.bottom() - figure.height()));
        record(drawText(painter, title, ax, ay), title, FigureText::AxisTitle, axis - 1);
        text->SetOrientation(0);
    }
    text->SetJustificationToLeft();
    text->SetVerticalJustificationToCentered();

    if (capturingVectors()) {
        painter->GetPen()->SetColor(90, 90, 90);
        painter->GetPen()->SetWidth(static_cast<float>(s));
        for (int axis = 1; axis <= axes && !c.empty(); ++axis)
            if (std::isfinite(c[0]) && std::isfinite(c[3 * axis]))
                painter->DrawLine(c[0], c[1], c[3 * axis], c[3 * axis + 1]);

        // The cloud far to near, then the selection over it, as circles.
        const std::vector<float> d = displayPositions(m_renderer, m_cloud);
        vtkDataArray *colours = m_cloud->GetPointData()->GetScalars();
        std::vector<std::int64_t> order(d.size() / 3);
        std::iota(order.begin(), order.end(), 0);
        order.erase(std::remove_if(order.begin(), order.end(), [&](std::int64_t i) { return !std::isfinite(d[3 * i]); }),
                    order.end());
        std::stable_sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) { return d[3 * a + 2] > d[3 * b + 2]; });
        auto draw = [&](const std::vector<std::int64_t> &which, double diameter, bool base) {
            std::vector<float> xy;
            std::vector<unsigned char> rgb;
            for (std::int64_t i : which) {
                if (!std::isfinite(d[3 * i]))
                    continue;
                xy.insert(xy.end(), {d[3 * i], d[3 * i + 1]});
                for (int k = 0; k < 3; ++k)
                    rgb.push_back(base ? static_cast<unsigned char>(colours->GetComponent(i, k))
                                       : m_colours[static_cast<std::size_t>(3 * i + k)]);
            }
            painter->GetPen()->SetWidth(static_cast<float>(diameter * s));
            if (!xy.empty())
                painter->DrawMarkers(vtkMarkerUtilities::CIRCLE, false, xy.data(), static_cast<int>(xy.size() / 2), rgb.data(), 3);
        };
        draw(order, pointSize(pointCount()), true);
        draw(m_highlighted, pointSize(pointCount()) + 7.0, false);
    }

}

FigureGeometry EmbeddingView::figureGeometry() const
{
    FigureGeometry g;
    if (!m_shown)
        return g;
    const int *size = m_renderer->GetSize();
    g.size = QSizeF(size[0], size[1]);
    g.texts = m_drawnTexts;
    // One panel per axis, for its tick labels; the first also holds the key and every point where it is
    // drawn. The axes span the cloud's bounds exactly, so there is no range to check.
    for (int axis = 0; axis < 3; ++axis) {
        FigurePanel panel;
        panel.area = QRectF(QPointF(0, 0), g.size);
        for (const FigureText &t : m_drawnTexts)
            if (t.kind == FigureText::TickLabel && t.axis == axis)
                panel.xTicks << t.text;
        if (axis == 0) {
            panel.legend = m_keyBox;
            const std::vector<float> d = displayPositions(m_renderer, m_cloud);
            for (std::size_t i = 0; i + 2 < d.size(); i += 3)
                if (std::isfinite(d[i]))
                    panel.marks.emplace_back(d[i], d[i + 1]);
        }
        g.panels.push_back(panel);
    }
    return g;
}

} // namespace pds
