#pragma once

#include "data/dataset.h"
#include "data/catalogue.h"
#include "data/transforms.h"
#include "models/model.h"

#include <torch/torch.h>

#include <cstdint>

namespace pds {

/// The second dataset a comparison's transfer probe trains and tests on,
/// loaded once, subset as asked and normalised with its own statistics.
struct TransferData {
    Dataset data;
    ChannelStats stats;
};

/// Loads the transfer dataset `spec`, keeping a stratified `limit` train and
/// `testLimit` test examples (0 = all), drawn with `seed`. Throws
/// DatasetError or ConfigError.
TransferData loadTransferData(const DatasetSpec &spec, std::int64_t limit, std::int64_t testLimit,
                              std::uint64_t seed);

/// How the linear probe of transfer trains: full-batch Adam on standardised features.
struct TransferProbeOptions {
    int steps = 200;
    double lr = 0.05;
    int batchSize = 512; ///< for extracting features only
};

/// Test accuracy on `data` of a linear classifier (softmax regression) trained
/// on the frozen penultimate features of `model`: the output of the last
/// probe before the logits, averaged over its spatial positions when it has
/// any (the input of the model's classifier for cnn and resnet18). Seeded and
/// deterministic on the CPU.
double transferAccuracy(ProbedModelImpl &model, const TransferData &data, const TransferProbeOptions &options,
                        torch::Device device);

} // namespace pds
