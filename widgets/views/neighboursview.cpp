#include "views/neighboursview.h"

#include "models/exampleselection.h"
#include "models/neighboursmodel.h"
#include "models/rundocument.h"
#include "train/job.h"
#include "util/error.h"
#include "views/stateoverlay.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <mutex>

namespace pds {

/// One model's NeighbourSearch, made on first use in a worker thread (it reads
/// the file) and kept for the next examples of the same run and model.
struct NeighboursView::Search {
    std::string path;
    int model = 0;
    std::mutex mutex;
    std::unique_ptr<NeighbourSearch> search;

    NeighbourSearch &get()
    {
        std::lock_guard<std::mutex> lock(mutex);
        if (!search)
            search = std::make_unique<NeighbourSearch>(path, model);
        return *search;
    }
};

namespace {

/// Draws a neighbour's label under its thumbnail, so k neighbours fit across.
class ThumbnailAboveLabel : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        option->decorationPosition = QStyleOptionViewItem::Top;
        option->displayAlignment = Qt::AlignHCenter | Qt::AlignTop;
    }
};

} // namespace

NeighboursView::NeighboursView(ExampleSelection *selection, QWidget *parent)
    : QWidget(parent), m_selection(selection), m_neighbours(new NeighboursModel(this)), m_table(new QTableView),
      m_modelBox(new QComboBox), m_status(new QLabel)
{
    setWindowTitle(tr("Neighbours"));
    m_table->setModel(m_neighbours);
    m_table->setObjectName(QStringLiteral("neighbours"));
    m_table->verticalHeader()->hide();
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setIconSize(QSize(m_neighbours->thumbnailSize(), m_neighbours->thumbnailSize()));
    m_table->setItemDelegate(new ThumbnailAboveLabel(m_table));
    m_table->verticalHeader()->setDefaultSectionSize(m_neighbours->thumbnailSize() + m_table->fontMetrics().height() + 10);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setWordWrap(false);
    m_table->setToolTip(tr("Each row is one probe: the k training examples nearest to the selected example in that "
                           "layer's embedding, nearest first, and the class their vote gives. Grey labels disagree "
                           "with the vote; the marked row is the example's prediction depth."));
    m_modelBox->setToolTip(tr("Whose probes: each model of a study has its own embeddings and neighbours"));
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);

    auto *controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Model")));
    controls->addWidget(m_modelBox);
    controls->addWidget(m_status, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(m_table, 1);
    m_empty = new StateOverlay(m_table);

    connect(m_modelBox, QOverload<int>::of(&QComboBox::activated), this,
            [this] { setModel(m_modelBox->currentData().toInt()); });
    connect(m_table, &QTableView::clicked, this, &NeighboursView::neighbourClicked);
    connect(&m_watcher, &QFutureWatcher<Result>::finished, this, &NeighboursView::showResult);
    if (m_selection)
        connect(m_selection, &ExampleSelection::currentChanged, this, &NeighboursView::refresh);
    refresh();
}

NeighboursView::~NeighboursView()
{
    cancelSearch();
    m_watcher.waitForFinished();
}

void NeighboursView::setDocument(RunDocument *doc)
{
    if (doc == m_doc)
        return;
    cancelSearch();
    m_watcher.waitForFinished();
    if (m_doc)
        disconnect(m_doc, &RunDocument::reloaded, this, nullptr);
    m_doc = doc;
    m_neighbours->setDocument(doc);
    m_search.reset();
    if (m_doc)
        connect(m_doc, &RunDocument::reloaded, this, [this] {
            // A live run may have stored its probes and embeddings since.
            m_search.reset();
            refillModels();
            refresh();
        });
    refillModels();
    refresh();
}

void NeighboursView::refillModels()
{
    m_modelBox->clear();
    int first = -1;
    if (m_doc)
        for (int m = 0; m < m_doc->modelCount(); ++m)
            if (m_doc->hasProbes(m) && m_doc->hasEmbeddings(m)) {
                m_modelBox->addItem(QString::fromStdString(m_doc->summary().models[std::size_t(m)].group).section('/', -1), m);
                if (first < 0)
                    first = m;
            }
    m_modelBox->setEnabled(m_modelBox->count() > 1);
    const int keep = m_modelBox->findData(m_model);
    m_model = keep >= 0 ? m_model : first;
    m_modelBox->setCurrentIndex(m_modelBox->findData(m_model));
}

void NeighboursView::setModel(int model)
{
    if (model == m_model || m_modelBox->findData(model) < 0)
        return;
    m_model = model;
    m_modelBox->setCurrentIndex(m_modelBox->findData(model));
    m_search.reset();
    refresh();
}

QString NeighboursView::emptyMessage() const
{
    return m_empty->message();
}

QString NeighboursView::statusText() const
{
    return m_status->text();
}

void NeighboursView::cancelSearch()
{
    if (m_cancel)
        m_cancel->cancel();
    m_cancel.reset();
}

QString NeighboursView::missing(std::int64_t current) const
{
    if (!m_doc)
        return tr("Open a run to see the training examples behind each probe's prediction.");
    const QString noDepth = StateOverlay::noDepthMessage(m_doc);
    if (!noDepth.isEmpty())
        return noDepth;
    if (m_model < 0)
        return tr("<b>%1 stores no embeddings,</b> so its neighbours cannot be looked up.<br>Train with "
                  "<tt>--embeddings all</tt> (or a list of probes), or choose <i>Store embeddings</i> on the "
                  "wizard's Study page.")
            .arg(m_doc->title().toHtmlEscaped());
    if (current < 0 || current >= m_doc->size())
        return StateOverlay::selectExampleMessage(
            tr("its nearest training examples at every probe and the vote behind each probe's prediction"));
    return {};
}

void NeighboursView::refresh()
{
    cancelSearch();
    const std::int64_t current = m_selection ? m_selection->current() : -1;
    const QString message = missing(current);
    m_empty->setMessage(message);
    if (!message.isEmpty()) {
        m_neighbours->clear();
        m_status->clear();
        return;
    }
    if (!m_search) {
        m_search = std::make_shared<Search>();
        m_search->path = m_doc->path().toStdString();
        m_search->model = m_model;
    }
    m_cancel = std::make_shared<CancelToken>();
    const ExampleRef ref = m_doc->ref(current);
    m_status->setText(tr("Finding the neighbours of %1…").arg(m_doc->exampleName(current)));
    m_watcher.setFuture(QtConcurrent::run([search = m_search, cancel = m_cancel, ref, current] {
        Result r;
        r.example = current;
        try {
            r.neighbours = search->get().neighbours(ref.split(), ref.index, cancel.get());
        } catch (const CancelledError &) {
            r.example = -1;
        } catch (const std::exception &e) {
            r.error = QString::fromUtf8(e.what());
        }
        return r;
    }));
}

void NeighboursView::showResult()
{
    const Result r = m_watcher.result();
    const std::int64_t current = m_selection ? m_selection->current() : -1;
    if (r.example < 0 || r.example != current || !m_doc)
        return; // cancelled, or an older example's search
    if (m_model < 0 || m_model >= m_doc->modelCount())
        return; // the run changed while searching: a live run has no finished model to show
    if (!r.error.isEmpty()) {
        m_neighbours->clear();
        m_status->setText(tr("Cannot find the neighbours of %1: %2").arg(m_doc->exampleName(current), r.error));
    } else {
        m_neighbours->setNeighbours(current, r.neighbours);
        const int depth = m_doc->depth(m_model, current);
        QString text = tr("%1 (%2) under %3: its %4 nearest training examples at each probe")
                           .arg(m_doc->exampleName(current), m_doc->className(m_doc->labels()[std::size_t(current)]),
                                m_modelBox->currentText())
                           .arg(r.neighbours.k);
        if (r.neighbours.leftOut)
            text += tr(" (itself left out)");
        text += depth >= 0 && depth < m_doc->probeCount()
                    ? tr("; the decision settles at probe %1, %2.").arg(depth).arg(m_doc->probeNames().value(depth))
                    : tr("; the probes never settle on the final prediction.");
        m_status->setText(text);
    }
    Q_EMIT neighboursShown();
}

void NeighboursView::neighbourClicked(const QModelIndex &index)
{
    const std::int64_t e = m_neighbours->exampleAt(index);
    if (e < 0 || !m_selection || !m_doc)
        return;
    m_selection->setExamples({e}, tr("a neighbour of %1").arg(m_doc->exampleName(m_neighbours->example())), this);
    m_selection->setCurrent(e, this);
}

} // namespace pds
