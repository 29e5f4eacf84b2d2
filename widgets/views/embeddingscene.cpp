#include "views/embeddingview.h"

#include "charts/palette.h"
#include "charts/pointcloud.h"
#include "charts/vtkhost.h"
#include "models/exampleselection.h"
#include "models/rundocument.h"

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkCubeAxesActor.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkTextActor.h>
#include <vtkUnsignedCharArray.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace pds {
namespace {

/// Viridis at t in [0, 1]: perceptually even and readable in grey print.
QColor viridis(double t)
{
    static const QColor stops[] = {QColor(68, 1, 84), QColor(59, 82, 139), QColor(33, 145, 140),
                                   QColor(94, 201, 98), QColor(253, 231, 37)};
    t = std::clamp(t, 0.0, 1.0) * 4.0;
    const int i = std::min(3, static_cast<int>(t));
    const double f = t - i;
    auto mix = [f](int a, int b) { return static_cast<int>(std::lround(a + (b - a) * f)); };
    return QColor(mix(stops[i].red(), stops[i + 1].red()), mix(stops[i].green(), stops[i + 1].green()),
                  mix(stops[i].blue(), stops[i + 1].blue()));
}

} // namespace

void EmbeddingView::updatePositions()
{
    const std::vector<float> &xyz = m_shown->pca.projected;
    const vtkIdType n = static_cast<vtkIdType>(xyz.size() / 3);
    vtkNew<vtkPoints> points;
    points->SetDataTypeToFloat();
    points->SetNumberOfPoints(n);
    vtkNew<vtkCellArray> verts;
    verts->AllocateExact(n, n);
    for (vtkIdType i = 0; i < n; ++i) {
        const float *p = xyz.data() + 3 * i;
        points->SetPoint(i, p[0], p[1], m_dimensions == 3 ? p[2] : 0.0f);
        verts->InsertNextCell(1, &i);
    }
    m_cloud->SetPoints(points);
    m_cloud->SetVerts(verts);
    m_cloudActor->GetProperty()->SetPointSize(static_cast<float>(pointSize(n)));
    m_selectedActor->GetProperty()->SetPointSize(static_cast<float>(pointSize(n) + 7.0));
    double bounds[6];
    m_cloud->GetBounds(bounds);
    m_axes->SetBounds(bounds);
    m_axes->SetZAxisVisibility(m_dimensions == 3);
    m_host->update();
}

void EmbeddingView::updateColours()
{
    const std::int64_t n = pointCount();
    m_colours.assign(static_cast<std::size_t>(n * 3), 0);
    auto put = [this](std::int64_t i, const QColor &c) {
        std::uint8_t *out = m_colours.data() + 3 * i;
        out[0] = static_cast<std::uint8_t>(c.red());
        out[1] = static_cast<std::uint8_t>(c.green());
        out[2] = static_cast<std::uint8_t>(c.blue());
    };
    const auto &labels = m_doc->labels();
    std::vector<int> counts;
    switch (m_colourBy) {
    case ColourBy::Class:
        for (std::int64_t i = 0; i < n; ++i)
            put(i, classColour(labels[static_cast<std::size_t>(i)]));
        break;
    case ColourBy::Depth: {
        const int probes = m_doc->probeCount();
        for (std::int64_t i = 0; i < n; ++i) {
            const int d = m_doc->depth(m_model, i);
            put(i, d < 0 ? QColor(190, 190, 190) : viridis(probes > 0 ? double(d) / probes : 0.0));
        }
        break;
    }
    case ColourBy::Group: {
        const auto &groups = m_doc->groups();
        counts.assign(static_cast<std::size_t>(RunDocument::groupLabels().size()), 0);
        for (std::int64_t i = 0; i < n; ++i) {
            const int g = static_cast<std::size_t>(i) < groups.size() ? groups[static_cast<std::size_t>(i)] : 0;
            put(i, groupColour(g));
            if (g >= 0 && g < static_cast<int>(counts.size()))
                ++counts[static_cast<std::size_t>(g)];
        }
        break;
    }
    }

    // The key: class or group swatches, or the depth scale (deepest on top).
    m_key.clear();
    m_keyIsScale = m_colourBy == ColourBy::Depth;
    if (m_colourBy == ColourBy::Class) {
        m_keyTitle = tr("Class");
        for (int c = 0; c < m_doc->numClasses(); ++c)
            m_key.push_back({m_doc->className(c), classColour(c)});
    } else if (m_colourBy == ColourBy::Group) {
        m_keyTitle = tr("Difficulty group");
        const QStringList names = RunDocument::groupLabels();
        for (int g = 0; g < names.size(); ++g)
            if (counts[static_cast<std::size_t>(g)] > 0)
                m_key.push_back({tr("%1 (%2)").arg(names[g]).arg(counts[static_cast<std::size_t>(g)]), groupColour(g)});
    } else {
        m_keyTitle = tr("Prediction depth");
        const int probes = m_doc->probeCount();
        for (int d = probes; d >= 0; --d) {
            const QString name = d < probes ? m_doc->probeNames().at(d) : tr("never");
            m_key.push_back({tr("%1  %2").arg(d).arg(name), viridis(probes > 0 ? double(d) / probes : 0.0)});
        }
    }
    updateSelection();
}

void EmbeddingView::updateSelection()
{
    if (!m_shown)
        return;
    const std::int64_t n = pointCount();
    m_highlighted.clear();
    if (m_selection) {
        for (std::int64_t e : m_selection->examples())
            if (e >= 0 && e < n)
                m_highlighted.push_back(e);
        const std::int64_t current = m_selection->current();
        if (current >= 0 && current < n && !m_selection->contains(current))
            m_highlighted.insert(std::lower_bound(m_highlighted.begin(), m_highlighted.end(), current), current);
    }

    // With a selection the rest of the cloud fades toward the background, so
    // the selected points stand out wherever they are.
    const bool fade = !m_highlighted.empty();
    vtkNew<vtkUnsignedCharArray> colours;
    colours->SetName("colours");
    colours->SetNumberOfComponents(3);
    colours->SetNumberOfTuples(n);
    for (std::int64_t i = 0; i < n * 3; ++i) {
        const std::uint8_t c = m_colours[static_cast<std::size_t>(i)];
        colours->SetValue(i, fade ? static_cast<std::uint8_t>(c * 0.25 + 255 * 0.75) : c);
    }
    m_cloud->GetPointData()->SetScalars(colours);

    vtkNew<vtkPoints> points;
    vtkNew<vtkCellArray> verts;
    vtkNew<vtkUnsignedCharArray> selectedColours;
    selectedColours->SetNumberOfComponents(3);
    for (std::int64_t e : m_highlighted) {
        const vtkIdType id = points->InsertNextPoint(m_cloud->GetPoint(e));
        verts->InsertNextCell(1, &id);
        selectedColours->InsertNextTypedTuple(m_colours.data() + 3 * e);
    }
    m_selected->SetPoints(points);
    m_selected->SetVerts(verts);
    m_selected->GetPointData()->SetScalars(selectedColours);
    m_host->update();
}

void EmbeddingView::updateLabels()
{
    const auto &e = m_shown->pca.explained;
    for (int i = 0; i < 3; ++i)
        m_axisTitles[i] = QStringLiteral("PC%1 (%2 %)").arg(i + 1).arg(e[static_cast<std::size_t>(i)] * 100.0, 0, 'f', 1);
    // The figure's title (the overlay draws it, elided to the width), so that an exported SVG does not get a second one.
    m_shownTitle = figureTitle();
    m_host->update();
}

void EmbeddingView::fitCamera(bool orient)
{
    if (!m_shown)
        return;
    vtkCamera *camera = m_renderer->GetActiveCamera();
    // A new layer keeps the direction the user turned the cloud to; only the
    // first view and a 2-D/3-D switch (or a reset) place the camera afresh.
    if (orient) {
        camera->SetFocalPoint(0, 0, 0);
        camera->SetPosition(0, 0, 1);
        camera->SetViewUp(0, 1, 0);
        camera->SetParallelProjection(m_dimensions == 2);
        if (m_dimensions == 3) {
            camera->Azimuth(-30);
            camera->Elevation(20);
            camera->OrthogonalizeViewUp();
        }
        m_cameraPlaced = true;
    }
    double bounds[6];
    m_cloud->GetBounds(bounds);
    camera->SetViewAngle(30); // zooms narrow the angle; each fit starts from VTK's default
    m_renderer->ResetCamera(bounds);
    // The cloud's box fills 92 % of the plot area (see layoutScene for the window centre).
    camera->SetWindowCenter(-m_area.cx, -m_area.cy);
    const double reach = cloudReach();
    if (reach > 0 && std::isfinite(reach))
        camera->Zoom(0.92 / reach);
    m_reach = cloudReach();
    m_host->update();
}

double EmbeddingView::cloudReach() const
{
    if (!m_shown || m_cloud->GetNumberOfPoints() == 0)
        return 0;
    double b[6];
    m_cloud->GetBounds(b);
    vtkNew<vtkPolyData> box;
    vtkNew<vtkPoints> corners;
    for (int i = 0; i < 8; ++i)
        corners->InsertNextPoint(b[i & 1], b[2 + ((i >> 1) & 1)], b[4 + ((i >> 2) & 1)]);
    box->SetPoints(corners);
    const std::vector<float> d = displayPositions(m_renderer, box);
    const int *size = m_renderer->GetSize();
    const int *origin = m_renderer->GetOrigin();
    if (d.empty() || size[0] <= 0 || size[1] <= 0)
        return 0;
    double reach = 0;
    for (int i = 0; i < 8; ++i) {
        const double x = 2.0 * (d[3 * i] - origin[0]) / size[0] - 1, y = 2.0 * (d[3 * i + 1] - origin[1]) / size[1] - 1;
        if (!std::isfinite(x) || !std::isfinite(y))
            return std::numeric_limits<double>::infinity();
        reach = std::max({reach, std::abs(x - m_area.cx) / m_area.hx, std::abs(y - m_area.cy) / m_area.hy});
    }
    return reach;
}

std::vector<float> EmbeddingView::screenPositions() const
{
    if (!m_shown)
        return {};
    std::vector<float> out = displayPositions(m_renderer, m_cloud);
    const double dpr = m_host->devicePixelRatioF();
    const int windowHeight = m_host->renderWindow()->GetSize()[1];
    // Flipped to Qt's top-left origin as VtkHost flips events (y = height - 1 - y).
    for (std::size_t i = 0; i < out.size(); i += 3) {
        out[i] = static_cast<float>(out[i] / dpr);
        out[i + 1] = static_cast<float>((windowHeight - 1 - out[i + 1]) / dpr);
    }
    return out;
}

QStringList EmbeddingView::keyLabels() const
{
    QStringList out;
    for (const KeyEntry &e : m_key)
        out << e.label;
    return out;
}

} // namespace pds
