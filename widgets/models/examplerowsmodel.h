#pragma once

#include "models/exampleindex.h"
#include "models/rundocument.h"

#include <QAbstractItemModel>
#include <QModelIndexList>
#include <QPointer>

#include <cstdint>
#include <vector>

namespace pds {

/// What the example table and the gallery share: the RunDocument they follow
/// (reloads, recomputed groups), the ExampleIndex that filters and sorts its
/// examples, and the mapping between rows and examples. `QtModel` is the Qt
/// model the subclass is (QAbstractTableModel, QAbstractListModel); this base
/// declares no signals or slots, so it needs no Q_OBJECT and can be a template.
template <class QtModel>
class ExampleRowsModel : public QtModel {
public:
    using QtModel::QtModel;

    /// The document must outlive the model or be replaced first.
    void setDocument(RunDocument *doc)
    {
        this->beginResetModel();
        documentChanging(doc);
        if (m_doc)
            QObject::disconnect(m_doc, nullptr, this, nullptr);
        m_doc = doc;
        if (doc) {
            QObject::connect(doc, &RunDocument::reloaded, this, &ExampleRowsModel::documentReloaded);
            QObject::connect(doc, &RunDocument::groupsChanged, this, &ExampleRowsModel::groupsChanged);
        }
        m_index.setDocument(doc);
        this->endResetModel();
    }
    RunDocument *document() const { return m_doc; }

    void setFilter(const ExampleFilter &filter)
    {
        if (filter == m_index.filter())
            return;
        this->beginResetModel();
        m_index.setFilter(filter);
        this->endResetModel();
    }
    const ExampleIndex &exampleIndex() const { return m_index; }
    std::int64_t exampleAt(int row) const { return m_index.exampleAt(row); }
    int rowOf(std::int64_t example) const { return m_index.rowOf(example); }

protected:
    /// Called inside the reset, before the model follows `doc`.
    virtual void documentChanging(RunDocument *doc) { Q_UNUSED(doc); }
    /// Groups were recomputed but no row moved (the table repaints its group column).
    virtual void groupColumnChanged() {}

    /// Sorts by an ExampleIndex key; persistent indexes stay on their examples.
    void sortBy(const QString &key, Qt::SortOrder order)
    {
        Q_EMIT this->layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
        const QModelIndexList before = this->persistentIndexList();
        std::vector<std::int64_t> examples;
        examples.reserve(static_cast<std::size_t>(before.size()));
        for (const QModelIndex &i : before)
            examples.push_back(m_index.exampleAt(i.row()));
        m_index.setSort(key, order);
        QModelIndexList after;
        after.reserve(before.size());
        for (int k = 0; k < before.size(); ++k)
            after.append(this->index(m_index.rowOf(examples[static_cast<std::size_t>(k)]), before[k].column()));
        this->changePersistentIndexList(before, after);
        Q_EMIT this->layoutChanged({}, QAbstractItemModel::VerticalSortHint);
    }

    QPointer<RunDocument> m_doc;
    ExampleIndex m_index;

private:
    void documentReloaded()
    {
        // A live run may have grown; example numbers stay valid, so caches keyed by them stay.
        this->beginResetModel();
        m_index.update();
        this->endResetModel();
    }

    void groupsChanged()
    {
        if (m_index.filter().group >= 0 || m_index.sortKey() == QLatin1String("group"))
            documentReloaded();
        else
            groupColumnChanged();
    }
};

} // namespace pds
