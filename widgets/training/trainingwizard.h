#pragma once

#include "study/slurm.h"
#include "train/config.h"
#include "train/devices.h"

#include <QWizard>

namespace pds {

class ComparisonWizardPage;
struct CompareConfig;
class DatasetWizardPage;
class ModelWizardPage;
class OutputWizardPage;
class RegressionWizardPage;
class SlurmWizardPage;
class StudyWizardPage;
class SweepWizardPage;
struct SweepConfig;
class TrainingWizardPage;

/// Sets up a training run or study step by step: dataset (with a preview),
/// model, training, study, output, and Slurm for a study run on a cluster. Each page (a CheckedPage subclass in its
/// own file) owns its fields and checks them when Next is pressed, showing
/// what is wrong on the page itself. The wizard holds what spans the pages:
/// the RunConfig they make up together, which page a configuration error
/// belongs to, the defaults, and saving and loading configurations. Fields
/// carry object names (datasetSource, datasetPath, datasetFormat, limit,
/// testLimit, noise, noiseFraction, arch, width, maxFeatures, optimizer, lr,
/// schedule, warmup, epochs, batchSize, augmentCrop, augmentFlip, regime,
/// generations, sealFraction, sealLrFactor, device, seed, models, jobs, ratio,
/// k, probe, embeddings, output, overwrite, runOn and the Slurm page's) so tests and scripts can find them.
class TrainingWizard : public QWizard {
    Q_OBJECT
public:
    /// A regression run (the Dataset page's task) goes Dataset, Model, Training, Regression, Output.
    enum PageId { DatasetPage, ModelPage, TrainingPage, StudyPage, OutputPage, SlurmPage, SweepPage, RegressionPage,
                  ComparisonPage };
    /// Run: a run or study (Slurm optional). Sweep: the study at several model
    /// sizes (`pdepth sweep`), with the Sweep page after the Study page.
    /// Compare: the study under several regimes (`pdepth compare`), with the
    /// Regimes page after the Study page.
    enum class Mode { Run, Sweep, Compare };

    explicit TrainingWizard(QWidget *parent = nullptr, Mode mode = Mode::Run);
    ~TrainingWizard() override;

    /// The configuration the pages describe; settings the pages do not show
    /// (momentum, threads, ...) keep the values of the last setConfig().
    RunConfig config() const;
    void setConfig(const RunConfig &config);

    /// Models of a study to train at once (each in its own pdepth process);
    /// an execution choice, so not part of the configuration. 1 by default.
    int concurrentMembers() const;
    void setConcurrentMembers(int members);

    /// Whether the study goes to Slurm ("Run on" of the Output page); when it
    /// does, Finish on the Slurm page has submitted it: slurmSubmission() says
    /// what, and nothing is left to start here.
    bool runOnSlurm() const;
    void setRunOnSlurm(bool slurm);
    SlurmOptions slurmOptions() const;
    void setSlurmOptions(const SlurmOptions &options);
    const SlurmSubmission &slurmSubmission() const;

    bool isSweep() const { return m_sweep != nullptr; }
    /// The sweep the pages describe (sweep mode); throws ConfigError when its sizes cannot be read.
    SweepConfig sweepConfig() const;
    bool isComparison() const { return m_comparison != nullptr; }
    /// The comparison the pages describe (comparison mode).
    CompareConfig compareConfig() const;
    int nextId() const override;

    /// What a new user gets: on a CPU a short Fashion-MNIST study that finishes
    /// in minutes, with a GPU the whole dataset.
    static RunConfig defaultConfig(const DeviceInfo &devices);

    /// The message shown on the current page (empty when it passed).
    QString pageError() const;
    QString pageError(int id) const;
    /// Checks page `id` as Next does, shows the result on it and returns it ("" = fine).
    QString checkPage(int id);
    /// RunConfig::validate()'s message if it concerns a field on page `id` or
    /// an earlier one; each page's check ends with it.
    QString configError(int id) const;

    /// Writes config() as JSON (what "Save configuration…" does after its dialog).
    bool saveConfiguration(const QString &path, QString *error = nullptr) const;
    /// Reads a JSON configuration into the pages (what "Load configuration…" does).
    bool loadConfiguration(const QString &path, QString *error = nullptr);

    /// The preview's headline: "Loading…", a summary of the dataset, or its error.
    QString previewStatus() const;
    /// Classes the preview shows (0 until it has loaded).
    int previewClassCount() const;

private:
    void showError(const QString &text);
    /// Hides the other pages' classification-only fields for a regression run and keeps it off Slurm.
    void followTask();
    void saveClicked();
    void loadClicked();

    RunConfig m_base;
    DatasetWizardPage *m_dataset;
    ModelWizardPage *m_model;
    TrainingWizardPage *m_training;
    StudyWizardPage *m_study;
    OutputWizardPage *m_output;
    SlurmWizardPage *m_slurm;
    SweepWizardPage *m_sweep = nullptr;
    RegressionWizardPage *m_regression;
    ComparisonWizardPage *m_comparison = nullptr;
};

} // namespace pds
