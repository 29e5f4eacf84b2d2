#pragma once

#include "store/runwriter.h"
#include "study/summary.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace pds {

namespace h5 {
class Handle;
}

/// One model of a run, as stored.
struct ModelSummary {
    int index = 0;
    std::string group; ///< HDF5 path, e.g. models/m000
    std::string arch;
    std::int64_t seed = 0;
    std::string device;
    std::string status;
    std::string statusMessage;
    int epochsPlanned = 0;
    int epochsCompleted = 0;
    double trainSeconds = 0.0;
    bool hasScores = false;
    std::vector<std::string> probeNames;
    std::vector<EpochCurve> curves;
    /// Files written before these were recorded evaluated every example every epoch.
    std::string dynamicsSource = "eval_pass";
    std::vector<std::int32_t> heldOutEpochs; ///< 1-based; every planned epoch in older files
};

/// What `pdepth info` shows: everything but the per-example arrays.
struct RunSummary {
    std::string path;
    int formatVersion = 0;
    std::string softwareVersion;
    std::string status;
    std::string statusMessage;
    std::string created;
    std::string finished;
    std::string configJson;
    std::string datasetName, datasetFormat, datasetSource;
    std::vector<std::string> classNames;
    int channels = 0, height = 0, width = 0;
    std::int64_t trainSize = 0, testSize = 0, noisyLabels = 0;
    std::vector<ModelSummary> models;
};

/// A two-dimensional array of the file, row-major [rows, cols].
template <typename T> struct Matrix {
    std::int64_t rows = 0, cols = 0;
    std::vector<T> values;
};

/// The per-epoch arrays of a model (dynamics/<split>/), in the order of schema::kRecordNames.
enum class Dynamic { Pred, ProbGiven, Margin, Loss, El2n };

/// The per-probe curves of a probe stage: k-NN accuracy against the given
/// labels and agreement with the model's final prediction, in either split.
enum class ProbeCurve { TrainAccuracy, TrainAgreement, ValidationAccuracy, ValidationAgreement };

/// The probe stage of a model as stored (probes/ attributes and per-probe arrays).
struct ProbeSummary {
    int k = 0;
    std::int64_t maxFeatures = 0;
    std::string embeddingsDtype = "float16"; ///< files written before the option hold float16
    std::vector<std::string> probeNames;
    std::vector<std::string> probeShapes, reducedShapes; ///< per probe, e.g. 64x28x28
    double embedSeconds = 0.0, probeSeconds = 0.0;
    std::vector<double> trainSplitAccuracy, trainSplitAgreement;
    std::vector<double> validationSplitAccuracy, validationSplitAgreement;
};

/// The attributes of a study file's summary.
struct StudyInfo {
    std::vector<std::string> groupNames;
    int probes = 0;
    int models = 0;
    GroupThresholds thresholds;
};

/// What an interrupted model recorded: every finished epoch's per-example
/// record and the checkpoint after the last one (empty when none finished).
struct StoredTraining {
    int epochs = 0;
    std::vector<EpochRecord> trainHistory, testHistory;
    std::string checkpoint;
};

/// One probe layer an interrupted probe stage finished, or not.
struct StoredProbeLayer {
    bool finished = false;
    std::vector<std::int32_t> train, test;
};

/// The little `resume` needs to know of a run file before it is loaded:
/// read without the checks of a full RunReader (a run stopped early may hold
/// only its configuration).
struct RunFileState {
    std::string status;
    bool hasConfig = false;
    std::string configJson;
    bool modelStarted = false; ///< the first model has its curves
    std::string modelStatus;   ///< of the first model, when it started
};

/// Something a reader should know about a file that still opened.
struct ReadWarning {
    enum class Kind { NoChecksums };
    Kind kind;
    std::string message;
};

/// Reads a run file through one API; checks that the file is ours and of a
/// version we understand, and reports missing or mis-shaped parts clearly.
class RunReader {
public:
    explicit RunReader(const std::string &path);
    ~RunReader();
    RunReader(RunReader &&) noexcept;
    RunReader &operator=(RunReader &&) noexcept;

    /// Checks that `path` is a run file and reads what resume needs; the file is closed again on return.
    static RunFileState peek(const std::string &path);

    const RunSummary &summary() const { return m_summary; }
    /// What the reader noticed but could live with (e.g. a version 1 file carries no checksums).
    const std::vector<ReadWarning> &warnings() const { return m_warnings; }

    /// Per-example arrays of the dataset split ("train" or "test").
    std::vector<std::int32_t> labels(const std::string &split) const;
    std::vector<std::int32_t> cleanLabels(const std::string &split) const;
    std::vector<std::uint8_t> noisy(const std::string &split) const;
    std::vector<std::int64_t> sourceIndices(const std::string &split) const;
    std::vector<std::uint8_t> inTrain(int model) const;

    /// A derived score of a model (scores/<split>/<name>), as float.
    std::vector<float> score(int model, const std::string &split, const std::string &name) const;
    /// One epoch (0-based row) of a dynamics array (dynamics/<split>/<name>).
    std::vector<float> dynamicsRow(int model, const std::string &split, const std::string &name,
                                   int epoch) const;

    /// The same, named by the Dynamic enumeration.
    std::vector<float> dynamicsRow(int model, const std::string &split, Dynamic name, int epoch) const;
    std::vector<float> dynamicsColumn(int model, const std::string &split, Dynamic name, std::int64_t example) const;
    /// A probe stage's per-probe accuracy or agreement, one value per probe.
    std::vector<double> probeAccuracy(int model, ProbeCurve curve) const;

    /// True for a merged study file, which has a `summary` group.
    bool hasSummary() const { return m_hasSummary; }
    /// A per-example aggregate of a study (summary/<split>/<name>, name as in summaryNames()), as float.
    std::vector<float> summaryColumn(const std::string &split, const std::string &name) const;
    /// Names of the one-value-per-example summary arrays.
    static const std::vector<std::string> &summaryNames();
    /// Prediction depth of a model's examples (probes/depth_<split>), if it has probes.
    bool hasProbes(int model) const;
    std::vector<float> depth(int model, const std::string &split) const;

    /// The checkpoint stored with epoch `epoch` of a running model; StoreError
    /// if it is missing or belongs to another epoch.
    std::string checkpoint(int model, int epoch) const;

    /// Which member of a study a model is (0 when not recorded).
    int member(int model) const;
    /// Normalisation the run's models saw (per channel).
    ChannelStats normalisation() const;
    /// A finished model's logits [N, K] of a split.
    Matrix<float> finalLogits(int model, const std::string &split) const;
    /// Every per-example score of a finished model for one split.
    ExampleScores scores(int model, const std::string &split) const;
    /// One epoch (0-based) of a model's per-example dynamics.
    EpochRecord epochRecord(int model, const std::string &split, int epoch) const;
    /// A finished model's final predictions (scores/<split>/final_pred) as integers.
    std::vector<std::int32_t> finalPredictions(int model, const std::string &split) const;
    /// Prediction depth 0..P of a model's examples, as integers.
    std::vector<std::int32_t> predictionDepth(int model, const std::string &split) const;
    /// k-NN prediction of each probe [P, N] of a split.
    Matrix<std::int32_t> knnPredictions(int model, const std::string &split) const;
    /// The probe stage's attributes and per-probe accuracies.
    ProbeSummary probeSummary(int model) const;
    /// True if the model's embeddings at `probe` are readable (the side file may be missing).
    bool hasEmbeddings(int model, const std::string &probe) const;
    /// A model's embeddings at `probe` [N, D] of a split, as float.
    Matrix<float> embeddings(int model, const std::string &probe, const std::string &split) const;
    /// Every finished epoch of a model and the checkpoint to continue from.
    StoredTraining storedTraining(int model) const;
    /// For each of `layers` probe layers, the rows an interrupted probe stage finished.
    std::vector<StoredProbeLayer> finishedProbeLayers(int model, int layers) const;

    /// The summary attributes of a study file.
    StudyInfo studyInfo() const;
    /// The group thresholds a study was merged with (defaults for what is missing).
    GroupThresholds thresholds() const;
    /// Every per-example aggregate of a study for one split, held_out_distribution included.
    /// A file written before the scores gets them computed from its members (`recomputed` is set).
    SplitSummary splitSummary(const std::string &split) const;
    /// What model `model` of a study contributes to its summary for one split.
    MemberSplit memberSplit(int model, const std::string &split) const;

    /// True if the file has an object (group or dataset) at `path`.
    bool has(const std::string &path) const;
    /// Any array of the file, converted to the element type; `dims` receives
    /// its shape. Mis-shaped or missing arrays throw StoreError.
    std::vector<std::int32_t> readInts(const std::string &path, std::vector<std::int64_t> *dims = nullptr) const;
    std::vector<float> readFloatArray(const std::string &path, std::vector<std::int64_t> *dims = nullptr) const;
    std::vector<double> readDoubles(const std::string &path, std::vector<std::int64_t> *dims = nullptr) const;
    /// One example's values over the epochs of a dynamics array (dynamics/<split>/<name>).
    std::vector<float> dynamicsColumn(int model, const std::string &split, const std::string &name,
                                      std::int64_t example) const;
    /// A string attribute of the object at `path` ("" if absent).
    std::string attribute(const std::string &path, const std::string &name) const;
    /// A numeric attribute of the object at `path` (`fallback` if absent).
    double numberAttribute(const std::string &path, const std::string &name, double fallback = 0.0) const;

    /// Names of the per-example scores every finished model has.
    static const std::vector<std::string> &scoreNames();

private:
    /// Throws StoreError naming `path` when the file has nothing there.
    void requirePath(const std::string &path) const;
    std::vector<float> readFloats(const std::string &path, std::size_t expected) const;
    /// A one-dimensional array of `expected` values as T.
    template <typename T> std::vector<T> readSized(const std::string &path, std::size_t expected) const;
    /// A two-dimensional array as T; `misShaped` is the error when it is not.
    template <typename T> Matrix<T> readMatrix(const std::string &path, const std::string &misShaped) const;
    const ModelSummary &model(int index) const;
    std::int64_t splitSize(const std::string &split) const;
    void checkSplit(const std::string &split) const;

    std::string m_path;
    std::unique_ptr<h5::Handle> m_file;
    RunSummary m_summary;
    std::vector<ReadWarning> m_warnings;
    bool m_hasSummary = false;
};

/// Writes one CSV row per example (train split, then test split) with every
/// per-example score of every finished model. Written to a temporary name and
/// renamed, so a failed export never leaves half a file.
void exportCsv(const RunReader &run, const std::string &outPath);

} // namespace pds
