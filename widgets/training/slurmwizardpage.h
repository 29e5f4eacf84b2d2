#pragma once

#include "training/checkedpage.h"

#include "study/slurm.h"

class QLabel;
class QLineEdit;
class QSpinBox;

namespace pds {

/// The wizard's Slurm page, shown after the Output page when the study runs
/// on a Slurm cluster: the resources each member task asks for (partition,
/// time limit, generic resources, CPUs), how many members run at once, and
/// extra sbatch arguments. Next checks them (a ConfigError's field
/// "slurm.<name>" points at its field); Finish submits the study with
/// submitStudyToSlurm() and shows sbatch's refusal on the page, so nothing is
/// lost when the cluster says no. Fields: slurmPartition, slurmTime,
/// slurmGres, slurmCpus, slurmAtOnce, slurmArgs.
class SlurmWizardPage : public CheckedPage {
    Q_OBJECT
public:
    explicit SlurmWizardPage(QWidget *parent = nullptr);

    /// The options the fields describe (the extra arguments split at spaces).
    SlurmOptions options() const;
    void setOptions(const SlurmOptions &options);
    /// What Finish submitted (empty job ids until it did).
    const SlurmSubmission &submission() const { return m_submission; }

    void initializePage() override;
    /// Checks the page, then submits the study; false (with the reason on
    /// the page) when either fails.
    bool validatePage() override;

protected:
    QString problem() override;

private:
    QLineEdit *m_partition;
    QLineEdit *m_time;
    QLineEdit *m_gres;
    QSpinBox *m_cpus;
    QSpinBox *m_atOnce;
    QLineEdit *m_args;
    QLabel *m_note;
    SlurmSubmission m_submission;
};

} // namespace pds
