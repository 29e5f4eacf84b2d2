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
    for (const auto &m : members)
        if (m.inTrain.size() != n || m.depth.size() != n || m.finalPred.size() != n
            || m.iterationLearned.size() != n || m.forgettingEvents.size() != n
            || m.confidence.size() != n || m.variability.size() != n || m.finalProbGiven.size() != n)
            throw Error("study members disagree on the number of examples");
    const std::size_t k = static_cast<std::size_t>(numClasses);
    SplitSummary s;
    s.depthTrainMean.resize(n);
    s.depthTrainStd.resize(n);
    s.depthValMean.resize(n);
    s.depthValStd.resize(n);
    s.modelsTrain.resize(n);
    s.modelsVal.resize(n);
    s.heldOutDistribution.assign(n * k, 0.f);
    s.consistency.resize(n);
    s.heldOutConfidence.resize(n);
    s.accuracyTrained.resize(n);
    s.accuracyHeldOut.resize(n);
    s.memorisation.resize(n);
    s.iterationLearned.resize(n);
    s.forgettingEvents.resize(n);
    s.confidence.resize(n);
    s.variability.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        MeanStd dTrain, dVal;
        int correctIn = 0, correctOut = 0;
        double il = 0, fe = 0, conf = 0, var = 0, heldOutProb = 0;
        for (const auto &m : members) {
            const bool in = m.inTrain[i] != 0;
            const bool correct = m.finalPred[i] == labels[i];
            if (in) {
                dTrain.add(m.depth[i]);
                correctIn += correct;
            } else {
                dVal.add(m.depth[i]);
                correctOut += correct;
                heldOutProb += m.finalProbGiven[i];
                const auto c = static_cast<std::size_t>(m.finalPred[i]);
                if (c < k)
                    s.heldOutDistribution[i * k + c] += 1.f;
            }
            il += m.iterationLearned[i];
            fe += m.forgettingEvents[i];
            conf += m.confidence[i];
            var += m.variability[i];
        }
        const double nm = std::max<std::size_t>(members.size(), 1);
        s.depthTrainMean[i] = dTrain.mean();
        s.depthTrainStd[i] = dTrain.std();
        s.depthValMean[i] = dVal.mean();
        s.depthValStd[i] = dVal.std();
        s.modelsTrain[i] = dTrain.n;
        s.modelsVal[i] = dVal.n;
        if (dVal.n)
            for (std::size_t c = 0; c < k; ++c)
                s.heldOutDistribution[i * k + c] /= float(dVal.n);
        s.accuracyTrained[i] = dTrain.n ? float(correctIn) / float(dTrain.n) : kNaN;
        s.accuracyHeldOut[i] = dVal.n ? float(correctOut) / float(dVal.n) : kNaN;
        s.consistency[i] = s.accuracyHeldOut[i];
        s.heldOutConfidence[i] = dVal.n ? float(heldOutProb / dVal.n) : kNaN;
        s.memorisation[i] = (dTrain.n && dVal.n) ? s.accuracyTrained[i] - s.accuracyHeldOut[i] : kNaN;
        s.iterationLearned[i] = float(il / nm);
        s.forgettingEvents[i] = float(fe / nm);
        s.confidence[i] = float(conf / nm);
        s.variability[i] = float(var / nm);
    }
    assignGroups(s, labels, numClasses, probes, thresholds);
    return s;
}

void assignGroups(SplitSummary &s, const std::vector<std::int32_t> &labels, int numClasses, int probes,
                  const GroupThresholds &t)
{
    const std::size_t n = labels.size();
    const std::size_t k = static_cast<std::size_t>(numClasses);
    const double scale = probes > 0 ? double(probes) : 1.0;
    s.group.assign(n, static_cast<std::int8_t>(DifficultyGroup::Other));
    for (std::size_t i = 0; i < n; ++i) {
        if (s.modelsVal[i] == 0)
            continue; // without a held-out model nothing can be said
        const auto y = static_cast<std::size_t>(labels[i]);
        float top = 0, second = 0, topOther = 0;
        for (std::size_t c = 0; c < k; ++c) {
            const float share = s.heldOutDistribution[i * k + c];
            if (share > top) {
                second = top;
                top = share;
            } else if (share > second) {
                second = share;
            }
            if (c != y)
                topOther = std::max(topOther, share);
        }
        const double valDepth = s.depthValMean[i] / scale;
        const bool hasTrain = s.modelsTrain[i] > 0;
        const double trainDepth = hasTrain ? s.depthTrainMean[i] / scale : std::nan("");
        DifficultyGroup g = DifficultyGroup::Other;
        // Agreeing on another class is not enough: a look-alike keeps some belief
        // in its label, a wrong label gets almost none from models that never saw it.
        if (topOther >= t.dominant && s.heldOutConfidence[i] <= t.mislabeledConfidence) {
            g = DifficultyGroup::Mislabeled;
        } else if (top < t.dominant && second >= t.split && valDepth >= t.highDepth) {
            g = DifficultyGroup::Ambiguous;
        } else if (hasTrain && s.accuracyTrained[i] >= t.memorised && s.accuracyHeldOut[i] < t.heldOutWrong
                   && (trainDepth >= t.highDepth || s.memorisation[i] >= t.memorisation)) {
            g = DifficultyGroup::Rare;
        } else if (valDepth <= t.easyDepth && (!hasTrain || trainDepth <= t.easyDepth)
                   && s.consistency[i] >= t.consistent) {
            g = DifficultyGroup::Easy;
        }
        s.group[i] = static_cast<std::int8_t>(g);
    }
}

} // namespace pds
