#pragma once

#include "models/model.h"
#include "train/config.h"
#include "train/job.h"

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace pds {

class Rng;

/// A network trained on part of a split, one epoch at a time, with its own
/// optimiser and schedule: the regressor (one output, MSE on standardised
/// targets) and ConFrag's experts (two outputs, cross-entropy) are both one.
class EpochLearner {
public:
    enum class Loss { Mse, CrossEntropy };
    /// `config` gives the optimiser, schedule, epochs and batch size.
    EpochLearner(ModelPtr model, TrainConfig config, Loss loss);

    /// One epoch over `indices` of `images` in an order drawn from `rng`;
    /// `targets` float [N] (MSE) or int64 [N] (cross-entropy) on the device.
    /// `epoch` is 0-based. Returns the mean loss of the steps (0 when `indices` is empty).
    double trainEpoch(const torch::Tensor &images, const torch::Tensor &targets, const std::vector<std::int64_t> &indices,
                      int epoch, Rng &rng, const CancelToken &cancel);

    /// The outputs (eval mode, no gradients) on every image: [N, outputs].
    /// `features` (optional) receives the penultimate probe, flattened [N, D].
    torch::Tensor outputs(const torch::Tensor &images, torch::Tensor *features = nullptr);

    ProbedModelImpl &model() { return *m_model; }

    /// The network and optimiser state, under `key` of `archive` (checkpoint.h).
    void save(torch::serialize::OutputArchive &archive, const std::string &key);
    /// Restores what save() wrote under `key`.
    void load(torch::serialize::InputArchive &archive, const std::string &key);

private:
    ModelPtr m_model;
    TrainConfig m_config;
    Loss m_loss;
    std::unique_ptr<torch::optim::Optimizer> m_optimizer;
};

} // namespace pds
