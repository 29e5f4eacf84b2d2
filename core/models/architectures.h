#pragma once

#include "models/model.h"

namespace pds {

/// flatten → N × (Linear + ReLU) → Linear.
/// Probes: input, each hidden activation, logits.
class MlpImpl : public ProbedModelImpl {
public:
    explicit MlpImpl(const ModelSpec &spec);
    std::vector<std::string> probeNames() const override;
    std::string defaultSplitStage() const override;

protected:
    ModelOutput compute(const torch::Tensor &x, bool withProbes) override;

private:
    std::vector<torch::nn::Sequential> m_hidden;
    torch::nn::Linear m_out{nullptr};
};

/// The 4-conv family of width k: conv(k); conv(2k)+pool; conv(4k)+pool;
/// conv(8k)+pool (each conv 3×3-BN-ReLU); global max pool; Linear.
/// Probes: input, each conv block, logits.
class CnnImpl : public ProbedModelImpl {
public:
    explicit CnnImpl(const ModelSpec &spec);
    std::vector<std::string> probeNames() const override;
    std::string defaultSplitStage() const override { return "block3"; }

protected:
    ModelOutput compute(const torch::Tensor &x, bool withProbes) override;

private:
    std::vector<torch::nn::Sequential> m_blocks;
    torch::nn::Linear m_fc{nullptr};
};

/// Two 3×3 conv-BN layers with an identity (or 1×1 projection) shortcut.
class BasicBlockImpl : public torch::nn::Module {
public:
    BasicBlockImpl(int in, int out, int stride);
    torch::Tensor forward(const torch::Tensor &x);

private:
    torch::nn::Conv2d m_conv1{nullptr}, m_conv2{nullptr};
    torch::nn::BatchNorm2d m_bn1{nullptr}, m_bn2{nullptr};
    torch::nn::Sequential m_shortcut{nullptr};
};
TORCH_MODULE(BasicBlock);

/// A residual network: a 3×3 stem as wide as the first stage, stages of basic
/// blocks (the first block of every stage after the first halves the map),
/// global average pool, Linear.
/// Probes: input, stem, every residual block (the last of each closes its stage), logits.
class ResidualNetImpl : public ProbedModelImpl {
public:
    std::vector<std::string> probeNames() const override;
    std::string defaultSplitStage() const override { return "layer3"; }

protected:
    /// Registers the stem and stage s of `blocks` blocks of width `widths[s]`, as stem, layer1, …, fc.
    void build(const ModelSpec &spec, const std::vector<int> &widths, int blocks);
    ModelOutput compute(const torch::Tensor &x, bool withProbes) override;

private:
    torch::nn::Sequential m_stem{nullptr};
    std::vector<std::vector<BasicBlock>> m_layers;
    torch::nn::Linear m_fc{nullptr};
};

/// CIFAR ResNet-18: stages [2,2,2,2] of widths 64w…512w, no max-pool.
class ResNet18Impl : public ResidualNetImpl {
public:
    explicit ResNet18Impl(const ModelSpec &spec);
};

/// The depth D of a CIFAR-style ResNet named "resnetD" with D = 6n+2 (resnet8,
/// resnet14, resnet20, …, resnet56); 0 for any other name.
int cifarResNetDepth(const std::string &arch);

/// CIFAR-style ResNet of depth 6n+2 (He et al. 2016, section 4.2): three
/// stages of n basic blocks of widths 16w, 32w, 64w (1×1 projection shortcuts
/// where the map halves). The depth axis of a model-size sweep.
class CifarResNetImpl : public ResidualNetImpl {
public:
    CifarResNetImpl(const ModelSpec &spec, int depth);
};

/// VGG-16 with BatchNorm, CIFAR variant (one Linear classifier). Max-pools that
/// would shrink a map below 1×1 (28×28 inputs) are skipped.
/// Probes: input, each of the 13 conv layers, logits.
class Vgg16Impl : public ProbedModelImpl {
public:
    explicit Vgg16Impl(const ModelSpec &spec);
    std::vector<std::string> probeNames() const override;
    std::string defaultSplitStage() const override { return "conv8"; }

protected:
    ModelOutput compute(const torch::Tensor &x, bool withProbes) override;

private:
    std::vector<torch::nn::Sequential> m_convs;
    torch::nn::Linear m_fc{nullptr};
};

} // namespace pds
