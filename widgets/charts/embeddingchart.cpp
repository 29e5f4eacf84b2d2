#include "charts/embeddingchart.h"

#include "charts/figureinspect.h"

#include "views/embeddingview.h"

#include <QApplication>
#include <QMenu>
#include <QMouseEvent>
#include <QRubberBand>
#include <QToolTip>

namespace pds {

EmbeddingChart::EmbeddingChart(EmbeddingView *view)
    : m_view(view), m_band(new QRubberBand(QRubberBand::Rectangle, this))
{
}

QString EmbeddingChart::figureTitle() const { return m_view->figureTitle(); }

FigureGeometry EmbeddingChart::figureGeometry() { return m_view->figureGeometry(); }

void EmbeddingChart::prepareFrame() { m_view->layoutScene(renderDpi()); }

void EmbeddingChart::mousePressEvent(QMouseEvent *event)
{
    m_pressPos = event->position().toPoint();
    if (event->button() == Qt::LeftButton && (event->modifiers() & Qt::ShiftModifier)) {
        m_band->setGeometry(QRect(m_pressPos, QSize()));
        m_band->show();
        return;
    }
    VtkHost::mousePressEvent(event);
}

void EmbeddingChart::mouseMoveEvent(QMouseEvent *event)
{
    const QPoint pos = event->position().toPoint();
    if (m_band->isVisible()) {
        m_band->setGeometry(QRect(m_pressPos, pos).normalized());
        return;
    }
    VtkHost::mouseMoveEvent(event);
    if (event->buttons() == Qt::NoButton) {
        const QString text = m_view->hoverText(pos);
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(event->globalPosition().toPoint(), text, this);
    }
}

void EmbeddingChart::mouseReleaseEvent(QMouseEvent *event)
{
    const QPoint pos = event->position().toPoint();
    if (m_band->isVisible()) {
        m_band->hide();
        m_view->selectRect(QRect(m_pressPos, pos).normalized());
        return;
    }
    VtkHost::mouseReleaseEvent(event);
    // A left click without a drag picks; a drag was the camera's.
    if (event->button() == Qt::LeftButton
        && (pos - m_pressPos).manhattanLength() <= QApplication::startDragDistance())
        m_view->pickAt(pos);
}

void EmbeddingChart::extendContextMenu(QMenu *menu)
{
    menu->addAction(tr("Reset camera"), this, [this] { m_view->fitCamera(true); });
}

} // namespace pds
