#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace pds {

/// Settings of a k-NN probe.
struct KnnOptions {
    int k = 30;
    /// Upper bound on the elements of one distance block (queries × support);
    /// memory stays bounded whatever the sizes, no N×N matrix is ever formed.
    std::int64_t maxBlockElements = std::int64_t(1) << 26;
};

/// k-nearest-neighbour classifier over a support set, computed as blocked
/// matrix products plus top-k on the support's device. Distances are squared
/// Euclidean in float64 (embeddings are widened): the matrix products pick
/// candidates with a rigorous error margin, and each candidate's distance is
/// then Σ(x − s)² over the features, summed in one order for every pair, so
/// identical support rows are exactly equally far; of equal distances the
/// lower support row is nearer. The vote is uniform; a tie goes to the tied
/// class holding the nearest neighbour.
///
/// On the CPU, when the support and the queries are float16 or float32 (the
/// stored embeddings), the candidates are screened first with a float32
/// matrix product (twice the float64 rate): its worst-case rounding bound
/// lists, for each query, every row that could be among its k nearest, and
/// only those are scored in float64. The neighbours are the same rows in the
/// same order as with the float64 product alone; a query whose candidates do
/// not fit the list takes the float64 product. predict() asks the screen for
/// the k nearest as a set (rows certainly among them are not scored) and takes
/// the ordered neighbours only where the vote is tied.
class KnnProbe {
public:
    /// `support` [S, D], `labels` [S] (int64 on any device), `numClasses` K.
    KnnProbe(torch::Tensor support, torch::Tensor labels, int numClasses, KnnOptions options = {});

    /// Predicted class of each query [Q, D]. `selfIndex` [Q] (int64) gives,
    /// for a query that is itself in the support, its row there (it is left
    /// out of its own neighbours); -1 for held-out queries. Returns int64 [Q]
    /// on the support's device.
    torch::Tensor predict(const torch::Tensor &queries, const torch::Tensor &selfIndex) const;

    /// The k nearest support rows of each query (ascending distance, then
    /// ascending row), for inspection and tests: int64 [Q, k].
    torch::Tensor neighbours(const torch::Tensor &queries, const torch::Tensor &selfIndex) const;

    std::int64_t supportSize() const { return m_support.size(0); }

private:
    /// The neighbours of one block of queries by the float64 product alone.
    torch::Tensor neighboursFloat64(const torch::Tensor &x, const torch::Tensor &self) const;
    /// The same by the float32 screen (CPU); rows it cannot settle take
    /// neighboursFloat64. With `setOnly`, each row holds the k nearest in an
    /// unspecified order: rows certainly among them are not scored.
    torch::Tensor neighboursScreened(const torch::Tensor &queries, const torch::Tensor &self, bool setOnly) const;
    /// Whether `queries` take the float32 screen (where `setOnly` applies).
    bool screens(const torch::Tensor &queries) const;
    /// neighbours(), or with `setOnly` the same sets in an unspecified order.
    torch::Tensor nearest(const torch::Tensor &queries, const torch::Tensor &selfIndex, bool setOnly) const;
    /// Per query [B] of length ‖x‖ (`lengths`, float64): the bound on the
    /// product's error over `dims` features for this unit roundoff.
    torch::Tensor tolerance(const torch::Tensor &lengths, std::int64_t dims, double unitRoundoff) const;

    torch::Tensor m_support;     ///< float64 [S, D]
    torch::Tensor m_supportNorm; ///< float64 [S]
    torch::Tensor m_support32;   ///< float32 [S, D] (exact) when the float32 screen applies, else undefined
    torch::Tensor m_supportNorm32; ///< float32 [S]: ‖s‖² rounded
    double m_maxSupportLength = 0.0; ///< the largest ‖s‖, for the candidates' error margin
    torch::Tensor m_labels;      ///< int64 [S]
    int m_numClasses;
    KnnOptions m_options;
};

/// Majority vote over neighbour labels (int64 [Q, k], nearest first) with the
/// tie rule above; int64 [Q].
torch::Tensor voteNearestFirst(const torch::Tensor &neighbourLabels, int numClasses);

/// Whether two or more classes share the top count of each row's labels
/// (int64 [Q, k]): where the order of the neighbours decides the vote; bool [Q].
torch::Tensor voteTied(const torch::Tensor &neighbourLabels, int numClasses);

/// Prediction depth of every example: the smallest probe l such that the
/// k-NN prediction at every probe j ≥ l equals the final prediction; L + 1
/// (the number of probes) when even the last probe disagrees.
/// `knnPreds` [P, N] and `finalPred` [N], any integer type; returns int32 [N] (CPU).
std::vector<std::int32_t> predictionDepth(const torch::Tensor &knnPreds, const torch::Tensor &finalPred);

} // namespace pds
