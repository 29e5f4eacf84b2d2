#pragma once

#include "models/examplefilter.h"
#include "models/exampletablemodel.h"

#include <QWidget>

class QLabel;
class QTableView;

namespace pds {

class ExampleSelection;
class RunDocument;
class SelectionLink;

/// Every example of the active run as a sortable table (one column per
/// score), linked to the shared selection like the gallery.
class ExampleTableView : public QWidget {
    Q_OBJECT
public:
    explicit ExampleTableView(ExampleSelection *selection, QWidget *parent = nullptr);

    /// The document must outlive the table or be replaced first.
    void setDocument(RunDocument *doc);
    /// Shows only the examples `filter` passes (e.g. the gallery's filter).
    void setFilter(const ExampleFilter &filter);
    ExampleTableModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }

private:
    void updateCount();

    ExampleTableModel *m_model;
    QTableView *m_view;
    SelectionLink *m_link;
    QLabel *m_count;
};

} // namespace pds
