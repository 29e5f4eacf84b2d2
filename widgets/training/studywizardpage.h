#pragma once

#include "training/checkedpage.h"

class QSpinBox;
class QDoubleSpinBox;
class QCheckBox;
class QComboBox;

namespace pds {

class DatasetWizardPage;
struct RunConfig;

/// The wizard's Study page: how many models, on what share of the data, how
/// many at once, and the k-NN probes that give prediction depth. Next checks
/// that k fits the examples each model's probes have, from the dataset page's
/// preview.
class StudyWizardPage : public CheckedPage {
    Q_OBJECT
public:
    /// `dataset` (not owned) tells how many train examples the dataset has.
    explicit StudyWizardPage(const DatasetWizardPage *dataset, QWidget *parent = nullptr);

    /// Shows the study settings of `config`.
    void setFrom(const RunConfig &config);
    /// Writes the page's fields into `config`.
    void applyTo(RunConfig &config) const;

    /// More than one model: a study rather than a single run.
    bool isStudy() const;
    /// Models trained at once (1 unless isStudy()).
    int concurrentMembers() const;
    void setConcurrentMembers(int members);

protected:
    QString problem() override;

private:
    void updateEnabled();
    /// Why k does not fit the probes' support, "" when it does or the dataset is not loaded.
    QString supportProblem(const RunConfig &config) const;

    const DatasetWizardPage *m_dataset;
    QSpinBox *m_models;
    QSpinBox *m_jobs;
    QDoubleSpinBox *m_ratio;
    QSpinBox *m_k;
    QCheckBox *m_probe;
    QComboBox *m_embeddings;
    QComboBox *m_embeddingsDtype;
};

} // namespace pds
