#pragma once

#include <QVector>
#include <QWidget>

namespace pds {

/// A small live plot of per-epoch curves, drawn with QPainter (not a VTK
/// Chart) so it works offscreen: train loss (solid, left axis) and test
/// accuracy (dashed, right axis, 0–100 %) of every model, one colour per model.
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

    QSize sizeHint() const override { return {360, 160}; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    struct Point {
        int epoch;
        double trainLoss;
        double testAccuracy;
    };
    QVector<QVector<Point>> m_models;
    int m_epochs = 1;
};

} // namespace pds
