#include "views/histogramview.h"

#include "charts/depthhistogramchart.h"
#include "charts/palette.h"
#include "models/rundocument.h"
#include "views/stateoverlay.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace pds {

HistogramView::HistogramView(ExampleSelection *selection, QWidget *parent)
    : QWidget(parent), m_chart(new DepthHistogramChart(selection)), m_split(new QComboBox), m_model(new QComboBox),
      m_class(new QComboBox), m_fractions(new QCheckBox(tr("Fractions")))
{
    m_split->addItem(tr("Train split"), int(DepthSplit::Train));
    m_split->addItem(tr("Validation split"), int(DepthSplit::Validation));
    m_split->setToolTip(tr("Train split: depth of examples in a model's training set (leave-one-out k-NN); "
                           "validation split: of examples the model held out"));
    m_model->setToolTip(tr("Effective depth (mean over the study's models, rounded to a probe) or one model's own depth"));
    m_class->setToolTip(tr("Only examples with this given label"));
    m_fractions->setToolTip(tr("Show the share of the examples in each bar instead of counts"));

    // The choices shrink with the dock (their lists show in full) rather than widen the window.
    for (QComboBox *box : {m_split, m_model, m_class}) {
        box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        box->setMinimumContentsLength(6);
    }
    // Two rows, so the dock can be as narrow as a side dock on a 1366-pixel screen.
    auto *controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Depth in the")));
    controls->addWidget(m_split, 1);
    controls->addWidget(m_model, 1);
    auto *filters = new QHBoxLayout;
    filters->addWidget(new QLabel(tr("Class")));
    filters->addWidget(m_class, 1);
    filters->addWidget(m_fractions);
    filters->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addLayout(filters);
    layout->addWidget(m_chart, 1);

    connect(m_split, QOverload<int>::of(&QComboBox::activated), this,
            [this] { m_chart->setSplit(DepthSplit(m_split->currentData().toInt())); });
    connect(m_model, QOverload<int>::of(&QComboBox::activated), this,
            [this] { m_chart->setModel(m_model->currentData().toInt()); });
    connect(m_class, QOverload<int>::of(&QComboBox::activated), this,
            [this] { m_chart->setClassFilter(m_class->currentData().toInt()); });
    connect(m_fractions, &QCheckBox::toggled, m_chart, &DepthHistogramChart::setFractions);
    m_empty = new StateOverlay(m_chart);
    refillChoices();
    updateEmptyState();
}

QString HistogramView::emptyMessage() const
{
    return m_empty->message();
}

void HistogramView::updateEmptyState()
{
    m_empty->setMessage(m_primary ? StateOverlay::noDepthMessage(m_primary) : tr("Open a run to see its depth histogram."));
}

void HistogramView::setDocuments(RunDocument *primary, RunDocument *compare)
{
    m_chart->setDocuments(primary, compare);
    setPrimary(primary);
}

void HistogramView::setOverlay(const std::vector<RunDocument *> &docs, const QStringList &labels,
                               const std::vector<QColor> &colours)
{
    m_chart->setOverlay(docs, labels, colours);
    if (docs.size() > 1)
        m_fractions->setChecked(true);
    setPrimary(docs.empty() ? nullptr : docs.front());
}

void HistogramView::setPrimary(RunDocument *primary)
{
    const bool changed = primary != m_primary;
    if (changed && m_primary)
        disconnect(m_primary, &RunDocument::reloaded, this, nullptr);
    m_primary = primary;
    if (changed && m_primary)
        connect(m_primary, &RunDocument::reloaded, this, &HistogramView::updateEmptyState);
    if (changed) {
        m_chart->setModel(-1);
        m_chart->setClassFilter(-1);
        refillChoices();
    }
    updateEmptyState();
}

void HistogramView::refillChoices()
{
    m_model->clear();
    m_model->addItem(m_primary && m_primary->isStudy() ? tr("effective (all models)") : tr("the model"), -1);
    if (m_primary && m_primary->isStudy())
        for (int m = 0; m < m_primary->modelCount(); ++m)
            if (m_primary->hasProbes(m))
                m_model->addItem(modelLabel(m), m);
    m_class->clear();
    m_class->addItem(tr("all"), -1);
    if (m_primary)
        for (int c = 0; c < m_primary->numClasses(); ++c)
            m_class->addItem(m_primary->className(c), c);
    m_split->setCurrentIndex(m_split->findData(int(m_chart->split())));
}

} // namespace pds
