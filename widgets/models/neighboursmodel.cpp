#include "models/neighboursmodel.h"

#include "models/gallerymodel.h"
#include "models/rundocument.h"

#include <QBrush>
#include <QFont>
#include <QThread>
#include <QtConcurrent/QtConcurrentRun>

namespace pds {

NeighboursModel::NeighboursModel(QObject *parent) : QAbstractTableModel(parent)
{
    m_placeholder = QPixmap(m_thumbSize, m_thumbSize);
    m_placeholder.fill(QColor(0xdd, 0xdd, 0xdd));
    connect(&m_watcher, &QFutureWatcher<Thumbnails>::finished, this, &NeighboursModel::thumbnailsLoaded);
}

NeighboursModel::~NeighboursModel()
{
    // The decoding task reads the document: it must end before the document can.
    m_watcher.waitForFinished();
}

void NeighboursModel::setDocument(RunDocument *doc)
{
    if (doc == m_doc)
        return;
    m_watcher.waitForFinished();
    m_doc = doc;
    clear();
}

void NeighboursModel::clear()
{
    beginResetModel();
    ++m_generation;
    m_example = -1;
    m_neighbours = {};
    m_stored.clear();
    m_final = -1;
    m_depthRow = -1;
    m_thumbs.clear();
    endResetModel();
}

void NeighboursModel::setNeighbours(std::int64_t example, const ExampleNeighbours &neighbours)
{
    beginResetModel();
    ++m_generation;
    m_example = example;
    m_neighbours = neighbours;
    m_thumbs.clear();
    m_stored.assign(neighbours.probes.size(), -1);
    m_depthRow = -1;
    m_final = -1;
    if (m_doc && example >= 0) {
        const QStringList names = m_doc->probeNames();
        const std::vector<std::int32_t> stored = m_doc->knnPredictions(neighbours.model, example);
        const int depth = m_doc->depth(neighbours.model, example);
        m_final = m_doc->finalPrediction(neighbours.model, example);
        for (std::size_t row = 0; row < neighbours.probes.size(); ++row) {
            const int probe = names.indexOf(QString::fromStdString(neighbours.probes[row].probe));
            if (probe >= 0 && probe < static_cast<int>(stored.size()))
                m_stored[row] = stored[static_cast<std::size_t>(probe)];
            if (probe >= 0 && probe == depth)
                m_depthRow = static_cast<int>(row);
        }
    }
    endResetModel();
    loadThumbnails();
}

void NeighboursModel::loadThumbnails()
{
    if (!m_doc || m_neighbours.probes.empty())
        return;
    QList<qint64> examples;
    for (const auto &p : m_neighbours.probes)
        for (std::int64_t e : p.examples)
            if (!examples.contains(e))
                examples << e;
    // Neighbours are train-split examples: their run-wide number is their train index.
    const RunDocument *reader = m_doc;
    const int size = m_thumbSize, generation = m_generation;
    m_watcher.waitForFinished();
    m_watcher.setFuture(QtConcurrent::run([this, reader, examples, size, generation] {
        m_imageThread.store(QThread::currentThread());
        Thumbnails t;
        t.generation = generation;
        for (qint64 e : examples)
            t.images.insert(e, GalleryModel::thumbnail(reader->image(e), size));
        return t;
    }));
}

void NeighboursModel::thumbnailsLoaded()
{
    const Thumbnails t = m_watcher.result();
    if (t.generation != m_generation)
        return;
    for (auto it = t.images.begin(); it != t.images.end(); ++it)
        if (!it.value().isNull())
            m_thumbs.insert(it.key(), QPixmap::fromImage(it.value()));
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, FirstNeighbourColumn), index(rowCount() - 1, columnCount() - 1),
                           {Qt::DecorationRole});
    Q_EMIT thumbnailsReady();
}

std::int64_t NeighboursModel::exampleAt(const QModelIndex &index) const
{
    if (!index.isValid() || index.column() < FirstNeighbourColumn || index.row() >= rowCount())
        return -1;
    const auto &examples = m_neighbours.probes[static_cast<std::size_t>(index.row())].examples;
    const auto rank = static_cast<std::size_t>(index.column() - FirstNeighbourColumn);
    return rank < examples.size() ? examples[rank] : -1;
}

int NeighboursModel::storedPrediction(int row) const
{
    return row >= 0 && row < static_cast<int>(m_stored.size()) ? m_stored[static_cast<std::size_t>(row)] : -1;
}

int NeighboursModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_neighbours.probes.size());
}

int NeighboursModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() || m_neighbours.probes.empty() ? 0 : FirstNeighbourColumn + m_neighbours.k;
}

QVariant NeighboursModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (section == ProbeColumn)
        return tr("Probe");
    if (section == VoteColumn)
        return tr("Vote → prediction");
    return tr("#%1").arg(section - FirstNeighbourColumn + 1);
}

QVariant NeighboursModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= columnCount())
        return {};
    if (role == DepthRowRole)
        return index.row() == m_depthRow;
    if (role == Qt::BackgroundRole && index.row() == m_depthRow)
        return QBrush(QColor(0xff, 0xec, 0xb3));
    if (index.column() == ProbeColumn)
        return probeData(index.row(), role);
    if (index.column() == VoteColumn)
        return voteData(index.row(), role);
    return neighbourData(index.row(), index.column() - FirstNeighbourColumn, role);
}

QVariant NeighboursModel::probeData(int row, int role) const
{
    const QString name = QString::fromStdString(m_neighbours.probes[static_cast<std::size_t>(row)].probe);
    switch (role) {
    case Qt::DisplayRole:
        return row == m_depthRow ? tr("%1  ◀ depth").arg(name) : name;
    case Qt::ToolTipRole:
        return row == m_depthRow ? tr("Prediction depth: from this probe on, every probe's k-NN prediction equals "
                                      "the network's final prediction")
                                 : name;
    case Qt::FontRole: {
        QFont f;
        f.setBold(row == m_depthRow);
        return f;
    }
    default: return {};
    }
}

QVariant NeighboursModel::voteData(int row, int role) const
{
    const ProbeNeighbours &p = m_neighbours.probes[static_cast<std::size_t>(row)];
    const QString cls = m_doc ? m_doc->className(p.vote) : QString::number(p.vote);
    const int count = p.vote >= 0 && p.vote < static_cast<int>(p.votes.size()) ? p.votes[static_cast<std::size_t>(p.vote)] : 0;
    const int stored = storedPrediction(row);
    switch (role) {
    case Qt::DisplayRole: {
        QString text = tr("%1 (%2 of %3)").arg(cls).arg(count).arg(m_neighbours.k);
        if (stored >= 0 && stored != p.vote)
            text += tr(" · stored %1").arg(m_doc->className(stored));
        return text;
    }
    case Qt::ForegroundRole:
        return m_final >= 0 && p.vote != m_final ? QBrush(QColor(0xb0, 0x30, 0x30)) : QVariant();
    case Qt::ToolTipRole: {
        QStringList lines;
        for (std::size_t c = 0; c < p.votes.size(); ++c)
            if (p.votes[c] > 0)
                lines << tr("%1: %2").arg(m_doc ? m_doc->className(int(c)) : QString::number(c)).arg(p.votes[c]);
        QString tip = tr("Votes of the %1 nearest training examples:\n%2").arg(m_neighbours.k).arg(lines.join('\n'));
        tip += tr("\nTies go to the tied class holding the nearer neighbour.");
        if (m_final >= 0)
            tip += tr("\nThe network's final prediction: %1").arg(m_doc->className(m_final));
        if (stored >= 0 && stored != p.vote)
            tip += tr("\nThe probe stored %1: it ran on float32 embeddings, the panel on the stored float16 "
                      "ones, and a near tie fell the other way.")
                       .arg(m_doc->className(stored));
        return tip;
    }
    default: return {};
    }
}

QVariant NeighboursModel::neighbourData(int row, int rank, int role) const
{
    const ProbeNeighbours &p = m_neighbours.probes[static_cast<std::size_t>(row)];
    if (rank < 0 || rank >= static_cast<int>(p.examples.size()))
        return {};
    const auto r = static_cast<std::size_t>(rank);
    const std::int64_t e = p.examples[r];
    switch (role) {
    case Qt::DisplayRole: return m_doc ? m_doc->className(p.labels[r]) : QString::number(p.labels[r]);
    case Qt::DecorationRole: {
        auto it = m_thumbs.find(e);
        return it != m_thumbs.end() ? it.value() : m_placeholder;
    }
    case Qt::ForegroundRole:
        return p.labels[r] == p.vote ? QVariant() : QBrush(QColor(0x80, 0x80, 0x80));
    case Qt::ToolTipRole:
        return tr("%1 · label %2 · distance %3\nClick to select it everywhere")
            .arg(m_doc ? m_doc->exampleName(e) : QString::number(e))
            .arg(m_doc ? m_doc->className(p.labels[r]) : QString::number(p.labels[r]))
            .arg(double(p.distances[r]), 0, 'g', 4);
    case ExampleRole: return QVariant::fromValue<qint64>(e);
    case LabelRole: return p.labels[r];
    case DistanceRole: return double(p.distances[r]);
    default: return {};
    }
}

} // namespace pds
