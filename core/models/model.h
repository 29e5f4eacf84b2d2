#pragma once

#include "models/modelspec.h"

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace pds {

/// Logits and, when asked for, the probe tensors in network order:
/// the input, the output of each block, and the logits.
struct ModelOutput {
    torch::Tensor logits;
    std::vector<torch::Tensor> probes;
};

/// A network whose forward pass can hand out its probe points. Top-level
/// children are registered in forward order and are the network's *stages*:
/// regimes such as LLF and SEAL split the parameters at a named stage.
class ProbedModelImpl : public torch::nn::Module {
public:
    /// Runs the network on `x`, laid out in the model's memory format first;
    /// fills `probes` only when `withProbes` is set.
    ModelOutput run(const torch::Tensor &x, bool withProbes);
    torch::Tensor forward(const torch::Tensor &x) { return run(x, false).logits; }

    /// Lays out the 4-D weights, and from then on every input, channels-last
    /// (NHWC) or back in the default NCHW order. Channels-last lets cuDNN run
    /// its tensor-core convolutions without transposing activations; the
    /// values, and the order in which probes flatten, do not change.
    void setChannelsLast(bool on);
    bool channelsLast() const { return m_channelsLast; }

    /// One name per probe, same order as ModelOutput::probes.
    virtual std::vector<std::string> probeNames() const = 0;

    /// Top-level children in forward order.
    std::vector<std::string> stageNames() const;
    /// Parameters of the stages before `stage` (early) and from `stage` on (late).
    void splitParameters(const std::string &stage, std::vector<torch::Tensor> &early,
                         std::vector<torch::Tensor> &late) const;
    /// Re-draws the weights of every convolution and linear layer from `stage`
    /// on with their default initialiser; their biases and BatchNorm parameters
    /// and statistics stay (docs/difficulty.md, regimes).
    void reinitialiseFrom(const std::string &stage);
    /// The stage LLF and SEAL split at when none is named.
    virtual std::string defaultSplitStage() const = 0;

protected:
    /// The forward pass of the architecture, on an input already laid out.
    virtual ModelOutput compute(const torch::Tensor &x, bool withProbes) = 0;
    int stageIndex(const std::string &stage) const;

private:
    bool m_channelsLast = false;
};

using ModelPtr = std::shared_ptr<ProbedModelImpl>;

/// Builds the network the spec names; throws ConfigError for unknown names
/// or impossible shapes.
ModelPtr makeModel(const ModelSpec &spec);

/// Architectures makeModel knows.
std::vector<std::string> modelNames();

/// Scales a base width by a multiplier, never below one channel.
int scaledWidth(int base, double multiplier);

} // namespace pds
