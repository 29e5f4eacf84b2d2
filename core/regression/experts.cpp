#include "regression/experts.h"

#include "data/transforms.h"
#include "models/model.h"
#include "probe/knnprobe.h"
#include "probe/probestage.h"
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

ExpertDepth ConFragExperts::predictionDepth(const torch::Tensor &images, int k, std::int64_t maxFeatures,
                                            const CancelToken &cancel)
{
    const auto n = static_cast<std::int64_t>(m_fragment.size());
    std::int64_t smallest = n;
    for (const auto &pair : m_pairs) {
        const int a = pair.first, b = pair.second; // named copies: C++17 lambdas cannot capture structured bindings
        smallest = std::min<std::int64_t>(
            smallest, std::count_if(m_fragment.begin(), m_fragment.end(), [a, b](std::int32_t f) { return f == a || f == b; }));
    }
    ProbeOptions options;
    options.k = static_cast<int>(std::min<std::int64_t>(k, smallest - 1));
    options.maxFeatures = maxFeatures;
    options.dtype = EmbeddingsDtype::Float32;
    options.mixedPrecision = false;
    ExpertDepth d;
    d.experts = static_cast<int>(m_pairs.size());
    d.k = options.k;
    DeviceSplit none;
    none.images = images.slice(0, 0, 0);
    none.labels = torch::zeros({0}, torch::TensorOptions().dtype(torch::kInt64).device(images.device()));
    for (std::size_t p = 0; p < m_pairs.size(); ++p) {
        const int a = m_pairs[p].first, b = m_pairs[p].second;
        std::vector<std::int64_t> labels(static_cast<std::size_t>(n));
        std::vector<std::uint8_t> inPair(static_cast<std::size_t>(n));
        for (std::size_t i = 0; i < labels.size(); ++i) {
            const int f = m_fragment[i];
            labels[i] = std::abs(f - a) <= std::abs(f - b) ? 0 : 1;
            inPair[i] = f == a || f == b;
        }
        const auto logits = m_experts[p].outputs(images);
        const auto pred = logits.argmax(1).to(torch::kInt32).cpu().contiguous();
        const std::vector<std::int32_t> finalPred(pred.data_ptr<std::int32_t>(), pred.data_ptr<std::int32_t>() + n);
        DeviceSplit train;
        train.images = images;
        train.labels = torch::tensor(labels, torch::kInt64).to(images.device());
        const ProbeResults r = runProbes(m_experts[p].model(), train, none, inPair, finalPred, {}, 2, options, cancel);
        d.probeNames = r.probeNames;
        d.depth.insert(d.depth.end(), r.trainDepth.begin(), r.trainDepth.end());
        d.accuracy.insert(d.accuracy.end(), r.trainAccuracy.begin(), r.trainAccuracy.end());
    }
    return d;
}

void ConFragExperts::save(torch::serialize::OutputArchive &archive)
{
    for (std::size_t p = 0; p < m_experts.size(); ++p)
        m_experts[p].save(archive, "expert" + std::to_string(p));
}

void ConFragExperts::load(torch::serialize::InputArchive &archive)
{
    for (std::size_t p = 0; p < m_experts.size(); ++p)
        m_experts[p].load(archive, "expert" + std::to_string(p));
}

} // namespace pds
