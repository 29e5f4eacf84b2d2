#pragma once

#include "charts/vtkhost.h"

#include <QPoint>

class QRubberBand;

namespace pds {

class EmbeddingView;

/// The render surface of an EmbeddingView: VTK's camera interaction plus a
/// click to pick, a Shift-drag to select and hover texts. The scene belongs
/// to the view, which this canvas asks for picks, selections and hover texts.
class EmbeddingChart : public VtkHost {
    Q_OBJECT
public:
    explicit EmbeddingChart(EmbeddingView *view);
    QString figureTitle() const override;
    FigureGeometry figureGeometry() override;

protected:
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void extendContextMenu(QMenu *menu) override;
    void prepareFrame() override;

private:
    EmbeddingView *m_view;
    QRubberBand *m_band;
    QPoint m_pressPos;
};

} // namespace pds
