#pragma once

#include "examplemodel.h"

#include <QPointer>
#include <QWidget>

#include <functional>

class QAbstractItemView;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListView;
class QSpinBox;
class QTableView;
class QTimer;
class QToolButton;

namespace pds {

class ExampleSelection;
class GalleryDelegate;
class RunDocument;

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

/// The Studio's central view: every example of the active run as a
/// virtualised thumbnail grid, sortable by any score and filterable by class,
/// group, depth range, label noise, the shared selection and index search;
/// exports contact sheets and CSV.
class GalleryWidget : public QWidget {
    Q_OBJECT
public:
    explicit GalleryWidget(ExampleSelection *selection, QWidget *parent = nullptr);

    /// Shows `doc` (nullptr: nothing). The document must outlive the gallery
    /// or be replaced first: thumbnails are decoded from it in other threads.
    void setDocument(RunDocument *doc);
    RunDocument *document() const { return m_doc; }
    GalleryModel *model() const { return m_model; }
    QListView *view() const { return m_view; }

    /// Edge of the thumbnails in pixels (48 to 128 in the bar; 64 by default).
    void setThumbnailSize(int pixels);
    /// Sorts by a score column (or a fixed key of ExampleIndex); empty = example order.
    void setSortColumn(const QString &name, Qt::SortOrder order = Qt::AscendingOrder);
    /// Applies a filter and shows it in the filter bar.
    void setFilter(const ExampleFilter &filter);
    ExampleFilter filter() const { return m_model->exampleIndex().filter(); }
    /// "1,234 of 70,000 examples".
    QString countText() const;

    /// How many examples a contact sheet holds at most (64 by default).
    void setContactSheetSize(int examples);
    /// The examples a contact sheet shows: the selection in gallery order (then
    /// those the filter hides), else the first N of the current order.
    std::vector<std::int64_t> contactSheetExamples() const;
    bool exportContactSheet(const QString &path, QString *error);
    /// The filtered rows in the current order, every column.
    bool exportCsv(const QString &path, QString *error);
    /// Ask for a file, export, and report failures in a message box.
    void exportContactSheetWithDialog();
    void exportCsvWithDialog();

Q_SIGNALS:
    void filterChanged(const pds::ExampleFilter &filter);

private:
    void buildFilterBar();
    void fillControls();
    void applyControls();
    void updateDepthRange();
    void updateChip();
    void updateCount();
    void sharedSelectionChanged(QObject *source, bool filter);
    void showContextMenu(const QPoint &pos);

    QPointer<RunDocument> m_doc;
    QPointer<ExampleSelection> m_selection;
    GalleryModel *m_model;
    QListView *m_view;
    GalleryDelegate *m_delegate;
    SelectionLink *m_link;
    QComboBox *m_sort, *m_class, *m_group, *m_depthColumn;
    QToolButton *m_order;
    QLabel *m_groupLabel;
    QWidget *m_depthBox;
    QDoubleSpinBox *m_depthMin, *m_depthMax;
    QCheckBox *m_noisy, *m_selectionOnly;
    QLabel *m_chip;
    QToolButton *m_clearSelection;
    QLineEdit *m_search;
    QTimer *m_searchTimer;
    QLabel *m_count;
    QSpinBox *m_sheetSize;
    std::vector<std::int64_t> m_filterSelection; ///< what "selection only" shows
    bool m_updatingControls = false;
};

/// Every example of the active run as a sortable table (one column per
/// score), linked to the shared selection like the gallery.
class ExampleTable : public QWidget {
    Q_OBJECT
public:
    explicit ExampleTable(ExampleSelection *selection, QWidget *parent = nullptr);

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
