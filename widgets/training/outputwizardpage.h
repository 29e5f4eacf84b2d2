#pragma once

#include "training/checkedpage.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;

namespace pds {

class DatasetWizardPage;
struct RunConfig;
class StudyWizardPage;

/// The wizard's Output page: the run file to write. Until the user edits it
/// (or a configuration names one), the path follows the dataset and whether
/// it is a study. Next checks that the folder is writable and that an
/// existing file may be overwritten. "Run on" (runOn) chooses this machine or
/// a Slurm cluster for a study; Slurm leads on to the Slurm page.
class OutputWizardPage : public CheckedPage {
    Q_OBJECT
public:
    /// `dataset` and `study` (not owned) name the default file.
    OutputWizardPage(const DatasetWizardPage *dataset, const StudyWizardPage *study, QWidget *parent = nullptr);

    /// Shows the output of `config`; it counts as chosen, not as the default.
    void setFrom(const RunConfig &config);
    /// Writes the page's field into `config`.
    void applyTo(RunConfig &config) const;
    /// Lets the path follow the default again until it is edited.
    void useDefaultOutput() { m_edited = false; }

    /// The study is submitted to Slurm rather than trained here.
    bool runOnSlurm() const;
    void setRunOnSlurm(bool slurm);

    void initializePage() override;
    int nextId() const override;

protected:
    QString problem() override;

private:
    QString defaultOutput() const;
    void updateOverwrite();

    const DatasetWizardPage *m_dataset;
    const StudyWizardPage *m_study;
    bool m_edited = false;
    QLineEdit *m_output;
    QLabel *m_note;
    QCheckBox *m_overwrite;
    QComboBox *m_runOn;
};

} // namespace pds
