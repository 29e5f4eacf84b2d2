#include "training/progressview.h"

#include "training/livecurves.h"
#include "training/trainingrunner.h"

#include "store/schema.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace pds {

namespace {

QString duration(double seconds)
{
    const auto s = static_cast<long long>(std::llround(seconds));
    if (s >= 3600)
        return QStringLiteral("%1 h %2 min").arg(s / 3600).arg(s % 3600 / 60);
    if (s >= 60)
        return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60);
    return QStringLiteral("%1 s").arg(s);
}

} // namespace

ProgressView::ProgressView(QWidget *parent)
    : QWidget(parent), m_state(new QLabel(tr("No training job"), this)), m_detail(new QLabel(this)),
      m_bar(new QProgressBar(this)), m_curves(new LiveCurves(this)), m_cancel(new QPushButton(tr("Cancel"), this))
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
    layout->addWidget(m_curves, 1);

    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (!m_runner)
            return;
        m_runner->cancel();
        m_cancelling = true;
        m_state->setText(tr("Cancelling…"));
        m_cancel->setEnabled(false);
    });
}

void ProgressView::setRunner(TrainingRunner *runner)
{
    if (m_runner)
        disconnect(m_runner, nullptr, this, nullptr);
    m_runner = runner;
    if (!runner)
        return;
    connect(runner, &TrainingRunner::started, this, &ProgressView::onStarted);
    connect(runner, &TrainingRunner::progress, this, &ProgressView::onProgress);
    connect(runner, &TrainingRunner::epochFinished, this, &ProgressView::onEpochFinished);
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

QString ProgressView::stateText() const
{
    return m_state->text();
}

QString ProgressView::detailText() const
{
    return m_detail->text();
}

int ProgressView::progressValue() const
{
    return m_bar->value();
}

void ProgressView::onStarted(const QString &output)
{
    m_cancelling = false;
    m_model = -1;
    m_state->setText(tr("Starting…"));
    m_detail->setStyleSheet(QString());
    m_detail->setText(output);
    m_bar->setValue(0);
    m_curves->clear();
    m_cancel->setEnabled(true);
}

void ProgressView::onProgress(const Progress &p)
{
    const int models = std::max(1, p.models);
    if (p.model != m_model) {
        m_model = p.model;
        m_modelClock.restart();
    }
    m_curves->setEpochs(p.epochs);

    QString phase = QString::fromLatin1(phaseName(p.phase));
    if (!phase.isEmpty())
        phase[0] = phase[0].toUpper();
    QStringList state{phase};
    if (models > 1)
        state << tr("model %1 (of %2)").arg(QString::fromStdString(schema::modelName(p.model))).arg(models);
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

void ProgressView::onEpochFinished(int model, int epoch, double trainLoss, double, double, double testAccuracy)
{
    m_curves->addPoint(model, epoch, trainLoss, testAccuracy);
    // Members trained at once, each in its own process, report their epochs
    // but not their steps: the newest epoch says where the study stands.
    if (m_model < 0 && !m_cancelling)
        m_state->setText(tr("Training · model %1 · epoch %2").arg(QString::fromStdString(schema::modelName(model))).arg(epoch));
}

void ProgressView::onEnded(const QString &state, const QString &detail, bool error)
{
    m_cancelling = false;
    m_cancel->setEnabled(false);
    m_state->setText(state);
    m_detail->setText(detail);
    m_detail->setStyleSheet(error ? QStringLiteral("color: #c62828;") : QString());
}

} // namespace pds
