#pragma once

#include "models/examplerowsmodel.h"

#include <QAbstractListModel>
#include <QCache>
#include <QHash>
#include <QImage>
#include <QPixmap>
#include <QSet>
#include <QString>
#include <QThreadPool>

#include <cstdint>
#include <deque>
#include <mutex>

namespace pds {

/// The gallery's list of examples in ExampleIndex order: a caption (class and
/// chosen score) and a thumbnail decoded lazily. data(DecorationRole) returns
/// a placeholder at first and queues the example; a small pool decodes the
/// newest requests first via RunDocument::image(), the result goes into a
/// bounded cache and dataChanged(DecorationRole) follows. Only examples the
/// view asks for are ever decoded.
class GalleryModel : public ExampleRowsModel<QAbstractListModel> {
    Q_OBJECT
public:
    enum Role { ExampleRole = Qt::UserRole + 1, SortValueRole };

    explicit GalleryModel(QObject *parent = nullptr);
    ~GalleryModel() override;

    /// Sorts by a score column or fixed key (ExampleIndex); also the caption's score.
    void setSort(const QString &key, Qt::SortOrder order) { sortBy(key, order); }

    /// Edge of the square thumbnails, in pixels (64 by default); clears the cache.
    void setThumbnailSize(int pixels);
    int thumbnailSize() const { return m_thumbSize; }
    /// The grey square shown until a thumbnail is decoded.
    QPixmap placeholder() const { return m_placeholder; }
    /// Scales an image to fit `size`: nearest-neighbour by a whole factor when
    /// enlarging (pixels stay crisp), smooth when shrinking.
    static QImage thumbnail(const QImage &image, int size);
    /// Thumbnails decoded so far (for tests and the bench).
    int decodedCount() const { return m_decoded; }

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

Q_SIGNALS:
    /// A thumbnail was asked for the first time (the bench waits for this).
    void thumbnailRequested(std::int64_t example);

private:
    void requestThumbnail(std::int64_t example) const;
    void startWorkers() const;
    void decodeLoop();
    void thumbnailReady(std::int64_t example, const QImage &image, int generation);
    void stopDecoding();
    void makePlaceholder();
    void documentChanging(RunDocument *doc) override;

    int m_thumbSize = 64;
    QPixmap m_placeholder;
    mutable QCache<std::int64_t, QPixmap> m_cache;
    mutable QSet<std::int64_t> m_pending; ///< queued or decoding; GUI thread only
    int m_decoded = 0;

    // Shared with the decoding threads, under m_mutex.
    mutable std::mutex m_mutex;
    mutable std::deque<std::int64_t> m_queue;
    mutable int m_workers = 0;
    int m_generation = 0;
    const RunDocument *m_decodeDoc = nullptr;
    mutable QThreadPool m_pool;
};

} // namespace pds
