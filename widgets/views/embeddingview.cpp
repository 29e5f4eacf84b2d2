// EmbeddingView is one class whose work is split by job: this file builds the
// controls and the scene and holds the settings; embeddingprojection.cpp runs
// the PCA in the background, embeddingscene.cpp fills and colours the cloud,
// embeddingoverlay.cpp lays the figure out and draws its 2-D layer (title,
// key, ticks and axis titles, GL2PS vectors) and
// embeddingpicking.cpp turns clicks and drags into selections.
#include "views/embeddingview.h"

#include "charts/embeddingchart.h"
#include "charts/palette.h"
#include "models/exampleselection.h"
#include "models/rundocument.h"
#include "views/elidedlabel.h"
#include "views/embeddingoverlay.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QStackedWidget>
#include <QVBoxLayout>

#include <vtkActor.h>
#include <vtkContextActor.h>
#include <vtkContextScene.h>
#include <vtkCubeAxesActor.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkObjectFactory.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>

#include <algorithm>

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

const std::vector<float> &noValues()
{
    static const std::vector<float> empty;
    return empty;
}

} // namespace

EmbeddingView::EmbeddingView(ExampleSelection *selection, QWidget *parent)
    : QWidget(parent), m_selection(selection), m_modelCombo(new QComboBox), m_layerSlider(new QSlider(Qt::Horizontal)),
      m_layerLabel(new QLabel), m_threeD(new QCheckBox(tr("3-D"))), m_colourCombo(new QComboBox),
      m_status(new ElidedLabel), m_stack(new QStackedWidget), m_messageLabel(new QLabel), m_host(new EmbeddingChart(this)),
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
    // Long progress texts are elided, not allowed to widen the dock.
    m_status->setMaxTextWidth(600);
    m_messageLabel->setObjectName(QStringLiteral("message"));
    m_messageLabel->setAlignment(Qt::AlignCenter);
    m_messageLabel->setWordWrap(true);

    auto *controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Model:")));
    controls->addWidget(m_modelCombo);
    controls->addWidget(m_layerLabel);
    controls->addWidget(m_layerSlider, 1);
    // A second row, so the status has the width it needs to be read.
    auto *display = new QHBoxLayout;
    display->addWidget(m_threeD);
    display->addWidget(new QLabel(tr("Colour by:")));
    display->addWidget(m_colourCombo);
    display->addWidget(m_status, 1);
    m_stack->addWidget(m_host);
    m_stack->addWidget(m_messageLabel);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addLayout(display);
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
    // The axis lines through the lowest corner (a vector export redraws them);
    // the overlay writes tick labels and titles in points, as the charts do,
    // so they keep their size in any figure (3-D text scales with the scene).
    m_axes->SetFlyModeToStaticTriad();
    m_axes->SetXTitle("");
    m_axes->SetYTitle("");
    m_axes->SetZTitle("");
    m_axes->XAxisLabelVisibilityOff();
    m_axes->YAxisLabelVisibilityOff();
    m_axes->ZAxisLabelVisibilityOff();
    m_axes->XAxisTickVisibilityOff();
    m_axes->YAxisTickVisibilityOff();
    m_axes->ZAxisTickVisibilityOff();
    m_axes->XAxisMinorTickVisibilityOff();
    m_axes->YAxisMinorTickVisibilityOff();
    m_axes->ZAxisMinorTickVisibilityOff();
    for (vtkProperty *p : {m_axes->GetXAxesLinesProperty(), m_axes->GetYAxesLinesProperty(),
                           m_axes->GetZAxesLinesProperty()})
        p->SetColor(0.35, 0.35, 0.35);
    m_renderer->AddActor(m_axes);

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

QString EmbeddingView::title() const { return m_shownTitle; }

QString EmbeddingView::figureTitle() const
{
    if (!m_doc)
        return tr("Embeddings");
    const QString title = tr("Embeddings at %1 (PCA) — %2").arg(probeName(), m_doc->title());
    return m_doc->modelCount() > 1 ? tr("%1, model %2").arg(title, modelLabel(m_model)) : title;
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
            m_modelCombo->addItem(tr("%1 (%2, seed %3)").arg(modelLabel(m)).arg(QString::fromStdString(ms.arch)).arg(ms.seed), m);
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
    m_status->setFullText({});
}

} // namespace pds
