#include "training/livecurves.h"

#include "charts/chartstyle.h"
#include "charts/figureinspect.h"
#include "charts/palette.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace pds {

namespace {

constexpr int kLeft = 0, kBottom = 1, kRight = 2; // axis numbers as vtkAxis counts them

} // namespace

LiveCurves::LiveCurves(QWidget *parent) : QWidget(parent)
{
    setMinimumHeight(150);
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

LiveCurves::Layout LiveCurves::layout() const
{
    Layout l;
    const QFontMetricsF fm(font());
    const double gap = 4, lineH = fm.height();
    const QRectF area = QRectF(rect()).adjusted(gap, gap, -gap, -gap);

    // Axis ranges fitted to the curves with a 5 % margin; the x axis spans the planned epochs.
    bool any = false, anyAcc = false;
    double lossLo = 0, lossHi = 1, accLo = 0, accHi = 1;
    for (const auto &curve : m_models)
        for (const auto &pt : curve) {
            // Test accuracy is NaN at epochs without a held-out evaluation.
            if (!std::isfinite(pt.trainLoss))
                continue;
            lossLo = any ? std::min(lossLo, pt.trainLoss) : pt.trainLoss;
            lossHi = any ? std::max(lossHi, pt.trainLoss) : pt.trainLoss;
            if (std::isfinite(pt.testAccuracy)) {
                accLo = anyAcc ? std::min(accLo, pt.testAccuracy) : pt.testAccuracy;
                accHi = anyAcc ? std::max(accHi, pt.testAccuracy) : pt.testAccuracy;
                anyAcc = true;
            }
            any = true;
        }
    auto widen = [](double &lo, double &hi) {
        const double pad = hi > lo ? 0.05 * (hi - lo) : 0.05;
        lo -= pad;
        hi += pad;
    };
    widen(lossLo, lossHi);
    widen(accLo, accHi);
    accHi *= 100;
    accLo *= 100;
    l.loss0 = lossLo;
    l.loss1 = lossHi;
    l.acc0 = accLo;
    l.acc1 = accHi;
    l.epoch0 = m_epochs <= 1 ? 0.5 : 1.0 - 0.05 * (m_epochs - 1);
    l.epoch1 = m_epochs <= 1 ? 1.5 : m_epochs + 0.05 * (m_epochs - 1);

    // The legend above the plot, wrapped to the width: a swatch per model, then the line-style key.
    struct Entry {
        QString text;
        int model;
        bool dashed;
    };
    std::vector<Entry> entries;
    for (int m = 0; m < m_models.size(); ++m)
        if (!m_models[m].isEmpty())
            entries.push_back({modelLabel(m), m, false});
    entries.push_back({tr("train loss"), -1, false});
    entries.push_back({tr("test accuracy"), -1, true});
    const double swatchW = 18;
    double x = area.left(), y = area.top();
    for (const Entry &e : entries) {
        const double w = swatchW + 3 + fm.horizontalAdvance(e.text) + 10;
        if (x + w > area.right() && x > area.left()) {
            x = area.left();
            y += lineH;
        }
        l.swatches.push_back({QRectF(x, y + lineH / 2, swatchW, 0), e.model, e.dashed});
        l.texts.push_back({e.text, QRectF(x + swatchW + 3, y, fm.horizontalAdvance(e.text), lineH), 3});
        x += w;
    }
    l.legend = QRectF(area.left(), area.top(), area.width(), y + lineH - area.top());

    const std::vector<double> lossTicks = niceTickValues(l.loss0, l.loss1, 4, false);
    const std::vector<double> accTicks = niceTickValues(l.acc0, l.acc1, 4, false);
    const std::vector<double> epochTicks = niceTickValues(std::ceil(l.epoch0), std::floor(l.epoch1), 6, true);
    auto decimals = [](const std::vector<double> &ticks) { return tickDecimals(ticks.size() > 1 ? ticks[1] - ticks[0] : 1.0); };
    const int lossDecimals = decimals(lossTicks), accDecimals = decimals(accTicks);
    double lossW = 0, accW = 0;
    for (double v : lossTicks)
        lossW = std::max(lossW, fm.horizontalAdvance(QString::number(v, 'f', lossDecimals)));
    for (double v : accTicks)
        accW = std::max(accW, fm.horizontalAdvance(QStringLiteral("%1%").arg(v, 0, 'f', accDecimals)));
    l.plot = QRectF(QPointF(area.left() + lineH + gap + lossW + gap, l.legend.bottom() + lineH / 2 + gap),
                    QPointF(area.right() - lineH - gap - accW - gap, area.bottom() - 2 * lineH - gap));
    const QRectF &p = l.plot;

    auto yOf = [&](double v, double lo, double hi) { return p.bottom() - p.height() * (v - lo) / (hi - lo); };
    for (double v : lossTicks) {
        const QString t = QString::number(v, 'f', lossDecimals);
        const double w = fm.horizontalAdvance(t), yy = yOf(v, l.loss0, l.loss1);
        l.texts.push_back({t, QRectF(p.left() - gap - w, yy - lineH / 2, w, lineH), 2, kLeft});
    }
    for (double v : accTicks) {
        const QString t = QStringLiteral("%1%").arg(v, 0, 'f', accDecimals);
        const double yy = yOf(v, l.acc0, l.acc1);
        l.texts.push_back({t, QRectF(p.right() + gap, yy - lineH / 2, fm.horizontalAdvance(t), lineH), 2, kRight});
    }
    for (double v : epochTicks) {
        const QString t = QString::number(v, 'f', 0);
        const double w = fm.horizontalAdvance(t);
        const double xx = p.left() + p.width() * (v - l.epoch0) / (l.epoch1 - l.epoch0);
        l.texts.push_back({t, QRectF(xx - w / 2, p.bottom() + 2, w, lineH), 2, kBottom});
    }
    const QString epochTitle = tr("Epoch"), lossTitle = tr("Train loss"), accTitle = tr("Test accuracy");
    const double ew = fm.horizontalAdvance(epochTitle), lw = fm.horizontalAdvance(lossTitle),
                 aw = fm.horizontalAdvance(accTitle);
    l.texts.push_back({epochTitle, QRectF(p.center().x() - ew / 2, p.bottom() + 2 + lineH, ew, lineH), 1, kBottom});
    l.texts.push_back({lossTitle, QRectF(area.left(), p.center().y() - lw / 2, lineH, lw), 1, kLeft, true});
    l.texts.push_back({accTitle, QRectF(area.right() - lineH, p.center().y() - aw / 2, lineH, aw), 1, kRight, true});
    return l;
}

QPointF LiveCurves::lossPoint(const Layout &l, const Point &pt) const
{
    const QRectF &p = l.plot;
    return {p.left() + p.width() * (pt.epoch - l.epoch0) / (l.epoch1 - l.epoch0),
            p.bottom() - p.height() * (pt.trainLoss - l.loss0) / (l.loss1 - l.loss0)};
}

QPointF LiveCurves::accuracyPoint(const Layout &l, const Point &pt) const
{
    const QRectF &p = l.plot;
    return {p.left() + p.width() * (pt.epoch - l.epoch0) / (l.epoch1 - l.epoch0),
            p.bottom() - p.height() * (100 * pt.testAccuracy - l.acc0) / (l.acc1 - l.acc0)};
}

FigureGeometry LiveCurves::figureGeometry() const
{
    const Layout l = layout();
    FigureGeometry g;
    g.size = size();
    for (const Text &t : l.texts) {
        FigureText text;
        text.text = t.text;
        text.box = t.box;
        text.kind = static_cast<FigureText::Kind>(t.kind);
        text.panel = t.axis == kRight ? 1 : 0;
        text.axis = t.axis;
        g.texts.push_back(text);
    }
    for (int panel = 0; panel < 2; ++panel) {
        FigurePanel fp;
        fp.plot = l.plot;
        fp.legend = l.legend;
        fp.xMin = l.epoch0;
        fp.xMax = l.epoch1;
        fp.yMin = panel == 0 ? l.loss0 : l.acc0;
        fp.yMax = panel == 0 ? l.loss1 : l.acc1;
        for (const auto &curve : m_models)
            for (const Point &pt : curve) {
                const double v = panel == 0 ? pt.trainLoss : 100 * pt.testAccuracy;
                if (!std::isfinite(v))
                    continue;
                fp.marks.push_back(panel == 0 ? lossPoint(l, pt) : accuracyPoint(l, pt));
                if (!fp.data.valid)
                    fp.data = {double(pt.epoch), double(pt.epoch), v, v, true};
                fp.data.x0 = std::min(fp.data.x0, double(pt.epoch));
                fp.data.x1 = std::max(fp.data.x1, double(pt.epoch));
                fp.data.y0 = std::min(fp.data.y0, v);
                fp.data.y1 = std::max(fp.data.y1, v);
            }
        g.panels.push_back(fp);
    }
    return g;
}

void LiveCurves::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), palette().base());
    const Layout l = layout();
    if (l.plot.width() < 20 || l.plot.height() < 20)
        return;
    const QColor text = palette().color(QPalette::Text);

    p.setPen(QPen(palette().color(QPalette::Midlight), 1));
    for (const Text &t : l.texts)
        if (t.kind == 2 && t.axis == kLeft)
            p.drawLine(QPointF(l.plot.left(), t.box.center().y()), QPointF(l.plot.right(), t.box.center().y()));
    p.setPen(text);
    p.drawRect(l.plot);
    for (const Text &t : l.texts) {
        if (!t.vertical) {
            p.drawText(t.box, Qt::AlignCenter, t.text);
            continue;
        }
        p.save();
        p.translate(t.box.center());
        p.rotate(t.axis == kLeft ? -90 : 90);
        p.drawText(QRectF(-t.box.height() / 2, -t.box.width() / 2, t.box.height(), t.box.width()), Qt::AlignCenter, t.text);
        p.restore();
    }
    for (const Swatch &s : l.swatches) {
        p.setPen(QPen(s.model >= 0 ? modelColour(s.model) : text, s.model >= 0 ? 3.0 : 1.6,
                      s.dashed ? Qt::DashLine : Qt::SolidLine));
        p.drawLine(s.line.topLeft(), s.line.topRight());
    }

    p.setClipRect(l.plot);
    for (int m = 0; m < m_models.size(); ++m) {
        const auto &curve = m_models[m];
        if (curve.isEmpty())
            continue;
        QPainterPath loss, acc;
        for (int i = 0; i < curve.size(); ++i) {
            if (i == 0)
                loss.moveTo(lossPoint(l, curve[i]));
            else
                loss.lineTo(lossPoint(l, curve[i]));
            if (!std::isfinite(curve[i].testAccuracy))
                continue;
            if (acc.elementCount() == 0)
                acc.moveTo(accuracyPoint(l, curve[i]));
            else
                acc.lineTo(accuracyPoint(l, curve[i]));
        }
        const QColor c = modelColour(m);
        p.setPen(QPen(c, 1.6));
        p.drawPath(loss);
        p.setPen(QPen(c, 1.6, Qt::DashLine));
        p.drawPath(acc);
        p.setBrush(c);
        p.setPen(Qt::NoPen);
        for (const auto &pt : curve) {
            p.drawEllipse(lossPoint(l, pt), 2.5, 2.5);
            if (std::isfinite(pt.testAccuracy))
                p.drawEllipse(accuracyPoint(l, pt), 2.5, 2.5);
        }
        p.setBrush(Qt::NoBrush);
    }
}

} // namespace pds
