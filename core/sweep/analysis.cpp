#include "sweep/analysis.h"

#include "sweep/memorisation.h"
#include "util/error.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace pds::sweep {

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

/// The mean over the members that trained on each example of `value(member, example)`.
template <typename F>
std::vector<float> meanOverTrained(const std::vector<SweepMember> &members, std::size_t n, F value)
{
    std::vector<float> out(n, kNaN);
    for (std::size_t i = 0; i < n; ++i) {
        double sum = 0;
        int count = 0;
        for (const auto &m : members)
            if (m.train.inTrain[i]) {
                sum += value(m, i);
                ++count;
            }
        if (count)
            out[i] = float(sum / count);
    }
    return out;
}

SweepEnsemble ensembleOf(const std::vector<SweepMember> &members, const std::vector<std::int32_t> &labels)
{
    std::vector<std::vector<std::uint8_t>> masks, correct;
    SweepEnsemble e;
    for (const auto &m : members) {
        masks.push_back(m.train.inTrain);
        std::vector<std::uint8_t> hit(labels.size());
        for (std::size_t i = 0; i < labels.size(); ++i)
            hit[i] = m.train.finalPred[i] == labels[i];
        correct.push_back(std::move(hit));
        e.testAccuracy.push_back(m.testAccuracy);
        e.trainAccuracy.push_back(m.trainAccuracy);
    }
    Memorisation est = estimateMemorisation(masks, correct);
    e.pIn = std::move(est.pIn);
    e.pOut = std::move(est.pOut);
    e.mem = std::move(est.mem);
    e.se = std::move(est.se);
    e.mIn = std::move(est.mIn);
    e.mOut = std::move(est.mOut);
    return e;
}

/// The proxies of one size, raw, in proxyNames() order.
std::vector<std::vector<float>> proxiesOf(const LoadedSize &size, const std::vector<std::int32_t> &labels,
                                          int numClasses)
{
    std::vector<MemberSplit> parts;
    for (const auto &m : size.plain)
        parts.push_back(m.train);
    const SplitSummary s = summarise(parts, labels, numClasses, size.probes, GroupThresholds{});
    const std::size_t n = labels.size();
    const auto loss = meanOverTrained(size.plain, n, [](const SweepMember &m, std::size_t i) {
        return -std::log(std::max(double(m.train.finalProbGiven[i]), 1e-12));
    });
    const auto el2n = meanOverTrained(size.plain, n, [](const SweepMember &m, std::size_t i) { return m.el2n[i]; });
    return {s.depthValMean, s.depthTrainMean, s.consistency,         s.trained.confidence, loss,
            el2n,           s.trained.forgettingEvents, s.trained.iterationLearned};
}

double meanOf(const std::vector<float> &v, const std::vector<Trajectory> &types, Trajectory t)
{
    double sum = 0;
    std::int64_t count = 0;
    for (std::size_t i = 0; i < v.size(); ++i)
        if (types[i] == t && std::isfinite(v[i])) {
            sum += v[i];
            ++count;
        }
    return count ? sum / double(count) : std::numeric_limits<double>::quiet_NaN();
}

SweepByType byType(const SweepEnsemble &plain, const SweepEnsemble &distilled, const std::vector<Trajectory> &types)
{
    SweepByType b;
    for (std::size_t t = 0; t < trajectoryNames().size(); ++t) {
        const auto type = static_cast<Trajectory>(t);
        b.count.push_back(std::count(types.begin(), types.end(), type));
        b.memPlain.push_back(meanOf(plain.mem, types, type));
        b.memDistilled.push_back(meanOf(distilled.mem, types, type));
        b.pInPlain.push_back(meanOf(plain.pIn, types, type));
        b.pInDistilled.push_back(meanOf(distilled.pIn, types, type));
        b.pOutPlain.push_back(meanOf(plain.pOut, types, type));
        b.pOutDistilled.push_back(meanOf(distilled.pOut, types, type));
    }
    return b;
}

std::vector<std::uint8_t> codes(const std::vector<Trajectory> &types)
{
    std::vector<std::uint8_t> out;
    out.reserve(types.size());
    for (auto t : types)
        out.push_back(static_cast<std::uint8_t>(t));
    return out;
}

} // namespace

const std::vector<std::string> &proxyNames()
{
    static const std::vector<std::string> names = {"depth_val", "depth_train", "consistency", "confidence",
                                                   "loss",      "el2n",        "forgetting",  "iteration_learned"};
    return names;
}

float orientedProxy(std::size_t proxy, float value, int probes, int epochs)
{
    if (!std::isfinite(value))
        return kNaN;
    const double e = std::max(1, epochs);
    switch (proxy) {
    case 0:
    case 1:
        return float(value / std::max(1, probes));
    case 2:
    case 3:
        return 1.0f - value;
    case 4:
        return float(1.0 - std::exp(-double(value)));
    case 5:
        return float(value / std::sqrt(2.0));
    case 6:
    case 7:
        return float(value / e);
    default:
        break;
    }
    throw Error("unknown proxy " + std::to_string(proxy));
}

SweepData analyseSweep(const SweepConfig &config, const std::vector<std::int32_t> &labels, int numClasses,
                       const std::vector<LoadedSize> &sizes)
{
    SweepData d;
    d.configJson = toJson(config);
    d.model = config.base.model.arch;
    d.axis = sizeAxisName(sizeAxis(config.base.model.arch));
    d.members = config.base.study.models;
    d.ratio = config.base.study.ratio;
    d.delta = config.rule.delta;
    d.z = config.rule.z;
    d.distill = config.distill;
    d.temperature = config.temperature;
    d.alpha = config.alpha;
    d.labels = labels;
    d.trajectoryNames = trajectoryNames();
    d.proxyNames = proxyNames();
    const std::size_t proxies = proxyNames().size();

    std::vector<std::vector<float>> mem, se;
    std::vector<std::vector<std::vector<float>>> oriented(proxies); // [proxy][size][example]
    for (const auto &loaded : sizes) {
        SweepSize s;
        s.size = loaded.size;
        s.arch = loaded.arch;
        s.plain = ensembleOf(loaded.plain, labels);
        s.proxies = proxiesOf(loaded, labels, numClasses);
        for (std::size_t p = 0; p < proxies; ++p) {
            s.spearman.push_back(spearman(s.proxies[p], s.plain.mem));
            std::vector<float> o(labels.size());
            for (std::size_t i = 0; i < o.size(); ++i)
                o[i] = orientedProxy(p, s.proxies[p][i], loaded.probes, loaded.epochs);
            oriented[p].push_back(std::move(o));
        }
        mem.push_back(s.plain.mem);
        se.push_back(s.plain.se);
        s.hasDistilled = !loaded.distilled.empty();
        if (s.hasDistilled)
            s.distilled = ensembleOf(loaded.distilled, labels);
        d.sizes.push_back(std::move(s));
    }

    const std::vector<Trajectory> types = classifyTrajectories(mem, se, config.rule);
    d.trajectory = codes(types);
    d.typeShares = trajectoryShares(types);
    d.deltaGrid = {0.05, 0.1, 0.2, 0.3};
    if (std::find(d.deltaGrid.begin(), d.deltaGrid.end(), config.rule.delta) == d.deltaGrid.end())
        d.deltaGrid.push_back(config.rule.delta);
    std::sort(d.deltaGrid.begin(), d.deltaGrid.end());
    for (double delta : d.deltaGrid) {
        TrajectoryRule rule = config.rule;
        rule.delta = delta;
        d.sharesByDelta.push_back(trajectoryShares(classifyTrajectories(mem, se, rule)));
    }
    for (std::size_t p = 0; p < proxies; ++p) {
        const std::vector<Trajectory> proxyTypes = classifyTrajectories(oriented[p], {}, config.rule);
        d.agreement.push_back(trajectoryAgreement(types, proxyTypes));
        d.proxyTrajectory.push_back(codes(proxyTypes));
    }
    for (auto &s : d.sizes)
        if (s.hasDistilled)
            s.byType = byType(s.plain, s.distilled, types);
    return d;
}

} // namespace pds::sweep
