#include "study/summary.h"

#include "util/error.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace pds {

const std::vector<std::string> &groupNames()
{
    static const std::vector<std::string> names = {"other", "easy", "ambiguous", "mislabeled", "rare"};
    return names;
}

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

struct MeanStd {
    double sum = 0, sumSq = 0;
    int n = 0;
    void add(double v)
    {
        sum += v;
        sumSq += v * v;
        ++n;
    }
    float mean() const { return n ? float(sum / n) : kNaN; }
    float std() const
    {
        if (!n)
            return kNaN;
        const double m = sum / n;
        return float(std::sqrt(std::max(0.0, sumSq / n - m * m)));
    }
};

} // namespace

SplitSummary summarise(const std::vector<MemberSplit> &members, const std::vector<std::int32_t> &labels,
                       int numClasses, int probes, const GroupThresholds &thresholds)
{
    const std::size_t n = labels.size();
    const std::size_t k = static_cast<std::size_t>(numClasses);
    for (const auto &m : members)
        if (m.inTrain.size() != n || m.depth.size() != n || m.finalPred.size() != n
            || m.iterationLearned.size() != n || m.forgettingEvents.size() != n
            || m.confidence.size() != n || m.variability.size() != n || m.finalProbGiven.size() != n
            || (!m.finalProb.empty() && m.finalProb.size() != n * k))
            throw Error("study members disagree on the number of examples");
    SplitSummary s;
    for (auto *v : {&s.depthTrainMean, &s.depthTrainStd, &s.depthValMean, &s.depthValStd, &s.consistency,
                    &s.heldOutConfidence, &s.trainedConfidence, &s.accuracyTrained, &s.accuracyHeldOut,
                    &s.memorisation})
        v->resize(n);
    for (auto *d : {&s.trained, &s.heldOut})
        for (auto *v : {&d->iterationLearned, &d->forgettingEvents, &d->confidence, &d->variability})
            v->resize(n);
    s.modelsTrain.resize(n);
    s.modelsVal.resize(n);
    s.heldOutDistribution.assign(n * k, 0.f);
    s.heldOutProbability.assign(n * k, 0.f);
    s.heldOutEntropy.assign(n, 0.f);
    const double logK = k > 1 ? std::log(double(k)) : 1.0;
    for (std::size_t i = 0; i < n; ++i) {
        MeanStd dTrain, dVal;
        int correctIn = 0, correctOut = 0, probsOut = 0;
        double entropyOut = 0;
        // Dynamics, confidence: index 0 over the models that trained on the example, 1 over the rest.
        double il[2] = {}, fe[2] = {}, conf[2] = {}, var[2] = {}, prob[2] = {};
        for (const auto &m : members) {
            const bool in = m.inTrain[i] != 0;
            const bool correct = m.finalPred[i] == labels[i];
            const int side = in ? 0 : 1;
            if (in) {
                dTrain.add(m.depth[i]);
                correctIn += correct;
            } else {
                dVal.add(m.depth[i]);
                correctOut += correct;
                const auto c = static_cast<std::size_t>(m.finalPred[i]);
                if (c < k)
                    s.heldOutDistribution[i * k + c] += 1.f;
                if (!m.finalProb.empty()) {
                    for (std::size_t c2 = 0; c2 < k; ++c2) {
                        const double p = m.finalProb[i * k + c2];
                        s.heldOutProbability[i * k + c2] += float(p);
                        if (p > 0)
                            entropyOut -= p * std::log(p) / logK;
                    }
                    ++probsOut;
                }
            }
            prob[side] += m.finalProbGiven[i];
            il[side] += m.iterationLearned[i];
            fe[side] += m.forgettingEvents[i];
            conf[side] += m.confidence[i];
            var[side] += m.variability[i];
        }
        s.depthTrainMean[i] = dTrain.mean();
        s.depthTrainStd[i] = dTrain.std();
        s.depthValMean[i] = dVal.mean();
        s.depthValStd[i] = dVal.std();
        s.modelsTrain[i] = dTrain.n;
        s.modelsVal[i] = dVal.n;
        if (dVal.n)
            for (std::size_t c = 0; c < k; ++c)
                s.heldOutDistribution[i * k + c] /= float(dVal.n);
        // Members without logits leave the vote shares as the best estimate of the probability.
        const bool probabilities = probsOut == dVal.n && probsOut;
        for (std::size_t c = 0; c < k; ++c)
            s.heldOutProbability[i * k + c] = probabilities ? s.heldOutProbability[i * k + c] / float(probsOut)
                                                            : s.heldOutDistribution[i * k + c];
        if (probabilities) {
            s.heldOutEntropy[i] = float(entropyOut / probsOut);
        } else {
            for (std::size_t c = 0; c < k; ++c) {
                const double p = s.heldOutDistribution[i * k + c];
                if (p > 0)
                    s.heldOutEntropy[i] -= float(p * std::log(p) / logK);
            }
        }
        s.accuracyTrained[i] = dTrain.n ? float(correctIn) / float(dTrain.n) : kNaN;
        s.accuracyHeldOut[i] = dVal.n ? float(correctOut) / float(dVal.n) : kNaN;
        s.consistency[i] = s.accuracyHeldOut[i];
        s.memorisation[i] = (dTrain.n && dVal.n) ? s.accuracyTrained[i] - s.accuracyHeldOut[i] : kNaN;
        const int count[2] = {dTrain.n, dVal.n};
        auto mean = [&](const double *sum, int side) { return count[side] ? float(sum[side] / count[side]) : kNaN; };
        s.trainedConfidence[i] = mean(prob, 0);
        s.heldOutConfidence[i] = mean(prob, 1);
        SplitDynamics *side[2] = {&s.trained, &s.heldOut};
        for (int d = 0; d < 2; ++d) {
            side[d]->iterationLearned[i] = mean(il, d);
            side[d]->forgettingEvents[i] = mean(fe, d);
            side[d]->confidence[i] = mean(conf, d);
            side[d]->variability[i] = mean(var, d);
        }
    }
    computeScores(s, labels, numClasses, probes);
    assignGroups(s, labels, numClasses, thresholds);
    return s;
}

} // namespace pds
