#include "views/groupsview.h"

#include "charts/groupschart.h"
#include "models/exampleselection.h"
#include "models/rundocument.h"
#include "views/stateoverlay.h"
#include "views/thresholdspanel.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QScrollArea>
#include <QScrollBar>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace pds {

GroupsView::GroupsView(ExampleSelection *selection, QWidget *parent) : QWidget(parent), m_selection(selection)
{
    setWindowTitle(tr("Difficulty groups"));
    m_chart = new GroupsChart(selection, this);
    m_panel = new ThresholdsPanel(this);

    m_axesBox = new QComboBox(this);
    m_axesBox->addItem(tr("Train-split depth vs validation-split depth"));
    m_axesBox->addItem(tr("Memorisation vs validation-split depth"));
    m_axesBox->setToolTip(tr("What the vertical axis shows; the horizontal axis is always the validation-split "
                             "depth. Points are jittered by a fixed pseudo-random amount per example (up to "
                             "±0.2 probe on depth axes, ±0.02 on memorisation) so equal values do not hide "
                             "each other; the hover text gives the exact values."));
    connect(m_axesBox, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_chart->setAxes(index == 1 ? GroupsChart::Axes::Memorisation : GroupsChart::Axes::TrainDepth);
        updateState();
    });

    m_rectButton = new QToolButton(this);
    m_rectButton->setText(tr("Rectangle"));
    m_rectButton->setToolTip(tr("Drag a rectangle to select examples"));
    m_lassoButton = new QToolButton(this);
    m_lassoButton->setText(tr("Lasso"));
    m_lassoButton->setToolTip(tr("Draw a free-hand outline to select the examples inside it"));
    auto *tools = new QButtonGroup(this);
    for (QToolButton *b : {m_rectButton, m_lassoButton}) {
        b->setCheckable(true);
        b->setAutoRaise(true);
        tools->addButton(b);
    }
    m_rectButton->setChecked(true);
    connect(m_lassoButton, &QToolButton::toggled, this, [this](bool lasso) {
        m_chart->setTool(lasso ? GroupsChart::Tool::Lasso : GroupsChart::Tool::Rectangle);
    });

    // The thresholds are a side panel the user opens: shown, it scrolls rather than squeezing the chart.
    auto *panelButton = new QToolButton(this);
    panelButton->setObjectName(QStringLiteral("thresholdsToggle"));
    panelButton->setText(tr("Thresholds"));
    panelButton->setToolTip(tr("Show or hide the group thresholds and counts"));
    panelButton->setCheckable(true);
    panelButton->setAutoRaise(true);

    auto *controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Axes:"), this));
    controls->addWidget(m_axesBox, 1);
    controls->addWidget(panelButton);
    auto *toolRow = new QHBoxLayout;
    toolRow->addWidget(new QLabel(tr("Select:"), this));
    toolRow->addWidget(m_rectButton);
    toolRow->addWidget(m_lassoButton);
    toolRow->addStretch(1);
    // The combo box shrinks to the dock's width (its list shows in full) instead of widening the dock.
    m_axesBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_axesBox->setMinimumContentsLength(8);
    auto *hint = new QLabel(tr("Left drag selects (it filters the gallery), a click picks one example, "
                               "wheel zooms, middle drag pans"),
                            this);
    hint->setStyleSheet(QStringLiteral("color: palette(mid)"));
    hint->setWordWrap(true); // a long hint must not widen the dock: it wraps across the full width

    auto *scroll = new QScrollArea(this);
    scroll->setWidget(m_panel);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setVisible(false);
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(m_chart);
    splitter->addWidget(scroll);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(true);
    connect(panelButton, &QToolButton::toggled, this, [splitter, scroll, this](bool shown) {
        scroll->setVisible(shown);
        if (!shown)
            return;
        // The panel gets the width it asks for when the chart keeps at least half; otherwise it scrolls.
        const int total = splitter->width();
        const int wanted = m_panel->sizeHint().width() + scroll->verticalScrollBar()->sizeHint().width();
        const int panelWidth = std::min(wanted, total / 2);
        splitter->setSizes({total - panelWidth, panelWidth});
    });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addLayout(toolRow);
    layout->addWidget(hint);
    layout->addWidget(splitter, 1);

    connect(m_chart, &GroupsChart::plotted, this, [this] {
        std::vector<int> plotted;
        for (int g = 0; g < RunDocument::groupLabels().size(); ++g)
            plotted.push_back(m_chart->plottedCount(g));
        m_panel->setPlottedCounts(plotted);
    });
    m_noDepth = new StateOverlay(m_chart);
    m_banner = new StateOverlay(m_chart, StateOverlay::Placement::Banner);
    connect(selection, &ExampleSelection::currentChanged, this, &GroupsView::updateState);
}

QString GroupsView::stateMessage() const
{
    return !m_noDepth->message().isEmpty() ? m_noDepth->message() : m_banner->message();
}

void GroupsView::updateState()
{
    m_noDepth->setMessage(StateOverlay::noDepthMessage(m_doc));
    const std::int64_t current = m_selection ? m_selection->current() : -1;
    const bool trainAxes = m_axesBox->currentIndex() == 0;
    const bool testExample = m_doc && current >= m_doc->trainSize() && current < m_doc->size();
    m_banner->setMessage(trainAxes && testExample && m_noDepth->message().isEmpty()
                             ? tr("%1 is a test example: it has no train-split depth (no model trained on it), so "
                                  "this chart of train-split against validation-split depth cannot place it. The "
                                  "trajectory and the histogram's validation split show it.")
                                   .arg(m_doc->exampleName(current))
                             : QString());
}

void GroupsView::setDocument(RunDocument *doc)
{
    if (m_doc)
        disconnect(m_doc, &RunDocument::reloaded, this, nullptr);
    m_doc = doc;
    if (m_doc)
        connect(m_doc, &RunDocument::reloaded, this, &GroupsView::updateState);
    m_panel->setDocument(doc);
    m_chart->setDocument(doc);
    updateState();
}

} // namespace pds
