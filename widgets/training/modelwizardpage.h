#pragma once

#include "training/checkedpage.h"

class QComboBox;
class QDoubleSpinBox;
class QSpinBox;

namespace pds {

struct RunConfig;

/// The wizard's Model page: the network, its width, and the size of its k-NN probes.
class ModelWizardPage : public CheckedPage {
    Q_OBJECT
public:
    explicit ModelWizardPage(QWidget *parent = nullptr);

    /// Shows the model settings of `config`.
    void setFrom(const RunConfig &config);
    /// Writes the page's fields into `config`.
    void applyTo(RunConfig &config) const;

protected:
    QString problem() override;

private:
    QComboBox *m_arch;
    QDoubleSpinBox *m_width;
    QSpinBox *m_maxFeatures;
};

} // namespace pds
