#include "training/trainingwizardpage.h"

#include "training/trainingwizard.h"
#include "training/wizardfields.h"

#include "train/config.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>
#include <QStandardItemModel>

#include <algorithm>
#include <limits>

namespace pds {

TrainingWizardPage::TrainingWizardPage(const DeviceInfo &devices, QWidget *parent)
    : CheckedPage(TrainingWizard::TrainingPage, tr("Training"), tr("Optimiser, schedule, regime and device."),
                  parent),
      m_devices(devices)
{
    auto *w = new QWidget;
    m_optimizer = settingCombo<Optimizer>(QStringLiteral("optimizer"));
    m_lr = doubleSpin(QStringLiteral("lr"), 0.0, 100.0, 6, 0.01);
    m_schedule = settingCombo<Schedule>(QStringLiteral("schedule"));
    m_warmup = doubleSpin(QStringLiteral("warmup"), 0.0, 100000.0, 2, 0.5);
    m_epochs = spin(QStringLiteral("epochs"), 0, 100000);
    m_batch = spin(QStringLiteral("batchSize"), 0, 1 << 20);
    m_crop = new QCheckBox(tr("random crop"));
    m_crop->setObjectName(QStringLiteral("augmentCrop"));
    m_flip = new QCheckBox(tr("horizontal flip"));
    m_flip->setObjectName(QStringLiteral("augmentFlip"));
    m_regime = settingCombo<Regime>(QStringLiteral("regime"));
    m_regime->setToolTip(tr("llf re-initialises the late layers every generation; seal also lets the "
                            "early layers ascend the loss for a while"));
    m_generations = spin(QStringLiteral("generations"), 0, 1000);
    m_sealFraction = doubleSpin(QStringLiteral("sealFraction"), 0.0, 1.0, 3, 0.05);
    m_sealFactor = doubleSpin(QStringLiteral("sealLrFactor"), -100.0, 100.0, 4, 0.01);
    m_device = settingCombo<DeviceChoice>(QStringLiteral("device"));
    if (!m_devices.cuda)
        if (auto *model = qobject_cast<QStandardItemModel *>(m_device->model()))
            model->item(m_device->findText(QString::fromLatin1(settingName(DeviceChoice::Cuda))))->setEnabled(false);
    m_seed = spin(QStringLiteral("seed"), 0, std::numeric_limits<int>::max());
    m_mixedPrecision = new QCheckBox(tr("bf16 mixed precision"));
    m_mixedPrecision->setObjectName(QStringLiteral("mixedPrecision"));
    m_mixedPrecision->setToolTip(tr("Convolutions and matrix products in bf16 (weights, loss and head in float32): "
                                    "used on CUDA and on a CPU with bf16 matrix units (AMX), about twice as fast; "
                                    "elsewhere the run is float32 whatever this says"));

    auto *augment = new QHBoxLayout;
    augment->addWidget(m_crop);
    augment->addWidget(m_flip);
    augment->addStretch(1);
    auto *device = new QHBoxLayout;
    device->addWidget(m_device);
    device->addWidget(new QLabel(tr("Found: %1").arg(QString::fromStdString(m_devices.description))), 1);
    device->addWidget(m_mixedPrecision);
    auto *form = new QFormLayout(w);
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("Optimiser"), m_optimizer);
    form->addRow(tr("Learning rate"), m_lr);
    form->addRow(tr("Schedule"), m_schedule);
    form->addRow(tr("Warm-up epochs"), m_warmup);
    form->addRow(tr("Epochs"), m_epochs);
    form->addRow(tr("Batch size"), m_batch);
    form->addRow(tr("Augmentation"), augment);
    form->addRow(tr("Regime"), m_regime);
    form->addRow(tr("Generations"), m_generations);
    form->addRow(tr("SEAL ascent share"), m_sealFraction);
    form->addRow(tr("SEAL lr factor"), m_sealFactor);
    form->addRow(tr("Device"), device);
    form->addRow(tr("Seed"), m_seed);
    setContent(w);
    connect(m_regime, &QComboBox::currentIndexChanged, this, [this] { updateEnabled(); });
}

void TrainingWizardPage::applyTo(RunConfig &c) const
{
    auto &t = c.train;
    t.optimizer = comboSetting<Optimizer>(m_optimizer);
    t.lr = m_lr->value();
    t.schedule = comboSetting<Schedule>(m_schedule);
    t.warmupEpochs = m_warmup->value();
    t.epochs = m_epochs->value();
    t.batchSize = m_batch->value();
    t.augmentCrop = m_crop->isChecked();
    t.augmentFlip = m_flip->isChecked();
    t.regime = comboSetting<Regime>(m_regime);
    t.generations = t.generational() ? m_generations->value() : 1;
    t.sealFraction = m_sealFraction->value();
    t.sealLrFactor = m_sealFactor->value();
    t.device = comboSetting<DeviceChoice>(m_device);
    t.mixedPrecision = m_mixedPrecision->isChecked();
    t.seed = static_cast<std::uint64_t>(m_seed->value());
}

void TrainingWizardPage::setFrom(const RunConfig &c)
{
    const auto &t = c.train;
    selectSetting(m_optimizer, t.optimizer);
    m_lr->setValue(t.lr);
    selectSetting(m_schedule, t.schedule);
    m_warmup->setValue(t.warmupEpochs);
    m_epochs->setValue(t.epochs);
    m_batch->setValue(t.batchSize);
    m_crop->setChecked(t.augmentCrop);
    m_flip->setChecked(t.augmentFlip);
    selectSetting(m_regime, t.regime);
    m_generations->setValue(t.generations);
    m_sealFraction->setValue(t.sealFraction);
    m_sealFactor->setValue(t.sealLrFactor);
    selectSetting(m_device, t.device);
    m_mixedPrecision->setChecked(t.mixedPrecision);
    m_seed->setValue(static_cast<int>(std::min<std::uint64_t>(t.seed, std::numeric_limits<int>::max())));
    updateEnabled();
}

void TrainingWizardPage::updateEnabled()
{
    const Regime regime = comboSetting<Regime>(m_regime);
    m_generations->setEnabled(regime != Regime::Standard);
    m_sealFraction->setEnabled(regime == Regime::Seal);
    m_sealFactor->setEnabled(regime == Regime::Seal);
}

QString TrainingWizardPage::problem()
{
    if (comboSetting<DeviceChoice>(m_device) == DeviceChoice::Cuda && !m_devices.cuda)
        return tr("No CUDA device was found on this machine: choose auto or cpu.");
    return configProblem();
}

} // namespace pds
