#pragma once

// VtkHost is the GL adapter (vtkhost.cpp); its figure export is in
// figureexport.cpp, the GL2PS SVG painting it uses in gl2pssvg.h.

#include <QOpenGLWidget>
#include <QSize>
#include <QString>

#include <vtkNew.h>

#include <map>

class vtkGenericOpenGLRenderWindow;
class vtkGenericRenderWindowInteractor;
class QMenu;
class QTimer;

namespace pds {

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
    /// Asks for a file (and, for PNG, size and DPI) and exports.
    void exportWithDialog();

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
    QImage renderOffscreen(QSize size, int dpi, QString *error);
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
};

} // namespace pds
