#include "models/model.h"

#include "models/architectures.h"
#include "util/error.h"

#include <cmath>

namespace pds {

ModelOutput ProbedModelImpl::run(const torch::Tensor &x, bool withProbes)
{
    if (m_channelsLast && x.dim() == 4)
        return compute(x.contiguous(torch::MemoryFormat::ChannelsLast), withProbes);
    return compute(x, withProbes);
}

void ProbedModelImpl::setChannelsLast(bool on)
{
    m_channelsLast = on;
    const auto format = on ? torch::MemoryFormat::ChannelsLast : torch::MemoryFormat::Contiguous;
    torch::NoGradGuard noGrad;
    for (auto &p : parameters())
        if (p.dim() == 4)
            p.set_data(p.contiguous(format));
}

std::vector<std::string> ProbedModelImpl::stageNames() const
{
    std::vector<std::string> names;
    for (const auto &child : named_children())
        names.push_back(child.key());
    return names;
}

int ProbedModelImpl::stageIndex(const std::string &stage) const
{
    const auto names = stageNames();
    for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == stage)
            return static_cast<int>(i);
    std::string known;
    for (const auto &n : names)
        known += (known.empty() ? "" : ", ") + n;
    throw ConfigError("the model has no stage '" + stage + "' (stages: " + known + ")");
}

void ProbedModelImpl::splitParameters(const std::string &stage, std::vector<torch::Tensor> &early,
                                      std::vector<torch::Tensor> &late) const
{
    const int split = stageIndex(stage);
    int i = 0;
    for (const auto &child : named_children()) {
        auto &target = i < split ? early : late;
        for (const auto &p : child.value()->parameters())
            target.push_back(p);
        ++i;
    }
}

namespace {

/// Runs a layer's own initialiser (`reset`, which draws weight and bias) and
/// puts the bias back as it was.
template <class Reset>
void redrawWeightOnly(torch::Tensor &bias, Reset reset)
{
    const torch::Tensor kept = bias.defined() ? bias.clone() : torch::Tensor();
    reset();
    if (kept.defined())
        bias.copy_(kept);
}

} // namespace

void ProbedModelImpl::reinitialiseFrom(const std::string &stage)
{
    const int split = stageIndex(stage);
    torch::NoGradGuard noGrad;
    int i = 0;
    for (const auto &child : named_children()) {
        if (i++ < split)
            continue;
        for (const auto &m : child.value()->modules()) {
            // Weights only, as LLF's and SEAL's reference code re-draws them: biases keep their values.
            if (auto *conv = m->as<torch::nn::Conv2d>())
                redrawWeightOnly(conv->bias, [&] { conv->reset_parameters(); });
            else if (auto *linear = m->as<torch::nn::Linear>())
                redrawWeightOnly(linear->bias, [&] { linear->reset_parameters(); });
        }
    }
}

int scaledWidth(int base, double multiplier)
{
    return std::max(1, static_cast<int>(std::lround(base * multiplier)));
}

std::vector<std::string> modelNames()
{
    return {"mlp", "cnn", "resnet18", "vgg16"};
}

ModelPtr makeModel(const ModelSpec &spec)
{
    if (!(spec.widthMultiplier > 0.0) || spec.widthMultiplier > 64.0)
        throw ConfigError("width multiplier must lie in (0, 64], got "
                          + std::to_string(spec.widthMultiplier));
    if (spec.inChannels <= 0 || spec.height <= 0 || spec.width <= 0)
        throw ConfigError("model input shape must be positive");
    if (spec.numOutputs <= 0)
        throw ConfigError("model needs at least one output");
    if (spec.arch == "mlp")
        return std::make_shared<MlpImpl>(spec);
    if (spec.arch == "cnn")
        return std::make_shared<CnnImpl>(spec);
    if (spec.arch == "resnet18")
        return std::make_shared<ResNet18Impl>(spec);
    if (spec.arch == "vgg16")
        return std::make_shared<Vgg16Impl>(spec);
    if (const int depth = cifarResNetDepth(spec.arch))
        return std::make_shared<CifarResNetImpl>(spec, depth);
    throw ConfigError("unknown model '" + spec.arch
                      + "' (expected mlp, cnn, resnet18, vgg16 or a CIFAR ResNet resnetD of depth D = 6n+2: "
                        "resnet8, resnet14, resnet20, resnet32, resnet44, resnet56, …)");
}

} // namespace pds
