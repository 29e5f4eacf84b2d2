#pragma once

#include "models/examplefilter.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <vector>

namespace pds {

class RunDocument;
struct ScoreColumn;

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

} // namespace pds
