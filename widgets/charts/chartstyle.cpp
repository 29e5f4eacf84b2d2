#include "charts/chartstyle.h"

#include "charts/figureinspect.h"

#include <QColor>

#include <vtkAxis.h>
#include <vtkChartLegend.h>
#include <vtkChartXY.h>
#include <vtkContext2D.h>
#include <vtkContextMapper2D.h>
#include <vtkContextScene.h>
#include <vtkDataArray.h>
#include <vtkDoubleArray.h>
#include <vtkFloatArray.h>
#include <vtkObjectFactory.h>
#include <vtkPen.h>
#include <vtkPlot.h>
#include <vtkPlotBar.h>
#include <vtkStringArray.h>
#include <vtkTable.h>
#include <vtkTextProperty.h>
#include <vtkTextRenderer.h>

#include <algorithm>
#include <cmath>
#include <type_traits>

namespace pds {
namespace {

void blackText(vtkTextProperty *prop, int size, bool bold)
{
    prop->SetFontSize(size);
    prop->SetBold(bold);
    prop->SetColor(0, 0, 0);
    prop->SetFontFamilyToArial();
}

float textWidth(vtkContext2D *painter, const QString &text)
{
    float bounds[4] = {0, 0, 0, 0};
    painter->ComputeStringBounds(text.toStdString(), bounds);
    return bounds[2];
}

} // namespace

void styleChart(vtkChartXY *chart)
{
    blackText(chart->GetTitleProperties(), FigureFonts::title, true);
    for (int position : {vtkAxis::BOTTOM, vtkAxis::LEFT, vtkAxis::RIGHT, vtkAxis::TOP}) {
        vtkAxis *axis = chart->GetAxis(position);
        blackText(axis->GetTitleProperties(), FigureFonts::axisTitle, false);
        blackText(axis->GetLabelProperties(), FigureFonts::ticks, false);
        axis->GetGridPen()->SetColor(225, 225, 225, 255);
    }
    chart->GetLegend()->GetLabelProperties()->SetFontSize(FigureFonts::legend);
    chart->GetLegend()->GetLabelProperties()->SetColor(0, 0, 0);
    chart->GetLegend()->SetInline(false);
    chart->GetLegend()->SetHorizontalAlignment(vtkChartLegend::RIGHT);
    chart->GetLegend()->SetVerticalAlignment(vtkChartLegend::TOP);
    // Points, as every mark is (MarkScale): a symbol of 1.6 em and a padding of 0.4 em, as matplotlib's legends.
    chart->GetLegend()->SetSymbolWidth(16);
    chart->GetLegend()->SetPadding(4);
}

void fitAxis(vtkAxis *axis, double lo, double hi, double margin)
{
    if (!std::isfinite(lo) || !std::isfinite(hi) || lo > hi) {
        lo = 0;
        hi = 1;
    }
    const double pad = hi > lo ? (hi - lo) * margin : 0.5;
    axis->SetBehavior(vtkAxis::FIXED);
    axis->SetUnscaledRange(lo - pad, hi + pad);
    axis->SetRange(lo - pad, hi + pad);
}

void setNamedTicks(vtkAxis *axis, const QStringList &labels, int maxTicks)
{
    // Only the names inside the axis range count (a fitted axis may show a few probes).
    const double lo = axis->GetBehavior() == vtkAxis::FIXED ? axis->GetMinimum() : 0.0;
    const double hi = axis->GetBehavior() == vtkAxis::FIXED ? axis->GetMaximum() : labels.size();
    const int first = std::max(0, static_cast<int>(std::ceil(lo - 1e-9)));
    const int last = std::min(static_cast<int>(labels.size()) - 1, static_cast<int>(std::floor(hi + 1e-9)));
    const int shown = std::max(1, last - first + 1);
    const int step = std::max(1, static_cast<int>(std::ceil(double(shown) / std::max(1, maxTicks))));
    vtkNew<vtkDoubleArray> positions;
    vtkNew<vtkStringArray> names;
    for (int i = first; i <= last; i += step) {
        positions->InsertNextValue(i);
        names->InsertNextValue(labels[i].toStdString());
    }
    axis->SetCustomTickPositions(positions, names);
}

std::vector<double> niceTickValues(double lo, double hi, int targetCount, bool integers)
{
    if (!(hi > lo))
        return {lo};
    const double raw = (hi - lo) / std::max(1, targetCount);
    const double power = std::pow(10.0, std::floor(std::log10(raw)));
    double step = 10 * power;
    for (double m : {1.0, 2.0, 5.0})
        if (raw <= m * power) {
            step = m * power;
            break;
        }
    if (integers)
        step = std::max(1.0, std::round(step));
    std::vector<double> ticks;
    for (double v = std::ceil(lo / step - 1e-9) * step; v <= hi + 1e-9 * step; v += step)
        ticks.push_back(std::abs(v) < step * 1e-6 ? 0.0 : v);
    return ticks;
}

int tickDecimals(double step)
{
    return std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
}

void setNiceTicks(vtkAxis *axis, int targetCount, bool integers)
{
    const double lo = axis->GetMinimum(), hi = axis->GetMaximum();
    if (!(hi > lo)) {
        axis->SetCustomTickPositions(nullptr);
        return;
    }
    const std::vector<double> ticks = niceTickValues(lo, hi, targetCount, integers);
    const int decimals = tickDecimals(ticks.size() > 1 ? ticks[1] - ticks[0] : 1.0);
    vtkNew<vtkDoubleArray> positions;
    vtkNew<vtkStringArray> names;
    for (double v : ticks) {
        positions->InsertNextValue(v);
        names->InsertNextValue(QString::number(v, 'f', decimals).toStdString());
    }
    axis->SetCustomTickPositions(positions, names);
}

std::vector<PlotArrays> plotArrays(vtkChartXY *chart)
{
    std::vector<PlotArrays> out;
    for (vtkIdType p = 0; p < chart->GetNumberOfPlots(); ++p) {
        vtkPlot *plot = chart->GetPlot(p);
        vtkTable *table = plot->GetInput();
        if (!plot->GetVisible() || !table)
            continue;
        vtkDataArray *xs = plot->GetData()->GetInputArrayToProcess(0, table);
        vtkDataArray *ys = plot->GetData()->GetInputArrayToProcess(1, table);
        if (xs && ys)
            out.push_back({plot, xs, ys, vtkPlotBar::SafeDownCast(plot)});
    }
    return out;
}

DataExtent dataExtent(vtkChartXY *chart)
{
    DataExtent e;
    auto grow = [&e](double x, double y) {
        if (!std::isfinite(x) || !std::isfinite(y))
            return;
        if (!e.valid) {
            e = {x, x, y, y, true};
            return;
        }
        e.x0 = std::min(e.x0, x);
        e.x1 = std::max(e.x1, x);
        e.y0 = std::min(e.y0, y);
        e.y1 = std::max(e.y1, y);
    };
    for (const auto &[plot, xs, ys, bar] : plotArrays(chart)) {
        for (vtkIdType i = 0; i < std::min(xs->GetNumberOfTuples(), ys->GetNumberOfTuples()); ++i) {
            const double x = xs->GetTuple1(i), y = ys->GetTuple1(i);
            if (bar) {
                const double c = x - bar->GetOffset(), half = bar->GetWidth() / 2;
                grow(c - half, 0);
                grow(c + half, y);
            } else {
                grow(x, y);
            }
        }
    }
    return e;
}

template <typename T>
vtkSmartPointer<vtkTable> xyTable(const std::vector<T> &xs, const std::vector<T> &ys)
{
    using Array = std::conditional_t<std::is_same_v<T, float>, vtkFloatArray, vtkDoubleArray>;
    auto table = vtkSmartPointer<vtkTable>::New();
    vtkNew<Array> x, y;
    x->SetName("x");
    y->SetName("y");
    for (std::size_t i = 0; i < xs.size() && i < ys.size(); ++i) {
        x->InsertNextValue(xs[i]);
        y->InsertNextValue(ys[i]);
    }
    table->AddColumn(x);
    table->AddColumn(y);
    return table;
}

template vtkSmartPointer<vtkTable> xyTable(const std::vector<float> &, const std::vector<float> &);
template vtkSmartPointer<vtkTable> xyTable(const std::vector<double> &, const std::vector<double> &);

void setPlotColour(vtkPlot *plot, const QColor &c, int alpha)
{
    plot->SetColor(static_cast<unsigned char>(c.red()), static_cast<unsigned char>(c.green()),
                   static_cast<unsigned char>(c.blue()), static_cast<unsigned char>(alpha));
}

bool placeLegend(vtkChartXY *chart, int dpi, bool aboveAllowed)
{
    vtkChartLegend *legend = chart->GetLegend();
    if (!chart->GetShowLegend() || !legend->GetVisible() || !chart->GetScene())
        return false;
    vtkSmartPointer<vtkContext2D> painter = measuringPainter(dpi);
    const vtkRectf r = legend->GetBoundingRect(painter);
    vtkAxis *x = chart->GetAxis(vtkAxis::BOTTOM), *y = chart->GetAxis(vtkAxis::LEFT);
    const QRectF plot(QPointF(x->GetPoint1()[0], y->GetPoint1()[1]), QPointF(x->GetPoint2()[0], y->GetPoint2()[1]));
    if (plot.width() <= 0 || plot.height() <= 0)
        return false;
    const int pad = 5;     // VTK's own inset of an inline legend
    const double clear = 4; // marks this close to the box count as under it
    struct Corner {
        int h, v;
    };
    int h = vtkChartLegend::RIGHT, v = vtkChartLegend::TOP;
    bool inlineLegend = false;
    if (r.GetWidth() + 2 * pad < plot.width() * 0.6 && r.GetHeight() + 2 * pad < plot.height() * 0.6) {
        const std::vector<QPointF> marks = figureMarks(chart);
        for (const Corner c : {Corner{vtkChartLegend::RIGHT, vtkChartLegend::TOP}, Corner{vtkChartLegend::LEFT, vtkChartLegend::TOP},
                               Corner{vtkChartLegend::RIGHT, vtkChartLegend::BOTTOM},
                               Corner{vtkChartLegend::LEFT, vtkChartLegend::BOTTOM}}) {
            const double left = c.h == vtkChartLegend::LEFT ? plot.left() + pad : plot.right() - pad - r.GetWidth();
            const double bottom = c.v == vtkChartLegend::BOTTOM ? plot.top() + pad : plot.bottom() - pad - r.GetHeight();
            const QRectF box = QRectF(left, bottom, r.GetWidth(), r.GetHeight()).adjusted(-clear, -clear, clear, clear);
            bool empty = true;
            for (const QPointF &m : marks)
                if (box.contains(m)) {
                    empty = false;
                    break;
                }
            if (empty) {
                h = c.h;
                v = c.v;
                inlineLegend = true;
                break;
            }
        }
    }
    // Outside, beside the plot; a wide legend goes above it when it is short enough, as that squeezes less.
    const vtkRectf area = chart->GetSize();
    if (!inlineLegend && aboveAllowed && r.GetWidth() > 0.35 * area.GetWidth() && r.GetHeight() < 0.3 * area.GetHeight()) {
        h = vtkChartLegend::CENTER;
        v = vtkChartLegend::TOP;
    }
    const bool changed = legend->GetInline() != inlineLegend || legend->GetHorizontalAlignment() != h
                         || legend->GetVerticalAlignment() != v;
    if (changed) {
        legend->SetInline(inlineLegend);
        legend->SetHorizontalAlignment(h);
        legend->SetVerticalAlignment(v);
        chart->Modified();
    }
    return changed;
}

bool fitAxisTitle(vtkAxis *axis, const QString &full, int dpi)
{
    const float *p1 = axis->GetPoint1(), *p2 = axis->GetPoint2();
    const bool vertical = axis->GetPosition() == vtkAxis::LEFT || axis->GetPosition() == vtkAxis::RIGHT;
    const float length = vertical ? p2[1] - p1[1] : p2[0] - p1[0];
    std::string shown = full.toStdString();
    if (length > 20) {
        vtkSmartPointer<vtkContext2D> painter = measuringPainter(dpi);
        // Measured unrotated: the length along the axis is the text's width either way.
        vtkNew<vtkTextProperty> prop;
        prop->ShallowCopy(axis->GetTitleProperties());
        prop->SetOrientation(0);
        painter->ApplyTextProp(prop);
        shown = elideMiddle(painter, full, length).toStdString();
    }
    if (axis->GetTitle() == shown)
        return false;
    axis->SetTitle(shown);
    return true;
}

bool untangleTickLabels(vtkAxis *axis, int dpi)
{
    vtkTextProperty *prop = axis->GetLabelProperties();
    vtkFloatArray *positions = axis->GetTickScenePositions();
    vtkStringArray *labels = axis->GetTickLabels();
    const bool upright = prop->GetOrientation() == 90;
    if ((prop->GetOrientation() != 0 && !upright) || !positions || !labels)
        return false;
    // Measured as they would lie side by side, whichever way they are drawn now.
    vtkNew<vtkTextProperty> flat;
    flat->ShallowCopy(prop);
    flat->SetOrientation(0);
    flat->SetJustificationToCentered();
    const vtkIdType n = std::min(positions->GetNumberOfTuples(), labels->GetNumberOfValues());
    double lastRight = -1e9;
    bool crowded = false;
    for (vtkIdType i = 0; i < n && !crowded; ++i) {
        int box[4] = {0, 0, 0, 0};
        vtkTextRenderer::GetInstance()->GetBoundingBox(flat, labels->GetValue(i), box, dpi);
        const double left = positions->GetValue(i) + box[0], right = positions->GetValue(i) + box[1];
        crowded = left < lastRight + 4;
        lastRight = right;
    }
    if (crowded == upright)
        return false;
    if (crowded) {
        // Upright and hanging from the tick: right-justified along the text, centred across it.
        prop->SetOrientation(90);
        prop->SetJustificationToRight();
        prop->SetVerticalJustificationToCentered();
    } else {
        prop->SetOrientation(0);
        prop->SetJustificationToCentered();
        prop->SetVerticalJustificationToTop();
    }
    axis->Modified();
    return true;
}

bool settleChart(vtkChartXY *chart, const QString &xTitle, const QString &yTitle, int dpi)
{
    bool changed = placeLegend(chart, dpi);
    changed = fitAxisTitle(chart->GetAxis(vtkAxis::BOTTOM), xTitle, dpi) || changed;
    changed = fitAxisTitle(chart->GetAxis(vtkAxis::LEFT), yTitle, dpi) || changed;
    changed = untangleTickLabels(chart->GetAxis(vtkAxis::BOTTOM), dpi) || changed;
    return changed;
}

QString elideChars(const QString &text, int chars)
{
    if (text.size() <= chars || chars < 3)
        return text;
    const int keep = chars - 1;
    return text.left((keep + 1) / 2) + QStringLiteral("…") + text.right(keep / 2);
}

QString elideMiddle(vtkContext2D *painter, const QString &text, float maxWidth)
{
    if (textWidth(painter, text) <= maxWidth)
        return text;
    int lo = 0, hi = text.size();
    while (lo < hi) {
        const int keep = (lo + hi + 1) / 2;
        const QString candidate = text.left((keep + 1) / 2) + QStringLiteral("…") + text.right(keep / 2);
        if (textWidth(painter, candidate) <= maxWidth)
            lo = keep;
        else
            hi = keep - 1;
    }
    return text.left((lo + 1) / 2) + QStringLiteral("…") + text.right(lo / 2);
}

vtkStandardNewMacro(FigureTitleItem);

FigureTitleItem::FigureTitleItem()
{
    blackText(m_titleProp, FigureFonts::title, true);
    blackText(m_subtitleProp, FigureFonts::subtitle, false);
    for (vtkTextProperty *prop : {m_titleProp.GetPointer(), m_subtitleProp.GetPointer()}) {
        prop->SetJustificationToCentered();
        prop->SetVerticalJustificationToTop();
    }
}

FigureTitleItem::~FigureTitleItem() = default;

void FigureTitleItem::setTitle(const QString &title, const QString &subtitle)
{
    m_title = title;
    m_subtitle = subtitle;
    Modified();
}

bool FigureTitleItem::Paint(vtkContext2D *painter)
{
    vtkContextScene *scene = GetScene();
    if (!scene)
        return false;
    const float width = scene->GetSceneWidth(), height = scene->GetSceneHeight();
    float top = height - 4;
    m_elided = false;
    for (const auto &[text, prop] : {std::pair{m_title, m_titleProp.GetPointer()}, std::pair{m_subtitle, m_subtitleProp.GetPointer()}}) {
        if (text.isEmpty())
            continue;
        painter->ApplyTextProp(prop);
        float bounds[4] = {0, 0, 0, 0};
        painter->ComputeStringBounds("Ag", bounds);
        const QString shown = elideMiddle(painter, text, width - 12);
        m_elided = m_elided || shown != text;
        painter->DrawString(width / 2, top, shown.toStdString());
        top -= bounds[3] + 3;
    }
    for (vtkChartXY *chart : m_charts)
        chart->SetSize(vtkRectf(0, 0, width, std::max(10.0f, top - 2)));
    return true;
}

} // namespace pds
