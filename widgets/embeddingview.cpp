#include "embeddingview.h"

#include "exampleselection.h"
#include "linechartview.h"
#include "rundocument.h"
#include "vtkhost.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMouseEvent>
#include <QRubberBand>
#include <QSignalBlocker>
#include <QSlider>
#include <QStackedWidget>
#include <QToolTip>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <vtkActor.h>
#include <vtkBrush.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkContext2D.h>
#include <vtkContextActor.h>
#include <vtkContextItem.h>
#include <vtkContextScene.h>
#include <vtkCubeAxesActor.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkMarkerUtilities.h>
#include <vtkMatrix4x4.h>
#include <vtkObjectFactory.h>
#include <vtkOpenGLGL2PSHelper.h>
#include <vtkPen.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>
#include <vtkUnsignedCharArray.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <numeric>

namespace pds {
namespace {

/// 2-D interaction: the left button pans (as the middle one does), the right
/// button and the wheel zoom; there is no rotation to lose the plane with.
class PanZoomStyle : public vtkInteractorStyleTrackballCamera {
public:
    static PanZoomStyle *New();
    vtkTypeMacro(PanZoomStyle, vtkInteractorStyleTrackballCamera);

    void OnLeftButtonDown() override { OnMiddleButtonDown(); }
    void OnLeftButtonUp() override { OnMiddleButtonUp(); }
};
vtkStandardNewMacro(PanZoomStyle);

/// How far (logical pixels) from a point a click still picks it.
constexpr double kPickRadius = 8.0;

const std::vector<float> &noValues()
{
    static const std::vector<float> empty;
    return empty;
}

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

/// Point size in pixels: large enough to see a few hundred points, small
/// enough that 60,000 do not merge into one blob.
double pointSize(std::int64_t n)
{
    return n <= 2000 ? 8.0 : n <= 20000 ? 5.0 : 3.0;
}

void setColour(vtkTextProperty *p, double grey, int size, bool bold = false)
{
    p->SetColor(grey, grey, grey);
    p->SetFontSize(size);
    p->SetBold(bold);
    p->ShadowOff();
}

/// Display coordinates (pixels from the bottom left) and NDC depth (smaller
/// is nearer) of every point of `cloud` under the renderer's camera and size,
/// as vtkRenderer::WorldToDisplay computes them; NaN behind the camera.
std::vector<float> displayPositions(vtkRenderer *renderer, vtkPolyData *cloud)
{
    const vtkIdType n = cloud->GetNumberOfPoints();
    const int *size = renderer->GetSize();
    if (n == 0 || size[0] <= 0 || size[1] <= 0)
        return {};
    vtkMatrix4x4 *m = renderer->GetActiveCamera()->GetCompositeProjectionTransformMatrix(
        renderer->GetTiledAspectRatio(), -1, 1);
    const int *origin = renderer->GetOrigin();
    std::vector<float> out(static_cast<std::size_t>(n * 3), std::numeric_limits<float>::quiet_NaN());
    for (vtkIdType i = 0; i < n; ++i) {
        double p[3], v[4];
        cloud->GetPoint(i, p);
        for (int r = 0; r < 4; ++r)
            v[r] = m->GetElement(r, 0) * p[0] + m->GetElement(r, 1) * p[1] + m->GetElement(r, 2) * p[2] + m->GetElement(r, 3);
        if (v[3] <= 0)
            continue;
        out[static_cast<std::size_t>(3 * i)] = static_cast<float>((v[0] / v[3] + 1.0) * size[0] / 2.0 + origin[0]);
        out[static_cast<std::size_t>(3 * i + 1)] = static_cast<float>((v[1] / v[3] + 1.0) * size[1] / 2.0 + origin[1]);
        out[static_cast<std::size_t>(3 * i + 2)] = static_cast<float>(v[2] / v[3]);
    }
    return out;
}

/// True while vtkGL2PSExporter captures vector primitives.
bool capturingVectors()
{
    vtkOpenGLGL2PSHelper *gl2ps = vtkOpenGLGL2PSHelper::GetInstance();
    return gl2ps && gl2ps->GetActiveState() == vtkOpenGLGL2PSHelper::Capture;
}

} // namespace

/// The 2-D layer of an EmbeddingView, drawn with vtkContext2D because GL2PS
/// exports that as vectors: the colour key always, and the cloud with its
/// axes only during a vector export. GL2PS turns 3-D actors into a raster
/// background image, which Debian's GL2PS (built without PNG) leaves out.
class EmbeddingOverlay : public vtkContextItem {
public:
    static EmbeddingOverlay *New();
    vtkTypeMacro(EmbeddingOverlay, vtkContextItem);
    bool Paint(vtkContext2D *painter) override
    {
        if (view)
            view->paintOverlay(painter);
        return true;
    }
    EmbeddingView *view = nullptr;
};
vtkStandardNewMacro(EmbeddingOverlay);

/// The render surface of an EmbeddingView: VTK's camera interaction plus a
/// click to pick, a Shift-drag to select and hover texts.
class EmbeddingHost : public VtkHost {
public:
    explicit EmbeddingHost(EmbeddingView *view) : m_view(view), m_band(new QRubberBand(QRubberBand::Rectangle, this)) {}
    QString figureTitle() const override { return m_view->figureTitle(); }

protected:
    void mousePressEvent(QMouseEvent *event) override
    {
        m_pressPos = event->position().toPoint();
        if (event->button() == Qt::LeftButton && (event->modifiers() & Qt::ShiftModifier)) {
            m_band->setGeometry(QRect(m_pressPos, QSize()));
            m_band->show();
            return;
        }
        VtkHost::mousePressEvent(event);
    }
    void mouseMoveEvent(QMouseEvent *event) override
    {
        const QPoint pos = event->position().toPoint();
        if (m_band->isVisible()) {
            m_band->setGeometry(QRect(m_pressPos, pos).normalized());
            return;
        }
        VtkHost::mouseMoveEvent(event);
        if (event->buttons() == Qt::NoButton) {
            const QString text = m_view->hoverText(pos);
            if (text.isEmpty())
                QToolTip::hideText();
            else
                QToolTip::showText(event->globalPosition().toPoint(), text, this);
        }
    }
    void mouseReleaseEvent(QMouseEvent *event) override
    {
        const QPoint pos = event->position().toPoint();
        if (m_band->isVisible()) {
            m_band->hide();
            m_view->selectRect(QRect(m_pressPos, pos).normalized());
            return;
        }
        VtkHost::mouseReleaseEvent(event);
        // A left click without a drag picks; a drag was the camera's.
        if (event->button() == Qt::LeftButton
            && (pos - m_pressPos).manhattanLength() <= QApplication::startDragDistance())
            m_view->pickAt(pos);
    }
    void extendContextMenu(QMenu *menu) override
    {
        menu->addAction(tr("Reset camera"), this, [this] { m_view->fitCamera(true); });
    }

private:
    EmbeddingView *m_view;
    QRubberBand *m_band;
    QPoint m_pressPos;
};

EmbeddingView::EmbeddingView(ExampleSelection *selection, QWidget *parent)
    : QWidget(parent), m_selection(selection), m_modelCombo(new QComboBox), m_layerSlider(new QSlider(Qt::Horizontal)),
      m_layerLabel(new QLabel), m_threeD(new QCheckBox(tr("3-D"))), m_colourCombo(new QComboBox),
      m_status(new QLabel), m_stack(new QStackedWidget), m_messageLabel(new QLabel), m_host(new EmbeddingHost(this)),
      m_overlay(vtkSmartPointer<EmbeddingOverlay>::New()),
      m_rotateStyle(vtkSmartPointer<vtkInteractorStyleTrackballCamera>::New()),
      m_panStyle(vtkSmartPointer<PanZoomStyle>::New())
{
    setWindowTitle(tr("Embeddings"));
    m_modelCombo->setObjectName(QStringLiteral("modelCombo"));
    m_modelCombo->setToolTip(tr("The model whose embeddings are shown (models that stored them)"));
    m_layerSlider->setObjectName(QStringLiteral("layerSlider"));
    m_layerSlider->setToolTip(tr("The probe (layer) whose embeddings are projected"));
    m_layerSlider->setTickPosition(QSlider::TicksBelow);
    m_layerSlider->setPageStep(1);
    m_layerLabel->setMinimumWidth(fontMetrics().horizontalAdvance(QStringLiteral("Layer: block4 (10/10)")));
    m_threeD->setObjectName(QStringLiteral("threeD"));
    m_threeD->setChecked(true);
    m_threeD->setToolTip(tr("Three principal components, rotated with the mouse; off: PC1 and PC2 in the plane"));
    m_colourCombo->setObjectName(QStringLiteral("colourCombo"));
    m_colourCombo->addItem(tr("Class"), int(ColourBy::Class));
    m_colourCombo->addItem(tr("Prediction depth"), int(ColourBy::Depth));
    m_colourCombo->addItem(tr("Difficulty group"), int(ColourBy::Group));
    m_status->setObjectName(QStringLiteral("status"));
    // Long progress texts are cut, not allowed to widen the dock.
    m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_messageLabel->setObjectName(QStringLiteral("message"));
    m_messageLabel->setAlignment(Qt::AlignCenter);
    m_messageLabel->setWordWrap(true);

    auto *controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Model:")));
    controls->addWidget(m_modelCombo);
    controls->addWidget(m_layerLabel);
    controls->addWidget(m_layerSlider, 1);
    controls->addWidget(m_threeD);
    controls->addWidget(new QLabel(tr("Colour by:")));
    controls->addWidget(m_colourCombo);
    controls->addWidget(m_status);
    m_stack->addWidget(m_host);
    m_stack->addWidget(m_messageLabel);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(m_stack, 1);

    connect(m_modelCombo, qOverload<int>(&QComboBox::activated), this,
            [this](int i) { setModel(m_modelCombo->itemData(i).toInt()); });
    connect(m_layerSlider, &QSlider::valueChanged, this, &EmbeddingView::setProbe);
    connect(m_threeD, &QCheckBox::toggled, this, [this](bool on) { setDimensions(on ? 3 : 2); });
    connect(m_colourCombo, qOverload<int>(&QComboBox::activated), this,
            [this](int i) { setColourBy(static_cast<ColourBy>(m_colourCombo->itemData(i).toInt())); });
    connect(&m_watcher, &QFutureWatcher<Projection>::finished, this, &EmbeddingView::onProjected);
    if (m_selection) {
        connect(m_selection, &ExampleSelection::selectionChanged, this, &EmbeddingView::updateSelection);
        connect(m_selection, &ExampleSelection::currentChanged, this, &EmbeddingView::updateSelection);
    }

    // The scene: the cloud, the selection drawn larger over it, axes, title and a key.
    m_renderer->SetBackground(1.0, 1.0, 1.0);
    m_host->renderWindow()->AddRenderer(m_renderer);
    m_cloudMapper->SetInputData(m_cloud);
    m_cloudMapper->SetColorModeToDirectScalars();
    m_cloudMapper->SetScalarModeToUsePointData();
    m_cloudActor->SetMapper(m_cloudMapper);
    m_cloudActor->GetProperty()->SetRenderPointsAsSpheres(true);
    m_selectedMapper->SetInputData(m_selected);
    m_selectedMapper->SetColorModeToDirectScalars();
    m_selectedMapper->SetScalarModeToUsePointData();
    m_selectedActor->SetMapper(m_selectedMapper);
    m_selectedActor->GetProperty()->SetRenderPointsAsSpheres(true);
    m_renderer->AddActor(m_cloudActor);
    m_renderer->AddActor(m_selectedActor);

    m_axes->SetCamera(m_renderer->GetActiveCamera());
    // Fixed axes through the lowest corner, which a vector export redraws; 3-D
    // text actors for the labels, because GL2PS exports those as vector paths.
    m_axes->SetFlyModeToStaticTriad();
    m_axes->SetUseTextActor3D(1);
    // The overlay writes the titles: vtkAxisActor leaves its 3-D title text
    // in VTK's default white unless its own (hidden) property changes.
    m_axes->SetXTitle("");
    m_axes->SetYTitle("");
    m_axes->SetZTitle("");
    m_axes->SetLabelScaling(false, 0, 0, 0);
    m_axes->SetXLabelFormat("%-#6.3g");
    m_axes->SetYLabelFormat("%-#6.3g");
    m_axes->SetZLabelFormat("%-#6.3g");
    for (int i = 0; i < 3; ++i)
        setColour(m_axes->GetLabelTextProperty(i), 0.25, 12);
    for (vtkProperty *p : {m_axes->GetXAxesLinesProperty(), m_axes->GetYAxesLinesProperty(),
                           m_axes->GetZAxesLinesProperty()})
        p->SetColor(0.35, 0.35, 0.35);
    m_renderer->AddActor(m_axes);

    m_titleActor->GetPositionCoordinate()->SetCoordinateSystemToNormalizedViewport();
    m_titleActor->SetPosition(0.5, 0.97);
    m_titleActor->GetTextProperty()->SetJustificationToCentered();
    m_titleActor->GetTextProperty()->SetVerticalJustificationToTop();
    setColour(m_titleActor->GetTextProperty(), 0.0, 16, true);
    m_renderer->AddActor2D(m_titleActor);

    m_overlay->view = this;
    m_overlayActor->GetScene()->AddItem(m_overlay);
    m_renderer->AddActor(m_overlayActor);

    m_host->interactor()->SetInteractorStyle(m_rotateStyle);
    refreshControls();
    request();
}

EmbeddingView::~EmbeddingView()
{
    // The render window outlives us by a moment (our host is deleted after our members).
    m_overlay->view = nullptr;
    // The PCA task owns its data and touches nothing of ours; let it finish alone.
    m_watcher.disconnect(this);
}

VtkHost *EmbeddingView::host() const { return m_host; }

vtkRenderer *EmbeddingView::renderer() const { return m_renderer; }

vtkPolyData *EmbeddingView::cloud() const { return m_cloud; }

void EmbeddingView::setDocument(RunDocument *doc)
{
    if (m_doc)
        disconnect(m_doc, nullptr, this, nullptr);
    m_doc = doc;
    ++m_generation;
    m_cache.clear();
    m_shown = nullptr;
    m_cameraPlaced = false;
    m_model = -1;
    if (m_doc) {
        for (int m = 0; m < m_doc->modelCount() && m_model < 0; ++m)
            if (m_doc->hasEmbeddings(m))
                m_model = m;
        m_probe = std::max(0, m_doc->probeCount() - 2);
        connect(m_doc, &RunDocument::groupsChanged, this, [this] {
            if (m_shown && m_colourBy == ColourBy::Group)
                updateColours();
        });
        connect(m_doc, &RunDocument::reloaded, this, [this] {
            // A live run may have written more models or embeddings.
            ++m_generation;
            m_cache.clear();
            m_shown = nullptr;
            if (m_model < 0 || !m_doc->hasEmbeddings(m_model))
                setDocument(m_doc);
            else {
                refreshControls();
                request();
            }
        });
    }
    refreshControls();
    request();
}

void EmbeddingView::setModel(int model)
{
    if (model == m_model)
        return;
    m_model = model;
    refreshControls();
    request();
}

void EmbeddingView::setProbe(int probe)
{
    if (m_doc && m_doc->probeCount() > 0)
        probe = std::clamp(probe, 0, m_doc->probeCount() - 1);
    if (probe == m_probe)
        return;
    m_probe = probe;
    refreshControls();
    request();
}

void EmbeddingView::setDimensions(int dimensions)
{
    dimensions = dimensions == 2 ? 2 : 3;
    if (dimensions == m_dimensions)
        return;
    m_dimensions = dimensions;
    {
        const QSignalBlocker block(m_threeD);
        m_threeD->setChecked(dimensions == 3);
    }
    m_host->interactor()->SetInteractorStyle(dimensions == 3 ? m_rotateStyle : m_panStyle);
    m_cameraPlaced = false;
    if (m_shown) {
        updatePositions();
        updateSelection();
        updateLabels();
        fitCamera(true);
    }
}

void EmbeddingView::setColourBy(ColourBy by)
{
    m_colourBy = by;
    {
        const QSignalBlocker block(m_colourCombo);
        m_colourCombo->setCurrentIndex(m_colourCombo->findData(int(by)));
    }
    if (m_shown)
        updateColours();
}

QString EmbeddingView::probeName() const
{
    return m_doc && m_probe >= 0 && m_probe < m_doc->probeCount() ? m_doc->probeNames().at(m_probe) : QString();
}

const std::vector<float> &EmbeddingView::projected() const
{
    return m_shown ? m_shown->pca.projected : noValues();
}

const std::vector<float> &EmbeddingView::explained() const
{
    return m_shown ? m_shown->pca.explained : noValues();
}

int EmbeddingView::pointCount() const { return m_shown ? static_cast<int>(m_shown->pca.projected.size() / 3) : 0; }

bool EmbeddingView::isProjecting() const { return m_watcher.isRunning(); }

QString EmbeddingView::message() const
{
    return m_stack->currentWidget() == m_messageLabel ? m_messageLabel->text() : QString();
}

QString EmbeddingView::title() const { return QString::fromUtf8(m_titleActor->GetInput() ? m_titleActor->GetInput() : ""); }

QString EmbeddingView::figureTitle() const
{
    if (!m_doc)
        return tr("Embeddings");
    const QString title = tr("Embeddings at %1 (PCA) — %2").arg(probeName(), m_doc->title());
    return m_doc->modelCount() > 1 ? tr("%1, model %2").arg(title).arg(m_model) : title;
}

void EmbeddingView::refreshControls()
{
    const QSignalBlocker blockModels(m_modelCombo), blockSlider(m_layerSlider);
    m_modelCombo->clear();
    const int probes = m_doc ? m_doc->probeCount() : 0;
    if (m_doc) {
        for (int m = 0; m < m_doc->modelCount(); ++m) {
            if (!m_doc->hasEmbeddings(m))
                continue;
            const auto &ms = m_doc->summary().models[static_cast<std::size_t>(m)];
            m_modelCombo->addItem(tr("Model %1 (%2, seed %3)").arg(m).arg(QString::fromStdString(ms.arch)).arg(ms.seed), m);
        }
    }
    m_modelCombo->setCurrentIndex(m_modelCombo->findData(m_model));
    m_modelCombo->setEnabled(m_modelCombo->count() > 1);
    m_layerSlider->setRange(0, std::max(0, probes - 1));
    m_layerSlider->setValue(m_probe);
    m_layerSlider->setEnabled(probes > 1);
    m_layerLabel->setText(probes > 0 ? tr("Layer: %1 (%2/%3)").arg(probeName()).arg(m_probe + 1).arg(probes)
                                     : tr("Layer: –"));
}

void EmbeddingView::showMessage(const QString &text)
{
    m_shown = nullptr;
    m_messageLabel->setText(text);
    m_stack->setCurrentWidget(m_messageLabel);
    m_status->clear();
}

void EmbeddingView::request()
{
    if (!m_doc) {
        showMessage(tr("No run open."));
        return;
    }
    if (m_model < 0 || m_doc->probeCount() == 0) {
        showMessage(tr("This run stores no embeddings — train with --embeddings all "
                       "(or choose which layers' embeddings to keep in the wizard) to see them here."));
        return;
    }
    if (!m_doc->hasEmbeddings(m_model)) {
        showMessage(tr("Model %1 stores no embeddings; choose another model.").arg(m_model));
        return;
    }
    if (const auto it = m_cache.find({m_model, m_probe}); it != m_cache.end()) {
        showProjection(it->second);
        return;
    }
    // One projection at a time: a slider dragged across layers computes only
    // the layer it stops at once the running one is done (onProjected asks again).
    if (m_watcher.isRunning()) {
        m_status->setText(tr("Waiting to project %1…").arg(probeName()));
        return;
    }
    RunDocument::EmbeddingRequest request;
    try {
        request = m_doc->embeddingRequest(m_model, m_probe);
    } catch (const std::exception &e) {
        showMessage(tr("No embeddings of model %1 at %2: %3").arg(m_model).arg(probeName(), QString::fromUtf8(e.what())));
        return;
    }
    const std::int64_t n = m_doc->size();
    const QString progress = tr("Reading and projecting %1 embeddings at %2…").arg(n).arg(probeName());
    m_status->setText(progress);
    // A new layer keeps the old cloud until its own is ready; a new run has nothing to show yet.
    if (!m_shown) {
        m_messageLabel->setText(progress);
        m_stack->setCurrentWidget(m_messageLabel);
    }
    Projection job;
    job.model = m_model;
    job.probe = m_probe;
    job.generation = m_generation;
    // Reading (seconds for 60,000 × 4,096) and the PCA both run off the GUI thread.
    m_watcher.setFuture(QtConcurrent::run([job, request, n]() mutable {
        try {
            int dim = 0;
            const auto embeddings = RunDocument::readEmbeddings(request, &dim);
            job.dim = dim;
            const auto *data = &embeddings;
            const int components = static_cast<int>(std::min<std::int64_t>(3, job.dim));
            job.pca = pcaProject(data->data(), n, job.dim, components);
            if (components < 3) {
                std::vector<float> padded(static_cast<std::size_t>(n * 3), 0.0f);
                for (std::int64_t i = 0; i < n; ++i)
                    for (int c = 0; c < components; ++c)
                        padded[static_cast<std::size_t>(i * 3 + c)] = job.pca.projected[static_cast<std::size_t>(i * components + c)];
                job.pca.projected = std::move(padded);
                job.pca.explained.resize(3, 0.0f);
                job.pca.components = 3;
            }
        } catch (const std::exception &e) {
            job.error = QString::fromUtf8(e.what());
        }
        return job;
    }));
}

void EmbeddingView::onProjected()
{
    Projection p = m_watcher.result();
    if (p.generation == m_generation) {
        // A bounded cache: 3 floats per example per entry.
        if (m_cache.size() >= 64) {
            m_cache.clear();
            m_shown = nullptr;
        }
        m_cache[{p.model, p.probe}] = std::move(p);
    }
    request();
}

void EmbeddingView::showProjection(const Projection &p)
{
    if (!p.error.isEmpty()) {
        showMessage(tr("Could not project the embeddings of model %1 at %2: %3").arg(p.model).arg(probeName(), p.error));
        return;
    }
    const bool newData = m_shown != &p;
    m_shown = &p;
    m_stack->setCurrentWidget(m_host);
    const auto &e = p.pca.explained;
    m_status->setText(tr("PC1–3 explain %1 % of the variance (%2 features)")
                          .arg((e[0] + e[1] + e[2]) * 100.0, 0, 'f', 1)
                          .arg(p.dim));
    updatePositions();
    updateColours();
    updateLabels();
    if (newData)
        fitCamera(!m_cameraPlaced);
    Q_EMIT projectionShown();
}

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
    // The figure's title, so that an exported SVG does not get a second one.
    m_titleActor->SetInput(figureTitle().toUtf8().constData());
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
    m_renderer->ResetCamera(bounds);
    // Room for the key on the right and the title on top.
    camera->Zoom(0.85);
    m_host->update();
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

namespace {

/// The drawn point nearest `pos` within `radius`, nearer to the camera on ties; -1 if none.
std::int64_t nearest(const std::vector<float> &screen, QPoint pos, double radius)
{
    std::int64_t best = -1;
    double bestDistance = radius * radius, bestDepth = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < screen.size() / 3; ++i) {
        const double dx = screen[3 * i] - pos.x(), dy = screen[3 * i + 1] - pos.y();
        const double d = dx * dx + dy * dy; // NaN (behind the camera) never compares true
        if (d < bestDistance - 1e-9 || (d <= bestDistance + 1e-9 && screen[3 * i + 2] < bestDepth)) {
            best = static_cast<std::int64_t>(i);
            bestDistance = d;
            bestDepth = screen[3 * i + 2];
        }
    }
    return best;
}

} // namespace

std::int64_t EmbeddingView::pickAt(QPoint pos)
{
    const std::int64_t example = nearest(screenPositions(), pos, std::max(kPickRadius, pointSize(pointCount())));
    if (example >= 0 && m_selection) {
        m_selection->setCurrent(example, this);
        m_selection->setExamples({example}, tr("%1, picked in the embedding at %2").arg(describe(example), probeName()),
                                 this);
    }
    return example;
}

void EmbeddingView::selectRect(QRect rect)
{
    if (!m_selection || !m_shown)
        return;
    const std::vector<float> screen = screenPositions();
    std::vector<std::int64_t> inside;
    for (std::size_t i = 0; i < screen.size() / 3; ++i)
        if (rect.contains(QPointF(screen[3 * i], screen[3 * i + 1]).toPoint()))
            inside.push_back(static_cast<std::int64_t>(i));
    const QString description = tr("%n example(s) boxed in the embedding at %1", nullptr, static_cast<int>(inside.size()))
                                    .arg(probeName());
    m_selection->setExamples(std::move(inside), description, this, /*filter=*/true);
}

QString EmbeddingView::describe(std::int64_t example) const
{
    return tr("%1 (class %2)").arg(m_doc->exampleName(example),
                                   m_doc->className(m_doc->labels()[static_cast<std::size_t>(example)]));
}

QString EmbeddingView::hoverText(QPoint pos) const
{
    if (!m_shown)
        return {};
    const std::int64_t example = nearest(screenPositions(), pos, std::max(kPickRadius, pointSize(pointCount())));
    if (example < 0)
        return {};
    QString text = describe(example);
    const int depth = m_doc->depth(m_model, example);
    if (depth >= 0)
        text += tr("\nprediction depth %1 under model %2").arg(depth).arg(m_model);
    if (m_doc->hasGroups())
        text += tr("\ngroup: %1").arg(RunDocument::groupLabels().value(m_doc->groups()[static_cast<std::size_t>(example)]));
    return text;
}

} // namespace pds
