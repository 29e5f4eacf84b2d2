#pragma once

#include "models/examplefilter.h"
#include "models/gallerymodel.h"

#include <QPointer>
#include <QWidget>

#include <cstdint>
#include <vector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListView;
class QSpinBox;
class QTimer;
class QToolButton;

namespace pds {

class ElidedLabel;
class ExampleSelection;
class GalleryDelegate;
class RunDocument;
class SelectionLink;

/// The Studio's central view: every example of the active run as a
/// virtualised thumbnail grid, sortable by any score and filterable by class,
/// group, depth range, label noise, the shared selection and index search;
/// exports contact sheets and CSV.
class GalleryView : public QWidget {
    Q_OBJECT
public:
    explicit GalleryView(ExampleSelection *selection, QWidget *parent = nullptr);

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
    ElidedLabel *m_chip;
    QToolButton *m_clearSelection;
    QLineEdit *m_search;
    QTimer *m_searchTimer;
    QLabel *m_count;
    QSpinBox *m_sheetSize;
    std::vector<std::int64_t> m_filterSelection; ///< what "selection only" shows
    bool m_updatingControls = false;
};

} // namespace pds
