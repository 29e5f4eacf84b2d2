#pragma once

#include <cstdint>
#include <vector>

namespace pds {

/// What one epoch records for every example of a split. An example the epoch
/// did not record (held out and not evaluated that epoch) has pred
/// kUnrecorded and NaN in the float arrays.
struct EpochRecord {
    static constexpr std::int32_t kUnrecorded = -1;

    std::vector<std::int32_t> pred;   ///< argmax class
    std::vector<float> probGiven;     ///< softmax probability of the given label
    std::vector<float> margin;        ///< given-label logit minus the largest other logit
    std::vector<float> loss;          ///< cross-entropy against the given label
    std::vector<float> el2n;          ///< ‖softmax − one-hot(given)‖₂

    void resize(std::size_t n);
    /// n examples, none recorded.
    void resizeUnrecorded(std::size_t n);
    std::size_t size() const { return pred.size(); }
    bool recorded(std::size_t i) const { return pred[i] != kUnrecorded; }
};

/// Per-example scores derived from the per-epoch records of one model.
struct ExampleScores {
    std::vector<std::int32_t> iterationLearned; ///< 1-based epoch from which the prediction is final
    std::vector<std::int32_t> forgettingEvents; ///< correct → incorrect transitions
    std::vector<float> confidence;              ///< mean probability of the given label
    std::vector<float> variability;             ///< its (population) standard deviation
    std::vector<float> correctness;             ///< fraction of epochs predicted correctly
    std::vector<float> el2n;                    ///< EL2N at the chosen epoch
    std::vector<std::int32_t> finalPred;        ///< prediction after the last epoch
};

/// Derives the scores from `epochs` (in order) against the given `labels`.
/// `el2nEpoch` is 1-based; 0 means the last epoch. Each example's scores use
/// only the epochs that recorded it: iteration learned is the first recorded
/// epoch from which its recorded prediction no longer changes, a forgetting
/// event is correct → incorrect between consecutive recorded epochs, and
/// its EL2N is NaN when the chosen epoch did not record it.
ExampleScores computeScores(const std::vector<EpochRecord> &epochs,
                            const std::vector<std::int32_t> &labels, int el2nEpoch);

} // namespace pds
