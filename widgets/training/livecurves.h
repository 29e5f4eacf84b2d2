#pragma once

#include <QRectF>
#include <QString>
#include <QVector>
#include <QWidget>

#include <vector>

namespace pds {

struct FigureGeometry;

/// A small live plot of per-epoch curves, drawn with QPainter (not a VTK
/// Chart) so it works offscreen: train loss (solid, left axis) and test
/// accuracy (dashed, right axis) of every model, in the models' colours,
/// with a legend above the plot and titled axes.
class LiveCurves : public QWidget {
    Q_OBJECT
public:
    explicit LiveCurves(QWidget *parent = nullptr);

    void clear();
    /// Grows the x axis to at least `epochs` epochs.
    void setEpochs(int epochs);
    void addPoint(int model, int epoch, double trainLoss, double testAccuracy);
    /// Points recorded for `model` (0 if none).
    int pointCount(int model) const;
    int modelCount() const { return m_models.size(); }

    /// Where the plot draws its texts, legend and points (widget pixels, y
    /// down): panel 0 is the loss (left axis), panel 1 the accuracy (right axis).
    FigureGeometry figureGeometry() const;

    QSize sizeHint() const override { return {360, 200}; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    struct Point {
        int epoch;
        double trainLoss;
        double testAccuracy;
    };
    struct Text {
        QString text;
        QRectF box;
        int kind;          ///< FigureText::Kind
        int axis = -1;     ///< vtkAxis position numbering: 0 left, 1 bottom, 2 right
        bool vertical = false;
    };
    struct Swatch {
        QRectF line;
        int model;
        bool dashed;
    };
    /// Everything placed for the current size and data; painting and figureGeometry() share it.
    struct Layout {
        QRectF plot, legend;
        std::vector<Text> texts;
        std::vector<Swatch> swatches;
        double epoch0 = 0, epoch1 = 1, loss0 = 0, loss1 = 1, acc0 = 0, acc1 = 1;
    };
    Layout layout() const;
    QPointF lossPoint(const Layout &l, const Point &p) const;
    QPointF accuracyPoint(const Layout &l, const Point &p) const;

    QVector<QVector<Point>> m_models;
    int m_epochs = 1;
};

} // namespace pds
