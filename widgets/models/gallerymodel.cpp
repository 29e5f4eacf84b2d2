#include "models/gallerymodel.h"

#include "models/numberformat.h"
#include "models/rundocument.h"

#include <QPainter>
#include <QThread>

#include <algorithm>

namespace pds {


namespace {
// Decoded thumbnails are tiny (64 px: 16 KiB); 48 MiB keeps about 3,000 of them,
// several screens full, so scrolling back never decodes again.
constexpr int kCacheKiB = 48 * 1024;
// Fast scrolling asks for far more thumbnails than stay visible; only the most
// recent requests are worth decoding.
constexpr std::size_t kMaxQueued = 1024;
} // namespace

GalleryModel::GalleryModel(QObject *parent) : ExampleRowsModel(parent)
{
    m_cache.setMaxCost(kCacheKiB);
    m_pool.setMaxThreadCount(std::max(1, QThread::idealThreadCount()));
    makePlaceholder();
}

GalleryModel::~GalleryModel()
{
    stopDecoding();
}

void GalleryModel::stopDecoding()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_queue.clear();
        ++m_generation;
    }
    m_pool.waitForDone();
    m_pending.clear();
}

void GalleryModel::makePlaceholder()
{
    QPixmap p(m_thumbSize, m_thumbSize);
    p.fill(QColor(0xe4, 0xe4, 0xe4));
    m_placeholder = p;
}

void GalleryModel::documentChanging(RunDocument *doc)
{
    stopDecoding();
    m_cache.clear();
    std::lock_guard<std::mutex> lock(m_mutex);
    m_decodeDoc = doc;
}

void GalleryModel::setThumbnailSize(int pixels)
{
    pixels = std::clamp(pixels, 16, 512);
    if (pixels == m_thumbSize)
        return;
    stopDecoding();
    m_cache.clear();
    m_thumbSize = pixels;
    makePlaceholder();
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0), index(rowCount() - 1), {Qt::DecorationRole});
}

QImage GalleryModel::thumbnail(const QImage &image, int size)
{
    if (image.isNull())
        return {};
    const int edge = std::max(image.width(), image.height());
    if (edge <= size) {
        const int factor = size / edge;
        return image.scaled(image.width() * factor, image.height() * factor, Qt::IgnoreAspectRatio,
                            Qt::FastTransformation);
    }
    return image.scaled(size, size, Qt::KeepAspectRatio, Qt::SmoothTransformation);
}

int GalleryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_index.rows().size());
}

QVariant GalleryModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) || !m_doc)
        return {};
    const std::int64_t e = m_index.exampleAt(index.row());
    const auto i = static_cast<std::size_t>(e);
    const ScoreColumn *score = m_doc->column(m_index.sortKey());
    switch (role) {
    case Qt::DisplayRole: {
        QString caption = m_doc->className(m_doc->labels()[i]);
        if (score)
            caption += QStringLiteral(" · ") + formatScore(score->values[i], score->integer);
        return caption;
    }
    case Qt::ToolTipRole: {
        QString tip = m_doc->exampleName(e) + QStringLiteral("\n") + m_doc->className(m_doc->labels()[i]);
        if (m_doc->noisy()[i])
            tip += tr(" (noisy; clean label %1)").arg(m_doc->className(m_doc->cleanLabels()[i]));
        if (score) {
            const QString v = formatScore(score->values[i], score->integer, 6);
            tip += QStringLiteral("\n%1: %2").arg(score->label, v.isEmpty() ? tr("undefined") : v);
        }
        return tip;
    }
    case Qt::DecorationRole: {
        if (const QPixmap *p = m_cache.object(e))
            return *p;
        requestThumbnail(e);
        return m_placeholder;
    }
    case ExampleRole: return QVariant::fromValue<qint64>(e);
    case SortValueRole: return static_cast<double>(m_index.sortValue(m_index.sortKey(), e));
    default: return {};
    }
}

QHash<int, QByteArray> GalleryModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(ExampleRole, "example");
    names.insert(SortValueRole, "sortValue");
    return names;
}

void GalleryModel::requestThumbnail(std::int64_t example) const
{
    if (m_pending.contains(example))
        return;
    m_pending.insert(example);
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_queue.push_back(example);
        if (m_queue.size() > kMaxQueued) {
            m_pending.remove(m_queue.front());
            m_queue.pop_front();
        }
    }
    Q_EMIT const_cast<GalleryModel *>(this)->thumbnailRequested(example);
    startWorkers();
}

void GalleryModel::startWorkers() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    auto *self = const_cast<GalleryModel *>(this);
    while (m_workers < m_pool.maxThreadCount() && m_workers < static_cast<int>(m_queue.size())) {
        ++m_workers;
        m_pool.start([self] { self->decodeLoop(); });
    }
}

void GalleryModel::decodeLoop()
{
    for (;;) {
        std::int64_t example;
        const RunDocument *doc;
        int size, generation;
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            if (m_queue.empty() || !m_decodeDoc) {
                --m_workers;
                return;
            }
            // Newest first: what the view asked for last is what is on screen now.
            example = m_queue.back();
            m_queue.pop_back();
            doc = m_decodeDoc;
            size = m_thumbSize;
            generation = m_generation;
        }
        const QImage image = thumbnail(doc->image(example), size);
        QMetaObject::invokeMethod(
            this, [this, example, image, generation] { thumbnailReady(example, image, generation); },
            Qt::QueuedConnection);
    }
}

void GalleryModel::thumbnailReady(std::int64_t example, const QImage &image, int generation)
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (generation != m_generation)
            return;
    }
    m_pending.remove(example);
    QPixmap pixmap;
    if (image.isNull()) {
        // The dataset cannot be read: mark the thumbnail so it is not asked again.
        pixmap = m_placeholder.copy();
        QPainter p(&pixmap);
        p.setPen(QPen(QColor(0xb0, 0x40, 0x40), 2));
        p.drawLine(8, 8, pixmap.width() - 8, pixmap.height() - 8);
        p.drawLine(pixmap.width() - 8, 8, 8, pixmap.height() - 8);
    } else {
        pixmap = QPixmap::fromImage(image);
        ++m_decoded;
    }
    m_cache.insert(example, new QPixmap(pixmap), std::max(1, pixmap.width() * pixmap.height() * 4 / 1024));
    const int row = m_index.rowOf(example);
    if (row >= 0)
        Q_EMIT dataChanged(index(row), index(row), {Qt::DecorationRole});
}

} // namespace pds
