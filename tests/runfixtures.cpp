#include "runfixtures.h"

namespace pds::test {

Dataset tinyDataset()
{
    Dataset d;
    d.name = "tiny";
    d.format = "idx";
    d.source = "/data/tiny";
    d.channels = 1;
    d.height = 2;
    d.width = 2;
    d.classNames = {"cat", "dog"};
    d.train.labels = {0, 1, 1, 0, 1};
    d.train.cleanLabels = {0, 1, 0, 0, 1};
    d.train.noisy = {0, 0, 1, 0, 0};
    d.train.sourceIndices = {10, 11, 12, 13, 14};
    d.train.images.assign(5 * 4, 7);
    d.test.labels = {1, 0, 1};
    d.test.cleanLabels = d.test.labels;
    d.test.noisy = {0, 0, 0};
    d.test.sourceIndices = {0, 1, 2};
    d.test.images.assign(3 * 4, 9);
    return d;
}

EpochRecord record(int e, std::size_t n)
{
    EpochRecord r;
    r.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        r.pred[i] = static_cast<std::int32_t>((e + i) % 2);
        r.probGiven[i] = 0.1f * float(e) + 0.01f * float(i);
        r.margin[i] = float(e) - float(i);
        r.loss[i] = 1.0f / float(e + i);
        r.el2n[i] = 0.5f * float(e);
    }
    return r;
}

EpochCurve curve(int e)
{
    EpochCurve c;
    c.epoch = e;
    c.lr = 0.1 / e;
    c.trainLoss = 2.0 - e;
    c.trainAccuracy = 0.4 * e;
    c.evalTrainLoss = 1.5 - 0.5 * e;
    c.evalTrainAccuracy = 0.45 * e;
    c.testLoss = 1.7 - 0.5 * e;
    c.testAccuracy = 0.3 * e;
    c.seconds = 0.25 * e;
    return c;
}

ExampleScores scores(std::size_t n, float offset)
{
    ExampleScores s;
    for (std::size_t i = 0; i < n; ++i) {
        s.iterationLearned.push_back(static_cast<std::int32_t>(1 + i % 2));
        s.forgettingEvents.push_back(static_cast<std::int32_t>(i % 3));
        s.confidence.push_back(offset + 0.1f * float(i));
        s.variability.push_back(0.05f * float(i));
        s.correctness.push_back(0.5f);
        s.el2n.push_back(offset + 1.0f);
        s.finalPred.push_back(static_cast<std::int32_t>(i % 2));
    }
    return s;
}

} // namespace pds::test
