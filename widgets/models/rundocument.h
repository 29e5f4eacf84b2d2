#pragma once
// ExampleRef and ScoreColumn are the plain values RunDocument's API is made of
// (an example's address, one score over all examples): whoever holds one got
// it from a RunDocument, so the three share this header.

#include "store/runreader.h"
#include "study/summary.h"

#include <QImage>
#include <QObject>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace pds {

struct Dataset;
class RegressionRun;

/// Where an example lives: its split and its index there.
struct ExampleRef {
    bool test = false;
    std::int64_t index = 0;
    const char *split() const { return test ? "test" : "train"; }
};

/// One per-example score over all examples of a run (train split, then test
/// split); NaN where it is undefined (e.g. train-split depth of a test example).
struct ScoreColumn {
    QString name;        ///< key, e.g. depth_train
    QString label;       ///< for headers and axes, e.g. "Train-split depth"
    QString description; ///< one sentence for tooltips
    bool integer = false;
    std::vector<float> values;
};

/// One open run or study file, loaded for the Studio's views. Examples are
/// numbered over the whole run: the train split first (0..trainSize-1), then
/// the test split. Per-example columns are held in memory; per-model arrays
/// (k-NN predictions, dynamics, embeddings) are read on demand and cached.
/// Not thread-safe except image(), which the gallery calls from a pool.
class RunDocument : public QObject {
    Q_OBJECT
public:
    /// Opens and loads `path`; throws pds::Error with a readable message.
    explicit RunDocument(const QString &path, QObject *parent = nullptr);
    /// Opens a file the Studio did not write: checks it first in a child
    /// process (pds::verifyBeforeOpening), so a file that crashes the HDF5
    /// library gives an error instead of ending the Studio.
    static std::unique_ptr<RunDocument> openChecked(const QString &path);
    /// What the reader noticed but could live with (e.g. a version 1 file carries no checksums).
    QStringList warnings() const;
    ~RunDocument() override;

    QString path() const { return m_path; }
    /// File name, for tabs and legends.
    QString title() const;
    const RunSummary &summary() const { return m_summary; }
    /// The run's configuration as JSON (empty if absent).
    QString configJson() const;
    bool isStudy() const { return m_isStudy; }
    /// A regression run file (docs/regression.md): the examples are its train
    /// and test splits, labels() its targets rounded, noisy() where ỹ ≠ y, the
    /// columns target, clean_target, target_error (|ỹ − y|) and selected; no models.
    bool isRegression() const { return m_regression != nullptr; }
    std::shared_ptr<const RegressionRun> regression() const { return m_regression; }
    /// Sets the "selected" column (1 selected, 0 rejected; NaN on the test
    /// split) from a train-split mask, described by `what`; emits reloaded().
    void setSelectedColumn(const std::vector<std::uint8_t> &mask, const QString &what);
    /// Still being written (a `.part` file or status "running").
    bool isLive() const;

    int modelCount() const { return static_cast<int>(m_summary.models.size()); }
    /// Probes P = L + 1 of the first model with probes (0 when no model has them).
    int probeCount() const { return m_probeNames.size(); }
    QStringList probeNames() const { return m_probeNames; }
    int numClasses() const { return m_classNames.size(); }
    QStringList classNames() const { return m_classNames; }
    QString className(int label) const;

    std::int64_t size() const { return m_trainSize + m_testSize; }
    std::int64_t trainSize() const { return m_trainSize; }
    std::int64_t testSize() const { return m_testSize; }
    ExampleRef ref(std::int64_t example) const;
    /// "train 123" or "test 45".
    QString exampleName(std::int64_t example) const;

    const std::vector<std::int32_t> &labels() const { return m_labels; }
    const std::vector<std::int32_t> &cleanLabels() const { return m_cleanLabels; }
    const std::vector<std::uint8_t> &noisy() const { return m_noisy; }
    /// Index of each example in its split of the source dataset.
    const std::vector<std::int64_t> &sourceIndices() const { return m_sourceIndices; }

    /// Every per-example score this run has. Study files: the summary
    /// (depth_train, depth_val and their spreads, consistency, memorisation,
    /// held_out_confidence, accuracy_trained, iteration_learned,
    /// forgetting_events, confidence, variability, loss); single runs: the
    /// same names from model 0 where they exist (depth_train / depth_val from
    /// its probes, split by whether it trained on the example).
    const std::vector<ScoreColumn> &columns() const { return m_columns; }
    /// The column named `name`, or nullptr.
    const ScoreColumn *column(const QString &name) const;

    /// Difficulty groups (index into groupNames()); all Other when the run is
    /// not a study. Recomputed at once by setThresholds().
    bool hasGroups() const { return m_isStudy; }
    /// True when the study file predates the stored scores and they were computed on open.
    bool scoresRecomputed() const { return m_isStudy && !m_splitSummaries.empty() && m_splitSummaries[0].recomputed; }
    const std::vector<std::int8_t> &groups() const { return m_groups; }
    static QStringList groupLabels();
    const GroupThresholds &thresholds() const { return m_thresholds; }
    void setThresholds(const GroupThresholds &thresholds);

    // Per model (0-based index into summary().models), read on first use.
    bool hasProbes(int model) const;
    /// k-NN prediction at each probe for one example ([P]; empty without probes).
    std::vector<std::int32_t> knnPredictions(int model, std::int64_t example) const;
    /// Prediction depth 0..P of an example under a model (-1 without probes).
    int depth(int model, std::int64_t example) const;
    /// True if the model trained on the example (never for test examples).
    bool trainedOn(int model, std::int64_t example) const;
    /// The model's final prediction (-1 if the model did not finish).
    int finalPrediction(int model, std::int64_t example) const;
    /// Per-epoch trace of one example under one model.
    struct EpochTrace {
        std::vector<float> probGiven; ///< softmax probability of the given label
        std::vector<std::int32_t> pred;
    };
    EpochTrace epochTrace(int model, std::int64_t example) const;
    /// Probe accuracy (or agreement) per layer; empty for a model without probes.
    std::vector<double> probeAccuracy(int model, ProbeCurve curve) const;

    /// True if the model's embeddings are stored (in the side file).
    bool hasEmbeddings(int model) const;
    /// Embeddings of every example (train then test) at `probe`, row-major
    /// [size(), *dim]; throws pds::Error if missing.
    std::vector<float> embeddings(int model, int probe, int *dim) const;
    /// What embeddings() reads, so that a background thread can read it
    /// (60,000 × 4,096 values take seconds) without touching the document.
    struct EmbeddingRequest {
        QString path;
        int model = 0;
        std::string probe;
        std::int64_t trainSize = 0, testSize = 0;
    };
    EmbeddingRequest embeddingRequest(int model, int probe) const;
    /// Thread-safe: reads through its own handle on the file.
    static std::vector<float> readEmbeddings(const EmbeddingRequest &request, int *dim);

    /// The image of an example as the dataset holds it (grey or RGB), loaded
    /// from the dataset named in the run's configuration on first call.
    /// Thread-safe. A null image when the dataset cannot be read
    /// (imageError() says why).
    QImage image(std::int64_t example) const;
    QString imageError() const;
    /// Loads the dataset now (otherwise the first image() does).
    bool loadImages() const;

    /// Re-reads the file (a live run that wrote more); emits reloaded().
    /// Throws pds::Error and keeps the old state if the file cannot be read.
    void reload();

Q_SIGNALS:
    void reloaded();
    void groupsChanged();

private:
    struct ModelCache;
    void load();
    void loadRegression();
    ModelCache &cache(int model) const;
    void buildColumns(RunReader &reader);
    void recomputeGroups();

    QString m_path;
    QString m_openNote; ///< set by openChecked when the file was opened without the crash guard
    RunSummary m_summary;
    bool m_isStudy = false;
    QStringList m_probeNames, m_classNames;
    std::int64_t m_trainSize = 0, m_testSize = 0;
    std::vector<std::int32_t> m_labels, m_cleanLabels;
    std::vector<std::uint8_t> m_noisy;
    std::vector<std::int64_t> m_sourceIndices;
    std::vector<ScoreColumn> m_columns;
    std::vector<std::int8_t> m_groups;
    GroupThresholds m_thresholds;
    std::vector<SplitSummary> m_splitSummaries; ///< train, test: what regrouping needs
    std::unique_ptr<RunReader> m_reader;
    std::shared_ptr<const RegressionRun> m_regression;
    mutable std::map<int, std::unique_ptr<ModelCache>> m_models;

    mutable std::mutex m_imageMutex;
    mutable std::shared_ptr<const Dataset> m_dataset;
    mutable QString m_imageError;
    mutable bool m_imagesTried = false;
};

} // namespace pds
