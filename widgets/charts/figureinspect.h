#pragma once

#include "charts/chartstyle.h"

#include <QPointF>
#include <QRectF>
#include <QSizeF>
#include <QString>
#include <QStringList>

#include <vtkSmartPointer.h>

#include <vector>

class vtkChartXY;
class vtkContext2D;
class vtkContextScene;

namespace pds {

/// One string a figure draws and the box it covers, in scene pixels (origin
/// bottom left, y up, as VTK's charts count).
struct FigureText {
    enum Kind { Title, AxisTitle, TickLabel, Legend };
    QString text;
    QRectF box;
    Kind kind = Title;
    int panel = -1;  ///< chart the text belongs to; -1 for the figure's own title
    int axis = -1;   ///< vtkAxis position for axis titles and tick labels
};

/// One chart of a figure: its plot area, axes, legend and data.
struct FigurePanel {
    QRectF area;             ///< the part of the figure the chart is laid out in
    QRectF plot;
    QRectF legend;           ///< empty when the legend is hidden
    double xMin = 0, xMax = 0, yMin = 0, yMax = 0; ///< axis ranges
    DataExtent data;
    std::vector<QPointF> marks; ///< plotted points, line samples and bar corners (scene pixels)
    QStringList xTicks, yTicks;
};

/// What a figure draws where, for tests of legibility: every string with its
/// box, every chart's plot area, legend, ranges and marks.
struct FigureGeometry {
    QSizeF size;
    std::vector<FigureText> texts;
    std::vector<FigurePanel> panels;
};

/// A painter that draws nothing and measures text exactly as the OpenGL
/// device does at `dpi`, recording every string drawn through it.
vtkSmartPointer<vtkContext2D> measuringPainter(int dpi);

/// Where a chart's plotted points, line samples and bar corners fall, in scene pixels.
std::vector<QPointF> figureMarks(vtkChartXY *chart);

/// Paints `scene` through a measuring painter and reports the geometry of
/// `charts` (which must be in the scene) and of the texts drawn.
FigureGeometry inspectFigure(vtkContextScene *scene, const std::vector<vtkChartXY *> &charts, int dpi);

} // namespace pds
