#include "views/contactsheet.h"

#include "models/numberformat.h"
#include "models/rundocument.h"

#include <QFileInfo>
#include <QImageWriter>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>

#include <algorithm>
#include <cmath>

namespace pds {
namespace {

// Everything is laid out in device pixels at 300 dpi; fonts are given in
// points, which both QImage (through its dots per metre) and QPdfWriter
// resolve at that resolution, so one painting routine serves both formats.
constexpr int kDpi = 300;
constexpr int kImageSide = 270; ///< 0.9 in
constexpr int kCellWidth = 360; ///< 1.2 in
constexpr int kCellHeight = 380;
constexpr int kMargin = 60;
constexpr int kTitleHeight = 130;
constexpr int kMaxPngHeight = 30000;

QImage enlarged(const QImage &image)
{
    if (image.isNull())
        return {};
    const int edge = std::max(image.width(), image.height());
    if (edge <= kImageSide) {
        const int factor = kImageSide / edge;
        return image.scaled(image.width() * factor, image.height() * factor, Qt::IgnoreAspectRatio,
                            Qt::FastTransformation);
    }
    return image.scaled(kImageSide, kImageSide, Qt::KeepAspectRatio, Qt::SmoothTransformation);
}

struct Sheet {
    const RunDocument &doc;
    const std::vector<std::int64_t> &examples;
    const ScoreColumn *score;
    QString title, subtitle;

    void drawTitle(QPainter &p, int width, const QString &pageNote) const
    {
        QFont f = p.font();
        f.setPointSizeF(11);
        f.setBold(true);
        p.setFont(f);
        p.setPen(Qt::black);
        p.drawText(QRect(0, 0, width, 60), Qt::AlignLeft | Qt::AlignVCenter,
                   p.fontMetrics().elidedText(title, Qt::ElideRight, width));
        f.setPointSizeF(7);
        f.setBold(false);
        p.setFont(f);
        p.setPen(QColor(0x55, 0x55, 0x55));
        p.drawText(QRect(0, 62, width, 40), Qt::AlignLeft | Qt::AlignVCenter, subtitle + pageNote);
    }

    void drawCell(QPainter &p, const QPoint &origin, std::int64_t e) const
    {
        const auto i = static_cast<std::size_t>(e);
        const QRect imageBox(origin.x() + (kCellWidth - kImageSide) / 2, origin.y(), kImageSide, kImageSide);
        const QImage image = enlarged(doc.image(e));
        if (image.isNull()) {
            p.fillRect(imageBox, QColor(0xe4, 0xe4, 0xe4));
        } else {
            const QRect target(QPoint(imageBox.center().x() - image.width() / 2 + 1,
                                      imageBox.center().y() - image.height() / 2 + 1),
                               image.size());
            p.drawImage(target, image);
        }
        QString caption = doc.className(doc.labels()[i]);
        if (score) {
            const QString v = formatScore(score->values[i], score->integer);
            caption += QStringLiteral(" · %1 %2").arg(score->label, v.isEmpty() ? QStringLiteral("–") : v);
        }
        QString name = doc.exampleName(e);
        if (doc.noisy()[i])
            name += QStringLiteral(" · noisy (clean: %1)").arg(doc.className(doc.cleanLabels()[i]));
        const int textWidth = kCellWidth - 16;
        QFont f = p.font();
        f.setPointSizeF(6);
        p.setFont(f);
        p.setPen(Qt::black);
        const QRect line1(origin.x() + 8, imageBox.bottom() + 10, textWidth, 36);
        p.drawText(line1, Qt::AlignHCenter | Qt::AlignTop,
                   p.fontMetrics().elidedText(caption, Qt::ElideRight, textWidth));
        f.setPointSizeF(5);
        p.setFont(f);
        p.setPen(QColor(0x66, 0x66, 0x66));
        p.drawText(QRect(origin.x() + 8, line1.bottom() + 2, textWidth, 30), Qt::AlignHCenter | Qt::AlignTop,
                   p.fontMetrics().elidedText(name, Qt::ElideRight, textWidth));
    }

    /// Draws examples [first, first + cols * rows) below the title at (0, 0).
    void drawPage(QPainter &p, std::size_t first, int cols, int rows, int width, const QString &pageNote) const
    {
        drawTitle(p, width, pageNote);
        for (int r = 0; r < rows; ++r)
            for (int c = 0; c < cols; ++c) {
                const std::size_t k = first + static_cast<std::size_t>(r * cols + c);
                if (k >= examples.size())
                    return;
                drawCell(p, QPoint(c * kCellWidth, kTitleHeight + r * kCellHeight), examples[k]);
            }
    }
};

bool writePng(const Sheet &sheet, const QString &path, QString *error)
{
    const int n = static_cast<int>(sheet.examples.size());
    const int cols = std::clamp(static_cast<int>(std::ceil(std::sqrt(double(n)))), 1, 16);
    const int rows = (n + cols - 1) / cols;
    const int width = cols * kCellWidth, height = kTitleHeight + rows * kCellHeight;
    if (height + 2 * kMargin > kMaxPngHeight) {
        *error = QObject::tr("%1 examples are too many for one PNG image (at most %2); write a PDF instead")
                     .arg(n).arg(16 * ((kMaxPngHeight - 2 * kMargin - kTitleHeight) / kCellHeight));
        return false;
    }
    QImage image(width + 2 * kMargin, height + 2 * kMargin, QImage::Format_RGB32);
    const int dotsPerMetre = static_cast<int>(std::lround(kDpi / 0.0254));
    image.setDotsPerMeterX(dotsPerMetre);
    image.setDotsPerMeterY(dotsPerMetre);
    image.fill(Qt::white);
    {
        QPainter p(&image);
        p.setRenderHint(QPainter::TextAntialiasing);
        p.translate(kMargin, kMargin);
        sheet.drawPage(p, 0, cols, rows, width, {});
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QObject::tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    QImageWriter writer(&file, "png");
    if (!writer.write(image)) {
        *error = QObject::tr("Cannot write %1: %2").arg(path, writer.errorString());
        file.cancelWriting();
        return false;
    }
    if (!file.commit()) {
        *error = QObject::tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

bool writePdf(const Sheet &sheet, const QString &path, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QObject::tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    {
        QPdfWriter pdf(&file);
        pdf.setResolution(kDpi);
        pdf.setPageSize(QPageSize(QPageSize::A4));
        pdf.setPageMargins(QMarginsF(12, 12, 12, 12), QPageLayout::Millimeter);
        pdf.setTitle(sheet.title);
        pdf.setCreator(QStringLiteral("Prediction Depth Studio"));
        const int width = pdf.width(), height = pdf.height();
        const int cols = std::max(1, width / kCellWidth);
        const int rows = std::max(1, (height - kTitleHeight) / kCellHeight);
        const std::size_t perPage = static_cast<std::size_t>(cols * rows);
        const std::size_t pages = (sheet.examples.size() + perPage - 1) / perPage;
        QPainter p;
        if (!p.begin(&pdf)) {
            *error = QObject::tr("Cannot write %1: the PDF could not be started").arg(path);
            file.cancelWriting();
            return false;
        }
        p.setRenderHint(QPainter::TextAntialiasing);
        for (std::size_t page = 0; page < pages; ++page) {
            if (page > 0)
                pdf.newPage();
            const QString note = pages > 1 ? QObject::tr(" · page %1 of %2").arg(page + 1).arg(pages) : QString();
            sheet.drawPage(p, page * perPage, cols, rows, width, note);
        }
        p.end();
    }
    if (!file.commit()) {
        *error = QObject::tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace

bool writeContactSheet(const RunDocument &doc, const std::vector<std::int64_t> &examples,
                       const QString &scoreColumn, const QString &path, QString *error, const QString &title)
{
    QString message;
    if (!error)
        error = &message;
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix != QLatin1String("png") && suffix != QLatin1String("pdf")) {
        *error = QObject::tr("Cannot write %1: a contact sheet is a .png or .pdf file").arg(path);
        return false;
    }
    if (examples.empty()) {
        *error = QObject::tr("There are no examples to put on the contact sheet");
        return false;
    }
    for (std::int64_t e : examples)
        if (e < 0 || e >= doc.size()) {
            *error = QObject::tr("Example %1 is not in this run").arg(e);
            return false;
        }
    if (!doc.loadImages()) {
        *error = QObject::tr("The images of this run cannot be read: %1").arg(doc.imageError());
        return false;
    }
    const ScoreColumn *score = doc.column(scoreColumn);
    Sheet sheet{doc, examples, score, title.isEmpty() ? doc.title() : title, {}};
    sheet.subtitle = examples.size() == 1 ? QObject::tr("1 example")
                                          : QObject::tr("%1 examples").arg(examples.size());
    if (score)
        sheet.subtitle += QObject::tr(" · %1: %2").arg(score->label, score->description);
    return suffix == QLatin1String("png") ? writePng(sheet, path, error) : writePdf(sheet, path, error);
}

} // namespace pds
