// The per-example scores and the groups cut from them, on hand-made held-out
// distributions, and the training dynamics aggregated by split on a
// hand-made member table.

#include "study/summary.h"

#include <QtTest/QtTest>

#include <cmath>

using namespace pds;

namespace {

constexpr int kClasses = 3;
constexpr int kProbes = 4;

/// What one model says about one example.
struct Vote {
    bool trained;
    int depth;
    int pred;
    std::vector<float> prob; ///< over the 3 classes
};

/// Four models that trained on the example, all right and sure at `depth`.
std::vector<Vote> learnt(int depth, float sure = 0.9f)
{
    const float rest = (1.f - sure) / 2.f;
    return std::vector<Vote>(4, Vote{true, depth, 0, {sure, rest, rest}});
}

/// One example's votes: `trained` then the held-out ones.
std::vector<Vote> example(std::vector<Vote> trained, std::vector<Vote> heldOut)
{
    trained.insert(trained.end(), heldOut.begin(), heldOut.end());
    return trained;
}

/// Member tables from per-example votes (every example has the same number of models).
std::vector<MemberSplit> members(const std::vector<std::vector<Vote>> &examples)
{
    std::vector<MemberSplit> out(examples.front().size());
    for (std::size_t m = 0; m < out.size(); ++m) {
        for (const auto &votes : examples) {
            const Vote &v = votes[m];
            MemberSplit &ms = out[m];
            ms.inTrain.push_back(v.trained);
            ms.depth.push_back(v.depth);
            ms.finalPred.push_back(v.pred);
            ms.finalProbGiven.push_back(v.prob[0]);
            ms.finalProb.insert(ms.finalProb.end(), v.prob.begin(), v.prob.end());
            ms.iterationLearned.push_back(v.trained ? 1.f : 5.f);
            ms.forgettingEvents.push_back(v.trained ? 0.f : 2.f);
            ms.confidence.push_back(v.trained ? 0.8f : 0.4f);
            ms.variability.push_back(v.trained ? 0.1f : 0.3f);
        }
    }
    return out;
}

Vote heldOut(int pred, std::vector<float> prob, int depth = 2)
{
    return Vote{false, depth, pred, std::move(prob)};
}

} // namespace

class TestScores : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void scoresAndGroups()
    {
        // Every example's given label is 0; 4 models trained on it, 4 held it out.
        const std::vector<std::vector<Vote>> table = {
            // 0 easy: everyone right and sure at the input probe
            example(learnt(0, 0.95f), std::vector<Vote>(4, heldOut(0, {0.95f, 0.03f, 0.02f}, 0))),
            // 1 flipped label: memorised when trained on, held out all say 2 and give the label nothing
            example(learnt(4), std::vector<Vote>(4, heldOut(2, {0.02f, 0.03f, 0.95f}))),
            // 2 look-alike: held out all say 2 but keep real doubt about the label
            example(learnt(3), std::vector<Vote>(4, heldOut(2, {0.3f, 0.05f, 0.65f}))),
            // 3 rare: learnt when trained on (late), held out wrong and scattered over 1 and 2
            example(learnt(4), {heldOut(1, {0.15f, 0.5f, 0.35f}), heldOut(2, {0.15f, 0.35f, 0.5f}),
                                heldOut(1, {0.2f, 0.45f, 0.35f}), heldOut(2, {0.2f, 0.35f, 0.45f})}),
            // 4 ambiguous: held out split between the label and 1, both near 0.5, decided late
            example(learnt(2, 0.6f), {heldOut(0, {0.5f, 0.45f, 0.05f}, 4), heldOut(1, {0.45f, 0.5f, 0.05f}, 4),
                                      heldOut(0, {0.5f, 0.45f, 0.05f}, 4), heldOut(1, {0.45f, 0.5f, 0.05f}, 4)}),
            // 5 like the rare one, but class 2 dominates the held-out votes: a look-alike, not rare
            example(learnt(4), {heldOut(2, {0.15f, 0.25f, 0.6f}), heldOut(2, {0.15f, 0.25f, 0.6f}),
                                heldOut(2, {0.2f, 0.2f, 0.6f}), heldOut(1, {0.2f, 0.45f, 0.35f})}),
        };
        const std::vector<std::int32_t> labels(table.size(), 0);
        const SplitSummary s = summarise(members(table), labels, kClasses, kProbes, GroupThresholds{});

        // Held-out probability is the mean softmax of the held-out models.
        QCOMPARE(s.heldOutProbability[2 * 3 + 2], 0.65f);
        QCOMPARE(s.heldOutConfidence[2], 0.3f);
        QCOMPARE(s.trainedConfidence[2], 0.9f);

        // label issue = 1 − held-out belief in the label (mean of vote share and probability)
        QVERIFY(std::abs(s.labelIssue[0] - (1 - (1 + 0.95) / 2)) < 1e-6);
        QVERIFY(std::abs(s.labelIssue[1] - (1 - 0.01)) < 1e-6);
        QVERIFY(std::abs(s.labelIssue[2] - (1 - 0.15)) < 1e-6);
        QVERIFY(s.labelIssue[1] > s.labelIssue[2]); // a wrong label scores above a look-alike…
        QVERIFY(s.labelIssue[2] > s.labelIssue[4]); // …and a look-alike above an even split
        QVERIFY(s.labelIssue[2] > s.labelIssue[0]);

        // ambiguity = (2 · mean normalised entropy of each held-out model's probability + validation depth) / 3
        const double h4 = -(0.5 * std::log(0.5) + 0.45 * std::log(0.45) + 0.05 * std::log(0.05)) / std::log(3.0);
        QVERIFY(std::abs(s.ambiguity[4] - (2 * h4 + 1.0) / 3) < 1e-5);
        QVERIFY(s.ambiguity[0] < 0.2);
        QVERIFY(s.ambiguity[4] > s.ambiguity[1]);

        // rarity = ½ (known-when-trained − held-out belief + train depth) × (1 − strongest other class)
        const double rareLabel = (0.f + (0.15 + 0.15 + 0.2 + 0.2) / 4) / 2;
        const double rareOther = (0.5 + (0.5 + 0.35 + 0.45 + 0.35) / 4) / 2;
        QVERIFY(std::abs(s.rarity[3] - 0.5 * (0.95 - rareLabel + 1.0) * (1 - rareOther)) < 1e-5);
        QVERIFY(s.rarity[3] > s.rarity[1]); // a wrong label is memorised too, but another class dominates it
        QVERIFY(s.rarity[3] > s.rarity[2]); // so is a look-alike
        QVERIFY(s.rarity[3] > s.rarity[4]);

        // easiness = belief in the label × (1 − the later of the two normalised depths)
        QVERIFY(std::abs(s.easiness[0] - 0.975) < 1e-5);
        QVERIFY(s.easiness[4] < 0.05);

        QCOMPARE(int(s.group[0]), int(DifficultyGroup::Easy));
        QCOMPARE(int(s.group[1]), int(DifficultyGroup::Mislabeled));
        // The look-alike (every held-out model says 2, the label keeps 0.3 of the
        // probability) is in the group named for it at the default threshold.
        QCOMPARE(int(s.group[2]), int(DifficultyGroup::Mislabeled));
        // The rare example's label is disbelieved as much as a look-alike's, but
        // no other class dominates its held-out votes: rare, not a look-alike.
        QVERIFY(s.labelIssue[3] >= GroupThresholds{}.labelIssue);
        QCOMPARE(int(s.group[3]), int(DifficultyGroup::Rare));
        QCOMPARE(int(s.group[4]), int(DifficultyGroup::Ambiguous));
        // Memorised but with another class dominating the held-out votes: never rare.
        QVERIFY(int(s.group[5]) != int(DifficultyGroup::Rare));
        QCOMPARE(groupNames()[static_cast<std::size_t>(DifficultyGroup::Mislabeled)], std::string("mislabeled"));

        // The groups are thresholds on the scores: moving one moves the group at once.
        // A threshold of 0.9 keeps only labels the held-out models all but rule out.
        SplitSummary regrouped = s;
        GroupThresholds t;
        t.labelIssue = 0.9;
        assignGroups(regrouped, labels, kClasses, t);
        QCOMPARE(int(regrouped.group[1]), int(DifficultyGroup::Mislabeled));
        QVERIFY(int(regrouped.group[2]) != int(DifficultyGroup::Mislabeled));
        QVERIFY(int(regrouped.group[2]) != int(DifficultyGroup::Rare));
        QCOMPARE(int(regrouped.group[4]), int(DifficultyGroup::Ambiguous));
        t = GroupThresholds{};
        t.dominant = 0.25; // the scattered votes of the rare example now count as dominating
        assignGroups(regrouped, labels, kClasses, t);
        QCOMPARE(int(regrouped.group[3]), int(DifficultyGroup::Mislabeled));
        t = GroupThresholds{};
        t.easiness = 0.99;
        assignGroups(regrouped, labels, kClasses, t);
        QCOMPARE(int(regrouped.group[0]), int(DifficultyGroup::Other));
    }

    void ambiguityIsEachModelsDoubtNotTheirDisagreement()
    {
        // Both examples split the held-out votes 2 : 2 between the label and class 1
        // at the same depth; in the first each model is sure of its class, in the
        // second each hesitates between the two.
        const SplitSummary s = summarise(
            members({example(learnt(2), {heldOut(0, {0.95f, 0.04f, 0.01f}, 3), heldOut(1, {0.04f, 0.95f, 0.01f}, 3),
                                         heldOut(0, {0.95f, 0.04f, 0.01f}, 3), heldOut(1, {0.04f, 0.95f, 0.01f}, 3)}),
                     example(learnt(2), {heldOut(0, {0.5f, 0.45f, 0.05f}, 3), heldOut(1, {0.45f, 0.5f, 0.05f}, 3),
                                         heldOut(0, {0.5f, 0.45f, 0.05f}, 3), heldOut(1, {0.45f, 0.5f, 0.05f}, 3)})}),
            {0, 0}, kClasses, kProbes, GroupThresholds{});
        QVERIFY(s.ambiguity[1] > s.ambiguity[0] + 0.3);
        QCOMPARE(int(s.group[1]), int(DifficultyGroup::Ambiguous));
        QVERIFY(int(s.group[0]) != int(DifficultyGroup::Ambiguous));
    }

    void withoutLogitsTheVotesStandIn()
    {
        auto m = members({example(learnt(4), std::vector<Vote>(4, heldOut(2, {0.02f, 0.03f, 0.95f})))});
        for (auto &x : m)
            x.finalProb.clear();
        const SplitSummary s = summarise(m, {0}, kClasses, kProbes, GroupThresholds{});
        QCOMPARE(s.heldOutProbability[2], 1.f);
        QCOMPARE(int(s.group[0]), int(DifficultyGroup::Mislabeled));
    }

    void undefinedScoresStayOutOfGroups()
    {
        // Test split: nobody trained on it, so no rarity; a train example nobody held out has no scores.
        const std::vector<std::vector<Vote>> heldOnly = {
            {heldOut(1, {0.1f, 0.8f, 0.1f}), heldOut(2, {0.1f, 0.1f, 0.8f})}};
        const SplitSummary t = summarise(members(heldOnly), {0}, kClasses, kProbes, GroupThresholds{});
        QVERIFY(std::isnan(t.rarity[0]));
        QVERIFY(!std::isnan(t.ambiguity[0]));
        QVERIFY(std::isnan(t.trained.iterationLearned[0]));

        const std::vector<std::vector<Vote>> trainedOnly = {learnt(0)};
        const SplitSummary u = summarise(members(trainedOnly), {0}, kClasses, kProbes, GroupThresholds{});
        QVERIFY(std::isnan(u.labelIssue[0]) && std::isnan(u.easiness[0]) && std::isnan(u.rarity[0]));
        QCOMPARE(int(u.group[0]), int(DifficultyGroup::Other));
        QVERIFY(std::isnan(u.heldOut.confidence[0]));
    }

    void dynamicsBySplit()
    {
        // Two examples, four models with their own dynamics; example 0 is trained
        // on by models 0 and 1, example 1 by models 2 and 3.
        std::vector<MemberSplit> m(4);
        const float il[4][2] = {{1, 7}, {3, 5}, {6, 2}, {8, 4}};
        for (int k = 0; k < 4; ++k) {
            MemberSplit &x = m[static_cast<std::size_t>(k)];
            x.inTrain = {std::uint8_t(k < 2), std::uint8_t(k >= 2)};
            x.depth = {1, 1};
            x.finalPred = {0, 0};
            x.finalProbGiven = {0.9f, 0.9f};
            x.iterationLearned = {il[k][0], il[k][1]};
            x.forgettingEvents = {float(k), float(10 * k)};
            x.confidence = {0.1f * float(k + 1), 0.5f};
            x.variability = {0.f, 0.02f * float(k)};
        }
        const SplitSummary s = summarise(m, {0, 0}, kClasses, kProbes, GroupThresholds{});
        QCOMPARE(s.trained.iterationLearned[0], 2.f); // models 0, 1: (1 + 3) / 2
        QCOMPARE(s.heldOut.iterationLearned[0], 7.f); // models 2, 3: (6 + 8) / 2
        QCOMPARE(s.trained.iterationLearned[1], 3.f); // models 2, 3: (2 + 4) / 2
        QCOMPARE(s.heldOut.iterationLearned[1], 6.f);
        QCOMPARE(s.trained.forgettingEvents[1], 25.f);
        QCOMPARE(s.heldOut.forgettingEvents[1], 5.f);
        QVERIFY(std::abs(s.trained.confidence[0] - 0.15f) < 1e-6);
        QVERIFY(std::abs(s.heldOut.confidence[0] - 0.35f) < 1e-6);
        QVERIFY(std::abs(s.trained.variability[1] - 0.05f) < 1e-6);
        QVERIFY(std::abs(s.heldOut.variability[1] - 0.01f) < 1e-6);
    }
};

QTEST_GUILESS_MAIN(TestScores)
#include "tst_scores.moc"
