#pragma once

// VtkHost is the GL adapter (vtkhost.cpp); its figure export is in
// figureexport.cpp, the GL2PS SVG painting it uses in gl2pssvg.h.

#include <QOpenGLWidget>
#include <QSize>
#include <QSizeF>
#include <QString>

#include <vtkNew.h>

#include <functional>
#include <map>
#include <memory>

class vtkGenericOpenGLRenderWindow;
class vtkGenericRenderWindowInteractor;
class QMenu;
class QTimer;

namespace pds {

struct FigureGeometry;
class MarkScale;

/// How an exported figure is sized: its physical size (empty: the view's
/// size on screen) and the size of its tick labels in points (the other
/// texts keep their proportion to it), at `dpi` for PNG.
struct FigureOptions {
    QSizeF inches;
    double fontPoints = 10;
    int dpi = 300;
};

/// Hosts a VTK render window in a Qt6 QOpenGLWidget (VTK's own Qt module is
/// built for Qt5 on Debian 12, so we do not use it). Subclasses attach their
/// scene to renderWindow() (a vtkContextView for charts, a vtkRenderer for
/// 3-D) and call update() when their data change. Every view exports itself
/// as PNG (chosen size and DPI), SVG (vector, through GL2PS) and PDF (the
/// SVG drawn as vectors into a QPdfWriter), from the right-click menu too.
class VtkHost : public QOpenGLWidget {
    Q_OBJECT
public:
    explicit VtkHost(QWidget *parent = nullptr);
    ~VtkHost() override;

    /// Sets the default QSurfaceFormat VTK needs; call before QApplication.
    static void setDefaultSurfaceFormat();

    vtkGenericOpenGLRenderWindow *renderWindow() const;
    vtkGenericRenderWindowInteractor *interactor() const;

    /// The figure's title, used in exported files and default file names.
    virtual QString figureTitle() const { return windowTitle(); }

    /// Renders at `size` pixels and writes a PNG carrying `dpi`.
    bool exportPng(const QString &path, QSize size, int dpi, QString *error = nullptr);
    /// Vector SVG of the current view.
    bool exportSvg(const QString &path, QString *error = nullptr);
    /// Vector PDF of the current view.
    bool exportPdf(const QString &path, QString *error = nullptr);
    /// Chooses the format from the file name's suffix (png, svg, pdf).
    bool exportFigure(const QString &path, QSize pngSize, int dpi, QString *error = nullptr);
    /// Exports at a physical size and font size (figure width for a paper's
    /// column); the format comes from the suffix.
    bool exportFigure(const QString &path, const FigureOptions &options, QString *error = nullptr);
    /// The figure size the export dialog proposes for a figure `widthInches`
    /// wide (a paper's column): the view's proportions unless a chart
    /// arranges itself otherwise when narrow.
    virtual QSizeF suggestedFigureSize(double widthInches) const;
    /// Asks for a file, the figure's size and font size, and exports.
    void exportWithDialog();

    /// What the figure draws where (texts, plot areas, legends, marks) as it
    /// was last laid out, for legibility checks; empty for views without charts.
    virtual FigureGeometry figureGeometry();
    /// Lays the figure out at `size` device pixels and `dpi` as an export
    /// would, and returns its geometry (restores the view afterwards).
    FigureGeometry figureGeometryAt(QSize size, int dpi);

    /// The current frame as an image (renders first).
    QImage renderedImage();

Q_SIGNALS:
    /// Emitted after each render; views use it to refresh hover texts.
    void rendered();

protected:
    void initializeGL() override;
    void resizeGL(int w, int h) override;
    void paintGL() override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void keyReleaseEvent(QKeyEvent *event) override;
    void enterEvent(QEnterEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;
    /// Subclasses add their own actions to the right-click menu (export is there already).
    virtual void extendContextMenu(QMenu *menu) { Q_UNUSED(menu); }
    /// Called after each render: adjusts what depends on the drawn layout
    /// (legend placement); returns true when the frame must be drawn again.
    virtual bool settleLayout() { return false; }
    /// Called before each render: arranges what depends on the frame's size
    /// and DPI before it is laid out (the trajectory stacks its panels when narrow).
    virtual void prepareFrame() {}
    /// The DPI VTK sizes fonts with in the frame being drawn.
    int renderDpi() const;
    /// Device pixels per point in the frame being drawn (the screen's pixel
    /// ratio, or an export's DPI / 72): line widths and marker sizes, set in
    /// points, are drawn at this scale whatever the font size.
    double pixelsPerPoint() const;

private:
    // VTK's fonts are sized in points at this DPI; we scale it with the device
    // pixel ratio and the export size so text keeps its size relative to the figure.
    static constexpr int vtkBaseDpi = 72;

    void forwardMouse(QMouseEvent *event, unsigned long vtkEvent);
    void setEventPosition(QPointF pos, Qt::KeyboardModifiers modifiers, bool repeat = false);
    void forwardKey(QKeyEvent *event, bool press);
    void onRenderRequest();
    void onCreateTimer();
    void onDestroyTimer();
    void releaseGraphics();
    /// Renders the scene at `size` device pixels into an offscreen framebuffer.
    QImage renderOffscreen(QSize size, int dpi, QString *error, const std::function<void()> &whileSized = {});
    /// SVG of the scene at `size` (points; empty: the view's size) with fonts scaled by `fontScale`.
    bool writeSvg(const QString &path, QSizeF size, double fontScale, QString *error);
    bool writePdf(const QString &path, QSizeF size, double fontScale, QString *error);
    /// One VTK render into the current GL target (the widget or an export framebuffer).
    void renderNow();
    void showContextMenu(QPoint globalPos);

    vtkNew<vtkGenericOpenGLRenderWindow> m_window;
    vtkNew<vtkGenericRenderWindowInteractor> m_interactor;
    std::map<int, QTimer *> m_timers; ///< VTK platform timer id -> Qt timer
    int m_nextTimerId = 1;
    int m_wheelDelta = 0;
    bool m_painting = false;
    QPoint m_rightPressPos{-1, -1};
    double m_fontScale = 1.0; ///< export font size over the on-screen one
    std::unique_ptr<MarkScale> m_marks;
};

} // namespace pds
