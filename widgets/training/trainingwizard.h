#pragma once

#include "train/config.h"
#include "train/devices.h"

#include <QFutureWatcher>
#include <QWizard>

#include <memory>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGridLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTimer;

namespace pds {

struct DatasetPreview;

/// Sets up a training run or study step by step: dataset (with a preview),
/// model, training, study, output. Each page checks its fields when Next is
/// pressed and shows what is wrong on the page itself. Fields carry object
/// names (datasetSource, datasetPath, datasetFormat, limit, testLimit, noise,
/// noiseFraction, arch, width, maxFeatures, optimizer, lr, schedule, warmup,
/// epochs, batchSize, augmentCrop, augmentFlip, regime, generations,
/// sealFraction, sealLrFactor, device, seed, models, ratio, k, probe,
/// embeddings, output, overwrite) so tests and scripts can find them.
class TrainingWizard : public QWizard {
    Q_OBJECT
public:
    enum PageId { DatasetPage, ModelPage, TrainingPage, StudyPage, OutputPage };

    explicit TrainingWizard(QWidget *parent = nullptr);
    ~TrainingWizard() override;

    /// The configuration the pages describe; settings the pages do not show
    /// (momentum, threads, ...) keep the values of the last setConfig().
    RunConfig config() const;
    void setConfig(const RunConfig &config);

    /// Models of a study to train at once (each in its own pdepth process);
    /// an execution choice, so not part of the configuration. 1 by default.
    int concurrentMembers() const;
    void setConcurrentMembers(int members);

    /// What a new user gets: on a CPU a short Fashion-MNIST study that finishes
    /// in minutes, with a GPU the whole dataset.
    static RunConfig defaultConfig(const DeviceInfo &devices);

    /// The message shown on the current page (empty when it passed).
    QString pageError() const;
    QString pageError(int id) const;
    /// Checks page `id` as Next does, shows the result on it and returns it ("" = fine).
    QString checkPage(int id);

    /// Writes config() as JSON (what "Save configuration…" does after its dialog).
    bool saveConfiguration(const QString &path, QString *error = nullptr) const;
    /// Reads a JSON configuration into the pages (what "Load configuration…" does).
    bool loadConfiguration(const QString &path, QString *error = nullptr);

    /// The preview's headline: "Loading…", a summary of the dataset, or its error.
    QString previewStatus() const;
    /// Classes the preview shows (0 until it has loaded).
    int previewClassCount() const;

private:
    QWidget *buildDatasetPage();
    QWidget *buildModelPage();
    QWidget *buildTrainingPage();
    QWidget *buildStudyPage();
    QWidget *buildOutputPage();

    DatasetSpec datasetSpec() const;
    QString datasetKey() const;
    bool catalogueMode() const;
    void updateEnabled();
    void schedulePreview();
    void startPreview();
    /// The preview of the current dataset choice, loading it first if needed.
    const DatasetPreview &awaitPreview();
    void showPreview(const std::shared_ptr<DatasetPreview> &preview);
    QString defaultOutput() const;
    void updateOverwrite();
    void showError(const QString &text);
    void saveClicked();
    void loadClicked();

    QString validateDataset();
    QString validateModel();
    QString validateTraining();
    QString validateStudy();
    QString validateOutput();
    /// RunConfig::validate()'s message if it concerns a field on page `id` or an earlier one.
    QString configError(int id) const;

    DeviceInfo m_devices;
    RunConfig m_base;
    QString m_customName; ///< dataset name of a loaded configuration that is not in the catalogue
    bool m_outputEdited = false;

    QComboBox *m_source;
    QLineEdit *m_path;
    QPushButton *m_browse;
    QComboBox *m_format;
    QSpinBox *m_limit;
    QSpinBox *m_testLimit;
    QComboBox *m_noise;
    QDoubleSpinBox *m_noiseFraction;
    QLabel *m_previewLabel;
    QGridLayout *m_previewGrid;
    QTimer *m_previewTimer;
    QFutureWatcher<std::shared_ptr<DatasetPreview>> m_watcher;
    QString m_pendingKey;
    std::shared_ptr<DatasetPreview> m_preview;

    QComboBox *m_arch;
    QDoubleSpinBox *m_width;
    QSpinBox *m_maxFeatures;

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
    QSpinBox *m_seed;

    QSpinBox *m_models;
    QSpinBox *m_jobs;
    QDoubleSpinBox *m_ratio;
    QSpinBox *m_k;
    QCheckBox *m_probe;
    QComboBox *m_embeddings;

    QLineEdit *m_output;
    QLabel *m_outputNote;
    QCheckBox *m_overwrite;
};

} // namespace pds
