#pragma once

#include "training/checkedpage.h"

#include "data/catalogue.h"
#include "train/settings.h"

#include <optional>

class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace pds {

class DatasetPreviewer;
struct RunConfig;

/// The wizard's Dataset page: the task (classification, or regression on the
/// rotation benchmark of a dataset or a CSV target folder), a catalogue
/// dataset or a folder, the share of it kept, the noise the task allows
/// (asymmetric for classification, Gaussian σ_max for regression), and a
/// preview of the dataset that loads in the background. Next waits for the
/// preview and shows its error if the dataset does not load.
class DatasetWizardPage : public CheckedPage {
    Q_OBJECT
public:
    explicit DatasetWizardPage(QWidget *parent = nullptr);

    /// Shows the dataset, subset and noise of `config`.
    void setFrom(const RunConfig &config);
    /// Writes the page's fields into `config`.
    void applyTo(RunConfig &config) const;

    /// The dataset chosen: a catalogue name, or a folder with its format.
    DatasetSpec spec() const;
    Task task() const;
    /// Offers the task choice (the sweep wizard trains classifiers only).
    void setTaskChoice(bool offered);
    /// Train examples of the chosen dataset when its preview has loaded without error.
    std::optional<qint64> loadedTrainSize() const;
    /// The preview's headline: "Loading…", a summary of the dataset, or its error.
    QString previewStatus() const;
    /// Classes the preview shows (0 until it has loaded).
    int previewClassCount() const;

    void initializePage() override;

Q_SIGNALS:
    void taskChanged();

protected:
    QString problem() override;

private:
    bool catalogueMode() const;
    bool targetFolder() const;
    void updateEnabled();
    /// Lists the noise kinds and formats of the chosen task, keeping the choice where it is offered.
    void fillTaskChoices();

    QString m_customName;     ///< dataset name of a loaded configuration that is not in the catalogue
    bool m_hasClassMap = false; ///< the loaded configuration has the class map asymmetric noise needs
    QComboBox *m_task;
    QSpinBox *m_sigmaMax;
    QComboBox *m_source;
    QLineEdit *m_path;
    QPushButton *m_browse;
    QComboBox *m_format;
    QSpinBox *m_limit;
    QSpinBox *m_testLimit;
    QComboBox *m_noise;
    QDoubleSpinBox *m_noiseFraction;
    DatasetPreviewer *m_preview;
};

} // namespace pds
