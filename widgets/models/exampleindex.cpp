#include "models/exampleindex.h"

#include "models/rundocument.h"

#include <QRegularExpression>

#include <algorithm>
#include <cmath>

namespace pds {

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

} // namespace pds
