#include "views/thresholdspanel.h"

#include "charts/palette.h"
#include "models/rundocument.h"

#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <array>

namespace pds {
namespace {

struct ThresholdField {
    const char *name;
    const char *label;
    const char *tip;
    double GroupThresholds::*member;
};

/// Labels in plain words; docs/difficulty.md has the rules in full.
const std::array<ThresholdField, 9> kFields = {{
    {"easyDepth", "Easy: depth at most",
     "Easy examples have both effective depths at most this. Depths are divided by the number of probes: "
     "0 is the input, 1 means not even the logits agree with the final prediction.",
     &GroupThresholds::easyDepth},
    {"consistent", "Easy: held-out agreement at least",
     "Easy examples are also predicted as their label by at least this share of the models that never saw them.",
     &GroupThresholds::consistent},
    {"highDepth", "Late decision: depth at least",
     "A normalised depth at least this counts as a late decision. Ambiguous examples need a late "
     "validation-split depth; rare ones a late train-split depth (or a high memorisation score).",
     &GroupThresholds::highDepth},
    {"dominant", "Dominant class: share at least",
     "A class predicted by at least this share of the held-out models dominates. A dominant class other than "
     "the label can make an example mislabeled; ambiguous examples have no dominant class.",
     &GroupThresholds::dominant},
    {"mislabeledConfidence", "Mislabeled: label probability at most",
     "Mislabeled examples: the held-out models, on average, give the example's label at most this probability.",
     &GroupThresholds::mislabeledConfidence},
    {"split", "Ambiguous: runner-up share at least",
     "Ambiguous examples: the second most predicted class gets at least this share of the held-out models' votes.",
     &GroupThresholds::split},
    {"memorised", "Rare: accuracy when trained on at least",
     "Rare examples are predicted correctly by at least this share of the models that trained on them…",
     &GroupThresholds::memorised},
    {"heldOutWrong", "Rare: accuracy when held out below",
     "…and by fewer than this share of the models that held them out.", &GroupThresholds::heldOutWrong},
    {"memorisation", "Rare: memorisation at least",
     "A rare example needs a late train-split depth or a memorisation score (accuracy when trained on minus "
     "accuracy when held out) of at least this.",
     &GroupThresholds::memorisation},
}};

} // namespace

ThresholdsPanel::ThresholdsPanel(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    for (const ThresholdField &f : kFields) {
        auto *box = new QDoubleSpinBox(this);
        box->setObjectName(QLatin1String(f.name));
        box->setRange(0.0, 1.0);
        box->setSingleStep(0.05);
        box->setDecimals(2);
        box->setToolTip(tr(f.tip));
        connect(box, &QDoubleSpinBox::valueChanged, this, &ThresholdsPanel::apply);
        auto *label = new QLabel(tr(f.label), this);
        label->setToolTip(tr(f.tip));
        label->setBuddy(box);
        form->addRow(label, box);
        m_boxes.push_back(box);
    }
    layout->addLayout(form);
    auto *reset = new QPushButton(tr("Reset to defaults"), this);
    reset->setObjectName(QStringLiteral("reset"));
    connect(reset, &QPushButton::clicked, this, [this] {
        if (m_doc)
            m_doc->setThresholds(GroupThresholds{});
        showThresholds();
    });
    layout->addWidget(reset);

    m_counts = new QTableWidget(RunDocument::groupLabels().size(), 2, this);
    m_counts->setHorizontalHeaderLabels({tr("Examples"), tr("Plotted")});
    m_counts->setVerticalHeaderLabels(RunDocument::groupLabels());
    m_counts->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_counts->setSelectionMode(QAbstractItemView::NoSelection);
    m_counts->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_counts->setToolTip(tr("Examples in each group (train and test split), and how many have both "
                            "coordinates of the chart"));
    m_counts->setMaximumHeight(m_counts->verticalHeader()->length() + m_counts->horizontalHeader()->height() + 4);
    for (int g = 0; g < m_counts->rowCount(); ++g) {
        QPixmap swatch(12, 12);
        swatch.fill(groupColour(g));
        auto *header = new QTableWidgetItem(QIcon(swatch), RunDocument::groupLabels()[g]);
        m_counts->setVerticalHeaderItem(g, header);
    }
    layout->addWidget(m_counts);
    m_note = new QLabel(this);
    m_note->setWordWrap(true);
    layout->addWidget(m_note);
    layout->addStretch(1);
    setDocument(nullptr);
}

void ThresholdsPanel::setDocument(RunDocument *doc)
{
    if (m_doc)
        disconnect(m_doc, nullptr, this, nullptr);
    m_doc = doc;
    if (m_doc) {
        connect(m_doc, &RunDocument::groupsChanged, this, [this] {
            showThresholds();
            updateCounts();
        });
        connect(m_doc, &RunDocument::reloaded, this, &ThresholdsPanel::updateCounts);
    }
    const bool enabled = m_doc && m_doc->hasGroups();
    for (QDoubleSpinBox *box : m_boxes)
        box->setEnabled(enabled);
    findChild<QPushButton *>(QStringLiteral("reset"))->setEnabled(enabled);
    m_note->setText(!m_doc ? QString()
                    : enabled
                        ? tr("Rules are tried in order: mislabeled, ambiguous, rare, easy; the rest is other. "
                             "Depths are divided by the number of probes.")
                        : tr("Difficulty groups need a study (pdepth study): this is a single run."));
    showThresholds();
    updateCounts();
}

QDoubleSpinBox *ThresholdsPanel::spinBox(const QString &field) const
{
    for (QDoubleSpinBox *box : m_boxes)
        if (box->objectName() == field)
            return box;
    return nullptr;
}

std::vector<int> ThresholdsPanel::groupCounts() const
{
    return m_groupCounts;
}

void ThresholdsPanel::setPlottedCounts(const std::vector<int> &plotted)
{
    m_plotted = plotted;
    updateCounts();
}

void ThresholdsPanel::showThresholds()
{
    const GroupThresholds t = m_doc ? m_doc->thresholds() : GroupThresholds{};
    for (std::size_t i = 0; i < kFields.size(); ++i) {
        // Showing the document's values must not write them back.
        const QSignalBlocker block(m_boxes[i]);
        m_boxes[i]->setValue(t.*kFields[i].member);
    }
}

void ThresholdsPanel::apply()
{
    if (!m_doc || !m_doc->hasGroups())
        return;
    GroupThresholds t = m_doc->thresholds();
    for (std::size_t i = 0; i < kFields.size(); ++i)
        t.*kFields[i].member = m_boxes[i]->value();
    m_doc->setThresholds(t);
}

void ThresholdsPanel::updateCounts()
{
    m_groupCounts.assign(static_cast<std::size_t>(m_counts->rowCount()), 0);
    if (m_doc && m_doc->hasGroups())
        for (std::int8_t g : m_doc->groups())
            if (g >= 0 && g < m_counts->rowCount())
                ++m_groupCounts[static_cast<std::size_t>(g)];
    for (int g = 0; g < m_counts->rowCount(); ++g) {
        const auto i = static_cast<std::size_t>(g);
        const bool known = m_doc && m_doc->hasGroups();
        m_counts->setItem(g, 0, new QTableWidgetItem(known ? QString::number(m_groupCounts[i]) : QStringLiteral("–")));
        m_counts->setItem(g, 1, new QTableWidgetItem(known && i < m_plotted.size() ? QString::number(m_plotted[i])
                                                                                  : QStringLiteral("–")));
    }
}

} // namespace pds
