#pragma once

#include "regression/fragments.h"
#include "regression/regressor.h"
#include "regression/selection.h"
#include "store/regressionwriter.h"

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

    /// Prediction depth in each expert (docs/regression.md): the k-NN probe
    /// at every probe point with the fragment labels of the expert's pair
    /// (0 the lower fragment, 1 the upper; outside the pair the nearer one).
    /// The pair's examples are the support, queried leave-one-out; every
    /// other train example is queried held out. The depth is measured
    /// against the expert's own prediction. k is `k`, or one less than the
    /// smallest pair's examples when that is fewer.
    ExpertDepth predictionDepth(const torch::Tensor &images, int k, std::int64_t maxFeatures,
                                const CancelToken &cancel);

    /// Each expert's network and optimiser state, under "expert<i>" of `archive`.
    void save(torch::serialize::OutputArchive &archive);
    /// Restores what save() wrote.
    void load(torch::serialize::InputArchive &archive);

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
