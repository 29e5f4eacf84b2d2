#include "views/embeddingoverlay.h"

#include "charts/pointcloud.h"
#include "charts/vtkhost.h"
#include "views/embeddingview.h"

#include <vtkBrush.h>
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

void EmbeddingView::paintOverlay(vtkContext2D *painter)
{
    if (!m_shown)
        return;
    // Fonts are in points at the window's DPI; lengths follow the same scale.
    const double s = m_host->renderWindow()->GetDPI() / 72.0;
    const int *size = m_renderer->GetSize();
    vtkTextProperty *text = painter->GetTextProp();
    text->SetColor(0.1, 0.1, 0.1);
    text->SetFontFamilyToArial();
    text->SetJustificationToLeft();
    text->SetVerticalJustificationToCentered();
    text->ShadowOff();

    // The axes run from the lowest corner (the cube axes' StaticTriad); each
    // title sits beyond its axis' far end.
    double b[6];
    m_cloud->GetBounds(b);
    vtkNew<vtkPolyData> corners;
    vtkNew<vtkPoints> cornerPoints;
    cornerPoints->InsertNextPoint(b[0], b[2], b[4]);
    cornerPoints->InsertNextPoint(b[1], b[2], b[4]);
    cornerPoints->InsertNextPoint(b[0], b[3], b[4]);
    cornerPoints->InsertNextPoint(b[0], b[2], b[5]);
    corners->SetPoints(cornerPoints);
    const std::vector<float> c = displayPositions(m_renderer, corners);
    const int axes = m_dimensions == 3 ? 3 : 2;
    text->SetFontSize(13);
    for (int axis = 1; axis <= axes && !c.empty(); ++axis) {
        const float dx = c[3 * axis] - c[0], dy = c[3 * axis + 1] - c[1];
        const float length = std::hypot(dx, dy);
        if (!std::isfinite(length) || length < 1.0f)
            continue;
        const float ux = dx / length, uy = dy / length;
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
        const float gap = static_cast<float>(10 * s);
        painter->DrawString(c[3 * axis] + ux * gap, c[3 * axis + 1] + uy * gap,
                            m_axisTitles[axis - 1].toUtf8().constData());
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

    // The key, right-aligned under the title.
    const float row = static_cast<float>((m_keyIsScale ? 16 : 18) * s), swatch = static_cast<float>(11 * s);
    const float barWidth = static_cast<float>(16 * s), gap = static_cast<float>(6 * s);
    float width = 0, bounds[4];
    text->SetFontSize(13);
    text->SetBold(true);
    painter->ComputeStringBounds(m_keyTitle.toUtf8().constData(), bounds);
    const float titleWidth = bounds[2];
    text->SetFontSize(12);
    text->SetBold(false);
    for (const KeyEntry &e : m_key) {
        painter->ComputeStringBounds(e.label.toUtf8().constData(), bounds);
        width = std::max(width, bounds[2]);
    }
    // Exported SVG text is set in the viewer's font, often wider: keep a margin.
    const float x = static_cast<float>(size[0] - 24 * s)
                    - std::max(titleWidth, width + gap + (m_keyIsScale ? barWidth : swatch));
    float y = static_cast<float>(size[1] - 56 * s);
    text->SetBold(true);
    text->SetFontSize(13);
    painter->DrawString(x, y, m_keyTitle.toUtf8().constData());
    text->SetBold(false);
    text->SetFontSize(12);
    y -= row;
    for (const KeyEntry &e : m_key) {
        const QColor &c = e.colour;
        painter->GetBrush()->SetColor(c.red(), c.green(), c.blue());
        painter->GetPen()->SetColor(c.red(), c.green(), c.blue());
        painter->GetPen()->SetWidth(1.0f);
        if (m_keyIsScale)
            painter->DrawRect(x, y - row / 2, barWidth, row);
        else
            painter->DrawRect(x, y - swatch / 2, swatch, swatch);
        painter->DrawString(x + (m_keyIsScale ? barWidth : swatch) + gap, y, e.label.toUtf8().constData());
        y -= row;
    }
}

} // namespace pds
