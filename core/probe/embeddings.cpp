#include "probe/embeddings.h"

#include "util/autocast.h"
#include "util/error.h"

#include <algorithm>
#include <cmath>

namespace pds {

std::pair<std::int64_t, std::int64_t> reducedSize(std::int64_t c, std::int64_t h, std::int64_t w,
                                                  std::int64_t maxFeatures)
{
    // The longer side steps down one at a time and the shorter follows in
    // proportion, so a square map stays square and any other keeps its ratio
    // up to rounding (stepping one side at a time stopped at maps like 5×6).
    const std::int64_t longer = std::max(h, w), shorter = std::min(h, w);
    for (std::int64_t l = longer; l >= 1; --l) {
        const std::int64_t s = std::max<std::int64_t>(1, (shorter * l + longer / 2) / longer);
        if (c * l * s <= maxFeatures || l == 1)
            return h >= w ? std::pair{l, s} : std::pair{s, l};
    }
    return {h, w};
}

torch::Tensor toStoredPrecision(const torch::Tensor &embeddings, EmbeddingsDtype dtype)
{
    if (dtype == EmbeddingsDtype::Float32)
        return embeddings.to(torch::kFloat32);
    // Saturated rather than rounded to infinity, which would make distances NaN.
    constexpr double kHalfMax = 65504.0;
    return embeddings.to(torch::kFloat32).clamp(-kHalfMax, kHalfMax).to(torch::kFloat16);
}

torch::Tensor reduceProbe(const torch::Tensor &probe, std::int64_t maxFeatures,
                          std::vector<std::int64_t> *reducedShape)
{
    if (probe.dim() == 2) {
        if (reducedShape)
            *reducedShape = {probe.size(1)};
        return probe;
    }
    if (probe.dim() != 4)
        throw Error("a probe must be [N, D] or [N, C, H, W]");
    const auto c = probe.size(1), h = probe.size(2), w = probe.size(3);
    const auto [rh, rw] = reducedSize(c, h, w, maxFeatures);
    torch::Tensor t = probe;
    if (rh != h || rw != w)
        t = torch::adaptive_avg_pool2d(probe, {rh, rw});
    if (reducedShape)
        *reducedShape = {c, rh, rw};
    return t.flatten(1);
}

namespace {

/// Rows [start, end) of the sets taken end to end.
torch::Tensor rowsOf(const std::vector<torch::Tensor> &sets, std::int64_t start, std::int64_t end)
{
    std::vector<torch::Tensor> parts;
    std::int64_t offset = 0;
    for (const auto &set : sets) {
        if (!set.defined())
            continue;
        const auto n = set.size(0);
        const auto from = std::max(start, offset), to = std::min(end, offset + n);
        if (from < to)
            parts.push_back(set.slice(0, from - offset, to - offset));
        offset += n;
    }
    return parts.size() == 1 ? parts.front() : torch::cat(parts);
}

} // namespace

std::vector<torch::Tensor> extractEmbeddings(ProbedModelImpl &model, const std::vector<torch::Tensor> &imageSets,
                                             int batchSize, std::int64_t maxFeatures,
                                             bool mixedPrecision,
                                             std::vector<ProbeReduction> *reductions, EmbeddingsDtype dtype,
                                             torch::Tensor *logits)
{
    torch::NoGradGuard noGrad;
    model.eval();
    std::int64_t n = 0;
    c10::Device device(c10::kCPU);
    for (const auto &set : imageSets)
        if (set.defined()) {
            n += set.size(0);
            device = set.device();
        }
    const auto names = model.probeNames();
    std::vector<torch::Tensor> out(names.size());
    if (reductions)
        reductions->assign(names.size(), {});
    for (std::int64_t start = 0; start < n; start += batchSize) {
        const auto end = std::min(n, start + batchSize);
        ModelOutput o;
        {
            AutocastScope autocast(device, mixedPrecision);
            o = model.run(rowsOf(imageSets, start, end), true);
        }
        if (o.probes.size() != names.size())
            throw Error("the model returned " + std::to_string(o.probes.size()) + " probes but names "
                        + std::to_string(names.size()));
        if (logits) {
            auto batchLogits = o.logits.to(torch::kFloat32);
            if (start == 0)
                *logits = torch::empty({n, batchLogits.size(1)}, batchLogits.options());
            logits->slice(0, start, end).copy_(batchLogits);
        }
        for (std::size_t l = 0; l < names.size(); ++l) {
            std::vector<std::int64_t> reduced;
            auto e = toStoredPrecision(reduceProbe(o.probes[l].to(torch::kFloat32), maxFeatures, &reduced), dtype);
            if (!out[l].defined()) {
                out[l] = torch::empty({n, e.size(1)}, e.options());
                if (reductions) {
                    auto sizes = o.probes[l].sizes().vec();
                    (*reductions)[l] = {names[l], std::vector<std::int64_t>(sizes.begin() + 1, sizes.end()), reduced};
                }
            }
            out[l].slice(0, start, end).copy_(e);
        }
    }
    return out;
}

} // namespace pds
