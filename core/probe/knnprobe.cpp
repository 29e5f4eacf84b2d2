#include "probe/knnprobe.h"

#include "util/error.h"

namespace pds {

namespace {

/// The k support rows nearest each query of a distance block [B, S], ordered
/// by (distance, support row): an equal distance goes to the lower row, so the
/// result does not depend on how top-k happens to order ties.
torch::Tensor nearestRows(const torch::Tensor &d, std::int64_t k)
{
    const auto s = d.size(1);
    auto [values, idx] = d.topk(std::min(k + 1, s), /*dim=*/1, /*largest=*/false, /*sorted=*/true);
    idx = idx.slice(1, 0, k);
    if (values.size(1) > k) {
        // Rows whose k-th and (k+1)-th distances are equal: which of the tied
        // rows make the cut is decided by index, over the whole row.
        auto boundary = torch::nonzero(values.select(1, k - 1).eq(values.select(1, k))).squeeze(1);
        if (boundary.size(0) > 0) {
            auto rows = d.index_select(0, boundary);
            auto kth = values.index_select(0, boundary).select(1, k - 1).unsqueeze(1);
            auto closer = rows.lt(kth);
            auto tied = rows.eq(kth);
            auto room = k - closer.sum(1, /*keepdim=*/true);
            auto chosen = closer.logical_or(tied.logical_and(tied.cumsum(1, torch::kInt).le(room)));
            // nonzero lists each row's chosen columns in ascending order, k per row.
            auto cols = torch::nonzero(chosen).select(1, 1).view({boundary.size(0), k});
            idx.index_put_({boundary}, cols);
        }
    }
    // Within the k: ascending index, then a stable sort by distance.
    idx = std::get<0>(idx.sort(/*dim=*/1));
    auto order = std::get<1>(d.gather(1, idx).sort(/*stable=*/true, /*dim=*/1, /*descending=*/false));
    return idx.gather(1, order);
}

} // namespace

KnnProbe::KnnProbe(torch::Tensor support, torch::Tensor labels, int numClasses, KnnOptions options)
    : m_numClasses(numClasses), m_options(options)
{
    // Widened once to float64: products of float16 or float32 values are then
    // exact and their sums all but exact, so any careful recompute of the
    // distances from the stored embeddings ranks the neighbours the same way.
    m_support = support.to(torch::kFloat64).contiguous();
    if (m_support.dim() != 2)
        throw ConfigError("k-NN support must be a matrix [examples, features]");
    if (labels.dim() != 1 || labels.size(0) != m_support.size(0))
        throw ConfigError("k-NN support labels must hold one label per support example");
    if (m_options.k < 1)
        throw ConfigError("k must be at least 1");
    m_labels = labels.to(m_support.device(), torch::kLong);
    m_supportNorm = m_support.pow(2).sum(1);
}

torch::Tensor KnnProbe::neighbours(const torch::Tensor &queries, const torch::Tensor &selfIndex) const
{
    torch::NoGradGuard noGrad;
    const auto s = m_support.size(0);
    const auto q = queries.size(0);
    const bool anySelf = selfIndex.defined() && (selfIndex >= 0).any().item<bool>();
    const std::int64_t available = anySelf ? s - 1 : s;
    if (m_options.k > available)
        throw ConfigError("k = " + std::to_string(m_options.k) + " is larger than the k-NN support ("
                          + std::to_string(available) + " examples)");
    if (queries.dim() != 2 || queries.size(1) != m_support.size(1))
        throw ConfigError("k-NN queries must have the support's feature size");
    const auto device = m_support.device();
    const std::int64_t block = std::max<std::int64_t>(1, m_options.maxBlockElements / std::max<std::int64_t>(s, 1));
    auto self = selfIndex.defined() ? selfIndex.to(device, torch::kLong) : torch::full({q}, -1, torch::TensorOptions().dtype(torch::kLong).device(device));

    std::vector<torch::Tensor> parts;
    for (std::int64_t start = 0; start < q; start += block) {
        const auto end = std::min(q, start + block);
        auto x = queries.slice(0, start, end).to(device, torch::kFloat64);
        // ‖x − s‖² = ‖x‖² − 2 x·s + ‖s‖²; the ‖x‖² term does not change the ranking.
        auto d = torch::addmm(m_supportNorm.unsqueeze(0), x, m_support.t(), /*beta=*/1, /*alpha=*/-2);
        auto selfBlock = self.slice(0, start, end);
        auto hasSelf = selfBlock >= 0;
        if (hasSelf.any().item<bool>()) {
            // Leave-one-out by example index: only the query's own row is excluded.
            auto rows = torch::nonzero(hasSelf).squeeze(1);
            d.index_put_({rows, selfBlock.index_select(0, rows)}, std::numeric_limits<float>::infinity());
        }
        parts.push_back(nearestRows(d, m_options.k));
    }
    if (parts.empty())
        return torch::empty({0, m_options.k}, torch::TensorOptions().dtype(torch::kLong).device(device));
    return torch::cat(parts);
}

torch::Tensor voteNearestFirst(const torch::Tensor &neighbourLabels, int numClasses)
{
    const auto q = neighbourLabels.size(0);
    const auto k = neighbourLabels.size(1);
    auto opts = neighbourLabels.options();
    auto counts = torch::zeros({q, numClasses}, opts).scatter_add_(1, neighbourLabels, torch::ones_like(neighbourLabels));
    auto best = std::get<0>(counts.max(1, /*keepdim=*/true));
    auto tied = counts.eq(best);                        // [Q, K] classes with the top count
    auto tiedAt = tied.gather(1, neighbourLabels);      // [Q, k] neighbour's class is tied
    // Weight k, k-1, …, 1 by rank so the first tied neighbour wins outright.
    auto rankWeight = torch::arange(k, 0, -1, opts).unsqueeze(0);
    auto first = (tiedAt.to(opts.dtype()) * rankWeight).argmax(1, /*keepdim=*/true);
    return neighbourLabels.gather(1, first).squeeze(1);
}

torch::Tensor KnnProbe::predict(const torch::Tensor &queries, const torch::Tensor &selfIndex) const
{
    torch::NoGradGuard noGrad;
    auto idx = neighbours(queries, selfIndex);
    if (idx.size(0) == 0)
        return torch::empty({0}, idx.options());
    auto labels = m_labels.index({idx});
    return voteNearestFirst(labels, m_numClasses);
}

std::vector<std::int32_t> predictionDepth(const torch::Tensor &knnPreds, const torch::Tensor &finalPred)
{
    if (knnPreds.dim() != 2 || finalPred.dim() != 1 || knnPreds.size(1) != finalPred.size(0))
        throw Error("prediction depth needs k-NN predictions [probes, N] and final predictions [N]");
    const auto probes = knnPreds.size(0);
    auto agree = knnPreds.to(torch::kCPU, torch::kLong).eq(finalPred.to(torch::kCPU, torch::kLong).unsqueeze(0));
    const auto n = finalPred.size(0);
    std::vector<std::int32_t> depth(static_cast<std::size_t>(n), static_cast<std::int32_t>(probes));
    auto a = agree.accessor<bool, 2>();
    for (std::int64_t i = 0; i < n; ++i) {
        std::int64_t l = probes;
        while (l > 0 && a[l - 1][i])
            --l;
        depth[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(l);
    }
    return depth;
}

} // namespace pds
