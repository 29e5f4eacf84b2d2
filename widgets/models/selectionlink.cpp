#include "models/selectionlink.h"

#include "models/exampleselection.h"
#include "models/numberformat.h"

#include <QAbstractItemView>
#include <QItemSelectionModel>

namespace pds {

SelectionLink::SelectionLink(QAbstractItemView *view, ExampleSelection *selection, QObject *owner,
                             std::function<std::int64_t(int)> exampleAt, std::function<int(std::int64_t)> rowOf,
                             QString viewName)
    : QObject(owner), m_view(view), m_selection(selection), m_owner(owner), m_exampleAt(std::move(exampleAt)),
      m_rowOf(std::move(rowOf)), m_viewName(std::move(viewName))
{
    connect(view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &SelectionLink::viewToSelection);
    connect(view->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) { viewCurrentChanged(current); });
    // A reset (new filter or document) clears the view's selection silently.
    connect(view->model(), &QAbstractItemModel::modelReset, this, &SelectionLink::selectionToView);
    if (selection) {
        connect(selection, &ExampleSelection::selectionChanged, this,
                [this](QObject *source, bool) { sharedSelectionChanged(source); });
        connect(selection, &ExampleSelection::currentChanged, this, &SelectionLink::sharedCurrentChanged);
    }
}

void SelectionLink::viewToSelection()
{
    if (m_syncing || !m_selection)
        return;
    std::vector<std::int64_t> examples;
    for (const QItemSelectionRange &range : m_view->selectionModel()->selection())
        for (int row = range.top(); row <= range.bottom(); ++row)
            examples.push_back(m_exampleAt(row));
    const QString description =
        examples.empty() ? QString()
                         : tr("%1 selected in the %2").arg(thousands(static_cast<qint64>(examples.size())), m_viewName);
    m_selection->setExamples(std::move(examples), description, m_owner, false);
}

void SelectionLink::viewCurrentChanged(const QModelIndex &current)
{
    if (m_syncing || !m_selection || !current.isValid())
        return;
    m_selection->setCurrent(m_exampleAt(current.row()), m_owner);
}

void SelectionLink::sharedSelectionChanged(QObject *source)
{
    if (source != m_owner)
        selectionToView();
}

void SelectionLink::selectionToView()
{
    if (!m_selection)
        return;
    QAbstractItemModel *model = m_view->model();
    std::vector<int> rows;
    rows.reserve(m_selection->examples().size());
    for (std::int64_t e : m_selection->examples()) {
        const int row = m_rowOf(e);
        if (row >= 0)
            rows.push_back(row);
    }
    std::sort(rows.begin(), rows.end());
    const int lastColumn = std::max(0, model->columnCount() - 1);
    QItemSelection selection;
    for (std::size_t k = 0; k < rows.size();) {
        std::size_t end = k + 1;
        while (end < rows.size() && rows[end] == rows[end - 1] + 1)
            ++end;
        selection.append(QItemSelectionRange(model->index(rows[k], 0), model->index(rows[end - 1], lastColumn)));
        k = end;
    }
    m_syncing = true;
    m_view->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
    const int current = m_rowOf(m_selection->current());
    if (current >= 0)
        m_view->selectionModel()->setCurrentIndex(model->index(current, 0), QItemSelectionModel::NoUpdate);
    m_syncing = false;
}

void SelectionLink::sharedCurrentChanged(std::int64_t example, QObject *source)
{
    if (source == m_owner)
        return;
    const int row = m_rowOf(example);
    if (row < 0)
        return;
    const QModelIndex index = m_view->model()->index(row, 0);
    m_syncing = true;
    m_view->selectionModel()->setCurrentIndex(index, QItemSelectionModel::NoUpdate);
    m_syncing = false;
    m_view->scrollTo(index);
}

} // namespace pds
