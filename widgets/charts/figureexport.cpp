// VtkHost's figure export: PNG through an offscreen framebuffer, SVG through
// GL2PS, PDF as that SVG painted in vectors; the adapter itself is vtkhost.cpp.
#include "charts/vtkhost.h"

#include "charts/gl2pssvg.h"

#include <QDialog>
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

namespace pds {
namespace {

bool fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return false;
}

} // namespace

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

} // namespace pds
