#pragma once

#include "data/dataset.h"
#include "data/transforms.h"
#include "train/dynamics.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace pds {

namespace h5 {
class Handle;
}
struct ProbeResults;

/// One row of a model's training curves.
struct EpochCurve {
    int epoch = 0; ///< 1-based
    double lr = 0.0;
    double trainLoss = 0.0;     ///< mean loss over the epoch's training batches
    double trainAccuracy = 0.0; ///< accuracy over the epoch's training batches
    double evalTrainLoss = 0.0; ///< evaluation pass over the train split, given labels
    double evalTrainAccuracy = 0.0;
    double testLoss = 0.0;
    double testAccuracy = 0.0;
    double seconds = 0.0;       ///< wall time of the epoch, evaluation included
};

/// Static facts about one model of a run, written when it starts.
struct ModelInfo {
    std::string arch;
    std::uint64_t seed = 0;
    int epochsPlanned = 0;
    std::string device;
    std::vector<std::string> probeNames;
    std::vector<std::uint8_t> inTrain; ///< per train-split example: 1 if the model trains on it
    std::string dynamicsSource = "eval_pass";  ///< schema::kDynamicsSource
    std::vector<std::int32_t> heldOutEpochs;   ///< planned, 1-based; empty = every epoch
};

/// Writes a run file as training goes. The file is built in memory and, after
/// every completed unit (header, epoch, model, probes), its complete image
/// replaces `<path>.part` atomically (written to a temporary name, synced,
/// renamed). A run killed at any moment therefore leaves a consistent file
/// holding every completed epoch; a failed write (full disk) keeps the
/// previous one. finish() marks the status and renames the file to `path`.
/// Embeddings, which can be large, go to a side file `<stem>.embeddings.h5`
/// that the run file links to.
class RunWriter {
public:
    /// Creates `<path>.part`; throws StoreError when the folder is missing or
    /// not writable, before any training time is spent.
    /// `configJson`, when given, is stored from the very first write, so even
    /// a run stopped before its first epoch can be started again by `resume`.
    explicit RunWriter(std::string path, const std::string &configJson = {});

    /// Tag for reopening an interrupted run.
    struct Reopen {};
    /// Continues an interrupted run: loads `<path>.part` (or `path` when the
    /// run was stopped cleanly) and writes on as if it had never stopped.
    RunWriter(std::string path, Reopen);
    ~RunWriter();

    const std::string &path() const { return m_path; }
    std::string partialPath() const;

    void writeHeader(const std::string &configJson, const Dataset &dataset,
                     const ChannelStats &normalisation, std::int64_t noisyLabels);
    void beginModel(int model, const ModelInfo &info);
    /// Records one epoch and, when given, the checkpoint to resume from after it;
    /// both land on disk in the same atomic commit.
    void appendEpoch(int model, const EpochCurve &curve, const EpochRecord &train,
                     const EpochRecord &test, const std::string &checkpoint = {});
    void finishModel(int model, const ExampleScores &train, const ExampleScores &test,
                     const std::vector<float> &trainLogits, const std::vector<float> &testLogits,
                     int numClasses, const std::string &status, double trainSeconds,
                     bool keepCheckpoint = false);
    void markModel(int model, const std::string &status, const std::string &message);
    /// The k-NN probe results and prediction depth of a finished model.
    void writeProbes(int model, const ProbeResults &probes, int k, std::int64_t maxFeatures,
                     const std::string &embeddingsDtype = "float16");
    /// Keeps one finished probe layer's k-NN predictions (probes_partial/) until
    /// writeProbes replaces them; committed to disk when `commitNow`.
    void writeProbeLayer(int model, int layer, const std::vector<std::int32_t> &train,
                         const std::vector<std::int32_t> &test, bool commitNow);
    /// One probe's embeddings, IEEE half precision [rows, cols] (bit patterns).
    void writeEmbedding(int model, const std::string &probe, const std::string &split,
                        const std::uint16_t *halfBits, std::int64_t rows, std::int64_t cols);
    /// One probe's embeddings in float32 [rows, cols] (`--embeddings-dtype float32`).
    void writeEmbedding(int model, const std::string &probe, const std::string &split, const float *values,
                        std::int64_t rows, std::int64_t cols);
    /// Which member of a study the model is (0 for a single run).
    void setMember(int model, int member);

    /// Sets the run's status, closes the file and moves it to its final name.
    void finish(const std::string &status, const std::string &message = {});

private:
    struct ModelStreams;
    /// Writes the current state to `<path>.part` atomically.
    void commit();
    std::string embeddingsPath() const;
    void closeEmbeddings();
    /// The side file's group of a model's embeddings of one split, linked from the run file.
    h5::Handle embeddingGroup(int model, const std::string &split);

    std::string m_path;
    std::unique_ptr<h5::Handle> m_file;       ///< in memory; committed to disk as a whole
    std::unique_ptr<h5::Handle> m_embeddings; ///< side file, written directly
    std::vector<int> m_modelsWithEmbeddings;
    std::map<int, std::unique_ptr<ModelStreams>> m_models;
    bool m_finished = false;
};

} // namespace pds
