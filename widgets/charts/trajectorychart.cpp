// One class for the three panels, which share the example list, the layout
// (side by side or stacked) and the accessors the tests read: about 600 lines.
#include "charts/trajectorychart.h"

#include "charts/chartstyle.h"
#include "charts/figureinspect.h"
#include "charts/palette.h"
#include "models/exampleselection.h"
#include "models/rundocument.h"
#include "views/stateoverlay.h"

#include <vtkAxis.h>
#include <vtkChartLegend.h>
#include <vtkChartXY.h>
#include <vtkContext2D.h>
#include <vtkContextScene.h>
#include <vtkContextView.h>
#include <vtkDoubleArray.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkPen.h>
#include <vtkPlotLine.h>
#include <vtkPlotPoints.h>
#include <vtkStringArray.h>
#include <vtkTable.h>
#include <vtkTextProperty.h>

#include <algorithm>
#include <cmath>
#include <exception>

namespace pds {
namespace {

// Trained on / held out are the two sides of a comparison, as in the depth histogram.
const QColor kTrained = seriesColour(0);
const QColor kHeldOut = seriesColour(1);
const QColor kForgetting(0xD5, 0x5E, 0x00);
/// Further selected examples, in order after the current one (Tol muted, away from the two above).
const std::array<QColor, 4> kOverlay = {QColor(0x11, 0x77, 0x33), QColor(0xAA, 0x44, 0x99), QColor(0x99, 0x99, 0x33),
                                        QColor(0x88, 0xCC, 0xEE)};

/// An axis over integer positions 0..n-1 named by `labels`, showing [lo, hi].
void setTicks(vtkAxis *axis, const QStringList &labels, double lo, double hi, const QString &title)
{
    vtkNew<vtkDoubleArray> positions;
    vtkNew<vtkStringArray> names;
    for (int i = 0; i < labels.size(); ++i) {
        positions->InsertNextValue(i);
        names->InsertNextValue(labels[i].toStdString());
    }
    axis->SetCustomTickPositions(positions, names);
    axis->SetBehavior(vtkAxis::FIXED);
    axis->SetRange(lo, hi);
    axis->SetTitle(title.toStdString());
}

QString number(double v)
{
    return std::isfinite(v) ? QString::number(v, 'f', 2) : QStringLiteral("–");
}

} // namespace

TrajectoryChart::TrajectoryChart(ExampleSelection *selection, QWidget *parent)
    : VtkHost(parent), m_selection(selection), m_view(vtkSmartPointer<vtkContextView>::New())
{
    setWindowTitle(tr("Trajectory"));
    m_view->SetRenderWindow(renderWindow());
    m_view->SetInteractor(interactor());
    for (int i = 0; i < 3; ++i) {
        m_charts[static_cast<std::size_t>(i)] = vtkSmartPointer<vtkChartXY>::New();
        vtkChartXY *chart = m_charts[static_cast<std::size_t>(i)];
        m_view->GetScene()->AddItem(chart);
        // prepareFrame() gives each chart its cell; the chart fits its tick labels and legend inside it.
        chart->SetLayoutStrategy(vtkChart::FILL_RECT);
        styleChart(chart);
        chart->GetTitleProperties()->SetFontSize(FigureFonts::axisTitle); // three titles side by side
        chart->SetShowLegend(true);
    }
    if (m_selection) {
        connect(m_selection, &ExampleSelection::currentChanged, this, &TrajectoryChart::rebuild);
        connect(m_selection, &ExampleSelection::selectionChanged, this, &TrajectoryChart::rebuild);
    }
    rebuild();
}

TrajectoryChart::~TrajectoryChart() = default;

void TrajectoryChart::setDocument(RunDocument *doc)
{
    if (m_doc)
        disconnect(m_doc, nullptr, this, nullptr);
    m_doc = doc;
    if (m_doc)
        connect(m_doc, &RunDocument::reloaded, this, &TrajectoryChart::rebuild);
    rebuild();
}

QString TrajectoryChart::emptyMessage() const
{
    return m_empty ? m_empty->message() : QString();
}

vtkChartXY *TrajectoryChart::chart(Panel panel) const
{
    return m_charts[static_cast<std::size_t>(panel)];
}

vtkPlot *TrajectoryChart::addPlot(Panel panel, int type, const std::vector<float> &xs, const std::vector<float> &ys,
                                 const std::vector<std::string> &tips)
{
    vtkPlot *plot = chart(panel)->AddPlot(type);
    plot->SetInputData(xyTable(xs, ys), 0, 1);
    if (!tips.empty()) {
        vtkNew<vtkStringArray> labels;
        for (const std::string &t : tips)
            labels->InsertNextValue(t);
        plot->SetIndexedLabels(labels);
        plot->SetTooltipLabelFormat("%i");
    }
    return plot;
}

void TrajectoryChart::clearPanels(const QString &message)
{
    for (auto &c : m_charts) {
        c->ClearPlots();
        c->SetTitle("");
    }
    m_panelTitles.fill(QString());
    m_classPlots.clear();
    m_classOfPlot.clear();
    m_disagree = m_depthLines = m_forgetting = nullptr;
    m_epochLines = 0;
    m_forgettingPerModel.clear();
    setPanelTitle(Probes, message);
    for (int p = 0; p < 3; ++p)
        for (int position : {vtkAxis::BOTTOM, vtkAxis::LEFT})
            chart(static_cast<Panel>(p))->GetAxis(position)->SetTitle(axisTitle(static_cast<Panel>(p), position).toStdString());
}

void TrajectoryChart::rebuild()
{
    m_examples.clear();
    if (m_doc && m_selection) {
        const auto valid = [this](std::int64_t e) { return e >= 0 && e < m_doc->size(); };
        std::int64_t current = m_selection->current();
        if (!valid(current))
            current = m_selection->isEmpty() ? -1 : m_selection->examples().front();
        if (valid(current)) {
            m_examples.push_back(current);
            for (std::int64_t e : m_selection->examples())
                if (e != current && valid(e) && static_cast<int>(m_examples.size()) < maxExamples)
                    m_examples.push_back(e);
        }
    }
    clearPanels(!m_doc ? tr("No run open")
                       : m_examples.empty() ? tr("Click an example in any view to see its trajectory")
                                            : QString());
    if (!m_empty)
        m_empty = new StateOverlay(this);
    m_empty->setMessage(!m_doc ? tr("Open a run to see the trajectory of its examples.")
                        : m_examples.empty()
                            ? StateOverlay::selectExampleMessage(
                                  tr("its trajectory: the k-NN prediction at every probe, the probability of its "
                                     "label over the epochs and its depth under every model"))
                            : QString());
    if (!m_examples.empty()) {
        try {
            drawProbes(m_examples.front());
            drawEpochs();
            drawModels();
        } catch (const std::exception &e) {
            // A damaged or half-written file: say so in the figure rather than end the Studio.
            clearPanels(tr("Cannot read the trajectory: %1").arg(QString::fromUtf8(e.what())));
        }
    }
    update();
}

void TrajectoryChart::drawProbes(std::int64_t ex)
{
    const int models = m_doc->modelCount(), probes = m_doc->probeCount();
    std::vector<std::vector<float>> xs(static_cast<std::size_t>(m_doc->numClasses() + 1)), ys(xs.size());
    std::vector<std::vector<std::string>> tips(xs.size());
    std::vector<float> disX, disY, segX, segY;
    QStringList modelNames, probeNames = m_doc->probeNames();
    for (int m = 0; m < models; ++m) {
        modelNames << (m_doc->trainedOn(m, ex) ? tr("%1 in") : tr("%1 out")).arg(modelLabel(m));
        const std::vector<std::int32_t> preds = m_doc->knnPredictions(m, ex);
        const int final = m_doc->finalPrediction(m, ex);
        for (std::size_t l = 0; l < preds.size(); ++l) {
            // Predictions outside the class list share the last slot rather than being dropped.
            const std::size_t slot = preds[l] >= 0 && preds[l] < m_doc->numClasses() ? static_cast<std::size_t>(preds[l])
                                                                                    : xs.size() - 1;
            xs[slot].push_back(static_cast<float>(l));
            ys[slot].push_back(static_cast<float>(m));
            tips[slot].push_back(tr("%1, probe %2: k-NN predicts %3 (final prediction %4)")
                                     .arg(modelLabel(m))
                                     .arg(static_cast<int>(l) < probeNames.size() ? probeNames[static_cast<int>(l)]
                                                                                  : QString::number(l))
                                     .arg(m_doc->className(preds[l]), m_doc->className(final))
                                     .toStdString());
            if (final >= 0 && preds[l] != final) {
                disX.push_back(static_cast<float>(l));
                disY.push_back(static_cast<float>(m));
            }
        }
        const int d = m_doc->depth(m, ex);
        if (!preds.empty() && d >= 0) {
            // Depth d: the probes from d on all agree with the final prediction, so the line sits just before probe d.
            segX.insert(segX.end(), {d - 0.5f, d - 0.5f});
            segY.insert(segY.end(), {m - 0.42f, m + 0.42f});
        }
    }
    for (std::size_t c = 0; c < xs.size(); ++c) {
        if (xs[c].empty())
            continue;
        auto *plot = vtkPlotPoints::SafeDownCast(addPlot(Probes, vtkChart::POINTS, xs[c], ys[c], tips[c]));
        setPlotColour(plot, classColour(static_cast<int>(c)));
        plot->SetMarkerStyle(vtkPlotPoints::CIRCLE);
        plot->SetMarkerSize(14);
        plot->SetLabel(m_doc->className(static_cast<int>(c)).toStdString());
        m_classPlots.push_back(plot);
        m_classOfPlot.push_back(static_cast<int>(c));
    }
    auto *dis = vtkPlotPoints::SafeDownCast(addPlot(Probes, vtkChart::POINTS, disX, disY));
    dis->SetMarkerStyle(vtkPlotPoints::CROSS);
    dis->SetMarkerSize(12);
    dis->SetWidth(2.f);
    setPlotColour(dis, Qt::black);
    dis->SetLabel(tr("≠ final").toStdString());
    dis->SetLegendVisibility(!disX.empty());
    m_disagree = dis;
    auto *lines = vtkPlotLine::SafeDownCast(addPlot(Probes, vtkChart::LINE, segX, segY));
    lines->SetPolyLine(false); // pairs of points: one vertical segment per model
    lines->SetWidth(3.f);
    setPlotColour(lines, Qt::black);
    lines->SetLabel(tr("depth").toStdString());
    m_depthLines = lines;

    setTicks(chart(Probes)->GetAxis(vtkAxis::BOTTOM), probeNames, -0.6, probes - 0.4, tr("Probe"));
    // Probe names crowding one another are turned upright when laid out (settleLayout).
    setTicks(chart(Probes)->GetAxis(vtkAxis::LEFT), modelNames, -0.6, models - 0.4, tr("Model"));
    const ScoreColumn *dt = m_doc->column(QStringLiteral("depth_train"));
    const ScoreColumn *dv = m_doc->column(QStringLiteral("depth_val"));
    const auto e = static_cast<std::size_t>(ex);
    if (probes == 0) {
        setPanelTitle(Probes, tr("Across probes: %1\nthis run stored no probes (train with --probe)")
                                  .arg(m_doc->exampleName(ex)));
        return;
    }
    setPanelTitle(Probes, tr("Across probes: %1, label %2\neffective depth %3 (train split), %4 (validation split)")
                              .arg(m_doc->exampleName(ex), m_doc->className(m_doc->labels()[e]))
                              .arg(number(dt ? dt->values[e] : NAN), number(dv ? dv->values[e] : NAN)));
}

void TrajectoryChart::drawEpochs()
{
    const int models = m_doc->modelCount();
    std::vector<float> okX, okY, forgotX, forgotY;
    int lastEpoch = 1;
    bool legendTrained = false, legendHeldOut = false;
    for (std::size_t k = 0; k < m_examples.size(); ++k) {
        const std::int64_t ex = m_examples[k];
        const int label = m_doc->labels()[static_cast<std::size_t>(ex)];
        const QString name = m_doc->exampleName(ex);
        bool legendOverlay = false;
        for (int m = 0; m < models; ++m) {
            const RunDocument::EpochTrace trace = m_doc->epochTrace(m, ex);
            if (k == 0)
                m_forgettingPerModel.push_back(0);
            if (trace.probGiven.empty())
                continue;
            const bool trained = m_doc->trainedOn(m, ex);
            std::vector<float> xs, ys;
            std::vector<std::string> tips;
            int previous = -1; // the last recorded prediction
            for (std::size_t e = 0; e < trace.probGiven.size(); ++e) {
                const float epoch = static_cast<float>(e + 1), p = trace.probGiven[e];
                const int pred = e < trace.pred.size() ? trace.pred[e] : -1;
                // A held-out example is not recorded at epochs without a held-out evaluation.
                if (pred < 0 || !std::isfinite(p))
                    continue;
                const bool forgot = previous == label && pred != label;
                previous = pred;
                xs.push_back(epoch);
                ys.push_back(p);
                tips.push_back(tr("%1, %2 (%3), epoch %4: p(label) = %5, predicts %6")
                                   .arg(name, modelLabel(m))
                                   .arg(trained ? tr("trained on it") : tr("held out"))
                                   .arg(e + 1)
                                   .arg(QString::number(p, 'f', 3), m_doc->className(pred))
                                   .toStdString());
                if (k != 0)
                    continue;
                if (pred == label) {
                    okX.push_back(epoch);
                    okY.push_back(p);
                } else if (forgot) {
                    forgotX.push_back(epoch);
                    forgotY.push_back(p);
                    ++m_forgettingPerModel.back();
                }
            }
            lastEpoch = std::max(lastEpoch, static_cast<int>(trace.probGiven.size()));
            vtkPlot *line = addPlot(Epochs, vtkChart::LINE, xs, ys, tips);
            line->GetPen()->SetLineType(trained ? vtkPen::SOLID_LINE : vtkPen::DASH_LINE);
            ++m_epochLines;
            if (k == 0) {
                setPlotColour(line, trained ? kTrained : kHeldOut);
                line->SetWidth(2.f);
                // The panel's title names the example: the legend says only which models.
                line->SetLabel((trained ? tr("trained on it") : tr("held out")).toStdString());
                bool &shown = trained ? legendTrained : legendHeldOut;
                line->SetLegendVisibility(!shown);
                shown = true;
            } else {
                setPlotColour(line, kOverlay[(k - 1) % kOverlay.size()], 190);
                line->SetWidth(1.2f);
                line->SetLabel(elideChars(name, 14).toStdString());
                line->SetLegendVisibility(!legendOverlay);
                legendOverlay = true;
            }
        }
    }
    auto *ok = vtkPlotPoints::SafeDownCast(addPlot(Epochs, vtkChart::POINTS, okX, okY));
    ok->SetMarkerStyle(vtkPlotPoints::CIRCLE);
    ok->SetMarkerSize(6);
    setPlotColour(ok, Qt::black);
    ok->SetLabel(tr("correct").toStdString());
    ok->SetLegendVisibility(!okX.empty());
    auto *forgot = vtkPlotPoints::SafeDownCast(addPlot(Epochs, vtkChart::POINTS, forgotX, forgotY));
    forgot->SetMarkerStyle(vtkPlotPoints::DIAMOND);
    forgot->SetMarkerSize(13);
    setPlotColour(forgot, kForgetting);
    forgot->SetLabel(tr("forgetting event").toStdString());
    forgot->SetLegendVisibility(!forgotX.empty());
    m_forgetting = forgot;

    // Both axes fit the drawn curves; epochs are whole numbers.
    const DataExtent extent = dataExtent(chart(Epochs));
    vtkAxis *x = chart(Epochs)->GetAxis(vtkAxis::BOTTOM);
    fitAxis(x, 1, lastEpoch);
    setNiceTicks(x, 6, true);
    x->SetTitle(tr("Epoch").toStdString());
    vtkAxis *y = chart(Epochs)->GetAxis(vtkAxis::LEFT);
    fitAxis(y, extent.valid ? extent.y0 : 0.0, extent.valid ? extent.y1 : 1.0);
    setNiceTicks(y);
    y->SetTitle(tr("Probability of the given label").toStdString());
    setPanelTitle(Epochs, tr("Across epochs: %1 forgetting events\nsolid: trained on it, dashed: held out")
                              .arg(forgotX.size()));
}

void TrajectoryChart::drawModels()
{
    const int models = m_doc->modelCount(), probes = m_doc->probeCount();
    QString summary;
    for (std::size_t k = 0; k < m_examples.size(); ++k) {
        const std::int64_t ex = m_examples[k];
        std::array<std::vector<float>, 2> xs, ys; // trained on, held out
        std::array<std::vector<std::string>, 2> tips;
        for (int m = 0; m < models; ++m) {
            const int d = m_doc->depth(m, ex);
            if (d < 0)
                continue;
            const std::size_t kind = m_doc->trainedOn(m, ex) ? 0 : 1;
            // Overlaid examples sit a little to the right so equal depths stay visible.
            xs[kind].push_back(static_cast<float>(m) + 0.12f * static_cast<float>(k));
            ys[kind].push_back(static_cast<float>(d));
            tips[kind].push_back(tr("%1, %2 (%3): depth %4")
                                     .arg(m_doc->exampleName(ex), modelLabel(m))
                                     .arg(kind == 0 ? tr("trained on it") : tr("held out"))
                                     .arg(d)
                                     .toStdString());
        }
        if (k != 0) {
            std::vector<float> ox = xs[0], oy = ys[0];
            std::vector<std::string> ot = tips[0];
            ox.insert(ox.end(), xs[1].begin(), xs[1].end());
            oy.insert(oy.end(), ys[1].begin(), ys[1].end());
            ot.insert(ot.end(), tips[1].begin(), tips[1].end());
            auto *plot = vtkPlotPoints::SafeDownCast(addPlot(Models, vtkChart::POINTS, ox, oy, ot));
            plot->SetMarkerStyle(vtkPlotPoints::PLUS);
            plot->SetMarkerSize(11);
            plot->SetWidth(2.f);
            setPlotColour(plot, kOverlay[(k - 1) % kOverlay.size()]);
            plot->SetLabel(elideChars(m_doc->exampleName(ex), 14).toStdString());
            continue;
        }
        for (std::size_t kind = 0; kind < 2; ++kind) {
            const QColor colour = kind == 0 ? kTrained : kHeldOut;
            const QString what = kind == 0 ? tr("trained on it") : tr("held out");
            auto *points = vtkPlotPoints::SafeDownCast(addPlot(Models, vtkChart::POINTS, xs[kind], ys[kind], tips[kind]));
            points->SetMarkerStyle(vtkPlotPoints::CIRCLE);
            points->SetMarkerSize(11);
            setPlotColour(points, colour);
            points->SetLabel(tr("%1 (%2)").arg(what).arg(xs[kind].size()).toStdString());
            if (ys[kind].empty())
                continue;
            double mean = 0, var = 0;
            for (float v : ys[kind])
                mean += v;
            mean /= static_cast<double>(ys[kind].size());
            for (float v : ys[kind])
                var += (v - mean) * (v - mean);
            const double sd = std::sqrt(var / static_cast<double>(ys[kind].size()));
            // Population std, as the study's depth spreads are computed.
            const std::array<double, 3> levels = {mean, mean - sd, mean + sd};
            for (std::size_t i = 0; i < levels.size(); ++i) {
                const float level = static_cast<float>(levels[i]);
                vtkPlot *line = addPlot(Models, vtkChart::LINE, {-0.5f, models - 0.5f}, {level, level});
                setPlotColour(line, colour, i == 0 ? 255 : 170);
                line->SetWidth(i == 0 ? 2.f : 1.f);
                line->GetPen()->SetLineType(i == 0 ? vtkPen::SOLID_LINE : vtkPen::DASH_LINE);
                line->SetLabel(tr("%1: mean %2 ± %3").arg(what, number(mean), number(sd)).toStdString());
                line->SetLegendVisibility(false); // the title gives mean and spread
            }
            summary += (summary.isEmpty() ? QString() : QStringLiteral(", ")) +
                       tr("%1 %2 ± %3").arg(what, number(mean), number(sd));
        }
    }
    QStringList modelNames, depths = m_doc->probeNames();
    for (int m = 0; m < models; ++m)
        modelNames << modelLabel(m);
    depths << tr("never");
    setTicks(chart(Models)->GetAxis(vtkAxis::BOTTOM), modelNames, -0.6,
             models - 0.4 + 0.12 * static_cast<double>(m_examples.size() - 1), tr("Model"));
    // The depth axis fits the depths drawn (whole probes, named as the probes are).
    const DataExtent extent = dataExtent(chart(Models));
    vtkAxis *y = chart(Models)->GetAxis(vtkAxis::LEFT);
    setTicks(y, depths, extent.valid ? extent.y0 - 0.3 : -0.3, extent.valid ? extent.y1 + 0.3 : probes + 0.3,
             tr("Prediction depth"));
    setNamedTicks(y, depths);
    setPanelTitle(Models, tr("Across models: depth, mean ± std (lines)\n%1").arg(summary));
}

int TrajectoryChart::forgettingEvents(int model) const
{
    return model >= 0 && static_cast<std::size_t>(model) < m_forgettingPerModel.size()
               ? m_forgettingPerModel[static_cast<std::size_t>(model)]
               : 0;
}

int TrajectoryChart::plotCount(Panel panel) const
{
    return static_cast<int>(chart(panel)->GetNumberOfPlots());
}

int TrajectoryChart::pointCount(Panel panel) const
{
    vtkIdType n = 0;
    for (vtkIdType i = 0; i < chart(panel)->GetNumberOfPlots(); ++i)
        if (vtkTable *t = chart(panel)->GetPlot(i)->GetInput())
            n += t->GetNumberOfRows();
    return static_cast<int>(n);
}

int TrajectoryChart::probeMarkerCount() const
{
    vtkIdType n = 0;
    for (vtkPlot *p : m_classPlots)
        n += p->GetInput()->GetNumberOfRows();
    return static_cast<int>(n);
}

int TrajectoryChart::probeMarkerClass(int model, int probe) const
{
    for (std::size_t i = 0; i < m_classPlots.size(); ++i) {
        vtkTable *t = m_classPlots[i]->GetInput();
        for (vtkIdType r = 0; r < t->GetNumberOfRows(); ++r)
            if (t->GetValue(r, 0).ToInt() == probe && t->GetValue(r, 1).ToInt() == model)
                return m_classOfPlot[i];
    }
    return -1;
}

int TrajectoryChart::disagreementCount() const
{
    return m_disagree ? static_cast<int>(m_disagree->GetInput()->GetNumberOfRows()) : 0;
}

int TrajectoryChart::depthSegmentCount() const
{
    return m_depthLines ? static_cast<int>(m_depthLines->GetInput()->GetNumberOfRows() / 2) : 0;
}

int TrajectoryChart::forgettingMarkerCount() const
{
    return m_forgetting ? static_cast<int>(m_forgetting->GetInput()->GetNumberOfRows()) : 0;
}

int TrajectoryChart::epochLineCount() const
{
    return m_epochLines;
}

QString TrajectoryChart::axisTitle(Panel panel, int position) const
{
    const bool bottom = position == vtkAxis::BOTTOM;
    switch (panel) {
    case Probes: return bottom ? tr("Probe") : tr("Model (in: trained on it)");
    case Epochs: return bottom ? tr("Epoch") : tr("Probability of the given label");
    case Models: return bottom ? tr("Model") : tr("Prediction depth");
    }
    return {};
}

QString TrajectoryChart::panelTitle(Panel panel) const
{
    return m_panelTitles[static_cast<std::size_t>(panel)];
}

void TrajectoryChart::setPanelTitle(Panel panel, const QString &title)
{
    m_panelTitles[static_cast<std::size_t>(panel)] = title;
    chart(panel)->SetTitle(title.toStdString());
}

bool TrajectoryChart::stacksAt(double widthPoints, double heightPoints)
{
    constexpr double widthPerHeight = 1.6;
    const double side = std::min(widthPoints / 3 / widthPerHeight, heightPoints);
    const double stacked = std::min(widthPoints / widthPerHeight, heightPoints / 3);
    return stacked > side;
}

QSizeF TrajectoryChart::suggestedFigureSize(double widthInches) const
{
    // Narrower than 5 in the panels stack (about 2.3 in each); wider they sit side by side, at least 2.8 in tall.
    if (widthInches < 5)
        return {widthInches, widthInches * 2};
    return {widthInches, std::max(2.8, VtkHost::suggestedFigureSize(widthInches).height())};
}

void TrajectoryChart::prepareFrame()
{
    const int *size = renderWindow()->GetSize();
    const double w = size[0], h = size[1], pointsPerPixel = 72.0 / std::max(1, renderDpi());
    m_stacked = stacksAt(w * pointsPerPixel, h * pointsPerPixel);
    // Cells in scene pixels (origin bottom left), apart by a gap that scales with the fonts.
    const float border = static_cast<float>(4 / pointsPerPixel), gap = static_cast<float>(14 / pointsPerPixel);
    const float innerW = static_cast<float>(w) - 2 * border, innerH = static_cast<float>(h) - 2 * border;
    for (int i = 0; i < 3; ++i) {
        vtkRectf cell;
        if (m_stacked) {
            const float ch = (innerH - 2 * gap) / 3;
            cell = vtkRectf(border, border + static_cast<float>(2 - i) * (ch + gap), innerW, ch);
        } else {
            const float cw = (innerW - 2 * gap) / 3;
            cell = vtkRectf(border + static_cast<float>(i) * (cw + gap), border, cw, innerH);
        }
        chart(static_cast<Panel>(i))->SetSize(cell);
    }
}

bool TrajectoryChart::settleLayout()
{
    // VTK centres a panel's title over its plot: each line is elided to the room either side of that centre.
    vtkSmartPointer<vtkContext2D> painter = measuringPainter(renderDpi());
    bool changed = false, elided = false;
    for (int p = 0; p < 3; ++p) {
        vtkChartXY *c = chart(static_cast<Panel>(p));
        const vtkRectf cell = c->GetSize();
        const double centre = (c->GetPoint1()[0] + c->GetPoint2()[0]) / 2.0;
        // Stacked, the panels are short and the title sits close to the tick labels beside the plot: keep it above the plot.
        const double plotWidth = c->GetPoint2()[0] - c->GetPoint1()[0];
        double room = 2 * std::min(centre - cell.GetX(), cell.GetX() + cell.GetWidth() - centre) - 8;
        if (m_stacked && plotWidth > 0)
            room = std::min(room, plotWidth);
        painter->ApplyTextProp(c->GetTitleProperties());
        QStringList lines = m_panelTitles[static_cast<std::size_t>(p)].split(QLatin1Char('\n'));
        for (QString &line : lines) {
            const QString shown = elideMiddle(painter, line, static_cast<float>(std::max(20.0, room)));
            elided = elided || shown != line;
            line = shown;
        }
        const std::string text = lines.join(QLatin1Char('\n')).toStdString();
        if (c->GetTitle() != text) {
            c->SetTitle(text);
            changed = true;
        }
        changed = settleChart(c, axisTitle(static_cast<Panel>(p), vtkAxis::BOTTOM),
                              axisTitle(static_cast<Panel>(p), vtkAxis::LEFT), renderDpi()) || changed;
    }
    setToolTip(elided ? QStringList(m_panelTitles.begin(), m_panelTitles.end()).join(QStringLiteral("\n\n")) : QString());
    return changed;
}

FigureGeometry TrajectoryChart::figureGeometry()
{
    return inspectFigure(m_view->GetScene(), {m_charts[0], m_charts[1], m_charts[2]}, renderDpi());
}

QString TrajectoryChart::figureTitle() const
{
    return m_doc && example() >= 0 ? tr("Trajectory of %1").arg(m_doc->exampleName(example())) : tr("Trajectory");
}

} // namespace pds
