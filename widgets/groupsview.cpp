#include "groupsview.h"

#include "exampleselection.h"
#include "linechartview.h"
#include "rundocument.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <vtkAxis.h>
#include <vtkChartLegend.h>
#include <vtkChartXY.h>
#include <vtkContextMouseEvent.h>
#include <vtkContextPolygon.h>
#include <vtkContextScene.h>
#include <vtkContextView.h>
#include <vtkFloatArray.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkIdTypeArray.h>
#include <vtkPlotPoints.h>
#include <vtkStringArray.h>
#include <vtkTable.h>
#include <vtkTextProperty.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace pds {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

/// Runs without groups draw every point in one colour that is none of the groups'.
const QColor kUngrouped(31, 119, 180);

/// Deterministic value in [-1, 1) per example and axis (splitmix64), so the
/// jitter is the same in every session and in exported figures.
double unitJitter(std::int64_t example, int axis)
{
    std::uint64_t z = static_cast<std::uint64_t>(example) * 2u + static_cast<std::uint64_t>(axis) + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return static_cast<double>(z >> 11) / static_cast<double>(1ull << 53) * 2.0 - 1.0;
}

vtkSmartPointer<vtkTable> pointTable(const std::vector<float> &xs, const std::vector<float> &ys, const char *yName)
{
    auto table = vtkSmartPointer<vtkTable>::New();
    vtkNew<vtkFloatArray> x, y;
    x->SetName("x");
    y->SetName(yName);
    x->SetNumberOfTuples(static_cast<vtkIdType>(xs.size()));
    y->SetNumberOfTuples(static_cast<vtkIdType>(ys.size()));
    for (std::size_t i = 0; i < xs.size(); ++i) {
        x->SetValue(static_cast<vtkIdType>(i), xs[i]);
        y->SetValue(static_cast<vtkIdType>(i), ys[i]);
    }
    table->AddColumn(x);
    table->AddColumn(y);
    return table;
}

/// Data coordinates to the coordinates a plot selects in (VTK shifts and
/// scales plots whose range would lose float precision).
vtkVector2f toPlot(vtkPlot *plot, double x, double y)
{
    const vtkRectd ss = plot->GetShiftScale();
    return vtkVector2f(static_cast<float>((x + ss[0]) * ss[2]), static_cast<float>((y + ss[1]) * ss[3]));
}

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

GroupsChart::GroupsChart(ExampleSelection *selection, QWidget *parent)
    : VtkHost(parent), m_selection(selection), m_view(vtkSmartPointer<vtkContextView>::New()),
      m_chart(vtkSmartPointer<vtkChartXY>::New())
{
    setWindowTitle(tr("Difficulty groups"));
    m_view->SetRenderWindow(renderWindow());
    m_view->SetInteractor(interactor());
    m_view->GetScene()->AddItem(m_chart);
    m_chart->SetShowLegend(true);
    m_chart->GetLegend()->SetInline(false);
    m_chart->GetLegend()->SetHorizontalAlignment(vtkChartLegend::RIGHT);
    m_chart->GetLegend()->SetVerticalAlignment(vtkChartLegend::TOP);
    // Each group is its own plot with its own rows: select per plot, not by row number.
    m_chart->SetSelectionMethod(vtkChart::SELECTION_PLOTS);
    m_chart->GetTitleProperties()->SetFontSize(14);
    m_chart->AddObserver(vtkCommand::SelectionChangedEvent, this, &GroupsChart::onVtkSelection);
    m_chart->AddObserver(vtkCommand::InteractionEvent, this, &GroupsChart::onVtkSelection);
    setTool(Tool::Rectangle);
    if (m_selection)
        connect(m_selection, &ExampleSelection::selectionChanged, this, [this] { showSelection(); });
    rebuild();
}

GroupsChart::~GroupsChart()
{
    m_chart->RemoveObservers(vtkCommand::SelectionChangedEvent);
    m_chart->RemoveObservers(vtkCommand::InteractionEvent);
}

void GroupsChart::setDocument(RunDocument *doc)
{
    if (m_doc)
        disconnect(m_doc, nullptr, this, nullptr);
    m_doc = doc;
    if (m_doc) {
        connect(m_doc, &RunDocument::groupsChanged, this, &GroupsChart::rebuild);
        connect(m_doc, &RunDocument::reloaded, this, &GroupsChart::rebuild);
    }
    rebuild();
}

void GroupsChart::setAxes(Axes axes)
{
    if (axes == m_axes)
        return;
    m_axes = axes;
    rebuild();
}

void GroupsChart::setTool(Tool tool)
{
    m_tool = tool;
    // The left button draws the selection; with the rectangle a plain left click still picks a point
    // (the chart's click NOTIFY, reported as an InteractionEvent with the point).
    m_chart->SetActionToButton(tool == Tool::Rectangle ? vtkChart::SELECT_RECTANGLE : vtkChart::SELECT_POLYGON,
                               vtkContextMouseEvent::LEFT_BUTTON);
    m_chart->SetActionToButton(vtkChart::PAN, vtkContextMouseEvent::MIDDLE_BUTTON);
}

double GroupsChart::jitterWidth(int axis) const
{
    // Memorisation moves in steps of one over the number of models; a tenth of a probe's jitter keeps it readable.
    return axis == 1 && m_axes == Axes::Memorisation ? 0.02 : 0.2;
}

void GroupsChart::rebuild()
{
    m_chart->ClearPlots();
    m_groupPlots.clear();
    m_plotExamples.clear();
    m_highlight = nullptr;
    m_x.clear();
    m_y.clear();

    const bool memorisation = m_axes == Axes::Memorisation;
    const char *yName = memorisation ? "memorisation" : "depth_train";
    const QString yTitle = memorisation ? tr("Memorisation") : tr("Train-split prediction depth");
    m_chart->GetAxis(vtkAxis::BOTTOM)->SetTitle(tr("Validation-split prediction depth").toStdString());
    m_chart->GetAxis(vtkAxis::LEFT)->SetTitle(yTitle.toStdString());
    // Depths are whole probes (jittered around them); memorisation is a share.
    for (vtkAxis *axis : {m_chart->GetAxis(vtkAxis::BOTTOM), m_chart->GetAxis(vtkAxis::LEFT)}) {
        axis->SetNotation(vtkAxis::FIXED_NOTATION);
        axis->SetPrecision(axis == m_chart->GetAxis(vtkAxis::LEFT) && memorisation ? 1 : 0);
    }

    if (!m_doc) {
        m_title = tr("Difficulty groups: no run open");
        m_chart->SetTitle(m_title.toStdString());
        update();
        Q_EMIT plotted();
        return;
    }

    const bool grouped = m_doc->hasGroups();
    const QStringList names = RunDocument::groupLabels();
    const int groupCount = grouped ? names.size() : 1;
    const ScoreColumn *xc = m_doc->column(QStringLiteral("depth_val"));
    const ScoreColumn *yc = m_doc->column(QLatin1String(yName));
    const auto n = static_cast<std::size_t>(m_doc->size());
    m_x.assign(n, kNaN);
    m_y.assign(n, kNaN);
    m_plotExamples.assign(static_cast<std::size_t>(groupCount), {});
    std::vector<std::vector<float>> xs(m_plotExamples.size()), ys(m_plotExamples.size());
    const double jx = jitterWidth(0), jy = jitterWidth(1);
    for (std::size_t ex = 0; xc && yc && ex < n; ++ex) {
        const float x = xc->values[ex], y = yc->values[ex];
        if (!std::isfinite(x) || !std::isfinite(y))
            continue;
        const auto e = static_cast<std::int64_t>(ex);
        m_x[ex] = static_cast<float>(x + jx * unitJitter(e, 0));
        m_y[ex] = static_cast<float>(y + jy * unitJitter(e, 1));
        const std::size_t g = grouped ? static_cast<std::size_t>(m_doc->groups()[ex]) : 0;
        m_plotExamples[g].push_back(e);
        xs[g].push_back(m_x[ex]);
        ys[g].push_back(m_y[ex]);
    }

    int total = 0;
    for (std::size_t g = 0; g < m_plotExamples.size(); ++g) {
        const auto &examples = m_plotExamples[g];
        vtkNew<vtkStringArray> tips;
        for (std::int64_t e : examples) {
            const auto ex = static_cast<std::size_t>(e);
            tips->InsertNextValue(QStringLiteral("%1 · class %2 · %3 · %4 %5, %6 %7")
                                      .arg(m_doc->exampleName(e), m_doc->className(m_doc->labels()[ex]),
                                           grouped ? names[static_cast<int>(g)] : tr("no group"),
                                           tr("val. depth"), QString::number(xc->values[ex], 'g', 3),
                                           memorisation ? tr("memorisation") : tr("train depth"),
                                           QString::number(yc->values[ex], 'g', 3))
                                      .toStdString());
        }
        auto *plot = vtkPlotPoints::SafeDownCast(m_chart->AddPlot(vtkChart::POINTS));
        plot->SetInputData(pointTable(xs[g], ys[g], yName), 0, 1);
        const QColor c = grouped ? groupColour(static_cast<int>(g)) : kUngrouped;
        plot->SetColor(static_cast<unsigned char>(c.red()), static_cast<unsigned char>(c.green()),
                       static_cast<unsigned char>(c.blue()), 200);
        plot->SetMarkerStyle(vtkPlotPoints::CIRCLE);
        plot->SetMarkerSize(7);
        plot->SetLabel(QStringLiteral("%1 (%2)")
                           .arg(grouped ? names[static_cast<int>(g)] : tr("examples"))
                           .arg(examples.size())
                           .toStdString());
        plot->SetIndexedLabels(tips);
        plot->SetTooltipLabelFormat("%i");
        m_groupPlots.emplace_back(plot);
        total += static_cast<int>(examples.size());
    }

    // Last, so it is drawn over the groups; it only shows the selection, it never takes one.
    m_highlight = vtkPlotPoints::SafeDownCast(m_chart->AddPlot(vtkChart::POINTS));
    m_highlight->SetSelectable(false);
    m_highlight->SetMarkerStyle(vtkPlotPoints::CROSS);
    m_highlight->SetMarkerSize(13);
    m_highlight->SetWidth(2.5f);
    m_highlight->SetColor(0, 0, 0, 255);
    m_highlight->SetTooltipLabelFormat("%i");

    const QString missing = memorisation ? tr("the rest have no memorisation score")
                                         : tr("test examples have no train-split depth");
    m_title = grouped ? tr("Difficulty groups\n%1 of %2 examples plotted (%3)").arg(total).arg(n).arg(missing)
                      : tr("Difficulty groups need a study (pdepth study)\n%1 of %2 examples have both coordinates")
                            .arg(total)
                            .arg(n);
    m_chart->SetTitle(m_title.toStdString());
    showSelection();
    m_chart->RecalculateBounds();
    Q_EMIT plotted();
}

void GroupsChart::showSelection()
{
    m_highlighted.clear();
    if (!m_highlight)
        return;
    for (std::size_t g = 0; g < m_groupPlots.size(); ++g) {
        vtkNew<vtkIdTypeArray> ids;
        const auto &examples = m_plotExamples[g];
        for (std::size_t row = 0; m_selection && row < examples.size(); ++row)
            if (m_selection->contains(examples[row])) {
                ids->InsertNextValue(static_cast<vtkIdType>(row));
                m_highlighted.push_back(examples[row]);
            }
        m_groupPlots[g]->SetSelection(ids);
    }
    std::sort(m_highlighted.begin(), m_highlighted.end());
    std::vector<float> xs, ys;
    vtkNew<vtkStringArray> tips;
    for (std::int64_t e : m_highlighted) {
        xs.push_back(m_x[static_cast<std::size_t>(e)]);
        ys.push_back(m_y[static_cast<std::size_t>(e)]);
        tips->InsertNextValue((m_doc->exampleName(e) + tr(" (selected)")).toStdString());
    }
    m_highlight->SetInputData(pointTable(xs, ys, "y"), 0, 1);
    m_highlight->SetIndexedLabels(tips);
    m_highlight->SetLabel(tr("selected (%1)").arg(m_highlighted.size()).toStdString());
    m_highlight->SetLegendVisibility(!m_highlighted.empty());
    update();
}

void GroupsChart::collectSelection()
{
    std::vector<std::int64_t> picked;
    for (std::size_t g = 0; g < m_groupPlots.size(); ++g) {
        vtkIdTypeArray *ids = m_groupPlots[g]->GetSelection();
        const auto &examples = m_plotExamples[g];
        for (vtkIdType i = 0; ids && i < ids->GetNumberOfTuples(); ++i) {
            const vtkIdType row = ids->GetValue(i);
            if (row >= 0 && static_cast<std::size_t>(row) < examples.size())
                picked.push_back(examples[static_cast<std::size_t>(row)]);
        }
    }
    if (!m_selection)
        return;
    if (picked.empty())
        m_selection->clear(this);
    else
        m_selection->setExamples(picked, tr("%1 examples in the groups view").arg(picked.size()), this, /*filter=*/true);
    showSelection();
}

void GroupsChart::onVtkSelection(vtkObject *, unsigned long event, void *callData)
{
    if (!callData) {
        // Panning and zooming also report InteractionEvent, without data.
        if (event == vtkCommand::SelectionChangedEvent)
            collectSelection();
        return;
    }
    // A click on one point: the chart reports the plot by its label and the row.
    const auto *hit = static_cast<const vtkChartPlotData *>(callData);
    for (std::size_t g = 0; g < m_groupPlots.size(); ++g) {
        if (m_groupPlots[g]->GetLabel() != hit->SeriesName)
            continue;
        const auto &examples = m_plotExamples[g];
        if (hit->Index >= 0 && static_cast<std::size_t>(hit->Index) < examples.size() && m_selection && m_doc) {
            const std::int64_t e = examples[static_cast<std::size_t>(hit->Index)];
            m_selection->setExamples({e}, m_doc->exampleName(e), this, /*filter=*/false);
        }
        break;
    }
    showSelection();
}

void GroupsChart::selectRect(double x0, double y0, double x1, double y1)
{
    m_chart->Update();
    for (const auto &plot : m_groupPlots) {
        vtkNew<vtkIdTypeArray> none;
        plot->SetSelection(none);
        plot->SelectPoints(toPlot(plot, std::min(x0, x1), std::min(y0, y1)),
                           toPlot(plot, std::max(x0, x1), std::max(y0, y1)));
    }
    collectSelection();
}

void GroupsChart::selectPolygon(const std::vector<QPointF> &dataPoints)
{
    m_chart->Update();
    for (const auto &plot : m_groupPlots) {
        vtkContextPolygon polygon;
        for (const QPointF &p : dataPoints)
            polygon.AddPoint(toPlot(plot, p.x(), p.y()));
        vtkNew<vtkIdTypeArray> none;
        plot->SetSelection(none);
        plot->SelectPointsInPolygon(polygon);
    }
    collectSelection();
}

int GroupsChart::plottedCount(int group) const
{
    if (group < 0 || static_cast<std::size_t>(group) >= m_groupPlots.size())
        return 0;
    vtkTable *table = m_groupPlots[static_cast<std::size_t>(group)]->GetInput();
    return table ? static_cast<int>(table->GetNumberOfRows()) : 0;
}

int GroupsChart::plottedTotal() const
{
    int total = 0;
    for (std::size_t g = 0; g < m_groupPlots.size(); ++g)
        total += plottedCount(static_cast<int>(g));
    return total;
}

std::vector<std::int64_t> GroupsChart::highlighted() const
{
    return m_highlighted;
}

QPointF GroupsChart::position(std::int64_t example) const
{
    if (example < 0 || static_cast<std::size_t>(example) >= m_x.size())
        return {kNaN, kNaN};
    return {m_x[static_cast<std::size_t>(example)], m_y[static_cast<std::size_t>(example)]};
}

vtkChartXY *GroupsChart::chartXY() const
{
    return m_chart;
}

QString GroupsChart::title() const
{
    return m_title;
}

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

GroupsView::GroupsView(ExampleSelection *selection, QWidget *parent) : QWidget(parent)
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

    auto *controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Axes:"), this));
    controls->addWidget(m_axesBox);
    controls->addSpacing(12);
    controls->addWidget(new QLabel(tr("Select:"), this));
    controls->addWidget(m_rectButton);
    controls->addWidget(m_lassoButton);
    auto *hint = new QLabel(tr("Left drag selects (it filters the gallery), a click picks one example, "
                               "wheel zooms, middle drag pans"),
                            this);
    hint->setStyleSheet(QStringLiteral("color: palette(mid)"));
    hint->setWordWrap(true); // a long hint must not widen the dock
    controls->addWidget(hint, 1);

    auto *scroll = new QScrollArea(this);
    scroll->setWidget(m_panel);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(m_chart);
    splitter->addWidget(scroll);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(splitter, 1);

    connect(m_chart, &GroupsChart::plotted, this, [this] {
        std::vector<int> plotted;
        for (int g = 0; g < RunDocument::groupLabels().size(); ++g)
            plotted.push_back(m_chart->plottedCount(g));
        m_panel->setPlottedCounts(plotted);
    });
}

void GroupsView::setDocument(RunDocument *doc)
{
    m_panel->setDocument(doc);
    m_chart->setDocument(doc);
}

} // namespace pds
