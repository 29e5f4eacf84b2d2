#include "probe/embeddings.h"

#include "util/autocast.h"
#include "util/error.h"


#include <cmath>

namespace pds {

std::pair<std::int64_t, std::int64_t> reducedSize(std::int64_t c, std::int64_t h, std::int64_t w,
                                                  std::int64_t maxFeatures)
{
    // Step the longer side down first so the aspect ratio is kept.
    while (c * h * w > maxFeatures && (h > 1 || w > 1)) {
        if (h >= w && h > 1)
            --h;
        else
            --w;
    }
    return {h, w};
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

std::vector<torch::Tensor> extractEmbeddings(ProbedModelImpl &model, const torch::Tensor &images,
                                             int batchSize, std::int64_t maxFeatures,
                                             bool mixedPrecision,
                                             std::vector<ProbeReduction> *reductions)
{
    torch::NoGradGuard noGrad;
    model.eval();
    const bool cuda = images.is_cuda();
    const auto storeType = cuda ? torch::kFloat16 : torch::kFloat32;
    const auto n = images.size(0);
    const auto names = model.probeNames();
    std::vector<torch::Tensor> out(names.size());
    if (reductions)
        reductions->assign(names.size(), {});
    for (std::int64_t start = 0; start < n; start += batchSize) {
        const auto end = std::min(n, start + batchSize);
        ModelOutput o;
        {
            AutocastScope autocast(cuda && mixedPrecision);
            o = model.run(images.slice(0, start, end), true);
        }
        if (o.probes.size() != names.size())
            throw Error("the model returned " + std::to_string(o.probes.size()) + " probes but names "
                        + std::to_string(names.size()));
        for (std::size_t l = 0; l < names.size(); ++l) {
            std::vector<std::int64_t> reduced;
            auto e = reduceProbe(o.probes[l].to(torch::kFloat32), maxFeatures, &reduced).to(storeType);
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
