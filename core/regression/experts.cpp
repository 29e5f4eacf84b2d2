#include "regression/experts.h"

#include "data/transforms.h"
#include "models/model.h"
#include "probe/knnprobe.h"
#include "util/error.h"

#include <algorithm>

namespace pds {

namespace {

/// The experts' training settings: Adam at 1e-3 with a cosine schedule, the
/// regressor's epochs and batch size (as in ConFrag's reference code).
TrainConfig expertConfig(const TrainConfig &regressor)
{
    TrainConfig t = regressor;
    t.optimizer = Optimizer::Adam;
    t.lr = 1e-3;
    t.weightDecay = 0.0;
    t.schedule = Schedule::Cosine;
    t.warmupEpochs = 0.0;
    return t;
}

} // namespace

ConFragExperts::ConFragExperts(const ModelSpec &spec, const TrainConfig &regressorConfig,
                               const RegressionConfig &options, Fragmentation fragments,
                               std::vector<std::pair<int, int>> pairs, std::vector<float> noisy, torch::Device device)
    : m_fragments(std::move(fragments)), m_pairs(std::move(pairs)), m_noisy(std::move(noisy)), m_options(options),
      m_device(device)
{
    for (const float y : m_noisy)
        m_fragment.push_back(m_fragments.fragmentOf(y));
    requireNeighbours(m_fragment, m_pairs, m_options.k);
    ModelSpec s = spec;
    s.numOutputs = 2;
    for (std::size_t p = 0; p < m_pairs.size(); ++p) {
        auto model = makeModel(s);
        model->to(device);
        m_experts.emplace_back(model, expertConfig(regressorConfig), EpochLearner::Loss::CrossEntropy);
    }
}

void ConFragExperts::trainEpoch(const torch::Tensor &images, int epoch, Rng &jitter, const CancelToken &cancel)
{
    // Neighbourhood jittering: a window of the distinct values, fragmented afresh.
    const auto [first, last] = jitterWindow(static_cast<int>(m_fragments.values.size()), m_options.jitter,
                                            m_fragments.count(), jitter);
    const auto window = fragmentValues(
        std::vector<double>(m_fragments.values.begin() + first, m_fragments.values.begin() + last), m_fragments.count());
    const auto pairs = pairFragments(window);
    std::vector<std::int32_t> local(m_noisy.size());
    for (std::size_t i = 0; i < m_noisy.size(); ++i)
        local[i] = window.fragmentOf(m_noisy[i]);
    for (std::size_t p = 0; p < pairs.size(); ++p) {
        std::vector<std::int64_t> indices;
        std::vector<std::int64_t> labels(m_noisy.size(), 0);
        for (std::size_t i = 0; i < local.size(); ++i)
            if (local[i] == pairs[p].first || local[i] == pairs[p].second) {
                indices.push_back(static_cast<std::int64_t>(i));
                labels[i] = local[i] == pairs[p].first ? 0 : 1;
            }
        const auto y = torch::tensor(labels, torch::kInt64).to(m_device);
        m_experts[p].trainEpoch(images, y, indices, epoch, jitter, cancel);
    }
}

Selection ConFragExperts::select(const torch::Tensor &images, std::uint64_t seed)
{
    const int f = m_fragments.count();
    std::vector<std::vector<std::uint8_t>> prefersLower;
    std::vector<std::vector<std::int32_t>> neighbourFragments;
    const auto fragmentIds = torch::tensor(m_fragment, torch::kInt64).to(m_device);
    for (std::size_t p = 0; p < m_pairs.size(); ++p) {
        torch::Tensor features;
        const auto logits = m_experts[p].outputs(images, &features);
        const auto lower = (logits.select(1, 0) >= logits.select(1, 1)).to(torch::kUInt8).cpu().contiguous();
        prefersLower.emplace_back(lower.data_ptr<std::uint8_t>(), lower.data_ptr<std::uint8_t>() + lower.numel());

        // Cosine distance ranks neighbours as Euclidean distance between unit vectors does,
        // so the k-NN probe's code finds them on the normalised features.
        const auto unit = torch::nn::functional::normalize(features, torch::nn::functional::NormalizeFuncOptions().dim(1));
        std::vector<std::int64_t> rows, selfIndex(m_fragment.size(), -1);
        for (std::size_t i = 0; i < m_fragment.size(); ++i)
            if (m_fragment[i] == m_pairs[p].first || m_fragment[i] == m_pairs[p].second) {
                selfIndex[i] = static_cast<std::int64_t>(rows.size());
                rows.push_back(static_cast<std::int64_t>(i));
            }
        const auto rowIndex = torch::tensor(rows, torch::kInt64).to(m_device);
        KnnOptions knn;
        knn.k = m_options.k;
        const KnnProbe probe(unit.index_select(0, rowIndex), fragmentIds.index_select(0, rowIndex), f, knn);
        const auto nearest = probe.neighbours(unit, torch::tensor(selfIndex, torch::kInt64).to(m_device));
        const auto frags = fragmentIds.index_select(0, rowIndex).index_select(0, nearest.flatten()).to(torch::kInt32).cpu().contiguous();
        neighbourFragments.emplace_back(frags.data_ptr<std::int32_t>(), frags.data_ptr<std::int32_t>() + frags.numel());
    }
    return selectExamples(m_noisy, m_fragments, predictionVotes(m_pairs, f, prefersLower),
                          featureVotes(m_pairs, f, m_options.k, neighbourFragments), seed);
}

} // namespace pds
