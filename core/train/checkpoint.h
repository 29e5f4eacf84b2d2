#pragma once

#include <torch/torch.h>

#include <string>

namespace pds {

/// The resumable state of one network and its optimiser inside a LibTorch
/// archive: the module's parameters and buffers at the archive's top level,
/// the optimiser's state (momentum, Adam moments) under "optimizer". Classification
/// checkpoints are one such archive; a regression checkpoint holds one per
/// learner, each under its own key.
void writeLearnerState(torch::serialize::OutputArchive &archive, torch::nn::Module &model,
                       torch::optim::Optimizer &optimizer);
/// Restores what writeLearnerState wrote (module and optimiser of the same shapes).
void readLearnerState(torch::serialize::InputArchive &archive, torch::nn::Module &model,
                      torch::optim::Optimizer &optimizer);
/// A new, empty archive to write into.
torch::serialize::OutputArchive newArchive();
/// The archive as the bytes a run file stores.
std::string archiveBytes(torch::serialize::OutputArchive &archive);

} // namespace pds
