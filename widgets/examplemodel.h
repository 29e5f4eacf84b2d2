#pragma once

#include <QAbstractListModel>
#include <QAbstractTableModel>
#include <QCache>
#include <QImage>
#include <QPixmap>
#include <QPointer>
#include <QSet>
#include <QString>
#include <QThreadPool>

#include <cstdint>
#include <deque>
#include <limits>
#include <mutex>
#include <vector>

namespace pds {

class RunDocument;
struct ScoreColumn;

/// Which examples a gallery or table shows. Every part is optional; an
/// example must pass all that are set.
struct ExampleFilter {
    int label = -1;        ///< given label, -1 for every class
    int group = -1;        ///< difficulty group, -1 for every group
    QString depthColumn;   ///< score column of the range below; empty for no range
    double depthMin = -std::numeric_limits<double>::infinity();
    double depthMax = std::numeric_limits<double>::infinity();
    bool noisyOnly = false;
    bool selectionOnly = false;
    std::vector<std::int64_t> selection; ///< sorted; used when selectionOnly
    QString search;        ///< see ExampleIndex::parseSearch

    bool operator==(const ExampleFilter &o) const;
    bool operator!=(const ExampleFilter &o) const { return !(*this == o); }
};

/// One term of an index search: examples `first..last` of a split (or both).
struct SearchTerm {
    int split = -1; ///< -1 both, 0 train, 1 test
    std::int64_t first = 0;
    std::int64_t last = std::numeric_limits<std::int64_t>::max();
};

/// The filtered, sorted order of a run's examples, computed directly on the
/// document's vectors (no per-item model calls), so that 70,000 examples sort
/// in a few milliseconds.
class ExampleIndex {
public:
    /// Sort keys besides the score columns (which sort by their name).
    static const QStringList &fixedKeys(); ///< example, split, label, clean_label, noisy, group

    /// Parses a search such as "123", "train 123", "test 45", "100-200",
    /// "train", or several of these separated by commas: numbers are indices
    /// within a split (both splits unless one is named). False on a malformed query.
    static bool parseSearch(const QString &text, std::vector<SearchTerm> *terms, QString *error = nullptr);

    /// Recomputes for `doc` (nullptr: no rows), keeping filter and sort.
    void setDocument(const RunDocument *doc);
    const RunDocument *document() const { return m_doc; }
    void setFilter(ExampleFilter filter);
    const ExampleFilter &filter() const { return m_filter; }
    /// True when the filter's search text parsed (an unparsable search shows nothing).
    bool searchValid() const { return m_searchValid; }
    /// Sorts by a fixed key or score column; empty key = example order.
    void setSort(const QString &key, Qt::SortOrder order);
    QString sortKey() const { return m_sortKey; }
    Qt::SortOrder sortOrder() const { return m_order; }
    /// Filters and sorts again (after the document changed underneath).
    void update();

    const std::vector<std::int64_t> &rows() const { return m_rows; }
    std::int64_t exampleAt(int row) const { return m_rows[static_cast<std::size_t>(row)]; }
    /// Row of an example, -1 when it is filtered out.
    int rowOf(std::int64_t example) const;
    bool accepts(std::int64_t example) const;
    /// The value an example sorts by under `key` (NaN where undefined).
    float sortValue(const QString &key, std::int64_t example) const;

private:
    bool passes(std::int64_t example, const ScoreColumn *depth) const;
    void sortRows();
    void indexRows();

    const RunDocument *m_doc = nullptr;
    ExampleFilter m_filter;
    std::vector<SearchTerm> m_search;
    bool m_searchValid = true;
    QString m_sortKey;
    Qt::SortOrder m_order = Qt::AscendingOrder;
    std::vector<std::int64_t> m_rows;
    std::vector<int> m_rowOf;
};

/// Writes `rows` (example numbers, in that order) of `doc` as CSV: example,
/// split, index, source_index, label, label_name, clean_label,
/// clean_label_name, noisy, group, then every score column by name (NaN
/// empty). Written to a temporary file and renamed, so a failed export never
/// leaves half a file; false with a message in `error` on failure.
bool writeExampleCsv(const RunDocument &doc, const std::vector<std::int64_t> &rows, const QString &path,
                     QString *error);

/// Formats a score for display: integers plainly, others to 3 significant
/// digits; NaN gives an empty string.
QString formatScore(float value, bool integer, int precision = 3);

/// Every example of a run as a table: example, split, label, clean label,
/// noisy, group, then each RunDocument score column. Sorting goes through
/// ExampleIndex, never through data().
class ExampleTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Role { ExampleRole = Qt::UserRole + 1, SortValueRole };
    enum FixedColumn { ExampleColumn, SplitColumn, LabelColumn, CleanLabelColumn, NoisyColumn, GroupColumn,
                       FirstScoreColumn };

    explicit ExampleTableModel(QObject *parent = nullptr);

    /// The document must outlive the model or be replaced first.
    void setDocument(RunDocument *doc);
    RunDocument *document() const { return m_doc; }
    void setFilter(const ExampleFilter &filter);
    const ExampleIndex &exampleIndex() const { return m_index; }
    std::int64_t exampleAt(int row) const { return m_index.exampleAt(row); }
    int rowOf(std::int64_t example) const { return m_index.rowOf(example); }
    /// The sort key (ExampleIndex) of a column.
    QString columnKey(int column) const;
    int columnOfKey(const QString &key) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    QHash<int, QByteArray> roleNames() const override;

private:
    void documentReloaded();
    void groupsChanged();

    QPointer<RunDocument> m_doc;
    ExampleIndex m_index;
};

/// The gallery's list of examples in ExampleIndex order: a caption (class and
/// chosen score) and a thumbnail decoded lazily. data(DecorationRole) returns
/// a placeholder at first and queues the example; a small pool decodes the
/// newest requests first via RunDocument::image(), the result goes into a
/// bounded cache and dataChanged(DecorationRole) follows. Only examples the
/// view asks for are ever decoded.
class GalleryModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role { ExampleRole = Qt::UserRole + 1, SortValueRole };

    explicit GalleryModel(QObject *parent = nullptr);
    ~GalleryModel() override;

    /// The document must outlive the model or be replaced first.
    void setDocument(RunDocument *doc);
    RunDocument *document() const { return m_doc; }
    void setFilter(const ExampleFilter &filter);
    /// Sorts by a score column or fixed key (ExampleIndex); also the caption's score.
    void setSort(const QString &key, Qt::SortOrder order);
    const ExampleIndex &exampleIndex() const { return m_index; }
    std::int64_t exampleAt(int row) const { return m_index.exampleAt(row); }
    int rowOf(std::int64_t example) const { return m_index.rowOf(example); }

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
    void documentReloaded();
    void groupsChanged();

    QPointer<RunDocument> m_doc;
    ExampleIndex m_index;
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
