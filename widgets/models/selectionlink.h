#pragma once

#include <QObject>
#include <QPointer>
#include <QString>

#include <cstdint>
#include <functional>

class QAbstractItemView;
class QModelIndex;

namespace pds {

class ExampleSelection;

/// Keeps an item view's selection and current item in step with the shared
/// ExampleSelection, both ways, without feedback loops. `owner` is the view's
/// widget: the source it reports and the source whose changes it ignores.
class SelectionLink : public QObject {
    Q_OBJECT
public:
    SelectionLink(QAbstractItemView *view, ExampleSelection *selection, QObject *owner,
                  std::function<std::int64_t(int)> exampleAt, std::function<int(std::int64_t)> rowOf,
                  QString viewName);
    /// Selects in the view what the shared selection holds (after a reset or re-sort too).
    void selectionToView();

private:
    void viewToSelection();
    void viewCurrentChanged(const QModelIndex &current);
    void sharedSelectionChanged(QObject *source);
    void sharedCurrentChanged(std::int64_t example, QObject *source);

    QAbstractItemView *m_view;
    QPointer<ExampleSelection> m_selection;
    QObject *m_owner;
    std::function<std::int64_t(int)> m_exampleAt;
    std::function<int(std::int64_t)> m_rowOf;
    QString m_viewName;
    bool m_syncing = false;
};

} // namespace pds
