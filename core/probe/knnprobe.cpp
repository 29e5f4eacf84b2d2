#include "probe/knnprobe.h"

#include "util/error.h"

#include <ATen/Parallel.h>

#include <cmath>
#include <limits>

namespace pds {

namespace {

/// Unit roundoff of float64.
constexpr double kUnitRoundoff = 1.0 / 9007199254740992.0; // 2^-53
/// Elements of one chunk of candidate differences (8 MiB of float64).
constexpr std::int64_t kExactChunkElements = std::int64_t(1) << 20;
/// Unit roundoff of float32.
constexpr double kUnitRoundoffFloat32 = 1.0 / 16777216.0; // 2^-24

/// Whether every value of this type is a float32 exactly.
bool isNarrowFloat(torch::ScalarType t)
{
    return t == torch::kFloat16 || t == torch::kBFloat16 || t == torch::kFloat32;
}

// The float64 scores of the listed rows are the screen's other cost; built
// for the wider vector units too where the compiler and C library can pick one
// at run time (GCC on x86-64 Linux). The sums are the same on every one.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define PDS_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define PDS_VECTOR_CLONES
#endif

/// Leave-one-out by example index: sets each query's own row of the block
/// `d` [B, S] to +inf (`self` [B]: that row, or −1), so only that row is excluded.
void leaveSelfOut(torch::Tensor &d, const torch::Tensor &self)
{
    auto hasSelf = self >= 0;
    if (!hasSelf.any().item<bool>())
        return;
    auto rows = torch::nonzero(hasSelf).squeeze(1);
    d.index_put_({rows, self.index_select(0, rows)}, std::numeric_limits<float>::infinity());
}

/// Σ a_i b_i in float64 over n float32 values, eight partial sums in a fixed order.
PDS_VECTOR_CLONES double dotFloat64(const float *a, const float *b, std::int64_t n)
{
    double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; ++l)
            acc[l] += double(a[i + l]) * double(b[i + l]);
    double sum = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (; i < n; ++i)
        sum += double(a[i]) * double(b[i]);
    return sum;
}

/// ‖x‖ of each row of float32 `x` [B, D], summed in float64: float64 [B].
torch::Tensor rowLengths(const torch::Tensor &x)
{
    const auto b = x.size(0), d = x.size(1);
    auto out = torch::empty({b}, torch::kFloat64);
    const float *xp = x.data_ptr<float>();
    double *op = out.data_ptr<double>();
    at::parallel_for(0, b, 64, [&](std::int64_t first, std::int64_t last) {
        for (std::int64_t i = first; i < last; ++i)
            op[i] = std::sqrt(dotFloat64(xp + i * d, xp + i * d, d));
    });
    return out;
}

/// ‖s‖² − 2 x·s in float64 for the listed support rows of each query:
/// `x` float32 [B, D], `support` float32 [S, D], `norm` float64 [S], `rows`
/// int64 [B, L] (−1: not scored, +inf); float64 [B, L]. Reads each listed row once, gathers nothing.
torch::Tensor scoreListed(const torch::Tensor &x, const torch::Tensor &support, const torch::Tensor &norm,
                          const torch::Tensor &rows)
{
    const auto b = rows.size(0), l = rows.size(1), d = x.size(1);
    auto out = torch::empty({b, l}, torch::kFloat64);
    const float *xp = x.data_ptr<float>();
    const float *sp = support.data_ptr<float>();
    const double *np = norm.data_ptr<double>();
    const std::int64_t *rp = rows.data_ptr<std::int64_t>();
    double *op = out.data_ptr<double>();
    at::parallel_for(0, b, 16, [&](std::int64_t first, std::int64_t last) {
        for (std::int64_t i = first; i < last; ++i)
            for (std::int64_t j = 0; j < l; ++j) {
                const auto r = rp[i * l + j];
                op[i * l + j] = r < 0 ? std::numeric_limits<double>::infinity()
                                      : np[r] - 2.0 * dotFloat64(xp + i * d, sp + r * d, d);
            }
    });
    return out;
}

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
                          std::int64_t maxBlockElements, const torch::Tensor &columns = {})
{
    // `columns` [B, C], when given, names the support row of each column of `approx`.
    auto rowsOf = [&](const torch::Tensor &queries, const torch::Tensor &cols) {
        return columns.defined() ? columns.index_select(0, queries).gather(1, cols) : cols;
    };
    const auto s = approx.size(1);
    const auto dims = std::max<std::int64_t>(1, support.size(1));
    auto [nearest, nearestIdx] = approx.topk(std::min(k + 1, s), /*dim=*/1, /*largest=*/false, /*sorted=*/true);
    auto result = nearestIdx.slice(1, 0, k).contiguous();
    if (columns.defined())
        result = columns.gather(1, result);
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
        auto idx = rowsOf(rows, candidates <= listed
                                    ? nearestIdx.index_select(0, rows).slice(1, 0, candidates)
                                    : std::get<1>(rowsApprox.topk(candidates, 1, /*largest=*/false, /*sorted=*/false)));
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
    const bool storedNarrow = isNarrowFloat(support.scalar_type());
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
    if (storedNarrow && m_support.device().is_cpu() && std::isfinite(m_maxSupportLength)) {
        m_support32 = m_support.to(torch::kFloat32).contiguous();
        m_supportNorm32 = m_supportNorm.to(torch::kFloat32);
    }
}

torch::Tensor KnnProbe::neighboursFloat64(const torch::Tensor &x, const torch::Tensor &self) const
{
    // ‖x − s‖² = ‖x‖² − 2 x·s + ‖s‖²; the ‖x‖² term does not change the ranking.
    auto d = torch::addmm(m_supportNorm.unsqueeze(0), x, m_support.t(), /*beta=*/1, /*alpha=*/-2);
    leaveSelfOut(d, self);
    return nearestRows(d, x, m_support, tolerance(x.square().sum(1).sqrt(), x.size(1), kUnitRoundoff), self,
                       m_options.k, m_options.maxBlockElements);
}

torch::Tensor KnnProbe::neighboursScreened(const torch::Tensor &queries, const torch::Tensor &self,
                                           bool setOnly) const
{
    const auto s = m_support.size(0);
    const std::int64_t k = m_options.k;
    auto x32 = queries.to(torch::kFloat32).contiguous();
    // The float32 screen: the same ‖s‖² − 2 x·s, every value within `bound`
    // of its float64 counterpart (the rounding bound with float32's unit).
    auto a = torch::addmm(m_supportNorm32.unsqueeze(0), x32, m_support32.t(), /*beta=*/1, /*alpha=*/-2);
    leaveSelfOut(a, self);
    const auto lengths = rowLengths(x32);
    const auto dims = x32.size(1);
    const auto bound = tolerance(lengths, dims, kUnitRoundoffFloat32);
    const auto tol = tolerance(lengths, dims, kUnitRoundoff);
    auto result = torch::empty({x32.size(0), k}, torch::kLong);
    // Rows not settled yet (all of them at first), tried with a short list, then a longer one.
    auto pending = torch::arange(x32.size(0), torch::kLong);
    for (const std::int64_t extra : {std::int64_t(32), std::int64_t(8) * k + 64}) {
        if (pending.size(0) == 0)
            break;
        const auto listed = std::min(s, k + extra);
        auto [values, columns] = a.index_select(0, pending).topk(listed, /*dim=*/1, /*largest=*/false, /*sorted=*/true);
        // Every row whose distance can be within the k-th smallest lies at most
        // 2·bound above the k-th screened value; the list holds them all when
        // its last value lies further than that (or it lists every row).
        auto reach = values.select(1, k - 1).to(torch::kFloat64) + 2 * bound.index_select(0, pending);
        auto complete = torch::isfinite(reach);
        if (listed < s)
            complete = complete.logical_and(values.select(1, listed - 1).to(torch::kFloat64).gt(reach));
        auto settled = torch::nonzero(complete).squeeze(1);
        if (settled.size(0) > 0) {
            auto queriesIn = pending.index_select(0, settled);
            auto selves = self.index_select(0, queriesIn);
            // Only the candidates are scored in float64; the rest of the list
            // (and the query's own row) are certainly further and stay +inf.
            auto settledValues = values.index_select(0, settled).to(torch::kFloat64);
            auto candidate = settledValues.le(reach.index_select(0, settled).unsqueeze(1));
            auto listedRows = columns.index_select(0, settled);
            candidate.logical_and_(listedRows.ne(selves.unsqueeze(1)));
            // Candidates come first in the sorted list; nearestRows looks at k + 1 columns at least.
            const auto width = candidate.sum(1).max().item<std::int64_t>();
            const auto used = std::min(listed, std::max(width, k + 1));
            listedRows = listedRows.slice(1, 0, used).contiguous();
            candidate = candidate.slice(1, 0, used);
            // For the set alone, a row screened more than 2·bound below the
            // k-th value is certainly among the k nearest (fewer than k rows
            // are screened below the k-th, so the k-th distance is at least
            // its value − bound, and the row's at most its own + bound): it is
            // not scored, and sorts first (−inf).
            torch::Tensor certain;
            if (setOnly) {
                auto floor = settledValues.select(1, k - 1) - 2 * bound.index_select(0, queriesIn);
                certain = settledValues.slice(1, 0, used).lt(floor.unsqueeze(1)).logical_and_(candidate);
                candidate.logical_and_(certain.logical_not());
            }
            auto scoredRows = listedRows.masked_fill(candidate.logical_not(), -1);
            auto xs = x32.index_select(0, queriesIn);
            auto d = scoreListed(xs, m_support32, m_supportNorm, scoredRows);
            if (setOnly)
                d.masked_fill_(certain, -std::numeric_limits<double>::infinity());
            result.index_put_({queriesIn}, nearestRows(d, xs, m_support, tol.index_select(0, queriesIn), selves, k,
                                                       m_options.maxBlockElements, listedRows));
        }
        pending = pending.index_select(0, torch::nonzero(complete.logical_not()).squeeze(1));
    }
    if (pending.size(0) > 0)
        result.index_put_({pending}, neighboursFloat64(x32.index_select(0, pending).to(torch::kFloat64),
                                                       self.index_select(0, pending)));
    return result;
}

bool KnnProbe::screens(const torch::Tensor &queries) const
{
    return m_support32.defined() && isNarrowFloat(queries.scalar_type());
}

torch::Tensor KnnProbe::tolerance(const torch::Tensor &lengths, std::int64_t dims, double unitRoundoff) const
{
    // Bound on |(‖s‖² − 2 x·s + ‖x‖²) − Σ(x − s)²| for a product computed with
    // this unit roundoff against the sum in float64, whatever order either is
    // taken in: 2γ_{D+3} (‖x‖ + ‖s‖)², rounded up.
    return (lengths + m_maxSupportLength).square() * (4.0 * double(dims + 4) * unitRoundoff);
}

torch::Tensor KnnProbe::neighbours(const torch::Tensor &queries, const torch::Tensor &selfIndex) const
{
    return nearest(queries, selfIndex, /*setOnly=*/false);
}

torch::Tensor KnnProbe::nearest(const torch::Tensor &queries, const torch::Tensor &selfIndex, bool setOnly) const
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
    const bool screen = screens(queries);

    std::vector<torch::Tensor> parts;
    for (std::int64_t start = 0; start < q; start += block) {
        const auto end = std::min(q, start + block);
        auto selfBlock = self.slice(0, start, end);
        if (screen)
            parts.push_back(neighboursScreened(queries.slice(0, start, end).to(device), selfBlock, setOnly));
        else
            parts.push_back(neighboursFloat64(queries.slice(0, start, end).to(device, torch::kFloat64), selfBlock));
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

torch::Tensor voteTied(const torch::Tensor &neighbourLabels, int numClasses)
{
    auto counts = torch::zeros({neighbourLabels.size(0), numClasses}, neighbourLabels.options())
                      .scatter_add_(1, neighbourLabels, torch::ones_like(neighbourLabels));
    auto best = std::get<0>(counts.max(1, /*keepdim=*/true));
    return counts.eq(best).sum(1).gt(1);
}

torch::Tensor KnnProbe::predict(const torch::Tensor &queries, const torch::Tensor &selfIndex) const
{
    torch::NoGradGuard noGrad;
    // The vote needs the k nearest as a set; their order only where it is tied.
    auto idx = nearest(queries, selfIndex, /*setOnly=*/true);
    if (idx.size(0) == 0)
        return torch::empty({0}, idx.options());
    auto labels = m_labels.index({idx});
    if (screens(queries)) {
        auto tied = torch::nonzero(voteTied(labels, m_numClasses)).squeeze(1);
        if (tied.size(0) > 0) {
            auto self = selfIndex.defined() ? selfIndex.to(idx.device(), torch::kLong).index_select(0, tied)
                                            : torch::Tensor();
            labels.index_put_({tied}, m_labels.index({neighbours(queries.index_select(0, tied.to(queries.device())), self)}));
        }
    }
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
