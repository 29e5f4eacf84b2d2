#include "models/exampletablemodel.h"

#include "models/numberformat.h"
#include "models/rundocument.h"

#include <cmath>

namespace pds {

ExampleTableModel::ExampleTableModel(QObject *parent) : ExampleRowsModel(parent) {}

void ExampleTableModel::groupColumnChanged()
{
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, GroupColumn), index(rowCount() - 1, GroupColumn));
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
    sortBy(columnKey(column), order);
}

QHash<int, QByteArray> ExampleTableModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(ExampleRole, "example");
    names.insert(SortValueRole, "sortValue");
    return names;
}

} // namespace pds
