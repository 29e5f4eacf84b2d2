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

/// Labels in plain words; docs/difficulty.md defines each score.
const std::array<ThresholdField, 5> kFields = {{
    {"labelIssue", "Mislabeled / looks like another class: label-issue score at least",
     "The label-issue score is one minus the held-out models' belief in the label (mean of their vote share "
     "and probability), 0 to 1. Wrong labels score near 1, look-alikes just below; the group also needs one "
     "other class to hold the dominant share of the held-out votes.",
     &GroupThresholds::labelIssue},
    {"rarity", "Rare: rarity score at least",
     "The rarity score is how much better the models that trained on an example know its label than those "
     "that held it out, plus how late the train split decides, lowered when another class dominates (0 to 1).",
     &GroupThresholds::rarity},
    {"dominant", "Dominant other class: vote share at least",
     "A mislabeled example or look-alike has one other class predicted by at least this share of the held-out "
     "models; a rare example has none.",
     &GroupThresholds::dominant},
    {"ambiguity", "Ambiguous: ambiguity score at least",
     "The ambiguity score is how evenly the held-out models' mean probability spreads over the classes "
     "(normalised entropy), with a late validation-split depth adding to it (0 to 1).",
     &GroupThresholds::ambiguity},
    {"easiness", "Easy: easiness score at least",
     "The easiness score is the held-out belief in the label times one minus the later of the two "
     "normalised depths (0 to 1).",
     &GroupThresholds::easiness},
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
    QString note;
    if (enabled)
        note = tr("Rules are tried in order: mislabeled, rare, ambiguous, easy; the rest is other.")
               + (m_doc->scoresRecomputed() ? tr(" This file predates the stored scores: they were computed on "
                                                 "open from its models.")
                                            : QString());
    else if (m_doc)
        note = tr("Difficulty groups need a study (pdepth study): this is a single run.");
    m_note->setText(note);
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
