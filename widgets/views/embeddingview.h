#pragma once

#include "charts/figureinspect.h"
#include "probe/pca.h"

#include <QColor>
#include <QFutureWatcher>
#include <QPoint>
#include <QPointer>
#include <QRect>
#include <QString>
#include <QStringList>
#include <QWidget>

#include <vtkNew.h>
#include <vtkSmartPointer.h>

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QSlider;
class QStackedWidget;
class vtkActor;
class vtkContext2D;
class vtkContextActor;
class vtkCubeAxesActor;
class vtkInteractorStyle;
class vtkPolyData;
class vtkPolyDataMapper;
class vtkRenderer;

namespace pds {

class ElidedLabel;
class EmbeddingOverlay;
class ExampleSelection;
class RunDocument;
class VtkHost;

/// Every example's embedding at one probe of one model, projected onto its
/// first three principal components and drawn as a point cloud: 3-D with a
/// trackball camera, or 2-D (PC1, PC2) with pan and zoom. Points are
/// coloured by class, by the model's prediction depth or by difficulty group;
/// the shared selection is drawn enlarged over a faded cloud. A click picks
/// one example, a Shift-drag selects every point inside the box. The PCA runs
/// in a background thread and is cached per (model, probe).
class EmbeddingView : public QWidget {
    Q_OBJECT
public:
    enum class ColourBy { Class, Depth, Group };

    explicit EmbeddingView(ExampleSelection *selection, QWidget *parent = nullptr);
    ~EmbeddingView() override;

    /// Shows `doc` (null: nothing open) at its first model with embeddings and
    /// its penultimate probe, the representation the last layer reads.
    void setDocument(RunDocument *doc);
    /// Model index into the document's summary().models.
    void setModel(int model);
    void setProbe(int probe);
    /// 3 (default) or 2: PC3 is then flattened to 0 and the camera looks down z.
    void setDimensions(int dimensions);
    void setColourBy(ColourBy by);

    int model() const { return m_model; }
    int probe() const { return m_probe; }
    int dimensions() const { return m_dimensions; }
    ColourBy colourBy() const { return m_colourBy; }
    QString probeName() const;

    /// The shown projection, row-major [pointCount(), 3] (PC1, PC2, PC3; zero
    /// columns where the embedding has fewer than three features); empty while
    /// nothing is shown.
    const std::vector<float> &projected() const;
    /// Share of the variance along PC1..PC3 of the shown projection.
    const std::vector<float> &explained() const;
    int pointCount() const;
    /// True while a projection is being computed in the background.
    bool isProjecting() const;
    /// The text shown instead of the plot (no run, no embeddings, an error);
    /// empty while the plot is shown.
    QString message() const;
    /// The title drawn above the cloud (elided in the middle when the figure is narrow).
    QString title() const;
    /// "Embeddings at <probe> (PCA) — <run>", for exported files.
    QString figureTitle() const;

    /// Selects the drawn point nearest `pos` (host widget coordinates) within
    /// a few pixels, as a click does; returns its example or -1 (nothing changes).
    std::int64_t pickAt(QPoint pos);
    /// Selects (and filters the gallery to) the points drawn inside `rect`
    /// (host widget coordinates), as a Shift-drag does.
    void selectRect(QRect rect);
    /// The examples drawn highlighted (selection and current example), sorted.
    const std::vector<std::int64_t> &highlighted() const { return m_highlighted; }
    /// The colour key as drawn: its title and one label per entry, top to bottom.
    QString keyTitle() const { return m_keyTitle; }
    QStringList keyLabels() const;

    /// The render host (export, rendered images, mouse events in tests).
    VtkHost *host() const;
    vtkRenderer *renderer() const;
    /// The drawn cloud: one vertex per example, colours in the point scalars.
    vtkPolyData *cloud() const;

Q_SIGNALS:
    /// A projection was drawn (after a background computation or from the cache).
    void projectionShown();

private:
    /// One finished (or failed) projection of one (model, probe).
    struct Projection {
        int model = -1, probe = -1;
        int generation = 0;
        std::int64_t dim = 0;
        PcaResult pca; ///< padded to three components
        QString error;
    };
    using Key = std::pair<int, int>;
    struct KeyEntry {
        QString label;
        QColor colour;
    };

    void refreshControls();
    void request();
    void onProjected();
    void showProjection(const Projection &p);
    void showMessage(const QString &text);
    void updatePositions();
    void updateColours();
    void updateSelection();
    void updateLabels();
    /// Fits the camera to the cloud in the plot area; `orient` also restores the default direction.
    void fitCamera(bool orient);
    /// Before each frame: the plot area left free by the title and the key at
    /// the frame's size and `dpi`; the camera's window centre moves to it and,
    /// when the area or the figure's proportions changed, the zoom keeps the
    /// share of the area the cloud filled.
    void layoutScene(int dpi);
    /// How far the cloud's bounding box reaches across the plot area under the
    /// current camera: 1 touches its edge (0 when nothing is shown).
    double cloudReach() const;
    /// The figure as last drawn: texts with their boxes, the key's box and the points (display pixels).
    FigureGeometry figureGeometry() const;
    /// Where each drawn point lands in host widget coordinates (x, y) and its
    /// depth (NDC z, smaller is nearer); NaN for points behind the camera.
    std::vector<float> screenPositions() const;
    QString describe(std::int64_t example) const;
    QString hoverText(QPoint pos) const;
    /// Draws the colour key and, while a vector export captures the scene, the
    /// cloud and its axes as 2-D primitives (see EmbeddingOverlay).
    void paintOverlay(vtkContext2D *painter);
    friend class EmbeddingChart;
    friend class EmbeddingOverlay;

    QPointer<ExampleSelection> m_selection;
    QPointer<RunDocument> m_doc;
    int m_model = -1, m_probe = 0, m_dimensions = 3;
    ColourBy m_colourBy = ColourBy::Class;
    int m_generation = 0;
    bool m_cameraPlaced = false;
    std::map<Key, Projection> m_cache;
    const Projection *m_shown = nullptr;
    QFutureWatcher<Projection> m_watcher;
    std::vector<std::uint8_t> m_colours; ///< [n, 3] by the current colouring, before fading
    std::vector<std::int64_t> m_highlighted;
    QString m_keyTitle;
    QString m_axisTitles[3]; ///< "PC1 (38.2 %)", drawn by the overlay
    QString m_shownTitle;    ///< figureTitle() as last drawn, elided to the width
    std::vector<FigureText> m_drawnTexts; ///< every text the overlay drew in the last frame
    QRectF m_keyBox;                      ///< the key as last drawn (display pixels)
    /// The plot area in normalised device coordinates (centre, half sizes) and
    /// the window size it was laid out for; the cloud's reach in it.
    struct Area {
        double cx = 0, cy = 0, hx = 1, hy = 1;
        int width = 0, height = 0;
    } m_area;
    double m_reach = 0;
    std::vector<KeyEntry> m_key;
    bool m_keyIsScale = false; ///< one contiguous bar (depth) rather than swatches

    QComboBox *m_modelCombo;
    QSlider *m_layerSlider;
    QLabel *m_layerLabel;
    QCheckBox *m_threeD;
    QComboBox *m_colourCombo;
    ElidedLabel *m_status;
    QStackedWidget *m_stack;
    QLabel *m_messageLabel;
    VtkHost *m_host;

    vtkNew<vtkRenderer> m_renderer;
    vtkNew<vtkPolyData> m_cloud;
    vtkNew<vtkPolyDataMapper> m_cloudMapper;
    vtkNew<vtkActor> m_cloudActor;
    vtkNew<vtkPolyData> m_selected;
    vtkNew<vtkPolyDataMapper> m_selectedMapper;
    vtkNew<vtkActor> m_selectedActor;
    vtkNew<vtkCubeAxesActor> m_axes;
    vtkNew<vtkContextActor> m_overlayActor;
    vtkSmartPointer<EmbeddingOverlay> m_overlay;
    vtkSmartPointer<vtkInteractorStyle> m_rotateStyle, m_panStyle;
};

} // namespace pds
