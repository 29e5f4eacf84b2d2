#include "charts/figureinspect.h"

#include <vtkAxis.h>
#include <vtkChartLegend.h>
#include <vtkChartXY.h>
#include <vtkContext2D.h>
#include <vtkContextDevice2D.h>
#include <vtkContextScene.h>
#include <vtkContextMapper2D.h>
#include <vtkDataArray.h>
#include <vtkMatrix3x3.h>
#include <vtkObjectFactory.h>
#include <vtkPlot.h>
#include <vtkPlotBar.h>
#include <vtkPlotLine.h>
#include <vtkStringArray.h>
#include <vtkTable.h>
#include <vtkTextProperty.h>
#include <vtkTextRenderer.h>
#include <vtkUnicodeString.h>

#include <algorithm>
#include <set>
#include <vector>

namespace pds {
namespace {

/// A context device that draws nothing: it measures strings with VTK's text
/// renderer (as the OpenGL device does) and records where each one lands.
class RecordingDevice : public vtkContextDevice2D {
public:
    vtkTypeMacro(RecordingDevice, vtkContextDevice2D);
    static RecordingDevice *New();

    struct Drawn {
        std::string text;
        QRectF box;
    };
    std::vector<Drawn> strings;
    int dpi = 72;

    void DrawPoly(float *, int, unsigned char * = nullptr, int = 0) override {}
    void DrawLines(float *, int, unsigned char * = nullptr, int = 0) override {}
    void DrawPoints(float *, int, unsigned char * = nullptr, int = 0) override {}
    void DrawPointSprites(vtkImageData *, float *, int, unsigned char * = nullptr, int = 0) override {}
    void DrawMarkers(int, bool, float *, int, unsigned char * = nullptr, int = 0) override {}
    void DrawEllipseWedge(float, float, float, float, float, float, float, float) override {}
    void DrawEllipticArc(float, float, float, float, float, float) override {}
    void DrawString(float *point, const vtkStdString &string) override
    {
        int bbox[4];
        if (string.empty() || !vtkTextRenderer::GetInstance()->GetBoundingBox(TextProp, string, bbox, dpi))
            return;
        const double *m = m_matrix->GetData();
        const double x = m[0] * point[0] + m[1] * point[1] + m[2];
        const double y = m[3] * point[0] + m[4] * point[1] + m[5];
        strings.push_back({string, QRectF(QPointF(x + bbox[0], y + bbox[2]), QPointF(x + bbox[1], y + bbox[3]))});
    }
    void ComputeStringBounds(const vtkStdString &string, float bounds[4]) override
    {
        int bbox[4] = {0, 0, 0, 0};
        bounds[0] = bounds[1] = bounds[2] = bounds[3] = 0;
        if (!vtkTextRenderer::GetInstance()->GetBoundingBox(TextProp, string, bbox, dpi) || bbox[0] >= bbox[1]
            || bbox[2] >= bbox[3])
            return;
        const double *m = m_matrix->GetData();
        bounds[2] = static_cast<float>((bbox[1] - bbox[0] + 1) / m[0]);
        bounds[3] = static_cast<float>((bbox[3] - bbox[2] + 1) / m[4]);
    }
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif
    void DrawString(float *point, const vtkUnicodeString &string) override { DrawString(point, vtkStdString(string.utf8_str())); }
    void ComputeStringBounds(const vtkUnicodeString &string, float bounds[4]) override
    {
        ComputeStringBounds(vtkStdString(string.utf8_str()), bounds);
    }
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
    void ComputeJustifiedStringBounds(const char *string, float bounds[4]) override
    {
        int bbox[4] = {0, 0, 0, 0};
        vtkTextRenderer::GetInstance()->GetBoundingBox(TextProp, string, bbox, dpi);
        bounds[0] = static_cast<float>(bbox[0]);
        bounds[1] = static_cast<float>(bbox[2]);
        bounds[2] = static_cast<float>(bbox[1] - bbox[0]);
        bounds[3] = static_cast<float>(bbox[3] - bbox[2]);
    }
    void DrawMathTextString(float *point, const vtkStdString &string) override { DrawString(point, string); }
    void DrawImage(float[2], float, vtkImageData *) override {}
    void DrawImage(const vtkRectf &, vtkImageData *) override {}
    void SetColor4(unsigned char[4]) override {}
    void SetTexture(vtkImageData *, int) override {}
    void SetPointSize(float) override {}
    void SetLineWidth(float) override {}
    void SetLineType(int) override {}
    void SetMatrix(vtkMatrix3x3 *m) override { m_matrix->DeepCopy(m); }
    void GetMatrix(vtkMatrix3x3 *m) override { m->DeepCopy(m_matrix); }
    void MultiplyMatrix(vtkMatrix3x3 *m) override { vtkMatrix3x3::Multiply3x3(m_matrix, m, m_matrix); }
    void PushMatrix() override
    {
        vtkNew<vtkMatrix3x3> copy;
        copy->DeepCopy(m_matrix);
        m_stack.emplace_back(copy);
    }
    void PopMatrix() override
    {
        if (m_stack.empty())
            return;
        m_matrix->DeepCopy(m_stack.back());
        m_stack.pop_back();
    }
    void SetClipping(int *) override {}
    void EnableClipping(bool) override {}

protected:
    RecordingDevice() = default;
    ~RecordingDevice() override = default;

private:
    vtkNew<vtkMatrix3x3> m_matrix;
    std::vector<vtkSmartPointer<vtkMatrix3x3>> m_stack;
};

vtkStandardNewMacro(RecordingDevice);

/// Data coordinates to scene pixels through a chart's axes.
QPointF toScene(vtkChartXY *chart, double x, double y)
{
    auto map = [](vtkAxis *axis, double value, int dim) {
        const float *p1 = axis->GetPoint1(), *p2 = axis->GetPoint2();
        const double span = axis->GetMaximum() - axis->GetMinimum();
        const double t = span != 0 ? (value - axis->GetMinimum()) / span : 0.5;
        return p1[dim] + t * (p2[dim] - p1[dim]);
    };
    return {map(chart->GetAxis(vtkAxis::BOTTOM), x, 0), map(chart->GetAxis(vtkAxis::LEFT), y, 1)};
}

} // namespace

std::vector<QPointF> figureMarks(vtkChartXY *chart)
{
    std::vector<QPointF> marks;
    for (const auto &[plot, xs, ys, bar] : plotArrays(chart)) {
        const bool line = vtkPlotLine::SafeDownCast(plot) != nullptr;
        const vtkIdType n = std::min(xs->GetNumberOfTuples(), ys->GetNumberOfTuples());
        for (vtkIdType i = 0; i < n; ++i) {
            const double x = xs->GetTuple1(i), y = ys->GetTuple1(i);
            if (bar) {
                const double c = x - bar->GetOffset(), w = bar->GetWidth();
                if (y == 0)
                    continue;
                for (int a = 0; a <= 4; ++a)
                    for (int b = 0; b <= 4; ++b)
                        marks.push_back(toScene(chart, c - w / 2 + w * a / 4, y * b / 4));
                continue;
            }
            marks.push_back(toScene(chart, x, y));
            if (line && i + 1 < n)
                for (int s = 1; s < 8; ++s) {
                    const double t = s / 8.0;
                    marks.push_back(toScene(chart, x + t * (xs->GetTuple1(i + 1) - x), y + t * (ys->GetTuple1(i + 1) - y)));
                }
        }
    }
    return marks;
}

namespace {

QStringList tickLabels(vtkAxis *axis)
{
    QStringList labels;
    vtkStringArray *names = axis->GetTickLabels();
    for (vtkIdType i = 0; names && i < names->GetNumberOfValues(); ++i)
        labels << QString::fromStdString(names->GetValue(i));
    return labels;
}

} // namespace

vtkSmartPointer<vtkContext2D> measuringPainter(int dpi)
{
    vtkNew<RecordingDevice> device;
    device->dpi = dpi;
    auto painter = vtkSmartPointer<vtkContext2D>::New();
    painter->Begin(device);
    return painter;
}

FigureGeometry inspectFigure(vtkContextScene *scene, const std::vector<vtkChartXY *> &charts, int dpi)
{
    FigureGeometry geometry;
    geometry.size = QSizeF(scene->GetSceneWidth(), scene->GetSceneHeight());
    vtkSmartPointer<vtkContext2D> painter = measuringPainter(dpi);
    auto *device = static_cast<RecordingDevice *>(painter->GetDevice());
    scene->Paint(painter);
    const std::vector<RecordingDevice::Drawn> drawn = device->strings;

    for (vtkChartXY *chart : charts) {
        FigurePanel panel;
        const vtkRectf area = chart->GetSize();
        panel.area = chart->GetLayoutStrategy() == vtkChart::FILL_SCENE || area.GetWidth() <= 0
                         ? QRectF(QPointF(0, 0), geometry.size)
                         : QRectF(area.GetX(), area.GetY(), area.GetWidth(), area.GetHeight());
        vtkAxis *x = chart->GetAxis(vtkAxis::BOTTOM), *y = chart->GetAxis(vtkAxis::LEFT);
        panel.plot = QRectF(QPointF(x->GetPoint1()[0], y->GetPoint1()[1]), QPointF(x->GetPoint2()[0], y->GetPoint2()[1]));
        panel.xMin = x->GetMinimum();
        panel.xMax = x->GetMaximum();
        panel.yMin = y->GetMinimum();
        panel.yMax = y->GetMaximum();
        panel.data = dataExtent(chart);
        panel.marks = figureMarks(chart);
        panel.xTicks = tickLabels(x);
        panel.yTicks = tickLabels(y);
        if (chart->GetShowLegend() && chart->GetLegend()->GetVisible()) {
            const vtkRectf r = chart->GetLegend()->GetBoundingRect(painter);
            panel.legend = QRectF(r.GetX(), r.GetY(), r.GetWidth(), r.GetHeight());
        }
        geometry.panels.push_back(panel);
    }

    for (const RecordingDevice::Drawn &d : drawn) {
        FigureText text;
        text.text = QString::fromStdString(d.text);
        text.box = d.box;
        const QPointF centre = text.box.center();
        for (std::size_t p = 0; p < charts.size() && text.panel < 0; ++p) {
            const FigurePanel &panel = geometry.panels[p];
            if (!panel.area.adjusted(-1, -1, 1, 1).contains(centre))
                continue;
            if (!panel.legend.isEmpty() && panel.legend.contains(centre)) {
                text.kind = FigureText::Legend;
                text.panel = static_cast<int>(p);
                break;
            }
            // Tick labels and axis titles of the bottom axis lie below the plot, the left axis's to its left.
            vtkAxis *x = charts[p]->GetAxis(vtkAxis::BOTTOM), *y = charts[p]->GetAxis(vtkAxis::LEFT);
            const bool below = centre.y() < panel.plot.top(), left = centre.x() < panel.plot.left();
            if (below && x->GetVisible() && (panel.xTicks.contains(text.text) || text.text == QString::fromStdString(x->GetTitle()))) {
                text.kind = panel.xTicks.contains(text.text) && text.text != QString::fromStdString(x->GetTitle())
                                ? FigureText::TickLabel
                                : FigureText::AxisTitle;
                text.axis = vtkAxis::BOTTOM;
            } else if (left && y->GetVisible()
                       && (panel.yTicks.contains(text.text) || text.text == QString::fromStdString(y->GetTitle()))) {
                text.kind = panel.yTicks.contains(text.text) && text.text != QString::fromStdString(y->GetTitle())
                                ? FigureText::TickLabel
                                : FigureText::AxisTitle;
                text.axis = vtkAxis::LEFT;
            } else {
                continue;
            }
            text.panel = static_cast<int>(p);
        }
        if (text.panel < 0) {
            // A chart's own title belongs to the chart whose plot lies below it.
            for (std::size_t p = 0; p < charts.size(); ++p) {
                const QRectF &plot = geometry.panels[p].plot;
                if (text.box.center().x() >= plot.left() && text.box.center().x() <= plot.right()
                    && QString::fromStdString(charts[p]->GetTitle()) == text.text)
                    text.panel = static_cast<int>(p);
            }
        }
        geometry.texts.push_back(text);
    }
    return geometry;
}

} // namespace pds
