#include "probe/pca.h"

#include "util/error.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <tuple>

namespace pds {
namespace {

/// Covariance work (n·dim² multiply-adds) up to which the exact path is used:
/// about a second on two cores for 60,000 × 784. Beyond it, subspace
/// iteration reads the data a few times with thin matrix products instead.
constexpr double kExactBudget = 1e11;
constexpr std::int64_t kExactMaxDim = 2048;
constexpr int kOversampling = 20;
constexpr int kPowerIterations = 6;

/// Rows per block: about 64 MB of float32 whatever the dimension.
std::int64_t blockRows(const torch::Tensor &x)
{
    return std::max<std::int64_t>(1, (std::int64_t(1) << 24) / x.size(1));
}

/// Calls `f(block, firstRow)` for consecutive row blocks of `x` minus `mean`,
/// centred into one reused buffer: centring per block keeps float32 products
/// accurate when the mean is large next to the spread, and reusing the buffer
/// spares the page faults of a fresh 64 MB allocation per block.
template <typename F> void forEachCentredBlock(const torch::Tensor &x, const torch::Tensor &mean, F &&f)
{
    const std::int64_t step = blockRows(x);
    torch::Tensor buffer = torch::empty({std::min(step, x.size(0)), x.size(1)}, torch::kFloat);
    for (std::int64_t r = 0; r < x.size(0); r += step) {
        torch::Tensor b = buffer.narrow(0, 0, std::min(step, x.size(0) - r));
        torch::sub_out(b, x.narrow(0, r, b.size(0)), mean);
        f(b, r);
    }
}

/// Gaussian [rows, cols] in float64 from a seeded mt19937_64 through
/// Box–Muller: std::normal_distribution differs between standard libraries,
/// and torch's global generator is shared state.
torch::Tensor gaussian(std::int64_t rows, std::int64_t cols, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    const double scale = 1.0 / 9007199254740992.0; // 2^-53
    const double pi = 3.14159265358979323846;
    auto uniform = [&] { return (static_cast<double>(rng() >> 11) + 0.5) * scale; };
    std::vector<double> values(static_cast<std::size_t>(rows * cols));
    for (std::size_t i = 0; i < values.size(); i += 2) {
        const double r = std::sqrt(-2.0 * std::log(uniform())), t = 2.0 * pi * uniform();
        values[i] = r * std::cos(t);
        if (i + 1 < values.size())
            values[i + 1] = r * std::sin(t);
    }
    return torch::from_blob(values.data(), {rows, cols}, torch::kDouble).clone();
}

/// Covariance times `z` ([dim, l]) without forming the covariance, float64.
torch::Tensor covarianceTimes(const torch::Tensor &x, const torch::Tensor &mean, const torch::Tensor &z)
{
    const torch::Tensor zf = z.to(torch::kFloat);
    torch::Tensor out = torch::zeros({x.size(1), z.size(1)}, torch::kDouble);
    forEachCentredBlock(x, mean, [&](const torch::Tensor &b, std::int64_t) {
        out += b.t().matmul(b.matmul(zf)).to(torch::kDouble);
    });
    return out / static_cast<double>(x.size(0) - 1);
}

/// Top-`k` eigenpairs of the covariance, descending: (values [k], vectors [dim, k]).
std::tuple<torch::Tensor, torch::Tensor> exactComponents(const torch::Tensor &x, const torch::Tensor &mean, int k)
{
    const std::int64_t dim = x.size(1);
    // Each block's product in float32 (BLAS speed), summed over blocks in float64.
    torch::Tensor cov = torch::zeros({dim, dim}, torch::kDouble);
    torch::Tensor block = torch::empty({dim, dim}, torch::kFloat);
    forEachCentredBlock(x, mean, [&](const torch::Tensor &b, std::int64_t) {
        torch::mm_out(block, b.t(), b);
        cov.add_(block);
    });
    cov /= static_cast<double>(x.size(0) - 1);
    auto [values, vectors] = torch::linalg_eigh(cov); // ascending
    return {values.flip({0}).narrow(0, 0, k), vectors.flip({1}).narrow(1, 0, k)};
}

/// The same by randomized subspace iteration on the covariance followed by a
/// Rayleigh–Ritz step (Halko, Martinsson & Tropp 2011, algorithm 4.4).
std::tuple<torch::Tensor, torch::Tensor> randomizedComponents(const torch::Tensor &x, const torch::Tensor &mean,
                                                              int k, std::uint64_t seed)
{
    const std::int64_t dim = x.size(1);
    const std::int64_t l = std::min<std::int64_t>(dim, 2 * k + kOversampling);
    torch::Tensor z = std::get<0>(torch::linalg_qr(gaussian(dim, l, seed)));
    for (int i = 0; i < kPowerIterations; ++i)
        z = std::get<0>(torch::linalg_qr(covarianceTimes(x, mean, z)));
    torch::Tensor t = z.t().matmul(covarianceTimes(x, mean, z));
    auto [values, w] = torch::linalg_eigh((t + t.t()) / 2.0);
    return {values.flip({0}).narrow(0, 0, k), z.matmul(w.flip({1})).narrow(1, 0, k)};
}

} // namespace

PcaResult pcaProject(const float *data, std::int64_t n, std::int64_t dim, int components, std::uint64_t seed)
{
    if (!data)
        throw Error("PCA: no data given");
    if (n < 2)
        throw Error("PCA needs at least 2 points, got " + std::to_string(n));
    if (dim < 1)
        throw Error("PCA needs at least 1 feature per point, got " + std::to_string(dim));
    if (components < 1 || components > dim)
        throw Error("PCA: components must be between 1 and the " + std::to_string(dim) +
                    " features, got " + std::to_string(components));

    torch::NoGradGuard noGrad;
    // Read in place: the caller's buffer is never written.
    const torch::Tensor x = torch::from_blob(const_cast<float *>(data), {n, dim}, torch::kFloat);

    torch::Tensor sum = torch::zeros({dim}, torch::kDouble);
    for (std::int64_t r = 0, step = blockRows(x); r < n; r += step)
        sum += x.narrow(0, r, std::min(step, n - r)).sum(at::IntArrayRef{0}, /*keepdim=*/false, torch::kDouble);
    const torch::Tensor mean = (sum / static_cast<double>(n)).to(torch::kFloat);
    if (!torch::isfinite(sum).all().item<bool>())
        throw Error("PCA: the data contain NaN or infinite values");

    const bool exact = dim <= kExactMaxDim && double(n) * double(dim) * double(dim) <= kExactBudget;
    auto [values, vectors] = exact ? exactComponents(x, mean, components)
                                   : randomizedComponents(x, mean, components, seed);

    // A component and its negation are equally valid; fix the sign so that the
    // largest-magnitude entry is positive and views do not flip between runs.
    const torch::Tensor peak = vectors.gather(0, vectors.abs().argmax(0).unsqueeze(0));
    vectors = vectors * (1.0 - 2.0 * (peak < 0).to(torch::kDouble));

    // Project, and sum the squares for the total variance on the same pass.
    PcaResult result;
    result.components = components;
    result.projected.resize(static_cast<std::size_t>(n * components));
    torch::Tensor out = torch::from_blob(result.projected.data(), {n, components}, torch::kFloat);
    const torch::Tensor v = vectors.to(torch::kFloat);
    double total = 0.0;
    torch::Tensor squares;
    forEachCentredBlock(x, mean, [&](const torch::Tensor &b, std::int64_t row) {
        torch::Tensor o = out.narrow(0, row, b.size(0));
        torch::mm_out(o, b, v);
        // float32 norms drift by ~0.1 % over millions of entries; sum in float64.
        if (!squares.defined())
            squares = torch::empty_like(b);
        torch::Tensor sq = squares.narrow(0, 0, b.size(0));
        torch::mul_out(sq, b, b);
        total += sq.sum(torch::kDouble).item<double>();
    });
    total /= static_cast<double>(n - 1);
    const torch::Tensor ratio = total > 0 ? values.clamp_min(0.0) / total : torch::zeros_like(values);
    const torch::Tensor ratioF = ratio.to(torch::kFloat).contiguous();
    result.explained.assign(ratioF.data_ptr<float>(), ratioF.data_ptr<float>() + components);
    return result;
}

} // namespace pds
