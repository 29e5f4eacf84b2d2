#include "charts/vtkhost.h"

#include "charts/figureinspect.h"
#include "charts/markscale.h"

#include <QApplication>
#include <QContextMenuEvent>
#include <QMenu>
#include <QMouseEvent>
#include <QOpenGLContext>
#include <QSurfaceFormat>
#include <QTimer>
#include <QWheelEvent>

#include <vtkCommand.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>

#include <algorithm>
#include <cmath>

namespace pds {
namespace {

const char *keySym(const QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Left: return "Left";
    case Qt::Key_Right: return "Right";
    case Qt::Key_Up: return "Up";
    case Qt::Key_Down: return "Down";
    case Qt::Key_Return:
    case Qt::Key_Enter: return "Return";
    case Qt::Key_Escape: return "Escape";
    case Qt::Key_Backspace: return "BackSpace";
    case Qt::Key_Tab: return "Tab";
    case Qt::Key_Delete: return "Delete";
    case Qt::Key_Home: return "Home";
    case Qt::Key_End: return "End";
    case Qt::Key_PageUp: return "Prior";
    case Qt::Key_PageDown: return "Next";
    case Qt::Key_Space: return "space";
    case Qt::Key_Plus: return "plus";
    case Qt::Key_Minus: return "minus";
    case Qt::Key_Shift: return "Shift_L";
    case Qt::Key_Control: return "Control_L";
    case Qt::Key_Alt: return "Alt_L";
    default: break;
    }
    if (event->key() >= Qt::Key_F1 && event->key() <= Qt::Key_F12) {
        static const char *names[] = {"F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "F10", "F11", "F12"};
        return names[event->key() - Qt::Key_F1];
    }
    return nullptr;
}

} // namespace

VtkHost::VtkHost(QWidget *parent) : QOpenGLWidget(parent), m_marks(std::make_unique<MarkScale>())
{
    // Render only from paintGL, where Qt has made our context current.
    m_window->SetReadyForRendering(false);
    m_window->SetInteractor(m_interactor);
    m_interactor->SetRenderWindow(m_window);
    // VTK asks for frames through the interactor; we turn them into update().
    m_interactor->EnableRenderOff();
    m_interactor->AddObserver(vtkCommand::RenderEvent, this, &VtkHost::onRenderRequest);
    m_interactor->AddObserver(vtkCommand::CreateTimerEvent, this, &VtkHost::onCreateTimer);
    m_interactor->AddObserver(vtkCommand::DestroyTimerEvent, this, &VtkHost::onDestroyTimer);
    // The generic interactor only repeats timers by re-creating them; ours repeat natively.
    m_interactor->TimerEventResetsTimerOff();
    m_interactor->Initialize();
    setMouseTracking(true); // hover tooltips need moves without a button held
    setFocusPolicy(Qt::StrongFocus);
    setMinimumSize(120, 90);
}

VtkHost::~VtkHost()
{
    m_interactor->RemoveAllObservers();
    for (auto &[id, timer] : m_timers)
        delete timer;
    m_timers.clear();
    if (context()) {
        // QOpenGLWidget destroys the context after us: release VTK's part now.
        disconnect(context(), nullptr, this, nullptr);
        releaseGraphics();
    }
}

void VtkHost::setDefaultSurfaceFormat()
{
    QSurfaceFormat format;
    format.setRenderableType(QSurfaceFormat::OpenGL);
    format.setVersion(3, 2);
    format.setProfile(QSurfaceFormat::CoreProfile);
    format.setDepthBufferSize(24);
    format.setStencilBufferSize(8);
    format.setSwapBehavior(QSurfaceFormat::DoubleBuffer);
    QSurfaceFormat::setDefaultFormat(format);
}

vtkGenericOpenGLRenderWindow *VtkHost::renderWindow() const { return m_window; }

vtkGenericRenderWindowInteractor *VtkHost::interactor() const { return m_interactor; }

void VtkHost::initializeGL()
{
    // QOpenGLWidget makes a new context when it moves to another top-level
    // window (a dock floated): VTK's resources must go with the old one.
    connect(context(), &QOpenGLContext::aboutToBeDestroyed, this, &VtkHost::releaseGraphics, Qt::UniqueConnection);
    m_window->SetOwnContext(false);
    m_window->SetFrameBlitModeToBlitToCurrent();
    m_window->SetIsCurrent(true);
    m_window->OpenGLInitContext();
}

void VtkHost::releaseGraphics()
{
    makeCurrent();
    m_window->SetIsCurrent(true);
    m_window->ReleaseGraphicsResources(m_window);
    m_window->SetIsCurrent(false);
    doneCurrent();
}

void VtkHost::resizeGL(int w, int h)
{
    const double dpr = devicePixelRatioF();
    m_window->SetSize(std::lround(w * dpr), std::lround(h * dpr));
    m_window->SetDPI(std::lround(vtkBaseDpi * dpr));
    m_interactor->SetSize(m_window->GetSize());
    m_interactor->InvokeEvent(vtkCommand::ConfigureEvent, nullptr);
}

void VtkHost::renderNow()
{
    m_painting = true;
    m_window->SetReadyForRendering(true);
    m_window->SetIsCurrent(true);
    prepareFrame();
    m_marks->apply(m_window, pixelsPerPoint());
    m_window->Render();
    // Legends go where the drawn layout leaves room; twice settles it (a moved legend moves the plot once).
    for (int pass = 0; pass < 2 && settleLayout(); ++pass)
        m_window->Render();
    m_window->SetReadyForRendering(false);
    m_painting = false;
}

int VtkHost::renderDpi() const { return m_window->GetDPI(); }

double VtkHost::pixelsPerPoint() const { return m_window->GetDPI() / (vtkBaseDpi * m_fontScale); }

FigureGeometry VtkHost::figureGeometry() { return {}; }

void VtkHost::paintGL()
{
    renderNow();
    Q_EMIT rendered();
}

void VtkHost::setEventPosition(QPointF pos, Qt::KeyboardModifiers modifiers, bool repeat)
{
    const double dpr = devicePixelRatioF();
    m_interactor->SetEventInformationFlipY(std::lround(pos.x() * dpr), std::lround(pos.y() * dpr),
                                           (modifiers & Qt::ControlModifier) ? 1 : 0,
                                           (modifiers & Qt::ShiftModifier) ? 1 : 0, 0, repeat ? 1 : 0);
    m_interactor->SetAltKey((modifiers & Qt::AltModifier) ? 1 : 0);
}

void VtkHost::forwardMouse(QMouseEvent *event, unsigned long vtkEvent)
{
    setEventPosition(event->position(), event->modifiers(), event->type() == QEvent::MouseButtonDblClick);
    m_interactor->InvokeEvent(vtkEvent, event);
    update();
}

namespace {
unsigned long pressEvent(Qt::MouseButton button)
{
    switch (button) {
    case Qt::LeftButton: return vtkCommand::LeftButtonPressEvent;
    case Qt::MiddleButton: return vtkCommand::MiddleButtonPressEvent;
    case Qt::RightButton: return vtkCommand::RightButtonPressEvent;
    default: return vtkCommand::NoEvent;
    }
}

unsigned long releaseEvent(Qt::MouseButton button)
{
    switch (button) {
    case Qt::LeftButton: return vtkCommand::LeftButtonReleaseEvent;
    case Qt::MiddleButton: return vtkCommand::MiddleButtonReleaseEvent;
    case Qt::RightButton: return vtkCommand::RightButtonReleaseEvent;
    default: return vtkCommand::NoEvent;
    }
}
} // namespace

void VtkHost::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::RightButton)
        m_rightPressPos = event->position().toPoint();
    if (const unsigned long id = pressEvent(event->button()); id != vtkCommand::NoEvent)
        forwardMouse(event, id);
}

void VtkHost::mouseReleaseEvent(QMouseEvent *event)
{
    if (const unsigned long id = releaseEvent(event->button()); id != vtkCommand::NoEvent)
        forwardMouse(event, id);
    // A right click without a drag opens the menu; a right drag stays VTK's (zoom in 3-D views).
    if (event->button() == Qt::RightButton && m_rightPressPos.x() >= 0
        && (event->position().toPoint() - m_rightPressPos).manhattanLength() <= QApplication::startDragDistance())
        showContextMenu(event->globalPosition().toPoint());
    if (event->button() == Qt::RightButton)
        m_rightPressPos = {-1, -1};
}

void VtkHost::mouseMoveEvent(QMouseEvent *event) { forwardMouse(event, vtkCommand::MouseMoveEvent); }

void VtkHost::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (const unsigned long id = pressEvent(event->button()); id != vtkCommand::NoEvent)
        forwardMouse(event, id);
}

void VtkHost::wheelEvent(QWheelEvent *event)
{
    setEventPosition(event->position(), event->modifiers());
    // Touchpads send many small deltas; VTK expects one event per 120 (one notch).
    m_wheelDelta += event->angleDelta().y();
    if (m_wheelDelta >= 120) {
        m_interactor->InvokeEvent(vtkCommand::MouseWheelForwardEvent, event);
        m_wheelDelta = 0;
    } else if (m_wheelDelta <= -120) {
        m_interactor->InvokeEvent(vtkCommand::MouseWheelBackwardEvent, event);
        m_wheelDelta = 0;
    }
    event->accept();
    update();
}

void VtkHost::forwardKey(QKeyEvent *event, bool press)
{
    const QString text = event->text();
    const char ascii = text.size() == 1 && text.at(0).unicode() < 128 && text.at(0).isPrint() ? text.at(0).toLatin1() : 0;
    const QByteArray printable(1, ascii);
    const char *sym = keySym(event);
    if (!sym)
        sym = ascii ? printable.constData() : "None";
    m_interactor->SetKeyEventInformation((event->modifiers() & Qt::ControlModifier) ? 1 : 0,
                                         (event->modifiers() & Qt::ShiftModifier) ? 1 : 0, ascii,
                                         event->isAutoRepeat() ? 1 : 0, sym);
    m_interactor->SetAltKey((event->modifiers() & Qt::AltModifier) ? 1 : 0);
    if (press) {
        m_interactor->InvokeEvent(vtkCommand::KeyPressEvent, event);
        if (ascii)
            m_interactor->InvokeEvent(vtkCommand::CharEvent, event);
    } else {
        m_interactor->InvokeEvent(vtkCommand::KeyReleaseEvent, event);
    }
    update();
}

void VtkHost::keyPressEvent(QKeyEvent *event) { forwardKey(event, true); }

void VtkHost::keyReleaseEvent(QKeyEvent *event) { forwardKey(event, false); }

void VtkHost::enterEvent(QEnterEvent *event)
{
    setEventPosition(event->position(), event->modifiers());
    m_interactor->InvokeEvent(vtkCommand::EnterEvent, event);
    update();
}

void VtkHost::leaveEvent(QEvent *event)
{
    m_interactor->InvokeEvent(vtkCommand::LeaveEvent, event);
    update();
}

void VtkHost::contextMenuEvent(QContextMenuEvent *event)
{
    // Mouse-made menus open on the right button's release (see mouseReleaseEvent).
    if (event->reason() != QContextMenuEvent::Mouse)
        showContextMenu(event->globalPos());
    event->accept();
}

void VtkHost::showContextMenu(QPoint globalPos)
{
    QMenu menu(this);
    menu.addAction(tr("Export figure…"), this, &VtkHost::exportWithDialog);
    extendContextMenu(&menu);
    menu.exec(globalPos);
}

void VtkHost::onRenderRequest()
{
    if (!m_painting)
        update();
}

void VtkHost::onCreateTimer()
{
    const int vtkId = m_interactor->GetTimerEventId();
    const bool oneShot = m_interactor->GetTimerEventType() == vtkRenderWindowInteractor::OneShotTimer;
    const int platformId = m_nextTimerId++;
    auto *timer = new QTimer(this);
    timer->setSingleShot(oneShot);
    timer->setInterval(std::max(0, m_interactor->GetTimerEventDuration()));
    connect(timer, &QTimer::timeout, this, [this, vtkId, platformId, oneShot] {
        int id = vtkId;
        m_interactor->InvokeEvent(vtkCommand::TimerEvent, &id);
        if (oneShot && m_timers.count(platformId))
            m_interactor->DestroyTimer(vtkId);
        update();
    });
    m_timers[platformId] = timer;
    m_interactor->SetTimerEventPlatformId(platformId);
    timer->start();
}

void VtkHost::onDestroyTimer()
{
    const auto it = m_timers.find(m_interactor->GetTimerEventPlatformId());
    if (it == m_timers.end())
        return;
    it->second->stop();
    it->second->deleteLater(); // may be inside its own timeout
    m_timers.erase(it);
}

QImage VtkHost::renderedImage()
{
    // grabFramebuffer() runs paintGL() first, so the image is current.
    return grabFramebuffer().convertToFormat(QImage::Format_RGB32);
}

} // namespace pds
