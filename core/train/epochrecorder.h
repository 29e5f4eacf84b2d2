#pragma once

#include "train/dynamics.h"

#include <torch/torch.h>

#include <cstdint>

namespace pds {

/// Gathers one epoch's per-example record of a split on the device, batch by
/// batch, from the logits of a training or an evaluation forward pass.
/// Examples no batch covered stay unrecorded (EpochRecord::kUnrecorded, NaN).
class EpochRecorder {
public:
    EpochRecorder(std::int64_t examples, torch::Device device);

    /// Records the examples `indices` (int64 on the device, into the split)
    /// from their `logits` [B, K] and given `labels` [B].
    void add(const torch::Tensor &indices, const torch::Tensor &logits, const torch::Tensor &labels);
    /// The record on the host; the recorder starts over with nothing recorded.
    EpochRecord take();

private:
    void reset();

    std::int64_t m_examples;
    torch::Device m_device;
    torch::Tensor m_pred, m_probGiven, m_margin, m_loss, m_el2n;
};

} // namespace pds
