#pragma once

#include "models/examplerowsmodel.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QString>

#include <cstdint>

namespace pds {

/// Every example of a run as a table: example, split, label, clean label,
/// noisy, group, then each RunDocument score column. Sorting goes through
/// ExampleIndex, never through data().
class ExampleTableModel : public ExampleRowsModel<QAbstractTableModel> {
    Q_OBJECT
public:
    enum Role { ExampleRole = Qt::UserRole + 1, SortValueRole };
    enum FixedColumn { ExampleColumn, SplitColumn, LabelColumn, CleanLabelColumn, NoisyColumn, GroupColumn,
                       FirstScoreColumn };

    explicit ExampleTableModel(QObject *parent = nullptr);

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
    void groupColumnChanged() override;
};

} // namespace pds
