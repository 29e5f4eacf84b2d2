#include "vtkhost.h"

#include <QApplication>
#include <QContextMenuEvent>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontMetricsF>
#include <QFormLayout>
#include <QMenu>
#include <QMessageBox>
#include <QMouseEvent>
#include <QOpenGLContext>
#include <QOpenGLFramebufferObject>
#include <QOpenGLFunctions>
#include <QPageSize>
#include <QPainter>
#include <QPainterPath>
#include <QPdfWriter>
#include <QRegularExpression>
#include <QSpinBox>
#include <QSurfaceFormat>
#include <QTemporaryDir>
#include <QTimer>
#include <QTransform>
#include <QWheelEvent>
#include <QXmlStreamReader>

#include <vtkCommand.h>
#include <vtkGL2PSExporter.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>

#include <algorithm>
#include <cmath>

namespace pds {
namespace {

// VTK's fonts are sized in points at this DPI; we scale it with the device
// pixel ratio and the export size so text keeps its size relative to the figure.
constexpr int vtkBaseDpi = 72;

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

bool fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return false;
}

/// Adds a title line above the drawing of a GL2PS SVG that has none.
QByteArray addSvgTitle(const QByteArray &svg, const QString &title)
{
    static const QRegularExpression header(QStringLiteral(
        "<svg([^>]*?)width=\"([\\d.]+)(\\w*)\"([^>]*?)height=\"([\\d.]+)(\\w*)\"([^>]*?)viewBox=\"0 0 ([\\d.]+) ([\\d.]+)\"([^>]*)>"));
    QString text = QString::fromUtf8(svg);
    const auto m = header.match(text);
    const int end = text.lastIndexOf(QStringLiteral("</svg>"));
    if (!m.hasMatch() || end < 0)
        return svg;
    const double w = m.captured(8).toDouble(), h = m.captured(9).toDouble();
    const double band = std::max(24.0, h / 18), grow = (h + band) / h;
    const QString newHeader =
        QStringLiteral("<svg%1width=\"%2%3\"%4height=\"%5%6\"%7viewBox=\"0 0 %8 %9\"%10>\n"
                       "<text fill=\"#000000\" x=\"%11\" y=\"%12\" font-size=\"%13\" text-anchor=\"middle\" "
                       "font-family=\"Helvetica\" font-weight=\"bold\">%14</text>\n<g transform=\"translate(0,%15)\">")
            .arg(m.captured(1), QString::number(m.captured(2).toDouble()), m.captured(3), m.captured(4),
                 QString::number(m.captured(5).toDouble() * grow), m.captured(6), m.captured(7))
            .arg(w).arg(h + band).arg(m.captured(10))
            .arg(w / 2).arg(band * 0.7).arg(std::round(band * 0.6)).arg(title.toHtmlEscaped()).arg(band);
    text.insert(end, QStringLiteral("</g>\n"));
    text.replace(m.capturedStart(), m.capturedLength(), newHeader);
    return text.toUtf8();
}

/// Parses an SVG transform list ("translate(0,24) rotate(-90, 17, 289)").
QTransform svgTransform(QStringView text)
{
    static const QRegularExpression item(QStringLiteral("(\\w+)\\s*\\(([^)]*)\\)"));
    static const QRegularExpression separator(QStringLiteral("[\\s,]+"));
    QTransform total;
    for (auto it = item.globalMatch(text); it.hasNext();) {
        const auto m = it.next();
        QList<double> v;
        for (const QString &n : m.captured(2).split(separator, Qt::SkipEmptyParts))
            v << n.toDouble();
        QTransform t;
        const QString op = m.captured(1);
        if (op == QLatin1String("translate") && !v.isEmpty())
            t.translate(v[0], v.value(1));
        else if (op == QLatin1String("scale") && !v.isEmpty())
            t.scale(v[0], v.value(1, v[0]));
        else if (op == QLatin1String("rotate") && !v.isEmpty())
            t.translate(v.value(1), v.value(2)).rotate(v[0]).translate(-v.value(1), -v.value(2));
        else if (op == QLatin1String("matrix") && v.size() == 6)
            t = QTransform(v[0], v[1], v[2], v[3], v[4], v[5]);
        total = t * total; // the last transform in the list applies first
    }
    return total;
}

QPolygonF svgPoints(QStringView text)
{
    static const QRegularExpression separator(QStringLiteral("[\\s,]+"));
    const QStringList numbers = text.toString().split(separator, Qt::SkipEmptyParts);
    QPolygonF points;
    for (int i = 0; i + 1 < numbers.size(); i += 2)
        points << QPointF(numbers[i].toDouble(), numbers[i + 1].toDouble());
    return points;
}

QColor svgColour(const QXmlStreamAttributes &a, const QString &name)
{
    QColor colour = QColor::fromString(a.value(name).toString());
    if (colour.isValid() && a.hasAttribute(name + QStringLiteral("-opacity")))
        colour.setAlphaF(a.value(name + QStringLiteral("-opacity")).toDouble());
    return colour;
}

/// Root size of an SVG in user units (its viewBox).
QSizeF svgSize(const QByteArray &svg)
{
    QXmlStreamReader xml(svg);
    while (!xml.atEnd())
        if (xml.readNext() == QXmlStreamReader::StartElement && xml.name() == QLatin1String("svg")) {
            const QStringList box = xml.attributes().value(QStringLiteral("viewBox")).toString().split(QLatin1Char(' '), Qt::SkipEmptyParts);
            if (box.size() == 4)
                return {box[2].toDouble(), box[3].toDouble()};
            return {xml.attributes().value(QStringLiteral("width")).toDouble(),
                    xml.attributes().value(QStringLiteral("height")).toDouble()};
        }
    return {};
}

/// Paints the SVG subset GL2PS writes (polygon, polyline, circle, text, g)
/// with QPainter. QSvgRenderer would do, but it turns text into outlines in a
/// PDF; this keeps text as text (searchable, embedded fonts). Adjacent
/// triangles of one colour are filled as one path so viewers draw no seams.
void paintGl2psSvg(const QByteArray &svg, QPainter &painter)
{
    QXmlStreamReader xml(svg);
    std::vector<QTransform> stack{QTransform()};
    QPainterPath fill;
    fill.setFillRule(Qt::WindingFill);
    QColor fillColour;
    auto flush = [&] {
        if (!fill.isEmpty())
            painter.fillPath(fill, fillColour);
        fill = QPainterPath();
        fill.setFillRule(Qt::WindingFill);
    };
    while (!xml.atEnd()) {
        const auto token = xml.readNext();
        if (token == QXmlStreamReader::EndElement && xml.name() == QLatin1String("g")) {
            flush();
            if (stack.size() > 1)
                stack.pop_back();
            continue;
        }
        if (token != QXmlStreamReader::StartElement)
            continue;
        const QXmlStreamAttributes a = xml.attributes();
        const QTransform transform = svgTransform(a.value(QStringLiteral("transform"))) * stack.back();
        const QStringView name = xml.name();
        if (name == QLatin1String("g")) {
            flush();
            stack.push_back(transform);
        } else if (name == QLatin1String("polygon")) {
            const QColor colour = svgColour(a, QStringLiteral("fill"));
            if (colour != fillColour)
                flush();
            fillColour = colour;
            if (colour.isValid())
                fill.addPolygon(transform.map(svgPoints(a.value(QStringLiteral("points")))));
            fill.closeSubpath();
        } else if (name == QLatin1String("polyline") || name == QLatin1String("circle")) {
            flush();
            painter.save();
            painter.setTransform(transform);
            QPen pen(svgColour(a, QStringLiteral("stroke")));
            pen.setWidthF(a.hasAttribute(QStringLiteral("stroke-width")) ? a.value(QStringLiteral("stroke-width")).toDouble() : 1.0);
            pen.setCapStyle(Qt::FlatCap);
            const QList<double> dashes = [&] {
                QList<double> d;
                for (const QString &n : a.value(QStringLiteral("stroke-dasharray")).toString().split(QLatin1Char(','), Qt::SkipEmptyParts))
                    d << n.toDouble() / std::max(pen.widthF(), 1e-3); // QPen counts in line widths
                return d;
            }();
            if (dashes.size() >= 2 && dashes.size() % 2 == 0 && dashes[1] > 0)
                pen.setDashPattern(dashes);
            if (name == QLatin1String("polyline")) {
                painter.setPen(pen.color().isValid() ? pen : QPen(Qt::NoPen));
                painter.drawPolyline(svgPoints(a.value(QStringLiteral("points"))));
            } else {
                const double r = a.value(QStringLiteral("r")).toDouble();
                painter.setPen(Qt::NoPen);
                painter.setBrush(svgColour(a, QStringLiteral("fill")));
                painter.drawEllipse(QPointF(a.value(QStringLiteral("cx")).toDouble(), a.value(QStringLiteral("cy")).toDouble()), r, r);
            }
            painter.restore();
        } else if (name == QLatin1String("text")) {
            flush();
            const QString content = xml.readElementText(QXmlStreamReader::IncludeChildElements);
            QFont font(a.value(QStringLiteral("font-family")).toString());
            font.setPointSizeF(std::max(1.0, a.value(QStringLiteral("font-size")).toDouble()));
            font.setBold(a.value(QStringLiteral("font-weight")) == QLatin1String("bold"));
            font.setItalic(a.value(QStringLiteral("font-style")) == QLatin1String("italic"));
            painter.save();
            painter.setTransform(transform);
            painter.setFont(font);
            painter.setPen(svgColour(a, QStringLiteral("fill")));
            QPointF at(a.value(QStringLiteral("x")).toDouble(),
                       a.value(QStringLiteral("y")).toDouble() + a.value(QStringLiteral("dy")).toDouble());
            const double width = QFontMetricsF(font, painter.device()).horizontalAdvance(content);
            const QStringView anchor = a.value(QStringLiteral("text-anchor"));
            if (anchor == QLatin1String("middle"))
                at.rx() -= width / 2;
            else if (anchor == QLatin1String("end"))
                at.rx() -= width;
            painter.drawText(at, content);
            painter.restore();
        }
    }
    flush();
}

} // namespace

VtkHost::VtkHost(QWidget *parent) : QOpenGLWidget(parent)
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
    m_window->Render();
    m_window->SetReadyForRendering(false);
    m_painting = false;
}

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

QImage VtkHost::renderOffscreen(QSize size, int dpi, QString *error)
{
    if (!isValid()) {
        fail(error, tr("The view has not been shown yet, so it has no OpenGL context to render with."));
        return {};
    }
    makeCurrent();
    GLint maxSize = 0;
    context()->functions()->glGetIntegerv(GL_MAX_RENDERBUFFER_SIZE, &maxSize);
    if (size.width() > maxSize || size.height() > maxSize) {
        doneCurrent();
        fail(error, tr("%1×%2 pixels is larger than this OpenGL allows (%3 per side).")
                        .arg(size.width()).arg(size.height()).arg(maxSize));
        return {};
    }
    QOpenGLFramebufferObjectFormat format;
    format.setAttachment(QOpenGLFramebufferObject::CombinedDepthStencil);
    format.setInternalTextureFormat(GL_RGB8); // opaque: the image has no alpha channel
    QOpenGLFramebufferObject fbo(size, format);
    QImage image;
    if (fbo.isValid()) {
        const int oldWidth = m_window->GetSize()[0], oldHeight = m_window->GetSize()[1];
        const int oldDpi = m_window->GetDPI();
        // Fonts are sized in points: at the figure's DPI they print at their
        // nominal size, whatever the pixel size (a small dock exports as well as a large one).
        fbo.bind();
        m_window->SetSize(size.width(), size.height());
        m_window->SetDPI(std::max(1, dpi));
        renderNow();
        image = fbo.toImage();
        fbo.release();
        m_window->SetSize(oldWidth, oldHeight);
        m_window->SetDPI(oldDpi);
    } else {
        fail(error, tr("Cannot create a %1×%2 offscreen framebuffer.").arg(size.width()).arg(size.height()));
    }
    doneCurrent();
    update();
    return image.isNull() ? image : image.convertToFormat(QImage::Format_RGB32);
}

bool VtkHost::exportPng(const QString &path, QSize size, int dpi, QString *error)
{
    if (size.width() <= 0 || size.height() <= 0)
        return fail(error, tr("The image size must be positive."));
    if (dpi <= 0)
        return fail(error, tr("The resolution must be positive."));
    QImage image = renderOffscreen(size, dpi, error);
    if (image.isNull())
        return false;
    const int dotsPerMeter = std::lround(dpi / 0.0254);
    image.setDotsPerMeterX(dotsPerMeter);
    image.setDotsPerMeterY(dotsPerMeter);
    if (!image.save(path, "PNG"))
        return fail(error, tr("Cannot write %1.").arg(path));
    return true;
}

bool VtkHost::exportSvg(const QString &path, QString *error)
{
    if (!isValid())
        return fail(error, tr("The view has not been shown yet, so it has no OpenGL context to render with."));
    // GL2PS appends the extension itself; write under a temporary prefix and move.
    QTemporaryDir dir;
    if (!dir.isValid())
        return fail(error, tr("Cannot create a temporary folder."));
    const QString prefix = dir.filePath(QStringLiteral("figure"));
    makeCurrent();
    // The exporter renders the window itself, which VTK skips unless it is ready.
    m_painting = true;
    m_window->SetReadyForRendering(true);
    m_window->SetIsCurrent(true);
    vtkNew<vtkGL2PSExporter> exporter;
    exporter->SetRenderWindow(m_window);
    exporter->SetFileFormatToSVG();
    exporter->SetFilePrefix(prefix.toLocal8Bit().constData());
    exporter->CompressOff();
    exporter->TextAsPathOff();
    exporter->SetSortToOff(); // the default depth sort draws grid lines over the bars
    exporter->SetTitle(figureTitle().toHtmlEscaped().toUtf8().constData()); // GL2PS writes it unescaped
    exporter->Write();
    m_window->SetReadyForRendering(false);
    m_painting = false;
    doneCurrent();
    update();

    QFile in(prefix + QStringLiteral(".svg"));
    if (!in.open(QIODevice::ReadOnly) || in.size() == 0)
        return fail(error, tr("The SVG exporter wrote nothing."));
    QByteArray svg = in.readAll();
    const QString title = figureTitle();
    if (!title.isEmpty() && !svg.contains(">" + title.toHtmlEscaped().toUtf8() + "</text>"))
        svg = addSvgTitle(svg, title);
    QFile out(path);
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate) || out.write(svg) != svg.size())
        return fail(error, tr("Cannot write %1.").arg(path));
    return true;
}

bool VtkHost::exportPdf(const QString &path, QString *error)
{
    QTemporaryDir dir;
    if (!dir.isValid())
        return fail(error, tr("Cannot create a temporary folder."));
    const QString svgPath = dir.filePath(QStringLiteral("figure.svg"));
    if (!exportSvg(svgPath, error))
        return false;
    QFile file(svgPath);
    if (!file.open(QIODevice::ReadOnly))
        return fail(error, tr("The intermediate SVG could not be read."));
    const QByteArray svg = file.readAll();
    // One SVG unit becomes one PDF point, so the page has the view's proportions.
    const QSizeF pageSize = svgSize(svg);
    if (pageSize.isEmpty())
        return fail(error, tr("The intermediate SVG has no size."));
    QPdfWriter writer(path);
    writer.setTitle(figureTitle());
    writer.setCreator(QStringLiteral("Prediction Depth Studio"));
    writer.setResolution(72);
    writer.setPageMargins(QMarginsF(0, 0, 0, 0));
    writer.setPageSize(QPageSize(pageSize, QPageSize::Point, QString(), QPageSize::ExactMatch));
    QPainter painter;
    if (!painter.begin(&writer))
        return fail(error, tr("Cannot write %1.").arg(path));
    painter.setRenderHint(QPainter::Antialiasing);
    paintGl2psSvg(svg, painter);
    painter.end();
    return true;
}

bool VtkHost::exportFigure(const QString &path, QSize pngSize, int dpi, QString *error)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png"))
        return exportPng(path, pngSize, dpi, error);
    if (suffix == QLatin1String("svg"))
        return exportSvg(path, error);
    if (suffix == QLatin1String("pdf"))
        return exportPdf(path, error);
    return fail(error, tr("Unknown figure format \"%1\": use .png, .svg or .pdf.").arg(suffix));
}

void VtkHost::exportWithDialog()
{
    static QString lastDir = QDir::homePath();
    QString base = figureTitle().isEmpty() ? QStringLiteral("figure") : figureTitle();
    base.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_.-]+")), QStringLiteral("_"));
    const QString png = tr("PNG image (*.png)"), svg = tr("SVG vector figure (*.svg)"),
                  pdf = tr("PDF vector figure (*.pdf)");
    QString filter = png;
    QString path = QFileDialog::getSaveFileName(this, tr("Export figure"), QDir(lastDir).filePath(base + ".png"),
                                                QStringList{png, svg, pdf}.join(QStringLiteral(";;")), &filter);
    if (path.isEmpty())
        return;
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix != QLatin1String("png") && suffix != QLatin1String("svg") && suffix != QLatin1String("pdf"))
        path += filter == svg ? QStringLiteral(".svg") : filter == pdf ? QStringLiteral(".pdf") : QStringLiteral(".png");
    lastDir = QFileInfo(path).absolutePath();

    // Print resolution, sized so the figure looks as it does on screen (text is sized in points).
    int dpi = 300;
    QSize size = this->size() * (double(dpi) / vtkBaseDpi);
    if (path.endsWith(QLatin1String(".png"), Qt::CaseInsensitive)) {
        QDialog dialog(this);
        dialog.setWindowTitle(tr("PNG size"));
        auto *form = new QFormLayout(&dialog);
        auto spin = [&](int value, int lo, int hi, const QString &suffixText) {
            auto *box = new QSpinBox(&dialog);
            box->setRange(lo, hi);
            box->setValue(value);
            box->setSuffix(suffixText);
            return box;
        };
        QSpinBox *w = spin(size.width(), 16, 16384, tr(" px")), *h = spin(size.height(), 16, 16384, tr(" px")),
                 *d = spin(dpi, 36, 2400, tr(" dpi"));
        form->addRow(tr("Width:"), w);
        form->addRow(tr("Height:"), h);
        form->addRow(tr("Resolution:"), d);
        auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
        connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
        connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
        form->addRow(buttons);
        if (dialog.exec() != QDialog::Accepted)
            return;
        size = QSize(w->value(), h->value());
        dpi = d->value();
    }
    QString error;
    if (!exportFigure(path, size, dpi, &error))
        QMessageBox::warning(this, tr("Export figure"), tr("Could not export %1:\n%2").arg(path, error));
}

QImage VtkHost::renderedImage()
{
    // grabFramebuffer() runs paintGL() first, so the image is current.
    return grabFramebuffer().convertToFormat(QImage::Format_RGB32);
}

} // namespace pds
