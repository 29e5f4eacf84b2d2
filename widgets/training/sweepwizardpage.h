#pragma once

#include "training/checkedpage.h"

class QCheckBox;
class QDoubleSpinBox;
class QLineEdit;

namespace pds {

struct RunConfig;
struct SweepConfig;

/// The Sweep page of a TrainingWizard in sweep mode: the Study page's
/// ensemble (members, ratio) is trained at each of several sizes of the Model
/// page's architecture (`pdepth sweep`), optionally with students of the
/// smaller sizes distilled from the largest (temperature T, weight α). Next
/// checks the sweep as the CLI does (SweepConfig::validate) and shows its
/// message, which names the option, on the page.
class SweepWizardPage : public CheckedPage {
    Q_OBJECT
public:
    explicit SweepWizardPage(QWidget *parent = nullptr);

    /// The sweep the page describes over `base` (the other pages' configuration);
    /// throws ConfigError when the sizes cannot be read.
    SweepConfig sweepConfig(const RunConfig &base) const;

protected:
    QString problem() override;

private:
    void updateEnabled();

    QLineEdit *m_sizes;
    QCheckBox *m_distill;
    QDoubleSpinBox *m_temperature;
    QDoubleSpinBox *m_alpha;
};

} // namespace pds
