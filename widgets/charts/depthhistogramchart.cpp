#include "charts/depthhistogramchart.h"

#include "charts/chartstyle.h"
#include "charts/palette.h"

#include "models/exampleselection.h"
#include "models/rundocument.h"

#include <vtkAxis.h>
#include <vtkChartXY.h>
#include <vtkCommand.h>
#include <vtkContextMouseEvent.h>
#include <vtkDoubleArray.h>
#include <vtkIdTypeArray.h>
#include <vtkPlotBar.h>
#include <vtkStringArray.h>
#include <vtkTable.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace pds {

DepthHistogramChart::DepthHistogramChart(ExampleSelection *selection, QWidget *parent)
    : TitledChart(parent), m_selection(selection)
{
    vtkChartXY *chart = chartXY();
    chart->SetBarWidthFraction(0.8f);
    // A histogram has nothing to pan or zoom: the left button selects (a
    // click notifies us of the bar under it, a drag selects a range of bars).
    chart->SetActionToButton(vtkChart::SELECT, vtkContextMouseEvent::LEFT_BUTTON);
    chart->SetActionToButton(vtkChart::ZOOM, -1);
    chart->SetClickActionToButton(vtkChart::SELECT, -1);
    chart->SetClickActionToButton(vtkChart::NOTIFY, vtkContextMouseEvent::LEFT_BUTTON);
    chart->ZoomWithMouseWheelOff();
    chart->AddObserver(vtkCommand::InteractionEvent, this, &DepthHistogramChart::onChartClick);
    chart->AddObserver(vtkCommand::SelectionChangedEvent, this, &DepthHistogramChart::onChartSelection);
    chart->GetAxis(vtkAxis::BOTTOM)->SetGridVisible(false);

    connect(m_selection, &ExampleSelection::selectionChanged, this, [this](QObject *source) {
        if (source != this)
            clearHighlight();
    });
    rebuild();
}

DepthHistogramChart::~DepthHistogramChart() = default;

void DepthHistogramChart::setDocuments(RunDocument *primary, RunDocument *compare)
{
    setOverlay({primary, compare});
}

void DepthHistogramChart::setOverlay(const std::vector<RunDocument *> &docs, const QStringList &labels,
                                     const std::vector<QColor> &colours)
{
    for (const auto &doc : m_docs)
        if (doc)
            disconnect(doc, nullptr, this, nullptr);
    m_docs.clear();
    m_labels.clear();
    m_colours.clear();
    // No primary run, nothing to compare with.
    if (!docs.empty() && docs.front())
        for (std::size_t i = 0; i < docs.size(); ++i) {
            if (!docs[i])
                continue;
            m_docs.emplace_back(docs[i]);
            m_labels << (i < std::size_t(labels.size()) ? labels[int(i)] : QString());
            m_colours.push_back(i < colours.size() ? colours[i] : QColor());
        }
    for (const auto &doc : m_docs) {
        connect(doc, &RunDocument::reloaded, this, &DepthHistogramChart::rebuild, Qt::UniqueConnection);
        // A closed run leaves the chart; the QPointer is already null then.
        connect(doc, &QObject::destroyed, this, &DepthHistogramChart::rebuild,
                Qt::ConnectionType(Qt::QueuedConnection | Qt::UniqueConnection));
    }
    rebuild();
}

void DepthHistogramChart::setSplit(DepthSplit split)
{
    if (split == m_split)
        return;
    m_split = split;
    rebuild();
}

void DepthHistogramChart::setModel(int model)
{
    model = std::max(-1, model);
    if (model == m_model)
        return;
    m_model = model;
    rebuild();
}

void DepthHistogramChart::setFractions(bool fractions)
{
    if (fractions == m_fractions)
        return;
    m_fractions = fractions;
    rebuild();
}

void DepthHistogramChart::setClassFilter(int cls)
{
    cls = std::max(-1, cls);
    if (cls == m_class)
        return;
    m_class = cls;
    rebuild();
}

DepthHistogramChart::Series DepthHistogramChart::computeSeries(RunDocument *doc, int probeCountMax) const
{
    Series s;
    s.doc = doc;
    s.bins.resize(probeCountMax + 1);
    const int probes = doc->probeCount();
    if (probes == 0)
        return s;
    // Depth P ("never") of this run goes to the shared last bar even when the
    // other run has more probes.
    auto binOf = [&](int depth) { return depth >= probes ? probeCountMax : std::max(0, depth); };
    const auto &labels = doc->labels();
    const bool train = m_split == DepthSplit::Train;
    if (m_model < 0) {
        const ScoreColumn *column = doc->column(train ? QStringLiteral("depth_train") : QStringLiteral("depth_val"));
        if (!column)
            return s;
        for (std::size_t i = 0; i < column->values.size(); ++i) {
            const float v = column->values[i];
            if (std::isnan(v) || (m_class >= 0 && labels[i] != m_class))
                continue;
            // A study's effective depth is a mean over models: the nearest whole depth.
            s.bins[binOf(static_cast<int>(std::lround(std::clamp(v, 0.0f, float(probes)))))].push_back(
                static_cast<std::int64_t>(i));
            ++s.total;
        }
    } else {
        if (m_model >= doc->modelCount() || !doc->hasProbes(m_model))
            return s;
        for (std::int64_t i = 0; i < doc->size(); ++i) {
            if (doc->trainedOn(m_model, i) != train || (m_class >= 0 && labels[i] != m_class))
                continue;
            const int depth = doc->depth(m_model, i);
            if (depth < 0)
                continue;
            s.bins[binOf(depth)].push_back(i);
            ++s.total;
        }
    }
    return s;
}

void DepthHistogramChart::rebuild()
{
    vtkChartXY *chart = chartXY();
    chart->ClearPlots();
    m_series.clear();
    m_tickLabels.clear();
    m_binCount = 0;

    const QString splitTitle = m_split == DepthSplit::Train ? tr("Train-split") : tr("Validation-split");
    vtkAxis *xAxis = chart->GetAxis(vtkAxis::BOTTOM), *yAxis = chart->GetAxis(vtkAxis::LEFT);
    const QString xTitle = tr("Prediction depth (probe)");
    const QString yTitle = m_fractions ? tr("Fraction of examples") : tr("Examples");

    std::vector<RunDocument *> docs;
    QStringList labels;
    std::vector<QColor> colours;
    // A closed run leaves a null; the primary's going empties the chart.
    if (!m_docs.empty() && m_docs.front())
        for (std::size_t i = 0; i < m_docs.size(); ++i)
            if (m_docs[i]) {
                docs.push_back(m_docs[i]);
                labels << m_labels.value(int(i));
                colours.push_back(m_colours[i]);
            }
    if (docs.empty()) {
        setTitles(tr("No run open"), QString(), xTitle, yTitle);
        chart->SetShowLegend(false);
        xAxis->SetCustomTickPositions(nullptr);
        xAxis->SetRange(0, 1);
        yAxis->SetRange(0, 1);
        update();
        return;
    }

    int probeCountMax = 0;
    for (RunDocument *doc : docs)
        probeCountMax = std::max(probeCountMax, doc->probeCount());
    m_binCount = probeCountMax + 1;
    for (int bin = 0; bin < probeCountMax; ++bin) {
        QString name = QString::number(bin);
        for (RunDocument *doc : docs)
            if (bin < doc->probeCount()) {
                name = doc->probeNames().value(bin, name);
                break;
            }
        m_tickLabels << name;
    }
    m_tickLabels << tr("never");

    vtkNew<vtkTable> table;
    vtkNew<vtkDoubleArray> depths;
    depths->SetName("depth");
    depths->SetNumberOfValues(m_binCount);
    for (int bin = 0; bin < m_binCount; ++bin)
        depths->SetValue(bin, bin);
    table->AddColumn(depths);

    double maxValue = 0;
    std::set<std::string> entries;
    QStringList titles;
    for (std::size_t index = 0; index < docs.size(); ++index) {
        Series s = computeSeries(docs[index], probeCountMax);
        s.label = labels[int(index)].isEmpty() ? docs[index]->title() : labels[int(index)];
        s.colour = colours[index].isValid() ? colours[index] : seriesColour(static_cast<int>(index));
        titles << s.label;
        if (m_model >= 0 && (m_model >= docs[index]->modelCount() || !docs[index]->hasProbes(m_model)))
            s.label += tr(" (no probes for model %1)").arg(modelLabel(m_model));
        m_series.push_back(std::move(s));
        const Series &series = m_series.back();
        const std::vector<double> values = binValues(static_cast<int>(index));

        vtkNew<vtkDoubleArray> column;
        const std::string columnName = "series" + std::to_string(index);
        column->SetName(columnName.c_str());
        vtkNew<vtkStringArray> tooltips;
        for (int bin = 0; bin < m_binCount; ++bin) {
            const std::size_t count = series.bins[bin].size();
            column->InsertNextValue(values[bin]);
            maxValue = std::max(maxValue, values[bin]);
            const double share = series.total ? 100.0 * double(count) / double(series.total) : 0.0;
            tooltips->InsertNextValue(tr("depth %1: %2 of %3 examples (%4 %)")
                                          .arg(m_tickLabels[bin]).arg(count).arg(series.total)
                                          .arg(share, 0, 'f', 1).toStdString());
        }
        table->AddColumn(column);
        auto *bar = vtkPlotBar::SafeDownCast(chart->AddPlot(vtkChart::BAR));
        bar->SetInputData(table, "depth", columnName);
        bar->SetColor(static_cast<unsigned char>(series.colour.red()), static_cast<unsigned char>(series.colour.green()),
                      static_cast<unsigned char>(series.colour.blue()), 255);
        // The subtitle names the runs in full; the legend's entries stay short
        // and distinct (clicks find plots by them).
        std::string entry = elideChars(series.label, 28).toStdString();
        for (int n = 2; !entries.insert(entry).second; ++n)
            entry = elideChars(series.label, 24).toStdString() + " (" + std::to_string(n) + ")";
        bar->SetLabel(entry);
        bar->SetIndexedLabels(tooltips);
        bar->SetTooltipLabelFormat("%l: %i");
    }

    vtkNew<vtkDoubleArray> tickPositions;
    vtkNew<vtkStringArray> tickLabels;
    for (int bin = 0; bin < m_binCount; ++bin) {
        tickPositions->InsertNextValue(bin);
        tickLabels->InsertNextValue(m_tickLabels[bin].toStdString());
    }
    xAxis->SetCustomTickPositions(tickPositions, tickLabels);
    xAxis->SetRange(-0.6, m_binCount - 0.4);
    // Bars stand on zero; the top leaves a little air, as matplotlib's margins do.
    yAxis->SetRange(0, maxValue > 0 ? maxValue * 1.05 : 1.0);
    setNiceTicks(yAxis, 5, !m_fractions);

    QString what = splitTitle + tr(" prediction depth");
    QStringList qualifiers;
    if (m_model >= 0)
        qualifiers << tr("model %1").arg(modelLabel(m_model));
    if (m_class >= 0)
        qualifiers << tr("class %1").arg(docs.front()->className(m_class));
    if (!qualifiers.isEmpty())
        what += QStringLiteral(" (%1)").arg(qualifiers.join(QStringLiteral(", ")));
    setTitles(what, titles.join(tr(" vs ")), xTitle, yTitle);
    chart->SetShowLegend(docs.size() > 1);
    update();
}

QString DepthHistogramChart::seriesLabel(int series) const
{
    return series >= 0 && series < seriesCount() ? m_series[series].label : QString();
}

std::vector<double> DepthHistogramChart::binValues(int series) const
{
    if (series < 0 || series >= seriesCount())
        return {};
    const Series &s = m_series[series];
    std::vector<double> values(s.bins.size());
    for (std::size_t bin = 0; bin < s.bins.size(); ++bin)
        values[bin] = m_fractions ? (s.total ? double(s.bins[bin].size()) / double(s.total) : 0.0)
                                  : double(s.bins[bin].size());
    return values;
}

std::vector<std::int64_t> DepthHistogramChart::examplesInBin(int bin, int series) const
{
    if (series < 0 || series >= seriesCount() || bin < 0 || bin >= m_binCount)
        return {};
    return m_series[series].bins[bin];
}

QString DepthHistogramChart::binLabel(int bin) const { return m_tickLabels.value(bin); }

QString DepthHistogramChart::describeBins(const std::vector<int> &bins) const
{
    QString text = (m_split == DepthSplit::Train ? tr("train-split depth ") : tr("validation-split depth "))
                   + binLabel(bins.front());
    if (bins.size() > 1)
        text += QStringLiteral("–") + binLabel(bins.back());
    if (m_model >= 0)
        text += tr(" (model %1)").arg(modelLabel(m_model));
    if (m_class >= 0 && primary())
        text += tr(", class %1").arg(primary()->className(m_class));
    return text;
}

void DepthHistogramChart::selectBins(const std::vector<int> &bins, int series)
{
    if (bins.empty() || series < 0 || series >= seriesCount())
        return;
    // The selection numbers the primary run's examples; another run's bar
    // only makes sense when it numbers the same examples.
    if (series > 0 && (!m_series[series].doc || !primary() || m_series[series].doc->size() != primary()->size()))
        return;
    std::vector<std::int64_t> examples;
    for (int bin : bins)
        if (bin >= 0 && bin < m_binCount)
            examples.insert(examples.end(), m_series[series].bins[bin].begin(), m_series[series].bins[bin].end());
    m_selection->setExamples(std::move(examples), describeBins(bins), this, /*filter=*/true);

    for (int i = 0; i < seriesCount(); ++i) {
        vtkNew<vtkIdTypeArray> ids;
        if (i == series)
            for (int bin : bins)
                ids->InsertNextValue(bin);
        chartXY()->GetPlot(i)->SetSelection(ids);
    }
    update();
}

void DepthHistogramChart::clickBin(int bin, int series)
{
    if (bin >= 0 && bin < m_binCount)
        selectBins({bin}, series);
}

void DepthHistogramChart::clearHighlight()
{
    for (int i = 0; i < seriesCount(); ++i)
        chartXY()->GetPlot(i)->SetSelection(nullptr);
    update();
}

void DepthHistogramChart::onChartClick(vtkObject *, unsigned long, void *callData)
{
    const auto *hit = static_cast<const vtkChartPlotData *>(callData);
    if (!hit)
        return;
    for (int i = 0; i < seriesCount(); ++i)
        if (chartXY()->GetPlot(i)->GetLabel() == hit->SeriesName)
            return clickBin(static_cast<int>(hit->Index), i);
}

void DepthHistogramChart::onChartSelection()
{
    // A dragged box: the chart has marked the bars inside it in each plot.
    for (int i = 0; i < seriesCount(); ++i) {
        vtkIdTypeArray *ids = chartXY()->GetPlot(i)->GetSelection();
        std::set<int> bins;
        for (vtkIdType k = 0; ids && k < ids->GetNumberOfTuples(); ++k)
            bins.insert(static_cast<int>(ids->GetValue(k)));
        if (!bins.empty())
            return selectBins(std::vector<int>(bins.begin(), bins.end()), i);
    }
}

QPointF DepthHistogramChart::barCenter(int bin, int series) const
{
    if (series < 0 || series >= seriesCount() || bin < 0 || bin >= m_binCount)
        return {};
    // vtkPlotBar centres each bar on x - offset (the offsets place the series side by side).
    const double offset = vtkPlotBar::SafeDownCast(chartXY()->GetPlot(series))->GetOffset();
    return chartToWidget(bin - offset, binValues(series)[bin] / 2);
}

} // namespace pds
