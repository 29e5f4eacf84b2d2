#include "charts/typeshareschart.h"

#include "charts/chartstyle.h"
#include "charts/palette.h"

#include <vtkAxis.h>
#include <vtkChartXY.h>
#include <vtkCommand.h>
#include <vtkContextMouseEvent.h>
#include <vtkDoubleArray.h>
#include <vtkLookupTable.h>
#include <vtkPlotBar.h>
#include <vtkStringArray.h>
#include <vtkTable.h>

#include <algorithm>

namespace pds {

TypeSharesChart::TypeSharesChart(QWidget *parent) : TitledChart(parent)
{
    vtkChartXY *chart = chartXY();
    chart->SetShowLegend(false);
    chart->SetBarWidthFraction(0.8f);
    // Nothing to pan or zoom: a left click names the bar under it.
    chart->SetActionToButton(vtkChart::PAN, -1);
    chart->SetActionToButton(vtkChart::ZOOM, -1);
    chart->SetClickActionToButton(vtkChart::SELECT, -1);
    chart->SetClickActionToButton(vtkChart::NOTIFY, vtkContextMouseEvent::LEFT_BUTTON);
    chart->ZoomWithMouseWheelOff();
    chart->AddObserver(vtkCommand::InteractionEvent, this, &TypeSharesChart::onChartClick);
    chart->GetAxis(vtkAxis::BOTTOM)->SetGridVisible(false);
    setShares(tr("No sweep open"), QString(), {}, {}, {});
}

TypeSharesChart::~TypeSharesChart() = default;

void TypeSharesChart::setShares(const QString &title, const QString &subtitle, const QStringList &types,
                                const std::vector<double> &shares, const std::vector<long long> &counts)
{
    vtkChartXY *chart = chartXY();
    chart->ClearPlots();
    m_types = types;
    m_shares.assign(shares.begin(), shares.begin() + std::min<std::size_t>(shares.size(), types.size()));
    setTitles(title, subtitle, tr("Memorisation trajectory"), tr("Share"));
    vtkAxis *x = chart->GetAxis(vtkAxis::BOTTOM), *y = chart->GetAxis(vtkAxis::LEFT);
    double top = 0;
    vtkNew<vtkDoubleArray> positions;
    vtkNew<vtkStringArray> labels, tips;
    vtkNew<vtkTable> table;
    vtkNew<vtkDoubleArray> xs, ys, colourIndex;
    xs->SetName("type");
    ys->SetName("share");
    colourIndex->SetName("colour");
    // One plot whose bars take their type's colour through a lookup table
    // (bars of several plots would stand side by side, off their ticks).
    vtkNew<vtkLookupTable> lut;
    lut->SetNumberOfTableValues(std::max(1, barCount()));
    lut->SetRange(0, std::max(1, barCount() - 1));
    for (int type = 0; type < barCount(); ++type) {
        const QColor c = trajectoryColour(type);
        lut->SetTableValue(type, c.redF(), c.greenF(), c.blueF(), 1.0);
        xs->InsertNextValue(type);
        ys->InsertNextValue(m_shares[type]);
        colourIndex->InsertNextValue(type);
        const long long n = type < static_cast<int>(counts.size()) ? counts[type] : 0;
        tips->InsertNextValue(tr("%1: %2 examples (%3 %); click to select them")
                                  .arg(types[type]).arg(n).arg(100.0 * m_shares[type], 0, 'f', 1).toStdString());
        top = std::max(top, m_shares[type]);
        positions->InsertNextValue(type);
        labels->InsertNextValue(types[type].toStdString());
    }
    lut->Build();
    if (barCount() > 0) {
        table->AddColumn(xs);
        table->AddColumn(ys);
        table->AddColumn(colourIndex);
        auto *bar = vtkPlotBar::SafeDownCast(chart->AddPlot(vtkChart::BAR));
        bar->SetInputData(table, "type", "share");
        bar->SetLookupTable(lut);
        bar->SelectColorArray("colour");
        bar->ScalarVisibilityOn();
        bar->SetLabel("share");
        bar->SetIndexedLabels(tips);
        bar->SetTooltipLabelFormat("%i");
    }
    x->SetCustomTickPositions(barCount() ? positions.Get() : nullptr, barCount() ? labels.Get() : nullptr);
    x->SetRange(-0.6, std::max(1, barCount()) - 0.4);
    y->SetRange(0, top > 0 ? top * 1.05 : 1.0);
    setNiceTicks(y, 5);
    update();
}

void TypeSharesChart::clickBar(int type)
{
    if (type >= 0 && type < barCount())
        Q_EMIT typeClicked(type);
}

void TypeSharesChart::onChartClick(vtkObject *, unsigned long, void *callData)
{
    const auto *hit = static_cast<const vtkChartPlotData *>(callData);
    if (!hit)
        return;
    clickBar(static_cast<int>(hit->Index));
}

} // namespace pds
