#include "train/dynamics.h"

#include "util/error.h"

#include <cmath>

namespace pds {

void EpochRecord::resize(std::size_t n)
{
    pred.assign(n, 0);
    probGiven.assign(n, 0.f);
    margin.assign(n, 0.f);
    loss.assign(n, 0.f);
    el2n.assign(n, 0.f);
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
        const std::int32_t final = epochs[e - 1].pred[i];
        std::size_t learned = e - 1;
        while (learned > 0 && epochs[learned - 1].pred[i] == final)
            --learned;
        int forgotten = 0, correct = 0;
        bool wasCorrect = false;
        double sum = 0.0, sumSq = 0.0;
        for (std::size_t k = 0; k < e; ++k) {
            const bool isCorrect = epochs[k].pred[i] == labels[i];
            if (k > 0 && wasCorrect && !isCorrect)
                ++forgotten;
            wasCorrect = isCorrect;
            correct += isCorrect;
            const double p = epochs[k].probGiven[i];
            sum += p;
            sumSq += p * p;
        }
        const double mean = sum / double(e);
        s.iterationLearned[i] = static_cast<std::int32_t>(learned + 1);
        s.forgettingEvents[i] = forgotten;
        s.confidence[i] = static_cast<float>(mean);
        s.variability[i] = static_cast<float>(std::sqrt(std::max(0.0, sumSq / double(e) - mean * mean)));
        s.correctness[i] = static_cast<float>(double(correct) / double(e));
        s.el2n[i] = epochs[el2nIndex].el2n[i];
        s.finalPred[i] = final;
    }
    return s;
}

} // namespace pds
