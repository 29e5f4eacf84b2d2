#pragma once

#include <torch/torch.h>

namespace pds {

/// SGD with momentum, dampening, Nesterov and weight decay: the update of
/// torch::optim::SGD, with the same state (so checkpoints stay
/// interchangeable), applied to all parameters of a group at once with
/// multi-tensor kernels. LibTorch's own step loops over the parameters and
/// launches three to four kernels for each (about 250 for a ResNet-18); this
/// step launches a handful per group on CUDA.
class MultiTensorSGD : public torch::optim::SGD {
public:
    using torch::optim::SGD::SGD;
    torch::Tensor step(LossClosure closure = nullptr) override;
};

/// Adam (without AMSGrad, which falls back to LibTorch's step) with the
/// update and state of torch::optim::Adam, applied with multi-tensor kernels.
class MultiTensorAdam : public torch::optim::Adam {
public:
    using torch::optim::Adam::Adam;
    torch::Tensor step(LossClosure closure = nullptr) override;
};

/// Clears the gradients before a backward pass. On CUDA they are dropped
/// (set to none), so backward writes fresh ones from the caching allocator
/// instead of adding into buffers first zeroed one kernel per parameter. On
/// the CPU they are zeroed in place: fresh large buffers there come from the
/// system allocator and cost page faults every step.
void clearGradients(torch::optim::Optimizer &optimizer);

} // namespace pds
