#include "training/progressview.h"

#include "training/trainingworker.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QPainterPath>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

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

QString duration(double seconds)
{
    const auto s = static_cast<long long>(std::llround(seconds));
    if (s >= 3600)
        return QStringLiteral("%1 h %2 min").arg(s / 3600).arg(s % 3600 / 60);
    if (s >= 60)
        return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60);
    return QStringLiteral("%1 s").arg(s);
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

CurveChart::CurveChart(QWidget *parent) : QWidget(parent)
{
    setMinimumHeight(120);
}

void CurveChart::clear()
{
    m_models.clear();
    m_epochs = 1;
    update();
}

void CurveChart::setEpochs(int epochs)
{
    if (epochs > m_epochs) {
        m_epochs = epochs;
        update();
    }
}

void CurveChart::addPoint(int model, int epoch, double trainLoss, double testAccuracy)
{
    if (model < 0)
        return;
    if (model >= m_models.size())
        m_models.resize(model + 1);
    m_models[model].append({epoch, trainLoss, testAccuracy});
    m_epochs = std::max(m_epochs, epoch);
    update();
}

int CurveChart::pointCount(int model) const
{
    return model >= 0 && model < m_models.size() ? m_models[model].size() : 0;
}

void CurveChart::paintEvent(QPaintEvent *)
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

ProgressPanel::ProgressPanel(QWidget *parent)
    : QWidget(parent), m_state(new QLabel(tr("No training job"), this)), m_detail(new QLabel(this)),
      m_bar(new QProgressBar(this)), m_chart(new CurveChart(this)), m_cancel(new QPushButton(tr("Cancel"), this))
{
    QFont bold = m_state->font();
    bold.setBold(true);
    m_state->setFont(bold);
    m_detail->setWordWrap(true);
    m_detail->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_bar->setRange(0, 1000);
    m_bar->setValue(0);
    m_bar->setTextVisible(false);
    m_cancel->setEnabled(false);

    auto *top = new QHBoxLayout;
    top->addWidget(m_state, 1);
    top->addWidget(m_cancel);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_bar);
    layout->addWidget(m_detail);
    layout->addWidget(m_chart, 1);

    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (!m_runner)
            return;
        m_runner->cancel();
        m_cancelling = true;
        m_state->setText(tr("Cancelling…"));
        m_cancel->setEnabled(false);
    });
}

void ProgressPanel::setRunner(TrainingRunner *runner)
{
    if (m_runner)
        disconnect(m_runner, nullptr, this, nullptr);
    m_runner = runner;
    if (!runner)
        return;
    connect(runner, &TrainingRunner::started, this, &ProgressPanel::onStarted);
    connect(runner, &TrainingRunner::progress, this, &ProgressPanel::onProgress);
    connect(runner, &TrainingRunner::epochFinished, this, &ProgressPanel::onEpochFinished);
    connect(runner, &TrainingRunner::finished, this, [this](const QString &path) {
        onEnded(tr("Finished"), path, false);
        m_bar->setValue(1000);
    });
    connect(runner, &TrainingRunner::cancelled, this, [this](const QString &path) {
        onEnded(tr("Cancelled"),
                path.isEmpty() ? tr("Nothing was written.") : tr("The incomplete run is kept in %1").arg(path), false);
    });
    connect(runner, &TrainingRunner::failed, this, [this](const QString &message) {
        onEnded(tr("Failed"), message, true);
    });
    if (runner->isRunning())
        onStarted(runner->outputPath());
}

QString ProgressPanel::stateText() const
{
    return m_state->text();
}

QString ProgressPanel::detailText() const
{
    return m_detail->text();
}

int ProgressPanel::progressValue() const
{
    return m_bar->value();
}

void ProgressPanel::onStarted(const QString &output)
{
    m_cancelling = false;
    m_model = -1;
    m_state->setText(tr("Starting…"));
    m_detail->setStyleSheet(QString());
    m_detail->setText(output);
    m_bar->setValue(0);
    m_chart->clear();
    m_cancel->setEnabled(true);
}

void ProgressPanel::onProgress(const Progress &p)
{
    const int models = std::max(1, p.models);
    if (p.model != m_model) {
        m_model = p.model;
        m_modelClock.restart();
    }
    m_chart->setEpochs(p.epochs);

    QString phase = QString::fromLatin1(phaseName(p.phase));
    if (!phase.isEmpty())
        phase[0] = phase[0].toUpper();
    QStringList state{phase};
    if (models > 1)
        state << tr("model %1/%2").arg(p.model + 1).arg(models);
    if (p.epochs > 0 && p.epoch > 0)
        state << tr("epoch %1/%2").arg(p.epoch).arg(p.epochs);
    if (!m_cancelling)
        m_state->setText(state.join(QStringLiteral(" · ")));

    QStringList detail;
    if (p.steps > 0)
        detail << tr("step %1/%2").arg(p.step).arg(p.steps);
    if (p.phase == JobPhase::Training && p.step > 0)
        detail << tr("loss %1, accuracy %2%").arg(p.loss, 0, 'f', 3).arg(100 * p.accuracy, 0, 'f', 1);
    if (p.examplesPerSecond > 0)
        detail << tr("%1 examples/s").arg(std::llround(p.examplesPerSecond));
    if (p.etaSeconds > 0) {
        // The core estimates the current model's training; later models of a
        // study are assumed to take as long as this one.
        const double perModel = m_modelClock.elapsed() / 1000.0 + p.etaSeconds;
        detail << tr("ETA %1").arg(duration(p.etaSeconds + (models - p.model - 1) * perModel));
    }
    m_detail->setText(detail.join(QStringLiteral(" · ")));

    double within = 1.0; // the probe stage comes after the model's last epoch
    if (p.phase == JobPhase::Loading)
        within = 0.0;
    else if (p.epochs > 0 && (p.phase == JobPhase::Training || p.phase == JobPhase::Evaluating))
        within = (p.epoch - 1 + (p.steps > 0 ? double(p.step) / double(p.steps) : 1.0)) / p.epochs;
    m_bar->setValue(static_cast<int>(std::lround(1000.0 * (p.model + within) / models)));
}

void ProgressPanel::onEpochFinished(int model, int epoch, double trainLoss, double, double, double testAccuracy)
{
    m_chart->addPoint(model, epoch, trainLoss, testAccuracy);
}

void ProgressPanel::onEnded(const QString &state, const QString &detail, bool error)
{
    m_cancelling = false;
    m_cancel->setEnabled(false);
    m_state->setText(state);
    m_detail->setText(detail);
    m_detail->setStyleSheet(error ? QStringLiteral("color: #c62828;") : QString());
}

} // namespace pds
