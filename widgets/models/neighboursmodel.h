#pragma once

#include "probe/neighbours.h"

#include <QAbstractTableModel>
#include <QFutureWatcher>
#include <QHash>
#include <QPixmap>
#include <QPointer>

#include <atomic>
#include <cstdint>
#include <vector>

class QThread;

namespace pds {

class RunDocument;

/// The Neighbours panel's table: one row per probe of a model, with the
/// probe's name, the vote of its k nearest training examples (and the class
/// the stored probe predicted), then one column per neighbour, nearest first,
/// showing its thumbnail and given label. The row of the example's prediction
/// depth is marked. Thumbnails are decoded off the GUI thread (placeholder
/// first, dataChanged(DecorationRole) when they arrive).
class NeighboursModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Role { ExampleRole = Qt::UserRole + 1, LabelRole, DistanceRole, DepthRowRole };
    enum Column { ProbeColumn = 0, VoteColumn = 1, FirstNeighbourColumn = 2 };

    explicit NeighboursModel(QObject *parent = nullptr);
    ~NeighboursModel() override;

    /// The document the neighbours are of (thumbnails, class names, stored predictions).
    void setDocument(RunDocument *doc);
    /// Shows the neighbours of `example` (numbered as in RunDocument).
    void setNeighbours(std::int64_t example, const ExampleNeighbours &neighbours);
    void clear();

    std::int64_t example() const { return m_example; }
    const ExampleNeighbours &neighbours() const { return m_neighbours; }
    /// The neighbour shown at `index` (a run-wide example number), or -1.
    std::int64_t exampleAt(const QModelIndex &index) const;
    /// The row of the probe at the example's prediction depth (-1: none, the depth is "never").
    int depthRow() const { return m_depthRow; }
    /// The stored k-NN prediction of the probe in `row` (-1 if unknown).
    int storedPrediction(int row) const;

    /// Edge of the square thumbnails in pixels.
    int thumbnailSize() const { return m_thumbSize; }
    /// The thread that decoded the latest thumbnails (null before any).
    QThread *imageThread() const { return m_imageThread.load(); }
    /// Thumbnails decoded for the current neighbours.
    int thumbnailCount() const { return m_thumbs.size(); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    /// Every thumbnail of the current neighbours is decoded.
    void thumbnailsReady();

private:
    struct Thumbnails {
        int generation = 0;
        QHash<qint64, QImage> images;
    };
    void loadThumbnails();
    void thumbnailsLoaded();
    QVariant probeData(int row, int role) const;
    QVariant voteData(int row, int role) const;
    QVariant neighbourData(int row, int rank, int role) const;

    QPointer<RunDocument> m_doc;
    std::int64_t m_example = -1;
    ExampleNeighbours m_neighbours;
    std::vector<int> m_stored; ///< per row: the probe's stored k-NN prediction
    int m_final = -1;
    int m_depthRow = -1;
    int m_thumbSize = 56;
    QPixmap m_placeholder;
    QHash<qint64, QPixmap> m_thumbs;
    QFutureWatcher<Thumbnails> m_watcher;
    int m_generation = 0;
    std::atomic<QThread *> m_imageThread{nullptr};
};

} // namespace pds
