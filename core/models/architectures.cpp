#include "models/architectures.h"

#include "util/error.h"

#include <c10/core/impl/LocalDispatchKeySet.h>

namespace pds {

namespace {

using torch::nn::BatchNorm2d;
using torch::nn::Conv2d;
using torch::nn::Conv2dOptions;
using torch::nn::Linear;
using torch::nn::ReLU;
using torch::nn::Sequential;

Sequential convBnRelu(int in, int out)
{
    return Sequential(Conv2d(Conv2dOptions(in, out, /*kernel_size=*/3).padding(1).bias(false)),
                      BatchNorm2d(out), ReLU(torch::nn::ReLUOptions().inplace(true)));
}

/// The head runs in float32 even under autocast, so the logits (the final
/// predictions, the logits probe) keep float32's resolution instead of bf16's
/// 8 bits, where near-equal logits would round to ties; it is a tiny part of
/// the cost.
torch::Tensor headInFloat32(Linear &head, const torch::Tensor &features)
{
    c10::impl::ExcludeDispatchKeyGuard noAutocast(c10::autocast_dispatch_keyset);
    return head->forward(features.to(torch::kFloat32));
}

/// Runs a chain of blocks, a pooling step and a linear head, collecting the
/// input, every block's output and the logits as probes.
ModelOutput runChain(const torch::Tensor &x, std::vector<Sequential> &blocks,
                     const std::function<torch::Tensor(const torch::Tensor &)> &pool, Linear &head,
                     bool withProbes)
{
    ModelOutput o;
    if (withProbes)
        o.probes.push_back(x);
    torch::Tensor h = x;
    for (auto &block : blocks) {
        h = block->forward(h);
        if (withProbes)
            o.probes.push_back(h);
    }
    o.logits = headInFloat32(head, pool(h));
    if (withProbes)
        o.probes.push_back(o.logits);
    return o;
}

} // namespace

// --- mlp ---------------------------------------------------------------------

MlpImpl::MlpImpl(const ModelSpec &spec)
{
    if (spec.mlpHiddenLayers < 1)
        throw ConfigError("an mlp needs at least one hidden layer");
    int in = spec.inChannels * spec.height * spec.width;
    const int units = scaledWidth(spec.mlpHiddenUnits, spec.widthMultiplier);
    for (int i = 0; i < spec.mlpHiddenLayers; ++i) {
        m_hidden.push_back(register_module("hidden" + std::to_string(i + 1),
                                           Sequential(Linear(in, units), ReLU())));
        in = units;
    }
    m_out = register_module("out", Linear(in, spec.numOutputs));
}

ModelOutput MlpImpl::compute(const torch::Tensor &x, bool withProbes)
{
    ModelOutput o;
    if (withProbes)
        o.probes.push_back(x);
    torch::Tensor h = x.flatten(1);
    for (auto &layer : m_hidden) {
        h = layer->forward(h);
        if (withProbes)
            o.probes.push_back(h);
    }
    o.logits = headInFloat32(m_out, h);
    if (withProbes)
        o.probes.push_back(o.logits);
    return o;
}

std::vector<std::string> MlpImpl::probeNames() const
{
    std::vector<std::string> names{"input"};
    for (std::size_t i = 0; i < m_hidden.size(); ++i)
        names.push_back("hidden" + std::to_string(i + 1));
    names.push_back("logits");
    return names;
}

std::string MlpImpl::defaultSplitStage() const
{
    return "hidden" + std::to_string(m_hidden.size() / 2 + 1);
}

// --- cnn ---------------------------------------------------------------------

CnnImpl::CnnImpl(const ModelSpec &spec)
{
    const int k = scaledWidth(spec.cnnBaseWidth, spec.widthMultiplier);
    const int widths[4] = {k, 2 * k, 4 * k, 8 * k};
    int in = spec.inChannels;
    int size = std::min(spec.height, spec.width);
    for (int b = 0; b < 4; ++b) {
        Sequential block = convBnRelu(in, widths[b]);
        // Pooling stops once the map is 1 pixel wide, so tiny inputs still work.
        if (b > 0 && size >= 2) {
            block->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2)));
            size /= 2;
        }
        m_blocks.push_back(register_module("block" + std::to_string(b + 1), block));
        in = widths[b];
    }
    m_fc = register_module("fc", Linear(in, spec.numOutputs));
}

ModelOutput CnnImpl::compute(const torch::Tensor &x, bool withProbes)
{
    // Global max pool.
    return runChain(x, m_blocks, [](const torch::Tensor &h) { return std::get<0>(h.flatten(2).max(2)); },
                    m_fc, withProbes);
}

std::vector<std::string> CnnImpl::probeNames() const
{
    return {"input", "block1", "block2", "block3", "block4", "logits"};
}

// --- resnet18 ----------------------------------------------------------------

BasicBlockImpl::BasicBlockImpl(int in, int out, int stride)
{
    m_conv1 = register_module(
        "conv1", Conv2d(Conv2dOptions(in, out, /*kernel_size=*/3).stride(stride).padding(1).bias(false)));
    m_bn1 = register_module("bn1", BatchNorm2d(out));
    m_conv2 = register_module(
        "conv2", Conv2d(Conv2dOptions(out, out, /*kernel_size=*/3).padding(1).bias(false)));
    m_bn2 = register_module("bn2", BatchNorm2d(out));
    m_shortcut = Sequential();
    if (stride != 1 || in != out) {
        m_shortcut->push_back(
            Conv2d(Conv2dOptions(in, out, /*kernel_size=*/1).stride(stride).bias(false)));
        m_shortcut->push_back(BatchNorm2d(out));
    }
    register_module("shortcut", m_shortcut);
}

torch::Tensor BasicBlockImpl::forward(const torch::Tensor &x)
{
    torch::Tensor h = torch::relu(m_bn1->forward(m_conv1->forward(x)));
    h = m_bn2->forward(m_conv2->forward(h));
    const torch::Tensor skip = m_shortcut->is_empty() ? x : m_shortcut->forward(x);
    return torch::relu(h + skip);
}

void ResidualNetImpl::build(const ModelSpec &spec, const std::vector<int> &widths, int blocks)
{
    m_stem = register_module("stem", convBnRelu(spec.inChannels, widths.front()));
    int in = widths.front();
    for (std::size_t s = 0; s < widths.size(); ++s) {
        torch::nn::Sequential stage;
        std::vector<BasicBlock> stageBlocks;
        for (int b = 0; b < blocks; ++b) {
            stageBlocks.emplace_back(in, widths[s], (s > 0 && b == 0) ? 2 : 1);
            stage->push_back(stageBlocks.back());
            in = widths[s];
        }
        register_module("layer" + std::to_string(s + 1), stage);
        m_layers.push_back(std::move(stageBlocks));
    }
    m_fc = register_module("fc", Linear(in, spec.numOutputs));
}

ModelOutput ResidualNetImpl::compute(const torch::Tensor &x, bool withProbes)
{
    ModelOutput o;
    if (withProbes)
        o.probes.push_back(x);
    torch::Tensor h = m_stem->forward(x);
    if (withProbes)
        o.probes.push_back(h);
    for (auto &stage : m_layers)
        for (auto &block : stage) {
            h = block->forward(h);
            if (withProbes)
                o.probes.push_back(h);
        }
    o.logits = m_fc->forward(h.mean({2, 3}));
    if (withProbes)
        o.probes.push_back(o.logits);
    return o;
}

std::vector<std::string> ResidualNetImpl::probeNames() const
{
    std::vector<std::string> names{"input", "stem"};
    for (std::size_t s = 0; s < m_layers.size(); ++s)
        for (std::size_t b = 0; b < m_layers[s].size(); ++b)
            names.push_back("layer" + std::to_string(s + 1) + "." + std::to_string(b));
    names.push_back("logits");
    return names;
}

ResNet18Impl::ResNet18Impl(const ModelSpec &spec)
{
    const double w = spec.widthMultiplier;
    build(spec, {scaledWidth(64, w), scaledWidth(128, w), scaledWidth(256, w), scaledWidth(512, w)}, 2);
}

// --- CIFAR ResNet family (depth 6n+2) ---------------------------------------

int cifarResNetDepth(const std::string &arch)
{
    const std::string prefix = "resnet";
    if (arch.rfind(prefix, 0) != 0 || arch.size() == prefix.size() || arch.size() > prefix.size() + 4
        || arch[prefix.size()] == '0')
        return 0;
    int depth = 0;
    for (std::size_t i = prefix.size(); i < arch.size(); ++i) {
        if (arch[i] < '0' || arch[i] > '9')
            return 0;
        depth = depth * 10 + (arch[i] - '0');
    }
    return depth >= 8 && (depth - 2) % 6 == 0 ? depth : 0;
}

CifarResNetImpl::CifarResNetImpl(const ModelSpec &spec, int depth)
{
    const double w = spec.widthMultiplier;
    build(spec, {scaledWidth(16, w), scaledWidth(32, w), scaledWidth(64, w)}, (depth - 2) / 6);
}

// --- vgg16 -------------------------------------------------------------------

Vgg16Impl::Vgg16Impl(const ModelSpec &spec)
{
    // 0 marks a max-pool, as in the usual VGG configuration list.
    const int cfg[] = {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0};
    int in = spec.inChannels;
    int size = std::min(spec.height, spec.width);
    for (int v : cfg) {
        if (v == 0) {
            if (size >= 2) {
                m_convs.back()->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2)));
                size /= 2;
            }
            continue;
        }
        const int out = scaledWidth(v, spec.widthMultiplier);
        m_convs.push_back(register_module("conv" + std::to_string(m_convs.size() + 1),
                                          convBnRelu(in, out)));
        in = out;
    }
    m_fc = register_module("fc", Linear(in, spec.numOutputs));
}

ModelOutput Vgg16Impl::compute(const torch::Tensor &x, bool withProbes)
{
    // Maps are 1×1 on 32×32 inputs; averaging makes other sizes work too.
    return runChain(x, m_convs, [](const torch::Tensor &h) { return h.mean({2, 3}); }, m_fc, withProbes);
}

std::vector<std::string> Vgg16Impl::probeNames() const
{
    std::vector<std::string> names{"input"};
    for (std::size_t i = 0; i < m_convs.size(); ++i)
        names.push_back("conv" + std::to_string(i + 1));
    names.push_back("logits");
    return names;
}

} // namespace pds
