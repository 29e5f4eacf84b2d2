#include "views/distributionbars.h"

#include <QPainter>

#include <algorithm>

namespace pds {
namespace {
constexpr int kMaxBars = 10;
} // namespace

DistributionBars::DistributionBars(QWidget *parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
}

void DistributionBars::setDistribution(const QStringList &classNames, const std::vector<double> &shares,
                                       int givenLabel)
{
    m_bars.clear();
    for (std::size_t k = 0; k < shares.size(); ++k)
        if (shares[k] > 0)
            m_bars.push_back({classNames.value(static_cast<int>(k), QString::number(k)), shares[k],
                              static_cast<int>(k) == givenLabel});
    std::stable_sort(m_bars.begin(), m_bars.end(), [](const Bar &a, const Bar &b) { return a.share > b.share; });
    if (m_bars.size() > kMaxBars)
        m_bars.resize(kMaxBars);
    updateGeometry();
    update();
}

QSize DistributionBars::sizeHint() const
{
    return {200, static_cast<int>(m_bars.size()) * (fontMetrics().height() + 4) + 2};
}

void DistributionBars::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const int line = fontMetrics().height() + 4;
    const int nameWidth = std::min(width() / 3, 110);
    const int percentWidth = fontMetrics().horizontalAdvance(QStringLiteral("100%")) + 6;
    const int barWidth = std::max(10, width() - nameWidth - percentWidth - 8);
    for (std::size_t i = 0; i < m_bars.size(); ++i) {
        const Bar &b = m_bars[i];
        const int y = static_cast<int>(i) * line;
        p.setPen(palette().color(QPalette::WindowText));
        p.drawText(QRect(0, y, nameWidth, line), Qt::AlignLeft | Qt::AlignVCenter,
                   fontMetrics().elidedText(b.name, Qt::ElideRight, nameWidth));
        const QRect bar(nameWidth + 4, y + 3, static_cast<int>(barWidth * b.share), line - 6);
        p.fillRect(bar, b.given ? QColor(0x2e, 0x7d, 0x32) : QColor(0xc6, 0x28, 0x28));
        p.drawText(QRect(nameWidth + 8 + barWidth, y, percentWidth, line), Qt::AlignRight | Qt::AlignVCenter,
                   QStringLiteral("%1%").arg(qRound(b.share * 100)));
    }
}

} // namespace pds
