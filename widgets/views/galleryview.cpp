#include "views/galleryview.h"

#include "models/examplecsv.h"
#include "models/exampleselection.h"
#include "models/numberformat.h"
#include "models/rundocument.h"
#include "models/selectionlink.h"
#include "views/contactsheet.h"
#include "views/elidedlabel.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMessageBox>
#include <QPainter>
#include <QSpinBox>
#include <QStyledItemDelegate>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace pds {

/// Paints a gallery cell: the thumbnail centred at the top, the caption
/// wrapped onto at most two lines below it. Every cell has the same size, so
/// the view never asks for a size hint per item.
class GalleryDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void setCell(QSize cell) { m_cell = cell; }

    QSize sizeHint(const QStyleOptionViewItem &, const QModelIndex &) const override { return m_cell; }

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        QStyleOptionViewItem opt = option;
        initStyleOption(&opt, index);
        const QWidget *widget = option.widget;
        QStyle *style = widget ? widget->style() : QApplication::style();
        opt.text.clear();
        opt.icon = QIcon();
        opt.features &= ~QStyleOptionViewItem::HasDecoration;
        style->drawPrimitive(QStyle::PE_PanelItemViewItem, &opt, painter, widget);
        const QRect r = option.rect;
        const QPixmap pixmap = qvariant_cast<QPixmap>(index.data(Qt::DecorationRole));
        const QSize size = pixmap.deviceIndependentSize().toSize();
        const int side = std::max(size.width(), size.height());
        const QPoint topLeft(r.x() + (r.width() - size.width()) / 2, r.y() + 4 + (side - size.height()) / 2);
        painter->drawPixmap(topLeft, pixmap);
        const bool selected = option.state & QStyle::State_Selected;
        painter->setPen(option.palette.color(selected ? QPalette::HighlightedText : QPalette::Text));
        const QRect text(r.x() + 2, r.y() + 6 + side, r.width() - 4, r.bottom() - (r.y() + 6 + side));
        painter->drawText(text, Qt::AlignHCenter | Qt::AlignTop | Qt::TextWordWrap, index.data().toString());
        if (option.state & QStyle::State_HasFocus) {
            QStyleOptionFocusRect focus;
            focus.QStyleOption::operator=(option);
            style->drawPrimitive(QStyle::PE_FrameFocusRect, &focus, painter, widget);
        }
    }

private:
    QSize m_cell;
};


// ---------------------------------------------------------------------------
// GalleryView

GalleryView::GalleryView(ExampleSelection *selection, QWidget *parent)
    : QWidget(parent), m_selection(selection), m_model(new GalleryModel(this)), m_view(new QListView)
{
    m_view->setViewMode(QListView::IconMode);
    m_view->setMovement(QListView::Static);
    m_view->setResizeMode(QListView::Adjust);
    m_view->setUniformItemSizes(true);
    // Batched layout places the first rows and paints at once, the rest follows in idle time.
    m_view->setLayoutMode(QListView::Batched);
    m_view->setBatchSize(2000);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_delegate = new GalleryDelegate(m_view);
    m_view->setItemDelegate(m_delegate);
    setThumbnailSize(m_model->thumbnailSize());
    m_view->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->setModel(m_model);
    m_view->setObjectName(QStringLiteral("galleryView"));
    connect(m_view, &QWidget::customContextMenuRequested, this, &GalleryView::showContextMenu);

    m_link = new SelectionLink(
        m_view, selection, this, [this](int row) { return m_model->exampleAt(row); },
        [this](std::int64_t e) { return m_model->rowOf(e); }, tr("gallery"));
    if (selection)
        connect(selection, &ExampleSelection::selectionChanged, this, &GalleryView::sharedSelectionChanged);

    buildFilterBar();
    fillControls();
    updateCount();
}

void GalleryView::buildFilterBar()
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);

    auto *row1 = new QHBoxLayout;
    m_sort = new QComboBox;
    m_sort->setToolTip(tr("Order the examples by a score"));
    m_order = new QToolButton;
    m_order->setCheckable(true);
    m_order->setToolTip(tr("Ascending or descending"));
    m_order->setArrowType(Qt::UpArrow);
    m_class = new QComboBox;
    m_group = new QComboBox;
    m_groupLabel = new QLabel(tr("Group"));
    m_depthColumn = new QComboBox;
    m_depthColumn->setToolTip(tr("Show only examples whose depth lies in a range"));
    m_depthMin = new QDoubleSpinBox;
    m_depthMax = new QDoubleSpinBox;
    for (QDoubleSpinBox *s : {m_depthMin, m_depthMax}) {
        s->setDecimals(2);
        s->setSingleStep(0.5);
        s->setKeyboardTracking(false);
    }
    row1->addWidget(new QLabel(tr("Sort by")));
    row1->addWidget(m_sort, 1);
    row1->addWidget(m_order);
    row1->addSpacing(8);
    row1->addWidget(new QLabel(tr("Class")));
    row1->addWidget(m_class, 1);
    row1->addWidget(m_groupLabel);
    row1->addWidget(m_group, 1);
    m_depthBox = new QWidget;
    auto *depth = new QHBoxLayout(m_depthBox);
    depth->setContentsMargins(8, 0, 0, 0);
    depth->addWidget(m_depthColumn, 1);
    depth->addWidget(m_depthMin);
    depth->addWidget(new QLabel(QStringLiteral("–")));
    depth->addWidget(m_depthMax);
    layout->addLayout(row1);

    auto *row2 = new QHBoxLayout;
    m_noisy = new QCheckBox(tr("Noisy labels only"));
    m_selectionOnly = new QCheckBox(tr("Selection only"));
    m_selectionOnly->setToolTip(tr("Show only the examples selected here or in another view"));
    m_chip = new ElidedLabel;
    m_chip->setObjectName(QStringLiteral("selectionChip"));
    m_chip->setStyleSheet(QStringLiteral("QLabel { background: palette(highlight); color: palette(highlighted-text);"
                                         " border-radius: 8px; padding: 1px 8px; }"));
    m_clearSelection = new QToolButton;
    m_clearSelection->setText(QStringLiteral("✕"));
    m_clearSelection->setToolTip(tr("Clear the selection"));
    m_clearSelection->setAutoRaise(true);
    m_search = new QLineEdit;
    m_search->setPlaceholderText(tr("Find: 123, train 123, test 45, 100-200"));
    m_search->setClearButtonEnabled(true);
    m_searchTimer = new QTimer(this);
    m_searchTimer->setSingleShot(true);
    m_searchTimer->setInterval(200);
    // The depth range sits on the second row so the gallery stays narrow enough to dock beside.
    row2->addWidget(m_depthBox, 1);
    row2->addWidget(m_noisy);
    row2->addWidget(m_selectionOnly);
    row2->addWidget(m_chip);
    row2->addWidget(m_clearSelection);
    row2->addWidget(m_search, 1);
    layout->addLayout(row2);

    layout->addWidget(m_view, 1);

    auto *row3 = new QHBoxLayout;
    m_count = new QLabel;
    m_count->setObjectName(QStringLiteral("galleryCount"));
    m_sheetSize = new QSpinBox;
    m_sheetSize->setRange(1, 1024);
    m_sheetSize->setValue(64);
    m_sheetSize->setToolTip(tr("Examples on a contact sheet: the selection, or else the first of the current order"));
    auto *zoom = new QComboBox;
    zoom->setToolTip(tr("Thumbnail size"));
    for (int px : {48, 64, 96, 128})
        zoom->addItem(tr("%1 px").arg(px), px);
    zoom->setCurrentIndex(zoom->findData(m_model->thumbnailSize()));
    connect(zoom, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this, zoom] { setThumbnailSize(zoom->currentData().toInt()); });
    auto *exportButton = new QToolButton;
    exportButton->setText(tr("Export"));
    exportButton->setPopupMode(QToolButton::InstantPopup);
    auto *exportMenu = new QMenu(exportButton);
    exportMenu->addAction(tr("Contact sheet…"), this, &GalleryView::exportContactSheetWithDialog);
    exportMenu->addAction(tr("Export table as CSV…"), this, &GalleryView::exportCsvWithDialog);
    exportButton->setMenu(exportMenu);
    row3->addWidget(m_count, 1);
    row3->addWidget(zoom);
    row3->addWidget(new QLabel(tr("Contact sheet of")));
    row3->addWidget(m_sheetSize);
    row3->addWidget(exportButton);
    layout->addLayout(row3);
    // The choices shrink with the window (their lists show in full) rather than set its least width.
    for (QComboBox *box : findChildren<QComboBox *>()) {
        box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        box->setMinimumContentsLength(6);
    }

    const auto changed = [this] {
        if (!m_updatingControls)
            applyControls();
    };
    connect(m_sort, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        if (!m_updatingControls)
            setSortColumn(m_sort->currentData().toString(),
                          m_order->isChecked() ? Qt::DescendingOrder : Qt::AscendingOrder);
    });
    connect(m_order, &QToolButton::toggled, this, [this](bool descending) {
        m_order->setArrowType(descending ? Qt::DownArrow : Qt::UpArrow);
        if (!m_updatingControls)
            setSortColumn(m_sort->currentData().toString(), descending ? Qt::DescendingOrder : Qt::AscendingOrder);
    });
    connect(m_class, qOverload<int>(&QComboBox::currentIndexChanged), this, changed);
    connect(m_group, qOverload<int>(&QComboBox::currentIndexChanged), this, changed);
    connect(m_depthColumn, qOverload<int>(&QComboBox::currentIndexChanged), this, [this, changed] {
        updateDepthRange();
        changed();
    });
    connect(m_depthMin, qOverload<double>(&QDoubleSpinBox::valueChanged), this, changed);
    connect(m_depthMax, qOverload<double>(&QDoubleSpinBox::valueChanged), this, changed);
    connect(m_noisy, &QCheckBox::toggled, this, changed);
    connect(m_selectionOnly, &QCheckBox::toggled, this, [this, changed](bool on) {
        // The filter keeps the set it started from: selecting inside the
        // filtered gallery must not narrow what it shows.
        if (on && !m_updatingControls)
            m_filterSelection = m_selection ? m_selection->examples() : std::vector<std::int64_t>();
        changed();
    });
    connect(m_search, &QLineEdit::textChanged, m_searchTimer, qOverload<>(&QTimer::start));
    connect(m_search, &QLineEdit::returnPressed, this, changed);
    connect(m_searchTimer, &QTimer::timeout, this, changed);
    connect(m_clearSelection, &QToolButton::clicked, this, [this] {
        if (m_selection)
            m_selection->clear(this);
        m_selectionOnly->setChecked(false);
        updateChip();
        updateCount();
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, &GalleryView::updateCount);
}

void GalleryView::setDocument(RunDocument *doc)
{
    if (m_doc)
        disconnect(m_doc, nullptr, this, nullptr);
    m_doc = doc;
    m_model->setDocument(doc);
    if (doc) {
        // A live run gains score columns as its models finish.
        connect(doc, &RunDocument::reloaded, this, [this] {
            fillControls();
            applyControls();
        });
    }
    fillControls();
    updateDepthRange();
    applyControls();
    setSortColumn(m_sort->currentData().toString(), m_order->isChecked() ? Qt::DescendingOrder : Qt::AscendingOrder);
}

void GalleryView::fillControls()
{
    m_updatingControls = true;
    const QString sortKey = m_sort->currentData().toString();
    const QString depthKey = m_depthColumn->currentData().toString();
    const QVariant label = m_class->currentData(), group = m_group->currentData();
    m_sort->clear();
    m_class->clear();
    m_group->clear();
    m_depthColumn->clear();
    m_sort->addItem(tr("Example order"), QString());
    m_class->addItem(tr("All classes"), -1);
    m_group->addItem(tr("All groups"), -1);
    m_depthColumn->addItem(m_doc && m_doc->isRegression() ? tr("No range") : tr("Any depth"), QString());
    if (m_doc) {
        for (const ScoreColumn &c : m_doc->columns()) {
            m_sort->addItem(c.label, c.name);
            m_sort->setItemData(m_sort->count() - 1, c.description, Qt::ToolTipRole);
            // Ranges of the depths, and of a regression run's selection and label error.
            if ((c.name.startsWith(QLatin1String("depth")) && !c.name.endsWith(QLatin1String("_std")))
                || c.name == QLatin1String("selected") || c.name == QLatin1String("target_error"))
                m_depthColumn->addItem(c.label, c.name);
        }
        const QStringList classes = m_doc->classNames();
        for (int k = 0; k < classes.size(); ++k)
            m_class->addItem(classes[k], k);
        const QStringList groups = RunDocument::groupLabels();
        for (int g = 0; g < groups.size(); ++g)
            m_group->addItem(groups[g], g);
    }
    m_sort->setCurrentIndex(std::max(0, m_sort->findData(sortKey)));
    m_class->setCurrentIndex(std::max(0, m_class->findData(label)));
    m_group->setCurrentIndex(std::max(0, m_group->findData(group)));
    m_depthColumn->setCurrentIndex(std::max(0, m_depthColumn->findData(depthKey)));
    const bool groups = m_doc && m_doc->hasGroups();
    m_group->setVisible(groups);
    m_groupLabel->setVisible(groups);
    m_depthBox->setVisible(m_depthColumn->count() > 1);
    m_updatingControls = false;
    if (m_depthColumn->currentData().toString() != depthKey)
        updateDepthRange();
    updateChip();
}

void GalleryView::updateDepthRange()
{
    const ScoreColumn *c = m_doc ? m_doc->column(m_depthColumn->currentData().toString()) : nullptr;
    const bool was = m_updatingControls;
    m_updatingControls = true;
    m_depthMin->setEnabled(c);
    m_depthMax->setEnabled(c);
    if (c) {
        float lo = INFINITY, hi = -INFINITY;
        for (float v : c->values)
            if (!std::isnan(v)) {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
        if (lo > hi)
            lo = hi = 0.f;
        for (QDoubleSpinBox *s : {m_depthMin, m_depthMax})
            s->setRange(std::floor(lo), std::ceil(hi));
        m_depthMin->setValue(std::floor(lo));
        m_depthMax->setValue(std::ceil(hi));
    }
    m_updatingControls = was;
}

void GalleryView::applyControls()
{
    ExampleFilter f;
    f.label = m_class->currentData().isValid() ? m_class->currentData().toInt() : -1;
    f.group = m_doc && m_doc->hasGroups() && m_group->currentData().isValid() ? m_group->currentData().toInt() : -1;
    f.depthColumn = m_depthColumn->currentData().toString();
    if (!f.depthColumn.isEmpty()) {
        f.depthMin = m_depthMin->value();
        f.depthMax = m_depthMax->value();
    }
    f.noisyOnly = m_noisy->isChecked();
    f.selectionOnly = m_selectionOnly->isChecked();
    if (f.selectionOnly)
        f.selection = m_filterSelection;
    f.search = m_search->text().trimmed();
    m_searchTimer->stop();
    m_model->setFilter(f);
    std::vector<SearchTerm> terms;
    QString error;
    const bool valid = ExampleIndex::parseSearch(f.search, &terms, &error);
    m_search->setStyleSheet(valid ? QString() : QStringLiteral("QLineEdit { color: #b00020; }"));
    m_search->setToolTip(valid ? tr("Indices within a split; several separated by commas") : error);
    updateCount();
    Q_EMIT filterChanged(f);
}

void GalleryView::setFilter(const ExampleFilter &filter)
{
    m_updatingControls = true;
    m_class->setCurrentIndex(std::max(0, m_class->findData(filter.label)));
    m_group->setCurrentIndex(std::max(0, m_group->findData(filter.group)));
    m_depthColumn->setCurrentIndex(std::max(0, m_depthColumn->findData(filter.depthColumn)));
    updateDepthRange();
    if (!filter.depthColumn.isEmpty()) {
        m_depthMin->setValue(std::max(filter.depthMin, m_depthMin->minimum()));
        m_depthMax->setValue(std::min(filter.depthMax, m_depthMax->maximum()));
    }
    m_noisy->setChecked(filter.noisyOnly);
    m_selectionOnly->setChecked(filter.selectionOnly);
    m_filterSelection = filter.selection;
    m_search->setText(filter.search);
    m_updatingControls = false;
    applyControls();
}

void GalleryView::setThumbnailSize(int pixels)
{
    m_model->setThumbnailSize(pixels);
    const int thumb = m_model->thumbnailSize();
    const QSize cell(thumb + 44, thumb + 2 * fontMetrics().lineSpacing() + 12);
    m_delegate->setCell(cell);
    m_view->setIconSize(QSize(thumb, thumb));
    m_view->setGridSize(cell);
}

void GalleryView::setSortColumn(const QString &name, Qt::SortOrder order)
{
    m_updatingControls = true;
    m_sort->setCurrentIndex(std::max(0, m_sort->findData(name)));
    m_order->setChecked(order == Qt::DescendingOrder);
    m_order->setArrowType(order == Qt::DescendingOrder ? Qt::DownArrow : Qt::UpArrow);
    m_updatingControls = false;
    m_model->setSort(name, order);
    m_view->scrollToTop();
}

void GalleryView::sharedSelectionChanged(QObject *source, bool filter)
{
    updateChip();
    if (source == this) {
        updateCount();
        return;
    }
    const bool empty = !m_selection || m_selection->isEmpty();
    if (empty && m_selectionOnly->isChecked()) {
        m_selectionOnly->setChecked(false); // applies
    } else if (!empty && (filter || m_selectionOnly->isChecked())) {
        // A new selection from elsewhere replaces the set the gallery filters by.
        m_filterSelection = m_selection->examples();
        m_updatingControls = true;
        m_selectionOnly->setChecked(true);
        m_updatingControls = false;
        applyControls();
    }
    updateCount();
}

void GalleryView::updateChip()
{
    const bool any = m_selection && !m_selection->isEmpty();
    m_selectionOnly->setEnabled(any || m_selectionOnly->isChecked());
    m_chip->setVisible(any);
    m_clearSelection->setVisible(any);
    if (!any)
        return;
    const QString count = thousands(static_cast<qint64>(m_selection->examples().size()));
    const QString text = m_selection->description().isEmpty()
                             ? tr("%1 selected").arg(count)
                             : tr("%1 (%2)").arg(m_selection->description(), count);
    m_chip->setFullText(text); // elided to the room the row leaves; the tooltip has it all
}

QString GalleryView::countText() const
{
    const qint64 total = m_doc ? m_doc->size() : 0;
    return tr("%1 of %2 examples").arg(thousands(m_model->rowCount()), thousands(total));
}

void GalleryView::updateCount()
{
    QString text = countText();
    if (m_selection && !m_selection->isEmpty())
        text += tr(" · %1 selected").arg(thousands(static_cast<qint64>(m_selection->examples().size())));
    m_count->setText(text);
}

void GalleryView::setContactSheetSize(int examples)
{
    m_sheetSize->setValue(examples);
}

std::vector<std::int64_t> GalleryView::contactSheetExamples() const
{
    const auto limit = static_cast<std::size_t>(m_sheetSize->value());
    std::vector<std::int64_t> out;
    if (!m_selection || m_selection->isEmpty()) {
        const auto &rows = m_model->exampleIndex().rows();
        out.assign(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(std::min(limit, rows.size())));
        return out;
    }
    std::vector<std::pair<int, std::int64_t>> visible;
    std::vector<std::int64_t> hidden;
    for (std::int64_t e : m_selection->examples()) {
        const int row = m_model->rowOf(e);
        if (row >= 0)
            visible.emplace_back(row, e);
        else
            hidden.push_back(e);
    }
    std::sort(visible.begin(), visible.end());
    for (const auto &v : visible)
        out.push_back(v.second);
    out.insert(out.end(), hidden.begin(), hidden.end());
    if (out.size() > limit)
        out.resize(limit);
    return out;
}

bool GalleryView::exportContactSheet(const QString &path, QString *error)
{
    if (!m_doc) {
        if (error)
            *error = tr("No run is open");
        return false;
    }
    QString title = m_doc->title();
    if (m_selection && !m_selection->isEmpty() && !m_selection->description().isEmpty())
        title += QStringLiteral(" — ") + m_selection->description();
    return writeContactSheet(*m_doc, contactSheetExamples(), m_model->exampleIndex().sortKey(), path, error, title);
}

bool GalleryView::exportCsv(const QString &path, QString *error)
{
    if (!m_doc) {
        if (error)
            *error = tr("No run is open");
        return false;
    }
    return writeExampleCsv(*m_doc, m_model->exampleIndex().rows(), path, error);
}

namespace {
QString suggestedPath(const RunDocument *doc, const QString &suffix)
{
    if (!doc)
        return QDir::homePath();
    const QFileInfo info(doc->path());
    return info.dir().filePath(info.completeBaseName() + suffix);
}
} // namespace

void GalleryView::exportContactSheetWithDialog()
{
    QString filter;
    QString path = QFileDialog::getSaveFileName(this, tr("Contact sheet"), suggestedPath(m_doc, QStringLiteral("-sheet.png")),
                                                tr("PNG image (*.png);;PDF document (*.pdf)"), &filter);
    if (path.isEmpty())
        return;
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix != QLatin1String("png") && suffix != QLatin1String("pdf"))
        path += filter.contains(QLatin1String("pdf")) ? QStringLiteral(".pdf") : QStringLiteral(".png");
    QString error;
    QApplication::setOverrideCursor(Qt::WaitCursor);
    const bool ok = exportContactSheet(path, &error);
    QApplication::restoreOverrideCursor();
    if (!ok)
        QMessageBox::warning(this, tr("Contact sheet"), error);
}

void GalleryView::exportCsvWithDialog()
{
    QString path = QFileDialog::getSaveFileName(this, tr("Export table as CSV"),
                                                suggestedPath(m_doc, QStringLiteral("-examples.csv")),
                                                tr("CSV table (*.csv)"));
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += QStringLiteral(".csv");
    QString error;
    QApplication::setOverrideCursor(Qt::WaitCursor);
    const bool ok = exportCsv(path, &error);
    QApplication::restoreOverrideCursor();
    if (!ok)
        QMessageBox::warning(this, tr("Export table as CSV"), error);
}

void GalleryView::showContextMenu(const QPoint &pos)
{
    QMenu menu(this);
    menu.addAction(tr("Contact sheet…"), this, &GalleryView::exportContactSheetWithDialog)->setEnabled(m_doc);
    menu.addAction(tr("Export table as CSV…"), this, &GalleryView::exportCsvWithDialog)->setEnabled(m_doc);
    menu.addSeparator();
    menu.addAction(tr("Select all"), m_view, &QListView::selectAll);
    menu.addAction(tr("Clear selection"), m_clearSelection, &QToolButton::click)
        ->setEnabled(m_selection && !m_selection->isEmpty());
    QAction *only = menu.addAction(tr("Selection only"));
    only->setCheckable(true);
    only->setChecked(m_selectionOnly->isChecked());
    connect(only, &QAction::toggled, m_selectionOnly, &QCheckBox::setChecked);
    menu.exec(m_view->viewport()->mapToGlobal(pos));
}

} // namespace pds
