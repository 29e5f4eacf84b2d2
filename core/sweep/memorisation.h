#pragma once

#include <cstdint>
#include <string>
#include <vector>

/// Memorisation across model sizes (docs/difficulty.md, "Memorisation across
/// sizes"): Feldman's estimator per size, the trajectory rule over sizes and
/// the agreement of proxies with it. Plain C++, no LibTorch.
namespace pds::sweep {

/// Per-example memorisation of one ensemble: P_in is the share of the members
/// that trained on the example and predict its given label, P_out the same
/// over the members that held it out, mem = P_in − P_out and
/// se = sqrt(P_in(1−P_in)/m_in + P_out(1−P_out)/m_out). A share without a
/// member (m = 0) is NaN, and so are mem and se then.
struct Memorisation {
    std::vector<float> pIn, pOut, mem, se;
    std::vector<std::int32_t> mIn, mOut;
};

/// Feldman's estimator from the members' train masks and correctness
/// ([member][example], 1 = trained on it / predicts its given label).
Memorisation estimateMemorisation(const std::vector<std::vector<std::uint8_t>> &inTrain,
                                  const std::vector<std::vector<std::uint8_t>> &correct);

/// How an example's score moves over sizes s_1 < … < s_n.
enum class Trajectory : std::int8_t { Constant = 0, Decreasing = 1, Increasing = 2, CapShaped = 3, Undetermined = 4 };

/// Names in enum order: constant, decreasing, increasing, cap-shaped, undetermined.
const std::vector<std::string> &trajectoryNames();

/// The margin and confidence of the trajectory rule.
struct TrajectoryRule {
    double delta = 0.1; ///< a change must exceed this
    double z = 2.0;     ///< …and this many standard errors of the difference
};

/// The trajectory of one example from its score and standard error at each
/// size (n ≥ 2). A difference d between two sizes with standard errors a and b
/// is *shown* when d > δ and d > z·sqrt(a² + b²), and *possible* when
/// d + z·sqrt(a² + b²) > δ. Cap-shaped: some interior size shows a rise over
/// both end points; else increasing: the last shows a rise over the first;
/// decreasing: the first over the last; constant: none of these is possible;
/// undetermined: one is possible but none is shown. A NaN score or standard
/// error at any size gives undetermined. With se all 0 (a proxy) undetermined
/// cannot happen.
Trajectory classifyTrajectory(const std::vector<double> &score, const std::vector<double> &se,
                              const TrajectoryRule &rule = {});

/// Trajectories of every example: `score[size][example]`, `se` alike (empty: 0).
std::vector<Trajectory> classifyTrajectories(const std::vector<std::vector<float>> &score,
                                             const std::vector<std::vector<float>> &se,
                                             const TrajectoryRule &rule = {});

/// The share of each trajectory type (enum order) among `types`.
std::vector<double> trajectoryShares(const std::vector<Trajectory> &types);

/// Spearman's rank correlation (average ranks for ties) over the examples
/// where both values are finite; NaN with fewer than 3 such pairs or a
/// constant side.
double spearman(const std::vector<float> &a, const std::vector<float> &b);

/// The share of examples whose trajectory in `a` equals the one in `b`,
/// counted over the examples where neither is undetermined; NaN if none.
double trajectoryAgreement(const std::vector<Trajectory> &a, const std::vector<Trajectory> &b);

} // namespace pds::sweep
