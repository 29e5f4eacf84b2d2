#include "charts/groupschart.h"

#include "charts/chartstyle.h"
#include "charts/figureinspect.h"
#include "charts/palette.h"
#include "models/exampleselection.h"
#include "models/rundocument.h"

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
#include <cmath>
#include <limits>

namespace pds {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

/// Runs without groups draw every point in one colour that is none of the groups'.
const QColor kUngrouped(0x44, 0x77, 0xAA);

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

} // namespace

GroupsChart::GroupsChart(ExampleSelection *selection, QWidget *parent)
    : VtkHost(parent), m_selection(selection), m_view(vtkSmartPointer<vtkContextView>::New()),
      m_chart(vtkSmartPointer<vtkChartXY>::New()), m_titleItem(vtkSmartPointer<FigureTitleItem>::New())
{
    setWindowTitle(tr("Difficulty groups"));
    m_view->SetRenderWindow(renderWindow());
    m_view->SetInteractor(interactor());
    m_view->GetScene()->AddItem(m_titleItem);
    m_view->GetScene()->AddItem(m_chart);
    m_titleItem->setCharts({m_chart});
    m_chart->SetLayoutStrategy(vtkChart::FILL_RECT);
    styleChart(m_chart);
    m_chart->SetShowLegend(true);
    // Each group is its own plot with its own rows: select per plot, not by row number.
    m_chart->SetSelectionMethod(vtkChart::SELECTION_PLOTS);
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
    const QString yTitle = memorisation ? tr("Memorisation") : tr("Train-split depth");
    m_xTitle = tr("Validation-split depth"); // short enough for a single-column figure
    m_yTitle = yTitle;
    m_chart->GetAxis(vtkAxis::BOTTOM)->SetTitle(m_xTitle.toStdString());
    m_chart->GetAxis(vtkAxis::LEFT)->SetTitle(m_yTitle.toStdString());
    if (!m_doc) {
        m_title = tr("Difficulty groups: no run open");
        m_titleItem->setTitle(m_title);
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
    const QString heading = grouped ? tr("Difficulty groups") : tr("Difficulty groups need a study (pdepth study)");
    const QString sub = grouped ? tr("%1 of %2 examples plotted (%3)").arg(total).arg(n).arg(missing)
                                : tr("%1 of %2 examples have both coordinates").arg(total).arg(n);
    m_title = heading + QLatin1Char('\n') + sub;
    m_titleItem->setTitle(heading, sub);
    showSelection();
    fitAxes(xs, ys, memorisation);
    Q_EMIT plotted();
}

void GroupsChart::fitAxes(const std::vector<std::vector<float>> &xs, const std::vector<std::vector<float>> &ys,
                          bool memorisation)
{
    float x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (std::size_t g = 0; g < xs.size(); ++g)
        for (std::size_t i = 0; i < xs[g].size(); ++i) {
            x0 = std::min(x0, xs[g][i]);
            x1 = std::max(x1, xs[g][i]);
            y0 = std::min(y0, ys[g][i]);
            y1 = std::max(y1, ys[g][i]);
        }
    if (x0 > x1) {
        // Nothing plotted: the axes span the probes so the figure still reads.
        x0 = y0 = 0;
        x1 = y1 = std::max(1, m_doc ? m_doc->probeCount() : 1);
        if (memorisation)
            y1 = 1;
    }
    vtkAxis *x = m_chart->GetAxis(vtkAxis::BOTTOM), *y = m_chart->GetAxis(vtkAxis::LEFT);
    fitAxis(x, x0, x1);
    fitAxis(y, y0, y1);
    // Depths are whole probes (jittered around them), named as the probes are.
    QStringList probes = m_doc ? m_doc->probeNames() : QStringList();
    probes << tr("never");
    setNamedTicks(x, probes);
    if (memorisation)
        setNiceTicks(y);
    else
        setNamedTicks(y, probes);
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

bool GroupsChart::settleLayout()
{
    const bool changed = settleChart(m_chart, m_xTitle, m_yTitle, renderDpi());
    setToolTip(m_titleItem->elided() ? figureTitle() : QString());
    return changed;
}

FigureGeometry GroupsChart::figureGeometry()
{
    return inspectFigure(m_view->GetScene(), {m_chart}, renderDpi());
}

} // namespace pds
