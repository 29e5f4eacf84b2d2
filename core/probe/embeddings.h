#pragma once

#include "models/model.h"
#include "train/settings.h"

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

namespace pds {

/// How one probe's activations were reduced before the k-NN probe.
struct ProbeReduction {
    std::string probe;
    std::vector<std::int64_t> shape;   ///< per example, as produced (e.g. C, H, W)
    std::vector<std::int64_t> reduced; ///< per example, after adaptive average pooling
};

/// Shrinks one probe tensor [N, C, H, W] by adaptive average pooling to the
/// size reducedSize() picks. Tensors of rank 2 are returned unchanged.
/// Returns [N, D].
torch::Tensor reduceProbe(const torch::Tensor &probe, std::int64_t maxFeatures,
                          std::vector<std::int64_t> *reducedShape = nullptr);

/// The pooled spatial size used for a C×H×W map under `maxFeatures`: the
/// largest whose longer side l and shorter side round(l·short/long) (at least
/// 1) give C·H·W ≤ maxFeatures, or 1×1. Square maps stay square.
std::pair<std::int64_t, std::int64_t> reducedSize(std::int64_t c, std::int64_t h, std::int64_t w,
                                                  std::int64_t maxFeatures);

/// Embeddings as the run file stores them: float16 (values beyond its range
/// saturated at ±65504) or float32. The k-NN probes compute from exactly these
/// values, so the stored embeddings reproduce every k-NN prediction.
torch::Tensor toStoredPrecision(const torch::Tensor &embeddings, EmbeddingsDtype dtype = EmbeddingsDtype::Float16);

/// Embeddings of every example of `imageSets` (in order, as one run of
/// batches: a batch may span two sets) at every probe, in eval mode: one
/// [ΣN, D_l] tensor of `dtype` per probe on the images' device (see
/// toStoredPrecision). `reductions` receives what was done to each probe;
/// `logits`, when given, the float32 logits [ΣN, K] of the same pass, the
/// values evaluateLogits() gives (the final evaluation comes from this pass).
std::vector<torch::Tensor> extractEmbeddings(ProbedModelImpl &model, const std::vector<torch::Tensor> &imageSets,
                                             int batchSize, std::int64_t maxFeatures,
                                             bool mixedPrecision,
                                             std::vector<ProbeReduction> *reductions,
                                             EmbeddingsDtype dtype = EmbeddingsDtype::Float16,
                                             torch::Tensor *logits = nullptr);

} // namespace pds
