#pragma once

#include "training/checkedpage.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace pds {

struct CompareConfig;
struct RunConfig;

/// The Regimes page of a TrainingWizard in comparison mode (`pdepth
/// compare`): which regimes train the Study page's members side by side
/// (standard, llf, seal), the generations and epochs they share (from the
/// Training page, summarised here), an optional transfer dataset for the
/// linear probe, and the bootstrap resamples of each interval. Next checks
/// the comparison as the CLI does (checkComparison) and shows its message,
/// which names the option, on the page.
class ComparisonWizardPage : public CheckedPage {
    Q_OBJECT
public:
    explicit ComparisonWizardPage(QWidget *parent = nullptr);

    /// The comparison the page describes over `base` (the other pages' configuration).
    CompareConfig compareConfig(const RunConfig &base) const;

protected:
    void initializePage() override;
    QString problem() override;

private:
    QCheckBox *m_standard, *m_llf, *m_seal;
    QComboBox *m_transfer;
    QLineEdit *m_transferPath;
    QSpinBox *m_bootstrap;
    QLabel *m_summary;
};

} // namespace pds
