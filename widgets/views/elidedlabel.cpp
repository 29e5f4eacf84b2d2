#include "views/elidedlabel.h"

#include <QResizeEvent>

#include <algorithm>

namespace pds {

ElidedLabel::ElidedLabel(QWidget *parent) : QLabel(parent)
{
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
}

void ElidedLabel::setFullText(const QString &text)
{
    m_text = text;
    setToolTip(text);
    elide();
    updateGeometry();
}

void ElidedLabel::setMaxTextWidth(int pixels)
{
    m_maxTextWidth = pixels;
    updateGeometry();
}

QSize ElidedLabel::sizeHint() const
{
    const QMargins m = contentsMargins();
    const int padding = m.left() + m.right() + 2 * margin() + 18; // the style sheet's padding and border
    return {std::min(m_maxTextWidth, fontMetrics().horizontalAdvance(m_text)) + padding, QLabel::sizeHint().height()};
}

QSize ElidedLabel::minimumSizeHint() const
{
    return {fontMetrics().horizontalAdvance(QStringLiteral("M…M")) + 18, QLabel::minimumSizeHint().height()};
}

void ElidedLabel::resizeEvent(QResizeEvent *event)
{
    QLabel::resizeEvent(event);
    elide();
}

void ElidedLabel::elide()
{
    const int room = std::max(0, contentsRect().width() - 2 * margin() - 16);
    QLabel::setText(fontMetrics().elidedText(m_text, Qt::ElideMiddle, std::min(room, m_maxTextWidth)));
}

} // namespace pds
