// Plants each kind of difficult example in Fashion-MNIST, runs a small study
// on the CPU, and reports how well the scores rank them and the difficulty
// groups find them, before (the earlier vote rules) and after (the scores):
//   mislabeled: labels moved to another class
//   ambiguous:  50/50 blends of two images of different classes
//   rare:       a rotated (180°) sub-population of a few dozen examples spread over the classes
// Set PDS_PLANTED_REPORT to a path to keep the table as Markdown.
// PDS_PLANTED_STUDY names a study file to keep, with the planted kind (0–3) of
// each train example in <study>.kinds.txt (or, if it exists, to score again
// without training); PDS_PLANTED_KINDS such a kinds file for a study planted elsewhere.

#include "data/catalogue.h"
#include "data/transforms.h"
#include "store/runreader.h"
#include "study/study.h"
#include "study/summary.h"
#include "testsupport.h"
#include "util/error.h"

#include <QtTest/QtTest>

#include <algorithm>
#include <cmath>
#include <fstream>

using namespace pds;

namespace {

/// The groups as the rules before the scores assigned them (vote shares and
/// hard cuts, default thresholds), kept here to report "before" on the same study.
std::vector<int> voteRuleGroups(const SplitSummary &s, const std::vector<std::int32_t> &labels, int numClasses,
                                int probes)
{
    const std::size_t k = static_cast<std::size_t>(numClasses);
    std::vector<int> out(labels.size(), int(DifficultyGroup::Other));
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (s.modelsVal[i] == 0)
            continue;
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
        const double valDepth = s.depthValMean[i] / probes;
        const bool hasTrain = s.modelsTrain[i] > 0;
        const double trainDepth = hasTrain ? s.depthTrainMean[i] / probes : std::nan("");
        DifficultyGroup g = DifficultyGroup::Other;
        if (topOther >= 0.6 && s.heldOutConfidence[i] <= 0.1)
            g = DifficultyGroup::Mislabeled;
        else if (top < 0.6 && second >= 0.2 && valDepth >= 0.5)
            g = DifficultyGroup::Ambiguous;
        else if (hasTrain && s.accuracyTrained[i] >= 0.5 && s.accuracyHeldOut[i] < 0.5
                 && (trainDepth >= 0.5 || s.memorisation[i] >= 0.3))
            g = DifficultyGroup::Rare;
        else if (valDepth <= 0.34 && (!hasTrain || trainDepth <= 0.34) && s.consistency[i] >= 0.9)
            g = DifficultyGroup::Easy;
        out[i] = int(g);
    }
    return out;
}

/// Area under the ROC curve of `score` for examples of `kind` against clean ones (ties count half).
double auroc(const std::vector<float> &score, const std::vector<int> &planted, int kind)
{
    std::vector<std::pair<double, int>> v; // score, 1 = planted
    for (std::size_t i = 0; i < score.size(); ++i)
        if (planted[i] == kind || planted[i] == 0)
            v.emplace_back(std::isnan(score[i]) ? -1e30 : double(score[i]), planted[i] == kind);
    std::sort(v.begin(), v.end());
    double rankSum = 0, positives = 0;
    for (std::size_t a = 0; a < v.size();) {
        std::size_t b = a;
        while (b < v.size() && v[b].first == v[a].first)
            ++b;
        const double rank = 0.5 * double(a + 1 + b); // mean 1-based rank of the tie block
        for (std::size_t j = a; j < b; ++j)
            if (v[j].second) {
                rankSum += rank;
                ++positives;
            }
        a = b;
    }
    const double negatives = double(v.size()) - positives;
    if (positives == 0 || negatives == 0)
        return 0.5;
    return (rankSum - positives * (positives + 1) / 2) / (positives * negatives);
}

struct GroupQuality {
    std::size_t size = 0;
    double precision = 0, recall = 0;
};

GroupQuality quality(const std::vector<int> &group, const std::vector<int> &planted, int kind, DifficultyGroup g)
{
    std::size_t hits = 0, total = 0;
    GroupQuality q;
    for (std::size_t i = 0; i < group.size(); ++i) {
        const bool in = group[i] == int(g);
        q.size += in;
        total += planted[i] == kind;
        hits += in && planted[i] == kind;
    }
    q.precision = q.size ? double(hits) / double(q.size) : 0.0;
    q.recall = total ? double(hits) / double(total) : 0.0;
    return q;
}

/// Plants the three kinds in `train` (deterministic); returns the kind of each example.
std::vector<int> plant(Split &train, std::int64_t image)
{
    const auto n = static_cast<std::size_t>(train.size());
    std::vector<int> planted(n, 0);
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i)
        order[i] = i;
    Rng rng(2024);
    rng.shuffle(order);
    const std::size_t flips = n * 8 / 100, blends = n * 3 / 100;
    std::size_t next = 0;
    for (; next < flips; ++next) {
        const auto i = order[next];
        int to = static_cast<int>(rng.below(9));
        if (to >= train.labels[i])
            ++to;
        train.labels[i] = to;
        planted[i] = 1;
    }
    for (std::size_t b = 0; b < blends; ++next) {
        const auto i = order[next], j = order[next + n / 2];
        if (train.labels[i] == train.labels[j] || planted[j])
            continue;
        for (std::int64_t p = 0; p < image; ++p)
            train.images[i * image + p] = static_cast<std::uint8_t>(
                (int(train.images[i * image + p]) + int(train.images[j * image + p])) / 2);
        planted[i] = 2;
        ++b;
    }
    // Three per class, rotated by 180°: rare within every class, not a class of its own.
    std::vector<int> perClass(10, 0);
    for (std::size_t k = next, rare = 0; k < n && rare < 30; ++k) {
        const auto i = order[k];
        if (planted[i] || perClass[static_cast<std::size_t>(train.labels[i])] >= 3)
            continue;
        std::reverse(train.images.begin() + i * image, train.images.begin() + (i + 1) * image);
        planted[i] = 3;
        ++perClass[static_cast<std::size_t>(train.labels[i])];
        ++rare;
    }
    return planted;
}

} // namespace

class TestPlanted : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void plantedDifficulty()
    {
        const std::int64_t pool = qEnvironmentVariableIntValue("PDS_PLANTED_POOL") > 0
                                      ? qEnvironmentVariableIntValue("PDS_PLANTED_POOL")
                                      : 3000;
        const QString keep = qEnvironmentVariable("PDS_PLANTED_STUDY");
        const bool reuse = !keep.isEmpty() && QFileInfo::exists(keep);
        std::vector<int> planted;
        QTemporaryDir dir;
        RunConfig c;
        c.output = reuse || !keep.isEmpty() ? keep.toStdString() : dir.filePath("planted.h5").toStdString();
        QElapsedTimer timer;
        timer.start();
        if (!reuse) {
            DatasetSpec spec;
            Dataset fm;
            try {
                fm = loadDataset(spec);
            } catch (const pds::Error &e) {
                QSKIP(qPrintable(QString("Fashion-MNIST is not installed: ") + e.what()));
            }
            const auto image = fm.imageSize();
            Split train = selectExamples(fm.train, stratifiedSubset(fm.train.labels, 10, pool, 5), image);
            Split test = selectExamples(fm.test, stratifiedSubset(fm.test.labels, 10, 500, 6), image);
            planted = plant(train, image);
            auto write = [&](const Split &s, const std::string &images, const std::string &labels) {
                std::vector<std::uint8_t> l(s.labels.begin(), s.labels.end());
                test::writeBytes(dir.filePath(QString::fromStdString(images)).toStdString(),
                                 test::idxBytes({std::uint32_t(s.size()), 28, 28}, s.images));
                test::writeBytes(dir.filePath(QString::fromStdString(labels)).toStdString(),
                                 test::idxBytes({std::uint32_t(s.size())}, l));
            };
            write(train, "train-images-idx3-ubyte", "train-labels-idx1-ubyte");
            write(test, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

            c.dataset.name = "fashion-mnist-planted";
            c.dataset.format = "idx";
            c.dataset.path = dir.path().toStdString();
            c.model.arch = "cnn";
            c.model.widthMultiplier = 0.5;
            c.train.epochs = 6;
            c.train.device = DeviceChoice::Auto;
            c.train.threads = 0;
            c.study.models = 8;
            c.study.ratio = 0.5;
            CancelToken cancel;
            const StudyResult r = StudyJob(c).run(nullptr, cancel);
            QCOMPARE(r.status, std::string("complete"));
            if (!keep.isEmpty()) {
                std::ofstream kinds(keep.toStdString() + ".kinds.txt");
                for (int k : planted)
                    kinds << k << '\n';
            }
        }

        RunReader run(c.output);
        const auto labels = run.labels("train");
        const auto n = labels.size();
        if (qEnvironmentVariableIsSet("PDS_PLANTED_KINDS")) {
            std::ifstream kinds(qEnvironmentVariable("PDS_PLANTED_KINDS").toStdString());
            planted.clear();
            for (int v; kinds >> v;)
                planted.push_back(v);
        } else if (reuse) {
            // The planting is deterministic; a kept study of another size would not match.
            DatasetSpec spec;
            Dataset fm = loadDataset(spec);
            Split train = selectExamples(fm.train, stratifiedSubset(fm.train.labels, 10, pool, 5), fm.imageSize());
            planted = plant(train, fm.imageSize());
            QVERIFY(std::vector<std::int32_t>(train.labels.begin(), train.labels.end()) == labels);
        }
        QCOMPARE(planted.size(), n);

        // Summarised again from the members, so that a kept study is scored by the code under test.
        std::vector<MemberSplit> members;
        for (int m = 0; m < int(run.summary().models.size()); ++m)
            members.push_back(run.memberSplit(m, "train"));
        const int classes = int(run.summary().classNames.size()), probes = run.studyInfo().probes;
        const SplitSummary s = summarise(members, labels, classes, probes, GroupThresholds{});
        if (!reuse)
            QVERIFY(run.splitSummary("train").group == s.group);
        const std::vector<int> after(s.group.begin(), s.group.end());
        const std::vector<int> before = voteRuleGroups(s, labels, classes, probes);
        int fewestHeldOut = int(members.size());
        for (std::size_t i = 0; i < n; ++i)
            fewestHeldOut = std::min(fewestHeldOut, s.modelsVal[i]);

        // Before: the earlier rules had no scores; their nearest single numbers rank.
        std::vector<float> notBelieved(n), valDepth(n);
        for (std::size_t i = 0; i < n; ++i) {
            notBelieved[i] = 1.f - s.heldOutConfidence[i];
            valDepth[i] = s.depthValMean[i];
        }
        struct Kind {
            const char *name;
            DifficultyGroup group;
            const std::vector<float> *before, *after;
            const char *beforeScore, *afterScore;
        };
        const Kind kinds[] = {
            {"mislabeled", DifficultyGroup::Mislabeled, &notBelieved, &s.labelIssue, "1 − held-out confidence",
             "label_issue"},
            {"ambiguous", DifficultyGroup::Ambiguous, &valDepth, &s.ambiguity, "validation-split depth", "ambiguity"},
            {"rare", DifficultyGroup::Rare, &s.memorisation, &s.rarity, "memorisation", "rarity"},
        };
        std::string table = "| planted kind | planted | AUROC before (score) | AUROC after (score) | before: group, "
                            "precision, recall | after: group, precision, recall |\n|---|---|---|---|---|---|\n";
        double aurocAfter[3], precisionAfter[3], recallAfter[3];
        for (int kind = 1; kind <= 3; ++kind) {
            const Kind &k = kinds[kind - 1];
            const auto total = std::size_t(std::count(planted.begin(), planted.end(), kind));
            const GroupQuality qb = quality(before, planted, kind, k.group);
            const GroupQuality qa = quality(after, planted, kind, k.group);
            const double ab = auroc(*k.before, planted, kind), aa = auroc(*k.after, planted, kind);
            aurocAfter[kind - 1] = aa;
            precisionAfter[kind - 1] = qa.precision;
            recallAfter[kind - 1] = qa.recall;
            char row[400];
            std::snprintf(row, sizeof row, "| %s | %zu | %.3f (%s) | %.3f (%s) | %zu, %.3f, %.3f | %zu, %.3f, %.3f |\n",
                          k.name, total, ab, k.beforeScore, aa, k.afterScore, qb.size, qb.precision, qb.recall,
                          qa.size, qa.precision, qa.recall);
            table += row;
        }
        char footer[300];
        std::snprintf(footer, sizeof footer,
                      "\ncnn (width ×0.5), %zu pool + 500 test examples, %zu models (paired halves, at least %d "
                      "held-out votes per example), 6 epochs; %.0f s in all.\n",
                      n, members.size(), fewestHeldOut, timer.elapsed() / 1000.0);
        table += footer;
        qInfo().noquote() << "\n" << QString::fromStdString(table);
        if (qEnvironmentVariableIsSet("PDS_PLANTED_REPORT"))
            std::ofstream(qEnvironmentVariable("PDS_PLANTED_REPORT").toStdString()) << table;
        if (qEnvironmentVariableIsSet("PDS_PLANTED_KINDS"))
            return; // a study planted elsewhere is only reported

        QVERIFY2(fewestHeldOut >= 4, qPrintable(QString("an example has only %1 held-out votes").arg(fewestHeldOut)));
        // Bounds from the first run at this size (docs/findings.md), a little below what it reached.
        for (int kind = 0; kind < 3; ++kind) {
            const QString what = QString::fromLatin1(kinds[kind].name);
            QVERIFY2(aurocAfter[kind] >= kMinAuroc[kind], qPrintable(what + QString(" AUROC %1").arg(aurocAfter[kind])));
            QVERIFY2(precisionAfter[kind] >= kMinPrecision[kind],
                     qPrintable(what + QString(" precision %1").arg(precisionAfter[kind])));
            QVERIFY2(recallAfter[kind] >= kMinRecall[kind], qPrintable(what + QString(" recall %1").arg(recallAfter[kind])));
        }
    }

private:
    // mislabeled, ambiguous, rare (docs/findings.md has the run they come from)
    static constexpr double kMinAuroc[3] = {0.97, 0.82, 0.8};
    static constexpr double kMinPrecision[3] = {0.6, 0.06, 0.04};
    static constexpr double kMinRecall[3] = {0.85, 0.3, 0.25};
};

QTEST_GUILESS_MAIN(TestPlanted)
#include "tst_planted.moc"
