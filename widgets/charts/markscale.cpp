#include "charts/markscale.h"

#include <vtkActor.h>
#include <vtkActorCollection.h>
#include <vtkAxis.h>
#include <vtkChartLegend.h>
#include <vtkChartXY.h>
#include <vtkContextActor.h>
#include <vtkContextScene.h>
#include <vtkCubeAxesActor.h>
#include <vtkPen.h>
#include <vtkPlot.h>
#include <vtkPlotPoints.h>
#include <vtkProp.h>
#include <vtkPropCollection.h>
#include <vtkProperty.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkRendererCollection.h>

#include <algorithm>
#include <cmath>

namespace pds {

void MarkScale::scale(vtkObject *object, std::array<float, 4> &values, int count, bool whole)
{
    auto it = m_entries.find(object);
    if (it == m_entries.end() || it->second.object.Get() != object) {
        // A new object, or a new one where a deleted one was: its sizes are as the view set them.
        Entry entry;
        entry.object = object;
        entry.nominal = values;
        it = m_entries.insert_or_assign(object, entry).first;
    }
    Entry &e = it->second;
    for (int i = 0; i < count; ++i) {
        const auto k = static_cast<std::size_t>(i);
        if (e.set && std::abs(values[k] - e.applied[k]) > 1e-3f)
            e.nominal[k] = values[k]; // the view changed it since we set it
        values[k] = static_cast<float>(e.nominal[k] * m_scale);
        if (whole)
            values[k] = std::max(1.0f, std::round(values[k])); // as the object stores it, so it reads back unchanged
        e.applied[k] = values[k];
    }
    e.set = true;
}

void MarkScale::visit(vtkAbstractContextItem *item)
{
    if (!item)
        return;
    if (auto *plot = vtkPlot::SafeDownCast(item)) {
        auto *points = vtkPlotPoints::SafeDownCast(plot);
        // VTK sizes unsized markers from the pen, at least 8 pixels: fixed here so they scale too.
        const float marker = points ? (points->GetMarkerSize() > 0 ? points->GetMarkerSize()
                                                                   : std::max(8.0f, plot->GetWidth() * 2.3f))
                                    : 0.0f;
        std::array<float, 4> v{plot->GetWidth(), marker, 0, 0};
        scale(plot, v, points ? 2 : 1);
        plot->SetWidth(v[0]);
        if (points)
            points->SetMarkerSize(v[1]);
    } else if (auto *axis = vtkAxis::SafeDownCast(item)) {
        std::array<float, 4> v{axis->GetPen()->GetWidth(), axis->GetGridPen()->GetWidth(), axis->GetTickLength(), 0};
        scale(axis, v, 3);
        axis->GetPen()->SetWidth(v[0]);
        axis->GetGridPen()->SetWidth(v[1]);
        axis->SetTickLength(v[2]);
    } else if (auto *legend = vtkChartLegend::SafeDownCast(item)) {
        std::array<float, 4> v{float(legend->GetSymbolWidth()), float(legend->GetPadding()), 0, 0};
        scale(legend, v, 2, true);
        legend->SetSymbolWidth(static_cast<int>(v[0]));
        legend->SetPadding(static_cast<int>(v[1]));
    }
    if (auto *chart = vtkChartXY::SafeDownCast(item)) {
        // Plots and axes sit in the chart's private containers as well: visit them by name.
        for (vtkIdType i = 0; i < chart->GetNumberOfPlots(); ++i)
            visit(chart->GetPlot(i));
        for (int a = 0; a < 4; ++a)
            visit(chart->GetAxis(a));
        visit(chart->GetLegend());
        return;
    }
    for (vtkIdType i = 0; i < item->GetNumberOfItems(); ++i)
        visit(item->GetItem(i));
}

void MarkScale::apply(vtkRenderWindow *window, double pixelsPerPoint)
{
    m_scale = pixelsPerPoint > 0 ? pixelsPerPoint : 1.0;
    for (auto it = m_entries.begin(); it != m_entries.end();)
        it = it->second.object ? std::next(it) : m_entries.erase(it);
    vtkRendererCollection *renderers = window->GetRenderers();
    renderers->InitTraversal();
    while (vtkRenderer *renderer = renderers->GetNextItem()) {
        vtkPropCollection *props = renderer->GetViewProps();
        props->InitTraversal();
        while (vtkProp *prop = props->GetNextProp()) {
            if (auto *context = vtkContextActor::SafeDownCast(prop)) {
                vtkContextScene *scene = context->GetScene();
                for (unsigned int i = 0; scene && i < scene->GetNumberOfItems(); ++i)
                    visit(scene->GetItem(i));
            } else if (auto *actor = vtkActor::SafeDownCast(prop)) {
                vtkProperty *p = actor->GetProperty();
                std::array<float, 4> v{p->GetPointSize(), p->GetLineWidth(), 0, 0};
                scale(p, v, 2);
                p->SetPointSize(v[0]);
                p->SetLineWidth(v[1]);
                if (auto *cube = vtkCubeAxesActor::SafeDownCast(actor))
                    for (vtkProperty *lines : {cube->GetXAxesLinesProperty(), cube->GetYAxesLinesProperty(),
                                               cube->GetZAxesLinesProperty()}) {
                        std::array<float, 4> w{lines->GetLineWidth(), 0, 0, 0};
                        scale(lines, w, 1);
                        lines->SetLineWidth(w[0]);
                    }
            }
        }
    }
}

} // namespace pds
