#include "train/dynamics.h"

#include "util/error.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace pds {

void EpochRecord::resize(std::size_t n)
{
    pred.assign(n, 0);
    probGiven.assign(n, 0.f);
    margin.assign(n, 0.f);
    loss.assign(n, 0.f);
    el2n.assign(n, 0.f);
}

void EpochRecord::resizeUnrecorded(std::size_t n)
{
    const float nan = std::numeric_limits<float>::quiet_NaN();
    pred.assign(n, kUnrecorded);
    probGiven.assign(n, nan);
    margin.assign(n, nan);
    loss.assign(n, nan);
    el2n.assign(n, nan);
}

ExampleScores computeScores(const std::vector<EpochRecord> &epochs,
                            const std::vector<std::int32_t> &labels, int el2nEpoch)
{
    const std::size_t n = labels.size();
    const std::size_t e = epochs.size();
    if (e == 0)
        throw Error("no epochs to derive scores from");
    for (const auto &r : epochs)
        if (r.size() != n)
            throw Error("epoch record length differs from the number of labels");
    if (el2nEpoch < 0 || el2nEpoch > static_cast<int>(e))
        throw ConfigError("EL2N epoch " + std::to_string(el2nEpoch) + " is outside 0.."
                          + std::to_string(e));
    const std::size_t el2nIndex = el2nEpoch == 0 ? e - 1 : static_cast<std::size_t>(el2nEpoch - 1);

    ExampleScores s;
    s.iterationLearned.resize(n);
    s.forgettingEvents.resize(n);
    s.confidence.resize(n);
    s.variability.resize(n);
    s.correctness.resize(n);
    s.el2n.resize(n);
    s.finalPred.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        // The last epoch of a finished run records every example; a partial
        // history may not, so the last recorded epoch stands in for it.
        std::size_t last = e;
        while (last > 0 && !epochs[last - 1].recorded(i))
            --last;
        if (last == 0) {
            const float nan = std::numeric_limits<float>::quiet_NaN();
            s.iterationLearned[i] = 0;
            s.forgettingEvents[i] = 0;
            s.confidence[i] = s.variability[i] = s.correctness[i] = s.el2n[i] = nan;
            s.finalPred[i] = EpochRecord::kUnrecorded;
            continue;
        }
        const std::int32_t final = epochs[last - 1].pred[i];
        std::size_t learned = last - 1;
        for (std::size_t k = learned; k-- > 0;) {
            if (!epochs[k].recorded(i))
                continue;
            if (epochs[k].pred[i] != final)
                break;
            learned = k;
        }
        int forgotten = 0, correct = 0, count = 0;
        bool wasCorrect = false;
        double sum = 0.0, sumSq = 0.0;
        for (std::size_t k = 0; k < e; ++k) {
            if (!epochs[k].recorded(i))
                continue;
            const bool isCorrect = epochs[k].pred[i] == labels[i];
            if (count > 0 && wasCorrect && !isCorrect)
                ++forgotten;
            wasCorrect = isCorrect;
            correct += isCorrect;
            ++count;
            const double p = epochs[k].probGiven[i];
            sum += p;
            sumSq += p * p;
        }
        const double mean = sum / double(count);
        s.iterationLearned[i] = static_cast<std::int32_t>(learned + 1);
        s.forgettingEvents[i] = forgotten;
        s.confidence[i] = static_cast<float>(mean);
        s.variability[i] = static_cast<float>(std::sqrt(std::max(0.0, sumSq / double(count) - mean * mean)));
        s.correctness[i] = static_cast<float>(double(correct) / double(count));
        s.el2n[i] = epochs[el2nIndex].el2n[i];
        s.finalPred[i] = final;
    }
    return s;
}

} // namespace pds
