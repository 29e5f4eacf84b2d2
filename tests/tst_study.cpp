#include "store/runformat.h"
#include "store/runreader.h"
#include "study/eventchannel.h"
#include "study/memberprocess.h"
#include "study/members.h"
#include "study/study.h"
#include "study/summary.h"
#include "store/runwriter.h"
#include "train/runjob.h"
#include "testsupport.h"
#include "util/error.h"

#include <QtTest/QtTest>

#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <mutex>
#include <thread>

#include <unistd.h>

using namespace pds;

namespace {

MemberSplit member(std::vector<std::uint8_t> in, std::vector<std::int32_t> depth, std::vector<std::int32_t> pred)
{
    MemberSplit m;
    const auto n = in.size();
    m.inTrain = std::move(in);
    m.depth = std::move(depth);
    m.finalPred = std::move(pred);
    m.iterationLearned.assign(n, 2.f);
    m.forgettingEvents.assign(n, 1.f);
    m.confidence.assign(n, 0.5f);
    m.variability.assign(n, 0.1f);
    // The probability of the given label follows the prediction (label 0 in these tables).
    for (std::size_t i = 0; i < n; ++i)
        m.finalProbGiven.push_back(m.finalPred[i] == 0 ? 0.9f : 0.02f);
    return m;
}

/// A study of `models` tiny mlp members on a synthetic dataset in `dir`.
RunConfig tinyStudy(const QTemporaryDir &dir, int models)
{
    RunConfig c;
    c.dataset.name = "synthetic";
    c.dataset.format = "idx";
    c.dataset.path = dir.filePath("data").toStdString();
    QDir().mkpath(dir.filePath("data"));
    pds::test::writeSyntheticIdx(c.dataset.path, 4, 30, 5);
    c.model.arch = "mlp";
    c.model.mlpHiddenUnits = 16;
    c.model.mlpHiddenLayers = 1;
    c.train.epochs = 1;
    c.train.device = DeviceChoice::Cpu;
    c.train.threads = 1;
    c.study.models = models;
    c.study.ratio = 0.5;
    c.study.k = 3;
    c.output = dir.filePath("study.h5").toStdString();
    return c;
}

class CancelAtStart : public JobObserver {
public:
    explicit CancelAtStart(CancelToken &t) : m_token(t) {}
    void progress(const Progress &p) override
    {
        if (p.phase == JobPhase::Training)
            m_token.cancel();
    }

private:
    CancelToken &m_token;
};

/// Writes down a job's typed events, one line each, as they arrive.
class EventLog : public JobObserver {
public:
    void epochFinished(int model, const EpochCurve &c) override
    {
        add("epoch " + std::to_string(model) + " " + std::to_string(c.epoch));
    }
    void probeLayerFinished(int model, int layer, int layers) override
    {
        add("layer " + std::to_string(model) + " " + std::to_string(layer) + "/" + std::to_string(layers));
    }
    void fileCommitted(int model, const std::string &path) override
    {
        add("committed " + std::to_string(model) + " " + path);
    }
    void memberStarted(const MemberEvent &e) override
    {
        add("started " + std::to_string(e.member) + "/" + std::to_string(e.members) + " " + e.path);
    }
    void memberFinished(const MemberEvent &e) override
    {
        const char *how = e.outcome == MemberEvent::Outcome::Trained  ? "trained"
                          : e.outcome == MemberEvent::Outcome::Reused ? "reused"
                                                                      : "stopped";
        add(std::string("finished ") + std::to_string(e.member) + " " + how + " " + e.path);
    }
    /// The events about `member`, in order.
    QStringList of(int member) const
    {
        std::lock_guard lock(m_mutex);
        QStringList out;
        const QString id = QStringLiteral(" %1").arg(member);
        for (const QString &e : m_events)
            if (e.mid(e.indexOf(' ')).startsWith(id + ' ') || e.mid(e.indexOf(' ')).startsWith(id + '/'))
                out << e;
        return out;
    }
    QStringList all() const
    {
        std::lock_guard lock(m_mutex);
        return m_events;
    }

private:
    void add(const std::string &e)
    {
        std::lock_guard lock(m_mutex);
        m_events << QString::fromStdString(e);
    }
    mutable std::mutex m_mutex;
    QStringList m_events;
};

/// The events one member of a study of two tiny mlps (two epochs, three
/// probes) sends while it trains in full.
QStringList memberEvents(const RunConfig &c, int m)
{
    const QString path = QString::fromStdString(memberPath(c.output, m));
    const QString id = QString::number(m);
    return {"started " + id + "/2 " + path,
            "committed " + id + " " + path + ".part",
            "epoch " + id + " 1",
            "committed " + id + " " + path + ".part",
            "epoch " + id + " 2",
            "layer " + id + " 0/3",
            "layer " + id + " 1/3",
            "layer " + id + " 2/3",
            "finished " + id + " trained " + path};
}

} // namespace

class TestStudy : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void unevaluatedEpochCrossesTheEventChannel()
    {
        // An epoch whose held-out examples were not evaluated has NaN test
        // metrics; JSON writes them as null, and the epoch must still arrive.
        struct Epochs : JobObserver {
            std::vector<EpochCurve> curves;
            void epochFinished(int, const EpochCurve &c) override { curves.push_back(c); }
        } received;
        int fds[2];
        QCOMPARE(::pipe(fds), 0);
        {
            EventWriter writer(nullptr, fds[1], EventScope::Everything, /*ownsFd=*/true);
            EpochCurve c;
            c.epoch = 3;
            c.trainLoss = 0.5;
            c.testLoss = c.testAccuracy = std::numeric_limits<double>::quiet_NaN();
            writer.epochFinished(0, c);
            c.epoch = 4;
            c.testAccuracy = 0.75;
            c.testLoss = 0.25;
            writer.epochFinished(0, c);
        }
        std::string bytes;
        char buffer[4096];
        for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;)
            bytes.append(buffer, static_cast<std::size_t>(n));
        ::close(fds[0]);
        EventDecoder decoder;
        decoder.feed(bytes.data(), bytes.size(), &received);
        QCOMPARE(int(received.curves.size()), 2);
        QCOMPARE(received.curves[0].epoch, 3);
        QVERIFY(std::isnan(received.curves[0].testAccuracy));
        QVERIFY(std::isnan(received.curves[0].testLoss));
        QCOMPARE(received.curves[0].trainLoss, 0.5);
        QCOMPARE(received.curves[1].testAccuracy, 0.75);
    }

    void pairedHalvesAreComplementaryAndStratified()
    {
        std::vector<std::int32_t> labels;
        for (int i = 0; i < 101; ++i)
            labels.push_back(i % 3);
        StudyConfig study;
        study.models = 8;
        study.ratio = 0.5;
        std::vector<int> timesInTrain(labels.size(), 0);
        for (int m = 0; m < 8; ++m) {
            study.member = m;
            const auto mask = memberMask(labels, 3, study, 11);
            int total = 0;
            std::vector<int> perClass(3, 0);
            for (std::size_t i = 0; i < mask.size(); ++i) {
                timesInTrain[i] += mask[i];
                total += mask[i];
                perClass[static_cast<std::size_t>(labels[i])] += mask[i];
            }
            QVERIFY(total == 50 || total == 51);
            for (int c = 0; c < 3; ++c)
                QVERIFY(std::abs(perClass[static_cast<std::size_t>(c)] * 2 - 34) <= 2);
            if (m % 2 == 1) {
                study.member = m - 1;
                const auto partner = memberMask(labels, 3, study, 11);
                for (std::size_t i = 0; i < mask.size(); ++i)
                    QCOMPARE(mask[i] + partner[i], 1);
            }
        }
        for (int t : timesInTrain)
            QCOMPARE(t, 4); // in the train split of exactly half the models
    }

    void otherRatiosDrawTheirShare()
    {
        std::vector<std::int32_t> labels(1000);
        for (std::size_t i = 0; i < labels.size(); ++i)
            labels[i] = static_cast<std::int32_t>(i % 10);
        StudyConfig study;
        study.models = 5;
        study.ratio = 0.7;
        study.member = 0;
        const auto a = memberMask(labels, 10, study, 1);
        study.member = 1;
        const auto b = memberMask(labels, 10, study, 1);
        QCOMPARE(std::count(a.begin(), a.end(), 1), 700);
        QCOMPARE(std::count(b.begin(), b.end(), 1), 700);
        QVERIFY(a != b);
        study.ratio = 1.0;
        const auto all = memberMask(labels, 10, study, 1);
        QCOMPARE(std::count(all.begin(), all.end(), 1), 1000);
    }

    void summaryByHand()
    {
        // 4 models, P = 4 probes (depth 0..4), 3 classes, 4 examples:
        //  0: easy — every model right at depth 0
        //  1: mislabeled — given 0, both held-out models say 2
        //  2: right when trained on, held out says 1 and 2, shallow validation depth
        //  3: held out split 1/0, deep in validation
        const std::vector<std::int32_t> labels{0, 0, 0, 0};
        std::vector<MemberSplit> m;
        m.push_back(member({1, 1, 1, 1}, {0, 3, 4, 3}, {0, 0, 0, 0}));
        m.push_back(member({0, 0, 0, 0}, {0, 2, 1, 3}, {0, 2, 1, 1}));
        m.push_back(member({1, 1, 1, 1}, {0, 4, 4, 4}, {0, 0, 0, 0}));
        m.push_back(member({0, 0, 0, 0}, {0, 2, 1, 4}, {0, 2, 2, 0}));
        const SplitSummary s = summarise(m, labels, 3, 4, GroupThresholds{});

        QCOMPARE(s.modelsTrain[1], 2);
        QCOMPARE(s.modelsVal[1], 2);
        QCOMPARE(s.depthTrainMean[1], 3.5f);
        QCOMPARE(s.depthTrainStd[1], 0.5f);
        QCOMPARE(s.depthValMean[1], 2.f);
        QCOMPARE(s.depthValStd[1], 0.f);
        QCOMPARE(s.heldOutDistribution[1 * 3 + 2], 1.f);
        QCOMPARE(s.consistency[1], 0.f);
        QCOMPARE(s.accuracyTrained[1], 1.f);
        QCOMPARE(s.memorisation[1], 1.f);
        QCOMPARE(s.memorisation[0], 0.f);
        QCOMPARE(s.consistency[3], 0.5f);
        QCOMPARE(s.heldOutDistribution[3 * 3 + 1], 0.5f);
        QCOMPARE(s.trained.iterationLearned[0], 2.f);
        QCOMPARE(s.heldOutConfidence[1], 0.02f);
        QCOMPARE(s.trainedConfidence[1], 0.9f);

        // The scores and their groups are checked in detail in tst_scores.
        QCOMPARE(int(s.group[0]), int(DifficultyGroup::Easy));
        QCOMPARE(int(s.group[1]), int(DifficultyGroup::Mislabeled));
        QCOMPARE(groupNames()[static_cast<std::size_t>(DifficultyGroup::Rare)], std::string("rare"));
    }

    void embeddingSelection()
    {
        const std::vector<std::string> probes{"input", "block1", "logits"};
        QCOMPARE(pds::embeddingSelection("none", probes).size(), std::size_t(0));
        QCOMPARE(pds::embeddingSelection("all", probes).size(), std::size_t(3));
        QCOMPARE(pds::embeddingSelection("input,logits", probes).count("logits"), std::size_t(1));
        PDS_VERIFY_MESSAGE(test::messageOf<ConfigError>([&] { pds::embeddingSelection("input,layer9", probes); }),
                           "embeddings: the model has no probe 'layer9' (probes: input, block1, logits)");
    }

    void testSplitHasNoTrainDepth()
    {
        const std::vector<std::int32_t> labels{1};
        std::vector<MemberSplit> m{member({0}, {1}, {1}), member({0}, {0}, {1})};
        for (auto &x : m)
            x.finalProbGiven = {0.8f};
        const SplitSummary s = summarise(m, labels, 2, 3, GroupThresholds{});
        QVERIFY(std::isnan(s.depthTrainMean[0]));
        QVERIFY(std::isnan(s.memorisation[0]));
        QCOMPARE(s.depthValMean[0], 0.5f);
        QCOMPARE(s.consistency[0], 1.f);
        QCOMPARE(int(s.group[0]), int(DifficultyGroup::Easy));
    }

    void studyEndToEnd()
    {
        QTemporaryDir dir;
        RunConfig c;
        c.dataset.name = "synthetic";
        c.dataset.format = "idx";
        c.dataset.path = dir.filePath("data").toStdString();
        c.model.arch = "cnn";
        c.model.widthMultiplier = 0.25;
        c.train.epochs = 2;
        c.train.device = DeviceChoice::Cpu;
        c.train.threads = 2;
        c.train.batchSize = 32;
        c.study.models = 2;
        c.study.ratio = 0.5;
        c.study.k = 5;
        c.output = dir.filePath("study.h5").toStdString();
        QVERIFY(QDir().mkpath(dir.filePath("data")));
        pds::test::writeSyntheticIdx(c.dataset.path, 4, 40, 10);

        CancelToken cancel;
        StudyResult r = StudyJob(c).run(nullptr, cancel);
        QCOMPARE(r.status, std::string(runformat::kStatusComplete));
        QCOMPARE(r.membersTrained, 2);
        RunReader run(c.output);
        QVERIFY(run.hasSummary());
        QCOMPARE(run.summary().models.size(), std::size_t(2));
        QVERIFY(run.hasProbes(0) && run.hasProbes(1));
        const auto in0 = run.inTrain(0), in1 = run.inTrain(1);
        for (std::size_t i = 0; i < in0.size(); ++i)
            QCOMPARE(in0[i] + in1[i], 1);
        const auto depth = run.depth(0, "train");
        for (float d : depth)
            QVERIFY(d >= 0 && d <= 6); // cnn: 6 probes
        const auto models = run.summaryColumn("train", "models_val");
        for (float v : models)
            QCOMPARE(v, 1.f);

        // Resuming reuses both finished members.
        StudyResult again = StudyJob(c).run(nullptr, cancel);
        QCOMPARE(again.membersReused, 2);
        QCOMPARE(again.membersTrained, 0);

        // Export carries the study columns.
        const std::string csv = dir.filePath("study.csv").toStdString();
        exportCsv(run, csv);
        QFile f(QString::fromStdString(csv));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray header = f.readLine();
        QVERIFY(header.contains("study_depth_val_mean"));
        QVERIFY(header.contains("prediction_depth_m1"));

        // Merging a member twice is refused with a message naming it.
        const std::string m0 = memberPath(c.output, 0);
        try {
            mergeStudy({m0, m0}, dir.filePath("bad.h5").toStdString());
            QFAIL("expected a StoreError");
        } catch (const StoreError &e) {
            QVERIFY2(QString(e.what()).contains("appears twice"), e.what());
        }
        try {
            mergeStudy({dir.filePath("missing.h5").toStdString()}, dir.filePath("bad.h5").toStdString());
            QFAIL("expected a StoreError");
        } catch (const StoreError &e) {
            QVERIFY2(QString(e.what()).contains("file not found"), e.what());
        }
    }

    void eventsArriveInOrder()
    {
        QTemporaryDir dir;
        RunConfig c = tinyStudy(dir, 2);
        c.train.epochs = 2;
        CancelToken cancel;
        EventLog log;
        QCOMPARE(StudyJob(c).run(&log, cancel).status, std::string(runformat::kStatusComplete));
        QCOMPARE(log.all(), memberEvents(c, 0) + memberEvents(c, 1));

        // A second run reuses both members and says so.
        EventLog again;
        QCOMPARE(StudyJob(c).run(&again, cancel).membersReused, 2);
        QCOMPARE(again.all(), (QStringList{"finished 0 reused " + QString::fromStdString(memberPath(c.output, 0)),
                                           "finished 1 reused " + QString::fromStdString(memberPath(c.output, 1))}));
    }

    void eventsOfMembersInProcesses()
    {
        // Members in pdepth processes send the same events, typed, to the study.
        const QString pdepth = qEnvironmentVariable("PDS_PDEPTH");
        if (pdepth.isEmpty() || !QFileInfo(pdepth).isExecutable())
            QSKIP("needs the pdepth program (PDS_PDEPTH)");
        QTemporaryDir dir;
        RunConfig c = tinyStudy(dir, 2);
        c.train.epochs = 2;
        StudyJob job(c);
        job.setMemberRunner(childProcessRunner(pdepth.toStdString()), 2);
        CancelToken cancel;
        EventLog log;
        QCOMPARE(job.run(&log, cancel).status, std::string(runformat::kStatusComplete));
        for (int m = 0; m < 2; ++m)
            QCOMPARE(log.of(m), memberEvents(c, m));
    }

    void membersRunConcurrentlyThroughARunner()
    {
        // Up to two members at once: the runner is entered twice before either
        // call returns, and the study merges as usual. (Training itself is
        // serialised here: in-process members would share LibTorch's global
        // generator; pdepth gives each member its own process.)
        QTemporaryDir dir;
        RunConfig c = tinyStudy(dir, 3);
        std::mutex trainOne;
        std::atomic<int> inside{0}, most{0};
        StudyJob job(c);
        job.setMemberRunner(
            [&](const RunConfig &member, bool resume, JobObserver *observer, const CancelToken &token) {
                const int now = ++inside;
                for (int seen = most; now > seen && !most.compare_exchange_weak(seen, now);) {
                }
                // Give the other worker a moment to enter as well.
                std::this_thread::sleep_for(std::chrono::milliseconds(200));
                JobResult r;
                {
                    std::lock_guard lock(trainOne);
                    r = resume ? RunJob::resume(member.output, observer, token) : RunJob(member).run(observer, token);
                }
                --inside;
                return r;
            },
            2);
        CancelToken cancel;
        const StudyResult r = job.run(nullptr, cancel);
        QCOMPARE(r.status, std::string(runformat::kStatusComplete));
        QCOMPARE(r.membersTrained, 3);
        QCOMPARE(most.load(), 2);
        QCOMPARE(RunReader(c.output).summary().models.size(), std::size_t(3));
    }

    void failingMemberStopsTheOthers()
    {
        // Member 2 fails while member 1 runs: member 1 is cancelled, member 3
        // never starts, and the study ends with member 2's error.
        QTemporaryDir dir;
        RunConfig c = tinyStudy(dir, 3);
        std::atomic<bool> firstSawCancel{false}, thirdStarted{false};
        StudyJob job(c);
        job.setMemberRunner(
            [&](const RunConfig &member, bool, JobObserver *, const CancelToken &token) {
                JobResult r;
                r.status = runformat::kStatusIncomplete;
                if (member.study.member == 0) {
                    QElapsedTimer timer;
                    timer.start();
                    while (!token.cancelled() && timer.elapsed() < 10000)
                        std::this_thread::sleep_for(std::chrono::milliseconds(5));
                    firstSawCancel = token.cancelled();
                } else if (member.study.member == 1) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(50));
                    throw Error("member 2 broke");
                } else {
                    thirdStarted = true;
                }
                return r;
            },
            2);
        CancelToken cancel;
        const QString message = test::messageOf<Error>([&] { job.run(nullptr, cancel); });
        QCOMPARE(message, QStringLiteral("member 2 broke"));
        QVERIFY(firstSawCancel);
        QVERIFY(!thirdStarted);
        QVERIFY(!QFile::exists(QString::fromStdString(c.output)));
    }

    void cancelledStudyKeepsFinishedMembers()
    {
        QTemporaryDir dir;
        RunConfig c = tinyStudy(dir, 2);
        c.train.threads = 0;
        CancelToken cancel;
        CancelAtStart observer(cancel);
        StudyResult r = StudyJob(c).run(&observer, cancel);
        QCOMPARE(r.status, std::string(runformat::kStatusIncomplete));
        QVERIFY(!QFile::exists(QString::fromStdString(c.output)));
        RunReader member(memberPath(c.output, 0));
        QCOMPARE(member.summary().status, std::string(runformat::kStatusIncomplete));
    }
};

QTEST_GUILESS_MAIN(TestStudy)
#include "tst_study.moc"
