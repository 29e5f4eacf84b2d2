#include "training/livecurves.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace pds {

namespace {

QColor modelColour(int model)
{
    static const QColor palette[] = {QColor(31, 119, 180), QColor(255, 127, 14), QColor(44, 160, 44),
                                     QColor(214, 39, 40),  QColor(148, 103, 189), QColor(140, 86, 75),
                                     QColor(227, 119, 194), QColor(127, 127, 127)};
    return palette[model % 8];
}

/// An axis maximum a reader can take in at a glance: 1, 2 or 5 times a power of ten.
double niceCeiling(double v)
{
    if (!(v > 0))
        return 1.0;
    const double p = std::pow(10.0, std::floor(std::log10(v)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (v <= m * p)
            return m * p;
    return 10 * p;
}

} // namespace

LiveCurves::LiveCurves(QWidget *parent) : QWidget(parent)
{
    setMinimumHeight(120);
}

void LiveCurves::clear()
{
    m_models.clear();
    m_epochs = 1;
    update();
}

void LiveCurves::setEpochs(int epochs)
{
    if (epochs > m_epochs) {
        m_epochs = epochs;
        update();
    }
}

void LiveCurves::addPoint(int model, int epoch, double trainLoss, double testAccuracy)
{
    if (model < 0)
        return;
    if (model >= m_models.size())
        m_models.resize(model + 1);
    m_models[model].append({epoch, trainLoss, testAccuracy});
    m_epochs = std::max(m_epochs, epoch);
    update();
}

int LiveCurves::pointCount(int model) const
{
    return model >= 0 && model < m_models.size() ? m_models[model].size() : 0;
}

void LiveCurves::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), palette().base());
    const QFontMetrics fm = p.fontMetrics();
    const int left = fm.horizontalAdvance(QStringLiteral("0.000")) + 8;
    const int right = fm.horizontalAdvance(QStringLiteral("100%")) + 8;
    const QRect plot = rect().adjusted(left, fm.height() + 6, -right, -(fm.height() + 6));
    if (plot.width() < 20 || plot.height() < 20)
        return;

    double maxLoss = 0.0;
    for (const auto &curve : m_models)
        for (const auto &pt : curve)
            if (std::isfinite(pt.trainLoss))
                maxLoss = std::max(maxLoss, pt.trainLoss);
    maxLoss = niceCeiling(maxLoss);
    // One epoch sits at the left edge; with a single epoch it is centred.
    auto x = [&](int epoch) {
        return m_epochs <= 1 ? plot.center().x()
                             : plot.left() + plot.width() * double(epoch - 1) / double(m_epochs - 1);
    };
    auto yLoss = [&](double v) { return plot.bottom() - plot.height() * std::clamp(v / maxLoss, 0.0, 1.0); };
    auto yAcc = [&](double v) { return plot.bottom() - plot.height() * std::clamp(v, 0.0, 1.0); };

    const QColor text = palette().color(QPalette::Text);
    p.setPen(QPen(palette().color(QPalette::Mid), 1, Qt::DotLine));
    for (int i = 0; i <= 4; ++i) {
        const double y = plot.bottom() - plot.height() * i / 4.0;
        p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
    }
    p.setPen(text);
    p.drawRect(plot);
    for (int i = 0; i <= 4; i += 2) {
        const double y = plot.bottom() - plot.height() * i / 4.0 + fm.ascent() / 2.0;
        p.drawText(QPointF(2, y), QString::number(maxLoss * i / 4.0, 'g', 3));
        p.drawText(QPointF(plot.right() + 4, y), QStringLiteral("%1%").arg(25 * i));
    }
    p.drawText(QRect(plot.left(), plot.bottom() + 2, plot.width(), fm.height()), Qt::AlignCenter,
               tr("epoch (1–%1)").arg(m_epochs));
    p.drawText(QRect(0, 0, width(), fm.height() + 4), Qt::AlignCenter,
               tr("train loss ─  test accuracy ╌"));

    for (int m = 0; m < m_models.size(); ++m) {
        const auto &curve = m_models[m];
        if (curve.isEmpty())
            continue;
        QPainterPath loss, acc;
        for (int i = 0; i < curve.size(); ++i) {
            const QPointF a(x(curve[i].epoch), yLoss(curve[i].trainLoss));
            const QPointF b(x(curve[i].epoch), yAcc(curve[i].testAccuracy));
            if (i == 0) {
                loss.moveTo(a);
                acc.moveTo(b);
            } else {
                loss.lineTo(a);
                acc.lineTo(b);
            }
        }
        const QColor c = modelColour(m);
        p.setPen(QPen(c, 1.6));
        p.drawPath(loss);
        p.setPen(QPen(c, 1.6, Qt::DashLine));
        p.drawPath(acc);
        p.setBrush(c);
        p.setPen(Qt::NoPen);
        for (const auto &pt : curve) {
            p.drawEllipse(QPointF(x(pt.epoch), yLoss(pt.trainLoss)), 2.5, 2.5);
            p.drawEllipse(QPointF(x(pt.epoch), yAcc(pt.testAccuracy)), 2.5, 2.5);
        }
        p.setBrush(Qt::NoBrush);
    }
}

} // namespace pds
