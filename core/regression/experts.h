#pragma once

#include "regression/fragments.h"
#include "regression/regressor.h"
#include "regression/selection.h"

#include <torch/torch.h>

#include <cstdint>
#include <utility>
#include <vector>

namespace pds {

class Rng;

/// ConFrag's experts (docs/regression.md): one two-way classifier per pair of
/// fragments, trained with neighbourhood jittering, and the selection they
/// make after each of their epochs.
class ConFragExperts {
public:
    /// `noisy` are the train split's noisy targets, `fragments` their
    /// fragmentation and `pairs` its pairing; `spec` the backbone (its
    /// outputs are set to 2). Throws ConfigError (regression.k) when k is not
    /// smaller than the examples of some pair.
    ConFragExperts(const ModelSpec &spec, const TrainConfig &regressorConfig, const RegressionConfig &options,
                   Fragmentation fragments, std::vector<std::pair<int, int>> pairs, std::vector<float> noisy,
                   torch::Device device);

    /// One epoch of every expert on a random window of the target values (`epoch` 0-based).
    void trainEpoch(const torch::Tensor &images, int epoch, Rng &jitter, const CancelToken &cancel);

    /// Each example's votes in prediction and feature space and the seeded draws.
    Selection select(const torch::Tensor &images, std::uint64_t seed);

    /// The fragment (of the full fragmentation) of each train example.
    const std::vector<std::int32_t> &fragmentOfExample() const { return m_fragment; }

private:
    Fragmentation m_fragments;
    std::vector<std::pair<int, int>> m_pairs;
    std::vector<float> m_noisy;
    std::vector<std::int32_t> m_fragment;
    RegressionConfig m_options;
    torch::Device m_device;
    std::vector<EpochLearner> m_experts;
};

} // namespace pds
