#pragma once
// Torch-free on purpose: the Studio's Neighbours panel calls this from
// widgets/, which never includes LibTorch.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace pds {

class CancelToken;

/// One probe's k nearest support examples of one example, as its k-NN probe sees them.
struct ProbeNeighbours {
    std::string probe;
    std::vector<std::int64_t> examples; ///< train-split indices, nearest first
    std::vector<std::int32_t> labels;   ///< their given labels
    std::vector<float> distances;       ///< Euclidean, in the stored (float16) embedding
    std::vector<int> votes;             ///< neighbours per class
    int vote = -1;                      ///< the class the vote picks, with the probe's tie rule
};

/// The neighbours of one example at every probe of one model.
struct ExampleNeighbours {
    int model = 0;
    std::string split; ///< "train" or "test"
    std::int64_t index = 0;
    int k = 0;
    /// True when the example is in the model's support (a train-split example
    /// it trained on): it is left out of its own neighbours, as in the probe.
    bool leftOut = false;
    std::vector<ProbeNeighbours> probes;
};

/// Finds, at every probe of one model of a run file, the k nearest training
/// examples of an example with the k-NN probe's own code (KnnProbe: squared
/// Euclidean distance, support = the model's training examples, leave-one-out
/// for them, top-k order, voteNearestFirst's tie rule) over the embeddings
/// stored in the run's side file. Each probe's support is read once and kept
/// while it fits a memory budget, so browsing examples stays quick.
/// Thread-safe: one search runs at a time; it opens its own handle on the
/// file, so call it off the GUI thread.
class NeighbourSearch {
public:
    /// Throws StoreError when the model has no probes or no stored embeddings.
    NeighbourSearch(std::string runPath, int model);
    ~NeighbourSearch();
    NeighbourSearch(const NeighbourSearch &) = delete;
    NeighbourSearch &operator=(const NeighbourSearch &) = delete;

    int model() const;
    int k() const;
    /// The probes whose embeddings are stored, in probe order (the ones searched).
    const std::vector<std::string> &probeNames() const;
    /// Probes of the model whose embeddings were not stored.
    const std::vector<std::string> &missingProbes() const;

    /// The neighbours of example `index` of `split` at every probe;
    /// `cancel` (optional) is checked between probes.
    ExampleNeighbours neighbours(const std::string &split, std::int64_t index,
                                 const CancelToken *cancel = nullptr) const;

private:
    struct State;
    std::unique_ptr<State> m_state;
};

/// One-off form of NeighbourSearch::neighbours.
ExampleNeighbours neighbours(const std::string &runPath, int model, const std::string &split,
                             std::int64_t index, const CancelToken *cancel = nullptr);

} // namespace pds
