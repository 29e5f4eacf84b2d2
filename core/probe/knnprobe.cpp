#include "probe/knnprobe.h"

#include "util/error.h"

#include <cmath>
#include <limits>

namespace pds {

namespace {

/// Unit roundoff of float64.
constexpr double kUnitRoundoff = 1.0 / 9007199254740992.0; // 2^-53
/// Elements of one chunk of candidate differences (8 MiB of float64).
constexpr std::int64_t kExactChunkElements = std::int64_t(1) << 20;

/// The k of the candidate rows `idx` [R, C] nearest each of the queries `x`
/// [R, D], by (Σ(x − s)², row): each distance summed from the two stored
/// vectors in one fixed order that does not depend on the row's position, so
/// identical rows are exactly equally far and the lower row wins. `self` [R]
/// is each query's own row (left out) or −1.
torch::Tensor exactOrder(torch::Tensor idx, const torch::Tensor &x, const torch::Tensor &self,
                         const torch::Tensor &support, std::int64_t k)
{
    idx = std::get<0>(idx.sort(/*dim=*/1)); // ascending row, so the stable sort below breaks ties by row
    auto diff = support.index_select(0, idx.reshape({-1})).view({idx.size(0), idx.size(1), support.size(1)});
    diff.sub_(x.unsqueeze(1)).square_();
    auto exact = diff.sum(2);
    exact.masked_fill_(idx.eq(self.unsqueeze(1)), std::numeric_limits<double>::infinity());
    auto order = std::get<1>(exact.sort(/*stable=*/true, /*dim=*/1, /*descending=*/false));
    return idx.gather(1, order.slice(1, 0, k));
}

/// The k support rows nearest each query of a block, ordered by (distance,
/// support row), where a distance is Σ(x − s)² in float64 (summed in any
/// order: all of those order the rows alike, ties included). `approx` [B, S]
/// holds the matrix product form ‖s‖² − 2 x·s (self rows set to +inf); it
/// differs from every such sum by at most `tolerance` [B]. Where the k + 1
/// nearest by `approx` lie more than 2·tolerance apart, their order is the
/// exact one. Elsewhere (duplicates, near-ties) every row within 2·tolerance
/// of the k-th is a candidate, ordered by exactOrder.
torch::Tensor nearestRows(const torch::Tensor &approx, const torch::Tensor &x, const torch::Tensor &support,
                          const torch::Tensor &tolerance, const torch::Tensor &self, std::int64_t k,
                          std::int64_t maxBlockElements)
{
    const auto s = approx.size(1);
    const auto dims = std::max<std::int64_t>(1, support.size(1));
    auto [nearest, nearestIdx] = approx.topk(std::min(k + 1, s), /*dim=*/1, /*largest=*/false, /*sorted=*/true);
    auto result = nearestIdx.slice(1, 0, k).contiguous();
    const auto listed = nearest.size(1);
    if (listed < 2)
        return result;
    auto margin = (2 * tolerance).unsqueeze(1);
    auto gaps = nearest.slice(1, 1) - nearest.slice(1, 0, listed - 1);
    auto close = torch::nonzero(gaps.le(margin).any(1)).squeeze(1);
    if (close.size(0) == 0)
        return result;

    // Chunks of the close queries small enough that their rows of `approx` and
    // their differences [rows, candidates, D] stay in the cache's range.
    const std::int64_t chunkElements = std::min<std::int64_t>(maxBlockElements, kExactChunkElements);
    const std::int64_t rowsPerChunk = std::max<std::int64_t>(1, chunkElements / (std::max(listed * dims, s)));
    for (std::int64_t start = 0; start < close.size(0); start += rowsPerChunk) {
        auto rows = close.slice(0, start, std::min(close.size(0), start + rowsPerChunk));
        auto rowsApprox = approx.index_select(0, rows);
        auto threshold = nearest.index_select(0, rows).select(1, k - 1).unsqueeze(1) + margin.index_select(0, rows);
        const auto within = rowsApprox.le(threshold).sum(1).max().item<std::int64_t>();
        const auto candidates = std::min(s, std::max(k, within));
        // Usually the k + 1 already listed hold them all (a duplicate at the k-th).
        auto idx = candidates <= listed
                       ? nearestIdx.index_select(0, rows).slice(1, 0, candidates)
                       : std::get<1>(rowsApprox.topk(candidates, 1, /*largest=*/false, /*sorted=*/false));
        auto xs = x.index_select(0, rows);
        auto selves = self.index_select(0, rows);
        const std::int64_t step = std::max<std::int64_t>(1, chunkElements / (candidates * dims));
        std::vector<torch::Tensor> parts;
        for (std::int64_t r = 0; r < rows.size(0); r += step) {
            const auto end = std::min(rows.size(0), r + step);
            parts.push_back(exactOrder(idx.slice(0, r, end), xs.slice(0, r, end), selves.slice(0, r, end), support, k));
        }
        result.index_put_({rows}, torch::cat(parts));
    }
    return result;
}

} // namespace

KnnProbe::KnnProbe(torch::Tensor support, torch::Tensor labels, int numClasses, KnnOptions options)
    : m_numClasses(numClasses), m_options(options)
{
    // Widened once to float64: the values as stored (float16 or float32) are
    // represented exactly, and the candidates' distances are then summed
    // from them in one fixed order (nearestRows).
    m_support = support.to(torch::kFloat64).contiguous();
    if (m_support.dim() != 2)
        throw ConfigError("k-NN support must be a matrix [examples, features]");
    if (labels.dim() != 1 || labels.size(0) != m_support.size(0))
        throw ConfigError("k-NN support labels must hold one label per support example");
    if (m_options.k < 1)
        throw ConfigError("k must be at least 1");
    m_labels = labels.to(m_support.device(), torch::kLong);
    m_supportNorm = m_support.pow(2).sum(1);
    m_maxSupportLength = m_support.size(0) > 0 ? std::sqrt(m_supportNorm.max().item<double>()) : 0.0;
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
        // Bound on |(‖s‖² − 2 x·s + ‖x‖²) − Σ(x − s)²| with both sides in float64,
        // whatever order either sum is taken in: 2γ_{D+3} (‖x‖ + ‖s‖)², rounded up.
        auto tolerance = (x.square().sum(1).sqrt() + m_maxSupportLength).square()
                         * (4.0 * double(x.size(1) + 4) * kUnitRoundoff);
        parts.push_back(nearestRows(d, x, m_support, tolerance, selfBlock, m_options.k, m_options.maxBlockElements));
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
