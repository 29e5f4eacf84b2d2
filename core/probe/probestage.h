#pragma once

#include "probe/embeddings.h"
#include "train/job.h"
#include "train/trainer.h"

#include <functional>
#include <string>
#include <vector>

namespace pds {

/// Settings of the k-NN probe stage that follows training.
struct ProbeOptions {
    int k = 30;
    std::int64_t maxFeatures = 4096; ///< probes larger than this are pooled down
    int batchSize = 1024;            ///< embedding extraction batch
    bool mixedPrecision = true;      ///< bf16 forward where mixedPrecisionUsed (util/autocast.h)
    EmbeddingsDtype dtype = EmbeddingsDtype::Float16; ///< of the embeddings probed and stored
    std::int64_t maxBlockElements = std::int64_t(1) << 26;
};

/// k-NN predictions and prediction depth of every example of one model.
struct ProbeResults {
    std::vector<std::string> probeNames;
    std::vector<ProbeReduction> reductions;
    int probes = 0;                         ///< P = L + 1
    std::vector<std::int32_t> trainKnn;     ///< [P, N_train] row-major
    std::vector<std::int32_t> testKnn;      ///< [P, N_test]
    std::vector<std::int32_t> trainDepth;   ///< [N_train]; 0..P (P: even the logits probe disagrees)
    std::vector<std::int32_t> testDepth;    ///< [N_test]
    /// Per probe: k-NN accuracy against the given label and agreement with the
    /// network's own prediction, in the train split (examples the model trained
    /// on, leave-one-out) and the validation split (held-out train-split
    /// examples and the whole test split).
    std::vector<double> trainAccuracy, trainAgreement, validationAccuracy, validationAgreement;
    double embedSeconds = 0.0;
    double probeSeconds = 0.0;
};

/// Called with each probe's embeddings (split "train" or "test", [N, D]) when
/// the user asked to keep them.
using EmbeddingSink = std::function<void(const std::string &probe, const std::string &split,
                                         const torch::Tensor &embeddings)>;

/// The k-NN predictions of one probe layer, for the train and test splits.
struct LayerRows {
    std::vector<std::int32_t> train, test;
};
/// Called after each probe layer is computed, so an interrupted probe stage
/// can resume from the last finished layer.
using LayerSink = std::function<void(int layer, const LayerRows &rows)>;

/// Every example's embeddings at every probe from one eval pass over the
/// train split then the test split (rows [0, N_train) are the train split),
/// with the final logits of the same pass.
struct ProbeEmbeddings {
    std::vector<torch::Tensor> perProbe; ///< [N_train + N_test, D_l] each, of the stored dtype
    std::vector<ProbeReduction> reductions;
    torch::Tensor trainLogits, testLogits; ///< float32 [N, K], as evaluateLogits() gives them
    double seconds = 0.0;
};

/// The one forward pass after training that yields both the final logits
/// and every probe's embeddings (see Trainer::setFinalPass).
ProbeEmbeddings embedSplits(ProbedModelImpl &model, const DeviceSplit &train, const DeviceSplit &test,
                            const ProbeOptions &options);

/// Extracts embeddings at every probe (or takes them from `ready`, which it
/// empties) and runs the k-NN probes: the support
/// is the model's own training examples (`inTrain`) with their given labels;
/// those examples are queried leave-one-out, every other example held out.
/// Layers whose rows are in `done` (non-empty, from an interrupted run) are
/// taken from there instead of being computed again. `observer` hears the
/// embedding and probing progress and each finished layer (as model 0; a
/// caller in a study stamps its member).
ProbeResults runProbes(ProbedModelImpl &model, const DeviceSplit &train, const DeviceSplit &test,
                       const std::vector<std::uint8_t> &inTrain,
                       const std::vector<std::int32_t> &trainFinalPred,
                       const std::vector<std::int32_t> &testFinalPred, int numClasses,
                       const ProbeOptions &options, const CancelToken &cancel,
                       JobObserver *observer = nullptr, const EmbeddingSink &sink = {},
                       const std::vector<LayerRows> &done = {}, const LayerSink &layerSink = {},
                       ProbeEmbeddings *ready = nullptr);

} // namespace pds
