#include "views/exampletableview.h"

#include "models/exampletablemodel.h"
#include "models/numberformat.h"
#include "models/selectionlink.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

namespace pds {

ExampleTableView::ExampleTableView(ExampleSelection *selection, QWidget *parent)
    : QWidget(parent), m_model(new ExampleTableModel(this)), m_view(new QTableView), m_count(new QLabel)
{
    m_view->setModel(m_model);
    m_view->setObjectName(QStringLiteral("exampleTableView"));
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    m_view->horizontalHeader()->setSectionsMovable(true);
    m_view->horizontalHeader()->setSortIndicator(ExampleTableModel::ExampleColumn, Qt::AscendingOrder);
    m_view->setSortingEnabled(true);
    m_link = new SelectionLink(
        m_view, selection, this, [this](int row) { return m_model->exampleAt(row); },
        [this](std::int64_t e) { return m_model->rowOf(e); }, tr("table"));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_count);
    connect(m_model, &QAbstractItemModel::modelReset, this, &ExampleTableView::updateCount);
    updateCount();
}

void ExampleTableView::setDocument(RunDocument *doc)
{
    m_model->setDocument(doc);
    const QHeaderView *header = m_view->horizontalHeader();
    m_model->sort(header->sortIndicatorSection(), header->sortIndicatorOrder());
}

void ExampleTableView::setFilter(const ExampleFilter &filter)
{
    m_model->setFilter(filter);
}

void ExampleTableView::updateCount()
{
    const RunDocument *doc = m_model->document();
    m_count->setText(tr("%1 of %2 examples").arg(thousands(m_model->rowCount()), thousands(doc ? doc->size() : 0)));
}

} // namespace pds
