#include "sweep/memorisation.h"

#include "util/error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace pds::sweep {

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

/// The ranks of `v` (1-based, ties share their average rank).
std::vector<double> ranks(const std::vector<double> &v)
{
    std::vector<std::size_t> order(v.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    std::vector<double> r(v.size());
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]])
            ++j;
        const double average = (double(i) + double(j)) / 2.0 + 1.0;
        for (std::size_t k = i; k <= j; ++k)
            r[order[k]] = average;
        i = j + 1;
    }
    return r;
}

double pearson(const std::vector<double> &a, const std::vector<double> &b)
{
    const double n = double(a.size());
    const double ma = std::accumulate(a.begin(), a.end(), 0.0) / n;
    const double mb = std::accumulate(b.begin(), b.end(), 0.0) / n;
    double sab = 0, saa = 0, sbb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    if (saa == 0 || sbb == 0)
        return std::numeric_limits<double>::quiet_NaN();
    return sab / std::sqrt(saa * sbb);
}

} // namespace

Memorisation estimateMemorisation(const std::vector<std::vector<std::uint8_t>> &inTrain,
                                  const std::vector<std::vector<std::uint8_t>> &correct)
{
    if (inTrain.size() != correct.size())
        throw Error("memorisation: " + std::to_string(inTrain.size()) + " train masks but "
                    + std::to_string(correct.size()) + " correctness rows");
    const std::size_t n = inTrain.empty() ? 0 : inTrain.front().size();
    for (std::size_t m = 0; m < inTrain.size(); ++m)
        if (inTrain[m].size() != n || correct[m].size() != n)
            throw Error("memorisation: member " + std::to_string(m) + " has rows of another length");
    Memorisation out;
    out.pIn.assign(n, kNaN);
    out.pOut.assign(n, kNaN);
    out.mem.assign(n, kNaN);
    out.se.assign(n, kNaN);
    out.mIn.assign(n, 0);
    out.mOut.assign(n, 0);
    for (std::size_t i = 0; i < n; ++i) {
        int in = 0, out_ = 0, hitsIn = 0, hitsOut = 0;
        for (std::size_t m = 0; m < inTrain.size(); ++m) {
            const bool hit = correct[m][i] != 0;
            if (inTrain[m][i]) {
                ++in;
                hitsIn += hit;
            } else {
                ++out_;
                hitsOut += hit;
            }
        }
        out.mIn[i] = in;
        out.mOut[i] = out_;
        const double pIn = in ? double(hitsIn) / in : std::nan("");
        const double pOut = out_ ? double(hitsOut) / out_ : std::nan("");
        out.pIn[i] = float(pIn);
        out.pOut[i] = float(pOut);
        if (in && out_) {
            out.mem[i] = float(pIn - pOut);
            out.se[i] = float(std::sqrt(pIn * (1 - pIn) / in + pOut * (1 - pOut) / out_));
        }
    }
    return out;
}

const std::vector<std::string> &trajectoryNames()
{
    static const std::vector<std::string> names = {"constant", "decreasing", "increasing", "cap-shaped",
                                                   "undetermined"};
    return names;
}

Trajectory classifyTrajectory(const std::vector<double> &score, const std::vector<double> &se,
                              const TrajectoryRule &rule)
{
    const std::size_t n = score.size();
    if (n < 2 || se.size() != n)
        throw Error("a trajectory needs a score and a standard error at two sizes or more");
    for (std::size_t k = 0; k < n; ++k)
        if (!std::isfinite(score[k]) || !std::isfinite(se[k]))
            return Trajectory::Undetermined;
    // A rise of `to` over `from`: shown (beyond δ and z standard errors) or possible.
    auto shown = [&](std::size_t to, std::size_t from) {
        const double d = score[to] - score[from];
        return d > rule.delta && d > rule.z * std::hypot(se[to], se[from]);
    };
    auto possible = [&](std::size_t to, std::size_t from) {
        const double d = score[to] - score[from];
        return d + rule.z * std::hypot(se[to], se[from]) > rule.delta;
    };
    const std::size_t last = n - 1;
    bool capPossible = false;
    for (std::size_t k = 1; k < last; ++k) {
        if (shown(k, 0) && shown(k, last))
            return Trajectory::CapShaped;
        capPossible = capPossible || (possible(k, 0) && possible(k, last));
    }
    if (shown(last, 0))
        return Trajectory::Increasing;
    if (shown(0, last))
        return Trajectory::Decreasing;
    if (capPossible || possible(last, 0) || possible(0, last))
        return Trajectory::Undetermined;
    return Trajectory::Constant;
}

std::vector<Trajectory> classifyTrajectories(const std::vector<std::vector<float>> &score,
                                             const std::vector<std::vector<float>> &se, const TrajectoryRule &rule)
{
    const std::size_t sizes = score.size();
    const std::size_t n = sizes ? score.front().size() : 0;
    for (std::size_t s = 0; s < sizes; ++s)
        if (score[s].size() != n || (!se.empty() && se[s].size() != n))
            throw Error("trajectories: size " + std::to_string(s) + " has another number of examples");
    std::vector<Trajectory> out(n);
    std::vector<double> v(sizes), e(sizes, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t s = 0; s < sizes; ++s) {
            v[s] = score[s][i];
            if (!se.empty())
                e[s] = se[s][i];
        }
        out[i] = classifyTrajectory(v, e, rule);
    }
    return out;
}

std::vector<double> trajectoryShares(const std::vector<Trajectory> &types)
{
    std::vector<double> shares(trajectoryNames().size(), 0.0);
    for (auto t : types)
        shares[static_cast<std::size_t>(t)] += 1.0;
    for (auto &s : shares)
        s = types.empty() ? 0.0 : s / double(types.size());
    return shares;
}

double spearman(const std::vector<float> &a, const std::vector<float> &b)
{
    if (a.size() != b.size())
        throw Error("spearman: the two sides differ in length");
    std::vector<double> x, y;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::isfinite(a[i]) && std::isfinite(b[i])) {
            x.push_back(a[i]);
            y.push_back(b[i]);
        }
    if (x.size() < 3)
        return std::numeric_limits<double>::quiet_NaN();
    return pearson(ranks(x), ranks(y));
}

double trajectoryAgreement(const std::vector<Trajectory> &a, const std::vector<Trajectory> &b)
{
    if (a.size() != b.size())
        throw Error("trajectory agreement: the two sides differ in length");
    std::size_t counted = 0, same = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i] == Trajectory::Undetermined || b[i] == Trajectory::Undetermined)
            continue;
        ++counted;
        same += a[i] == b[i];
    }
    return counted ? double(same) / double(counted) : std::numeric_limits<double>::quiet_NaN();
}

} // namespace pds::sweep
