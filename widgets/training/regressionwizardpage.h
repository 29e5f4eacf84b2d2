#pragma once

#include "training/checkedpage.h"

#include <QList>

class QCheckBox;
class QDoubleSpinBox;
class QSpinBox;

namespace pds {

struct RunConfig;

/// The wizard's Regression page, shown instead of the Study page when the
/// Dataset page's task is regression (docs/regression.md): the selection
/// methods, each training its own regressor into the run file (confrag,
/// small-loss, none, clean), ConFrag's fragments F, neighbours K and jitter
/// window, and small-loss's keep rate.
class RegressionWizardPage : public CheckedPage {
    Q_OBJECT
public:
    explicit RegressionWizardPage(QWidget *parent = nullptr);

    void setFrom(const RunConfig &config);
    /// Writes the regression settings into `config` and turns off what only a
    /// classification study has (an ensemble, probes, embeddings, regimes).
    void applyTo(RunConfig &config) const;

protected:
    QString problem() override;

private:
    QList<QCheckBox *> m_methods; ///< in the order of SelectMethod
    QSpinBox *m_fragments;
    QSpinBox *m_k;
    QDoubleSpinBox *m_jitter;
    QDoubleSpinBox *m_keep;
};

} // namespace pds
