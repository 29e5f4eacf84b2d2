#pragma once

#include "training/checkedpage.h"

#include "train/devices.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QSpinBox;

namespace pds {

struct RunConfig;

/// The wizard's Training page (one of its pages, not their base, which is
/// CheckedPage): optimiser, schedule, epochs, augmentation, regime, device
/// and seed. CUDA is offered only where a device was found.
class TrainingWizardPage : public CheckedPage {
    Q_OBJECT
public:
    explicit TrainingWizardPage(const DeviceInfo &devices, QWidget *parent = nullptr);

    /// Shows the training settings of `config`.
    void setFrom(const RunConfig &config);
    /// Writes the page's fields into `config`.
    void applyTo(RunConfig &config) const;

protected:
    QString problem() override;

private:
    void updateEnabled();

    DeviceInfo m_devices;
    QComboBox *m_optimizer;
    QDoubleSpinBox *m_lr;
    QComboBox *m_schedule;
    QDoubleSpinBox *m_warmup;
    QSpinBox *m_epochs;
    QSpinBox *m_batch;
    QCheckBox *m_crop;
    QCheckBox *m_flip;
    QComboBox *m_regime;
    QSpinBox *m_generations;
    QDoubleSpinBox *m_sealFraction;
    QDoubleSpinBox *m_sealFactor;
    QComboBox *m_device;
    QCheckBox *m_mixedPrecision;
    QSpinBox *m_seed;
};

} // namespace pds
