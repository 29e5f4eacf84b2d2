// VtkHost's figure export: PNG through an offscreen framebuffer, SVG through
// GL2PS, PDF as that SVG painted in vectors; the adapter itself is vtkhost.cpp.
#include "charts/vtkhost.h"

#include "charts/chartstyle.h"
#include "charts/figureinspect.h"
#include "charts/gl2pssvg.h"

#include <QComboBox>
#include <QDialog>
#include <QDoubleSpinBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QMessageBox>
#include <QOpenGLContext>
#include <QOpenGLFramebufferObject>
#include <QOpenGLFunctions>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QRegularExpression>
#include <QSpinBox>
#include <QTemporaryDir>

#include <vtkGL2PSExporter.h>
#include <vtkGenericOpenGLRenderWindow.h>

#include <algorithm>
#include <cmath>
#include <memory>

namespace pds {
namespace {

bool fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return false;
}

} // namespace

QImage VtkHost::renderOffscreen(QSize size, int dpi, QString *error, const std::function<void()> &whileSized)
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
        m_window->SetDPI(std::max(1, static_cast<int>(std::lround(dpi * m_fontScale))));
        renderNow();
        if (whileSized)
            whileSized();
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
    image.setText(QStringLiteral("Title"), figureTitle()); // the full title, however the figure elides it
    image.setText(QStringLiteral("Software"), QStringLiteral("Prediction Depth Studio"));
    if (!image.save(path, "PNG"))
        return fail(error, tr("Cannot write %1.").arg(path));
    return true;
}

FigureGeometry VtkHost::figureGeometryAt(QSize size, int dpi)
{
    FigureGeometry geometry;
    renderOffscreen(size, dpi, nullptr, [&] { geometry = figureGeometry(); });
    return geometry;
}

bool VtkHost::exportSvg(const QString &path, QString *error)
{
    return writeSvg(path, {}, 1.0, error);
}

bool VtkHost::writeSvg(const QString &path, QSizeF size, double fontScale, QString *error)
{
    if (!isValid())
        return fail(error, tr("The view has not been shown yet, so it has no OpenGL context to render with."));
    // GL2PS appends the extension itself; write under a temporary prefix and move.
    QTemporaryDir dir;
    if (!dir.isValid())
        return fail(error, tr("Cannot create a temporary folder."));
    const QString prefix = dir.filePath(QStringLiteral("figure"));
    makeCurrent();
    const int oldWidth = m_window->GetSize()[0], oldHeight = m_window->GetSize()[1];
    const int oldDpi = m_window->GetDPI();
    // One SVG unit is one point: at 72 DPI the fonts keep their nominal size in the figure.
    std::unique_ptr<QOpenGLFramebufferObject> fbo;
    if (!size.isEmpty()) {
        const QSize pixels(std::max(16, int(std::lround(size.width()))), std::max(16, int(std::lround(size.height()))));
        QOpenGLFramebufferObjectFormat format;
        format.setAttachment(QOpenGLFramebufferObject::CombinedDepthStencil);
        fbo = std::make_unique<QOpenGLFramebufferObject>(pixels, format);
        fbo->bind();
        m_window->SetSize(pixels.width(), pixels.height());
        m_window->SetDPI(std::max(1, static_cast<int>(std::lround(vtkBaseDpi * fontScale))));
    }
    renderNow(); // settles the layout at this size before the exporter draws it
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
    if (fbo) {
        fbo->release();
        m_window->SetSize(oldWidth, oldHeight);
        m_window->SetDPI(oldDpi);
    }
    doneCurrent();
    update();

    QFile in(prefix + QStringLiteral(".svg"));
    if (!in.open(QIODevice::ReadOnly) || in.size() == 0)
        return fail(error, tr("The SVG exporter wrote nothing."));
    QByteArray svg = in.readAll();
    // A figure that draws no title of its own gets one above it; the full title is in <title> either way.
    const QString title = figureTitle();
    const FigureGeometry drawn = figureGeometry();
    const bool titled = std::any_of(drawn.texts.begin(), drawn.texts.end(),
                                    [](const FigureText &t) { return t.kind == FigureText::Title; });
    if (!title.isEmpty() && !titled && !svg.contains(">" + title.toHtmlEscaped().toUtf8() + "</text>"))
        svg = addSvgTitle(svg, title);
    QFile out(path);
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate) || out.write(svg) != svg.size())
        return fail(error, tr("Cannot write %1.").arg(path));
    return true;
}

bool VtkHost::exportPdf(const QString &path, QString *error)
{
    return writePdf(path, {}, 1.0, error);
}

bool VtkHost::writePdf(const QString &path, QSizeF size, double fontScale, QString *error)
{
    QTemporaryDir dir;
    if (!dir.isValid())
        return fail(error, tr("Cannot create a temporary folder."));
    const QString svgPath = dir.filePath(QStringLiteral("figure.svg"));
    if (!writeSvg(svgPath, size, fontScale, error))
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

bool VtkHost::exportFigure(const QString &path, const FigureOptions &options, QString *error)
{
    if (options.fontPoints <= 0)
        return fail(error, tr("The font size must be positive."));
    const double scale = options.fontPoints / FigureFonts::ticks;
    const QString suffix = QFileInfo(path).suffix().toLower();
    const bool onScreenSize = options.inches.isEmpty();
    struct Restore {
        double &value, old;
        ~Restore() { value = old; }
    } restore{m_fontScale, m_fontScale};
    m_fontScale = scale;
    if (suffix == QLatin1String("png")) {
        const QSize pixels = onScreenSize ? size() * (double(options.dpi) / vtkBaseDpi)
                                          : (options.inches * options.dpi).toSize();
        return exportPng(path, pixels, options.dpi, error);
    }
    const QSizeF points = onScreenSize ? QSizeF() : options.inches * 72.0;
    if (suffix == QLatin1String("svg"))
        return writeSvg(path, points, scale, error);
    if (suffix == QLatin1String("pdf"))
        return writePdf(path, points, scale, error);
    return fail(error, tr("Unknown figure format \"%1\": use .png, .svg or .pdf.").arg(suffix));
}

QSizeF VtkHost::suggestedFigureSize(double widthInches) const
{
    return {widthInches, widthInches * (width() > 0 ? double(height()) / width() : 0.75)};
}

void VtkHost::exportWithDialog()
{
    static QString lastDir = QDir::homePath();
    static FigureOptions last{{3.5, 0}, FigureFonts::ticks, 300};
    QString base = figureTitle().isEmpty() ? QStringLiteral("figure") : figureTitle();
    base.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_.-]+")), QStringLiteral("_"));
    base = base.left(80);
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
    const bool isPng = path.endsWith(QLatin1String(".png"), Qt::CaseInsensitive);

    // A paper's figure: a column's width, the view's proportions (or the chart's own), fonts in points as in the text.
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Figure size"));
    auto *form = new QFormLayout(&dialog);
    auto *preset = new QComboBox(&dialog);
    preset->addItem(tr("Single column (3.5 in)"), 3.5);
    preset->addItem(tr("Double column (7 in)"), 7.0);
    preset->addItem(tr("As on screen"), 0.0);
    preset->addItem(tr("Custom"), -1.0);
    auto inchBox = [&](double value) {
        auto *box = new QDoubleSpinBox(&dialog);
        box->setRange(1.0, 40.0);
        box->setDecimals(2);
        box->setSingleStep(0.25);
        box->setSuffix(tr(" in"));
        box->setValue(value);
        return box;
    };
    QDoubleSpinBox *w = inchBox(last.inches.width() > 0 ? last.inches.width() : 3.5);
    QDoubleSpinBox *h = inchBox(suggestedFigureSize(w->value()).height());
    auto *font = new QDoubleSpinBox(&dialog);
    font->setRange(4, 36);
    font->setDecimals(1);
    font->setSuffix(tr(" pt"));
    font->setValue(last.fontPoints);
    font->setToolTip(tr("Size of the tick labels; titles and legends keep their proportion to it."));
    auto *dpi = new QSpinBox(&dialog);
    dpi->setRange(36, 2400);
    dpi->setSuffix(tr(" dpi"));
    dpi->setValue(last.dpi);
    dpi->setEnabled(isPng);
    form->addRow(tr("Size:"), preset);
    form->addRow(tr("Width:"), w);
    form->addRow(tr("Height:"), h);
    form->addRow(tr("Font size:"), font);
    form->addRow(tr("Resolution:"), dpi);
    const auto applyPreset = [&] {
        const double inches = preset->currentData().toDouble();
        w->setEnabled(inches < 0);
        h->setEnabled(inches != 0);
        if (inches > 0) {
            w->setValue(inches);
            h->setValue(suggestedFigureSize(inches).height());
        }
    };
    connect(preset, &QComboBox::currentIndexChanged, &dialog, applyPreset);
    preset->setCurrentIndex(std::max(0, preset->findData(last.inches.isEmpty() ? 0.0 : last.inches.width())));
    applyPreset();
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    form->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return;
    FigureOptions options;
    options.inches = preset->currentData().toDouble() == 0.0 ? QSizeF() : QSizeF(w->value(), h->value());
    options.fontPoints = font->value();
    options.dpi = dpi->value();
    last = options;
    QString error;
    if (!exportFigure(path, options, &error))
        QMessageBox::warning(this, tr("Export figure"), tr("Could not export %1:\n%2").arg(path, error));
}

} // namespace pds
