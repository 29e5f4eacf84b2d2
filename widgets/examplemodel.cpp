#include "examplemodel.h"

#include "rundocument.h"

#include <QPainter>
#include <QSaveFile>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>

namespace pds {

bool ExampleFilter::operator==(const ExampleFilter &o) const
{
    return label == o.label && group == o.group && depthColumn == o.depthColumn && depthMin == o.depthMin
           && depthMax == o.depthMax && noisyOnly == o.noisyOnly && selectionOnly == o.selectionOnly
           && selection == o.selection && search == o.search;
}

// ---------------------------------------------------------------------------
// ExampleIndex

const QStringList &ExampleIndex::fixedKeys()
{
    static const QStringList keys = {"example", "split", "label", "clean_label", "noisy", "group"};
    return keys;
}

bool ExampleIndex::parseSearch(const QString &text, std::vector<SearchTerm> *terms, QString *error)
{
    static const QRegularExpression term(
        QStringLiteral(R"(^\s*(train|test)?\s*(?:(\d+)\s*(?:-|–|\.\.)\s*(\d+)|(\d+))?\s*$)"),
        QRegularExpression::CaseInsensitiveOption);
    terms->clear();
    for (const QString &part : text.split(QRegularExpression(QStringLiteral("[,;]")), Qt::SkipEmptyParts)) {
        if (part.trimmed().isEmpty())
            continue;
        const auto m = term.match(part);
        if (!m.hasMatch() || (m.captured(1).isEmpty() && m.captured(2).isEmpty() && m.captured(4).isEmpty())) {
            if (error)
                *error = QStringLiteral("cannot read \"%1\": use e.g. 123, train 123, test 45 or 100-200")
                             .arg(part.trimmed());
            terms->clear();
            return false;
        }
        SearchTerm t;
        if (!m.captured(1).isEmpty())
            t.split = m.captured(1).compare(QLatin1String("test"), Qt::CaseInsensitive) == 0 ? 1 : 0;
        bool ok = true;
        if (!m.captured(4).isEmpty()) {
            t.first = t.last = m.captured(4).toLongLong(&ok);
        } else if (!m.captured(2).isEmpty()) {
            bool ok2 = true;
            t.first = m.captured(2).toLongLong(&ok);
            t.last = m.captured(3).toLongLong(&ok2);
            ok = ok && ok2;
            if (t.first > t.last)
                std::swap(t.first, t.last);
        }
        if (!ok) {
            if (error)
                *error = QStringLiteral("number too large in \"%1\"").arg(part.trimmed());
            terms->clear();
            return false;
        }
        terms->push_back(t);
    }
    return true;
}

void ExampleIndex::setDocument(const RunDocument *doc)
{
    m_doc = doc;
    update();
}

void ExampleIndex::setFilter(ExampleFilter filter)
{
    m_filter = std::move(filter);
    m_searchValid = parseSearch(m_filter.search, &m_search);
    update();
}

void ExampleIndex::setSort(const QString &key, Qt::SortOrder order)
{
    m_sortKey = key;
    m_order = order;
    sortRows();
    indexRows();
}

bool ExampleIndex::accepts(std::int64_t e) const
{
    return m_doc && e >= 0 && e < m_doc->size()
           && passes(e, m_filter.depthColumn.isEmpty() ? nullptr : m_doc->column(m_filter.depthColumn));
}

bool ExampleIndex::passes(std::int64_t e, const ScoreColumn *depth) const
{
    const auto i = static_cast<std::size_t>(e);
    const ExampleFilter &f = m_filter;
    if (f.label >= 0 && m_doc->labels()[i] != f.label)
        return false;
    if (f.group >= 0 && (i >= m_doc->groups().size() || m_doc->groups()[i] != f.group))
        return false;
    if (f.noisyOnly && !m_doc->noisy()[i])
        return false;
    if (!f.depthColumn.isEmpty()) {
        if (!depth)
            return false;
        const float v = depth->values[i];
        if (std::isnan(v) || v < f.depthMin || v > f.depthMax)
            return false;
    }
    if (f.selectionOnly && !std::binary_search(f.selection.begin(), f.selection.end(), e))
        return false;
    if (!m_searchValid)
        return false;
    if (!m_search.empty()) {
        const int split = e >= m_doc->trainSize() ? 1 : 0;
        const std::int64_t local = split ? e - m_doc->trainSize() : e;
        const bool hit = std::any_of(m_search.begin(), m_search.end(), [&](const SearchTerm &t) {
            return (t.split < 0 || t.split == split) && local >= t.first && local <= t.last;
        });
        if (!hit)
            return false;
    }
    return true;
}

void ExampleIndex::update()
{
    m_rows.clear();
    if (m_doc) {
        const std::int64_t n = m_doc->size();
        m_rows.reserve(static_cast<std::size_t>(n));
        const ExampleFilter &f = m_filter;
        const bool all = f.label < 0 && f.group < 0 && !f.noisyOnly && f.depthColumn.isEmpty()
                         && !f.selectionOnly && m_search.empty() && m_searchValid;
        const ScoreColumn *depth = f.depthColumn.isEmpty() ? nullptr : m_doc->column(f.depthColumn);
        for (std::int64_t e = 0; e < n; ++e)
            if (all || passes(e, depth))
                m_rows.push_back(e);
    }
    sortRows();
    indexRows();
}

float ExampleIndex::sortValue(const QString &key, std::int64_t e) const
{
    const auto i = static_cast<std::size_t>(e);
    switch (fixedKeys().indexOf(key)) {
    case 0: return static_cast<float>(e);
    case 1: return e >= m_doc->trainSize() ? 1.f : 0.f;
    case 2: return static_cast<float>(m_doc->labels()[i]);
    case 3: return static_cast<float>(m_doc->cleanLabels()[i]);
    case 4: return static_cast<float>(m_doc->noisy()[i]);
    case 5: return i < m_doc->groups().size() ? static_cast<float>(m_doc->groups()[i]) : NAN;
    default: break;
    }
    const ScoreColumn *c = m_doc->column(key);
    return c ? c->values[i] : NAN;
}

void ExampleIndex::sortRows()
{
    if (!m_doc || m_rows.empty())
        return;
    const bool descending = m_order == Qt::DescendingOrder;
    const ScoreColumn *column = m_doc->column(m_sortKey);
    const int fixed = fixedKeys().indexOf(m_sortKey);
    if (m_sortKey.isEmpty() || fixed == 0) {
        std::sort(m_rows.begin(), m_rows.end());
        if (descending)
            std::reverse(m_rows.begin(), m_rows.end());
        return;
    }
    // Sorting (key, example) pairs keeps memory access sequential and gives a
    // total order: ties stay in example order in both directions, NaN last.
    std::vector<std::pair<float, std::int64_t>> keyed;
    keyed.reserve(m_rows.size());
    if (column) {
        const float *values = column->values.data();
        for (std::int64_t e : m_rows)
            keyed.emplace_back(values[e], e);
    } else if (fixed > 0) {
        for (std::int64_t e : m_rows)
            keyed.emplace_back(sortValue(m_sortKey, e), e);
    } else {
        return;
    }
    const auto nanBegin = std::partition(keyed.begin(), keyed.end(), [](const auto &p) { return !std::isnan(p.first); });
    if (descending)
        std::sort(keyed.begin(), nanBegin, [](const auto &a, const auto &b) {
            return a.first > b.first || (a.first == b.first && a.second < b.second);
        });
    else
        std::sort(keyed.begin(), nanBegin);
    std::sort(nanBegin, keyed.end(), [](const auto &a, const auto &b) { return a.second < b.second; });
    for (std::size_t i = 0; i < keyed.size(); ++i)
        m_rows[i] = keyed[i].second;
}

void ExampleIndex::indexRows()
{
    m_rowOf.assign(m_doc ? static_cast<std::size_t>(m_doc->size()) : 0, -1);
    for (std::size_t r = 0; r < m_rows.size(); ++r)
        m_rowOf[static_cast<std::size_t>(m_rows[r])] = static_cast<int>(r);
}

int ExampleIndex::rowOf(std::int64_t example) const
{
    return example >= 0 && example < static_cast<std::int64_t>(m_rowOf.size())
               ? m_rowOf[static_cast<std::size_t>(example)]
               : -1;
}

QString formatScore(float value, bool integer, int precision)
{
    if (std::isnan(value))
        return {};
    if (integer && value == std::round(value))
        return QString::number(static_cast<qlonglong>(value));
    return QString::number(value, 'g', precision);
}

namespace {
QByteArray csvField(const QString &text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n')))
        return text.toUtf8();
    QString quoted = text;
    quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
    return '"' + quoted.toUtf8() + '"';
}
} // namespace

bool writeExampleCsv(const RunDocument &doc, const std::vector<std::int64_t> &rows, const QString &path,
                     QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
        if (error)
            *error = QObject::tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    const auto &columns = doc.columns();
    QByteArray out = "example,split,index,source_index,label,label_name,clean_label,clean_label_name,noisy,group";
    for (const ScoreColumn &c : columns)
        out += ',' + csvField(c.name);
    out += '\n';
    const QStringList groups = RunDocument::groupLabels();
    for (std::int64_t e : rows) {
        const auto i = static_cast<std::size_t>(e);
        const ExampleRef r = doc.ref(e);
        out += QByteArray::number(static_cast<qlonglong>(e)) + ',' + r.split() + ','
               + QByteArray::number(static_cast<qlonglong>(r.index)) + ','
               + QByteArray::number(static_cast<qlonglong>(doc.sourceIndices()[i])) + ','
               + QByteArray::number(doc.labels()[i]) + ',' + csvField(doc.className(doc.labels()[i])) + ','
               + QByteArray::number(doc.cleanLabels()[i]) + ',' + csvField(doc.className(doc.cleanLabels()[i]))
               + ',' + QByteArray::number(doc.noisy()[i]) + ',';
        if (doc.hasGroups() && i < doc.groups().size())
            out += csvField(groups.value(doc.groups()[i]));
        for (const ScoreColumn &c : columns) {
            out += ',';
            const float v = c.values[i];
            if (!std::isnan(v))
                out += c.integer && v == std::round(v) ? QByteArray::number(static_cast<qlonglong>(v))
                                                       : QByteArray::number(v, 'g', 9);
        }
        out += '\n';
        if (out.size() > (1 << 20)) {
            file.write(out);
            out.clear();
        }
    }
    file.write(out);
    if (!file.commit()) {
        if (error)
            *error = QObject::tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

// ---------------------------------------------------------------------------
// ExampleTableModel

ExampleTableModel::ExampleTableModel(QObject *parent) : QAbstractTableModel(parent) {}

void ExampleTableModel::setDocument(RunDocument *doc)
{
    beginResetModel();
    if (m_doc)
        disconnect(m_doc, nullptr, this, nullptr);
    m_doc = doc;
    if (doc) {
        connect(doc, &RunDocument::reloaded, this, &ExampleTableModel::documentReloaded);
        connect(doc, &RunDocument::groupsChanged, this, &ExampleTableModel::groupsChanged);
    }
    m_index.setDocument(doc);
    endResetModel();
}

void ExampleTableModel::setFilter(const ExampleFilter &filter)
{
    if (filter == m_index.filter())
        return;
    beginResetModel();
    m_index.setFilter(filter);
    endResetModel();
}

void ExampleTableModel::documentReloaded()
{
    beginResetModel();
    m_index.update();
    endResetModel();
}

void ExampleTableModel::groupsChanged()
{
    if (m_index.filter().group >= 0 || m_index.sortKey() == QLatin1String("group")) {
        documentReloaded();
    } else if (rowCount() > 0) {
        Q_EMIT dataChanged(index(0, GroupColumn), index(rowCount() - 1, GroupColumn));
    }
}

QString ExampleTableModel::columnKey(int column) const
{
    if (column < FirstScoreColumn)
        return ExampleIndex::fixedKeys().value(column);
    const auto c = static_cast<std::size_t>(column - FirstScoreColumn);
    return m_doc && c < m_doc->columns().size() ? m_doc->columns()[c].name : QString();
}

int ExampleTableModel::columnOfKey(const QString &key) const
{
    for (int c = 0; c < columnCount(); ++c)
        if (columnKey(c) == key)
            return c;
    return -1;
}

int ExampleTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_index.rows().size());
}

int ExampleTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() || !m_doc ? 0 : FirstScoreColumn + static_cast<int>(m_doc->columns().size());
}

QVariant ExampleTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid) || !m_doc)
        return {};
    const std::int64_t e = m_index.exampleAt(index.row());
    const auto i = static_cast<std::size_t>(e);
    const int column = index.column();
    if (role == ExampleRole)
        return QVariant::fromValue<qint64>(e);
    if (role == SortValueRole)
        return static_cast<double>(m_index.sortValue(columnKey(column), e));
    if (role == Qt::TextAlignmentRole)
        return column >= FirstScoreColumn || column == NoisyColumn
                   ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                   : QVariant();
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (column) {
    case ExampleColumn: return m_doc->exampleName(e);
    case SplitColumn: return QString::fromLatin1(m_doc->ref(e).split());
    case LabelColumn: return m_doc->className(m_doc->labels()[i]);
    case CleanLabelColumn: return m_doc->className(m_doc->cleanLabels()[i]);
    case NoisyColumn: return m_doc->noisy()[i] ? tr("yes") : QString();
    case GroupColumn:
        return m_doc->hasGroups() && i < m_doc->groups().size()
                   ? RunDocument::groupLabels().value(m_doc->groups()[i])
                   : QString();
    default: break;
    }
    const ScoreColumn &c = m_doc->columns()[static_cast<std::size_t>(column - FirstScoreColumn)];
    return formatScore(c.values[i], c.integer, role == Qt::ToolTipRole ? 6 : 4);
}

QVariant ExampleTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Vertical)
        return role == Qt::DisplayRole ? QVariant(section + 1) : QVariant();
    if (section < FirstScoreColumn) {
        static const char *const names[] = {QT_TR_NOOP("Example"), QT_TR_NOOP("Split"), QT_TR_NOOP("Label"),
                                            QT_TR_NOOP("Clean label"), QT_TR_NOOP("Noisy"), QT_TR_NOOP("Group")};
        static const char *const tips[] = {
            QT_TR_NOOP("Split and index of the example in this run"), QT_TR_NOOP("train or test"),
            QT_TR_NOOP("The label training used (after noise injection)"),
            QT_TR_NOOP("The label as read from the dataset"), QT_TR_NOOP("Whether noise changed the label"),
            QT_TR_NOOP("Difficulty group of the study")};
        if (role == Qt::DisplayRole)
            return tr(names[section]);
        return role == Qt::ToolTipRole ? QVariant(tr(tips[section])) : QVariant();
    }
    if (!m_doc || section >= columnCount())
        return {};
    const ScoreColumn &c = m_doc->columns()[static_cast<std::size_t>(section - FirstScoreColumn)];
    if (role == Qt::DisplayRole)
        return c.label;
    return role == Qt::ToolTipRole ? QVariant(c.description) : QVariant();
}

void ExampleTableModel::sort(int column, Qt::SortOrder order)
{
    if (!m_doc || column < 0 || column >= columnCount())
        return;
    Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const QModelIndexList before = persistentIndexList();
    std::vector<std::int64_t> examples;
    examples.reserve(static_cast<std::size_t>(before.size()));
    for (const QModelIndex &i : before)
        examples.push_back(m_index.exampleAt(i.row()));
    m_index.setSort(columnKey(column), order);
    QModelIndexList after;
    after.reserve(before.size());
    for (int k = 0; k < before.size(); ++k)
        after.append(index(m_index.rowOf(examples[static_cast<std::size_t>(k)]), before[k].column()));
    changePersistentIndexList(before, after);
    Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

QHash<int, QByteArray> ExampleTableModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(ExampleRole, "example");
    names.insert(SortValueRole, "sortValue");
    return names;
}

// ---------------------------------------------------------------------------
// GalleryModel

namespace {
// Decoded thumbnails are tiny (64 px: 16 KiB); 48 MiB keeps about 3,000 of them,
// several screens full, so scrolling back never decodes again.
constexpr int kCacheKiB = 48 * 1024;
// Fast scrolling asks for far more thumbnails than stay visible; only the most
// recent requests are worth decoding.
constexpr std::size_t kMaxQueued = 1024;
} // namespace

GalleryModel::GalleryModel(QObject *parent) : QAbstractListModel(parent)
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

void GalleryModel::setDocument(RunDocument *doc)
{
    beginResetModel();
    stopDecoding();
    m_cache.clear();
    if (m_doc)
        disconnect(m_doc, nullptr, this, nullptr);
    m_doc = doc;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_decodeDoc = doc;
    }
    if (doc) {
        connect(doc, &RunDocument::reloaded, this, &GalleryModel::documentReloaded);
        connect(doc, &RunDocument::groupsChanged, this, &GalleryModel::groupsChanged);
    }
    m_index.setDocument(doc);
    endResetModel();
}

void GalleryModel::setFilter(const ExampleFilter &filter)
{
    if (filter == m_index.filter())
        return;
    beginResetModel();
    m_index.setFilter(filter);
    endResetModel();
}

void GalleryModel::setSort(const QString &key, Qt::SortOrder order)
{
    Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const QModelIndexList before = persistentIndexList();
    std::vector<std::int64_t> examples;
    examples.reserve(static_cast<std::size_t>(before.size()));
    for (const QModelIndex &i : before)
        examples.push_back(m_index.exampleAt(i.row()));
    m_index.setSort(key, order);
    QModelIndexList after;
    after.reserve(before.size());
    for (std::size_t k = 0; k < examples.size(); ++k)
        after.append(index(m_index.rowOf(examples[k])));
    changePersistentIndexList(before, after);
    Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

void GalleryModel::documentReloaded()
{
    // A live run may have grown; image numbers stay valid, so the cache stays.
    beginResetModel();
    m_index.update();
    endResetModel();
}

void GalleryModel::groupsChanged()
{
    if (m_index.filter().group >= 0 || m_index.sortKey() == QLatin1String("group"))
        documentReloaded();
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
