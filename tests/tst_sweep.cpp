// Tests of memorisation across model sizes: the estimator, the trajectory
// rule, proxies, the distillation loss and training, the sweep's members and
// its configuration errors, and a tiny sweep end to end through the CLI.
// Over 600 lines because the golden tables of the estimator and the rule are
// data-driven rows kept beside the sweep they define, in one test per unit.

#include "testsupport.h"

#include "store/runreader.h"
#include "study/memberconfig.h"
#include "study/members.h"
#include "sweep/analysis.h"
#include "sweep/distillation.h"
#include "sweep/memorisation.h"
#include "sweep/sweep.h"
#include "train/runjob.h"
#include "util/error.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>

using namespace pds;
using namespace pds::sweep;
using namespace pds::test;

Q_DECLARE_METATYPE(pds::sweep::Trajectory)

namespace {

std::vector<double> toStd(const QList<double> &v)
{
    return {v.begin(), v.end()};
}

/// A sweep configuration on the synthetic data in `data`.
SweepConfig tinySweep(const QString &data, const QString &output)
{
    SweepConfig c;
    c.base.dataset.name.clear();
    c.base.dataset.path = data.toStdString();
    c.base.dataset.format = "idx";
    c.base.model.arch = "cnn";
    c.base.train.epochs = 1;
    c.base.train.threads = 1;
    c.base.train.device = DeviceChoice::Cpu;
    c.base.study.models = 4;
    c.base.study.ratio = 0.7;
    c.base.output = output.toStdString();
    c.sizes = {4, 8, 16};
    return c;
}

} // namespace

class TestSweep : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void estimator();
    void trajectory_data();
    void trajectory();
    void trajectoryShares();
    void spearmanRanks();
    void agreement();
    void orientedProxies();
    void distillationLossMatchesFormula();
    void distillSettings();
    void alphaZeroTrainsLikePlain();
    void teacherOfAnotherSubset();
    void sameSubsetsAtEverySize();
    void configErrors_data();
    void configErrors();
    void otherConfigurationRefused();
    void cliSweepEndToEnd();
    void cliErrorsWriteNothing_data();
    void cliErrorsWriteNothing();

private:
    QString path(const QString &name) const { return m_dir.filePath(name); }
    QTemporaryDir m_dir;
    QString m_data;
};

void TestSweep::initTestCase()
{
    at::set_num_threads(1);
    m_data = path("synthetic");
    QVERIFY(QDir().mkpath(m_data));
    writeSyntheticIdx(m_data.toStdString(), 4, 30, 10, 12);
}

void TestSweep::estimator()
{
    // Four members, five examples, worked by hand.
    const std::vector<std::vector<std::uint8_t>> in = {
        {1, 1, 0, 1, 1}, {1, 0, 1, 1, 0}, {0, 1, 1, 1, 0}, {0, 0, 0, 1, 0}};
    const std::vector<std::vector<std::uint8_t>> correct = {
        {1, 1, 1, 1, 1}, {1, 0, 0, 1, 0}, {0, 1, 1, 0, 1}, {1, 0, 1, 1, 0}};
    const Memorisation m = estimateMemorisation(in, correct);
    // Example 0: trained by 0, 1 (both right), held out by 2, 3 (one right).
    QCOMPARE(m.mIn[0], 2);
    QCOMPARE(m.mOut[0], 2);
    QCOMPARE(m.pIn[0], 1.0f);
    QCOMPARE(m.pOut[0], 0.5f);
    QCOMPARE(m.mem[0], 0.5f);
    QCOMPARE(m.se[0], float(std::sqrt(0.25 / 2)));
    // Example 1: right where trained, wrong where held out: mem 1 with no uncertainty.
    QCOMPARE(m.pIn[1], 1.0f);
    QCOMPARE(m.pOut[1], 0.0f);
    QCOMPARE(m.mem[1], 1.0f);
    QCOMPARE(m.se[1], 0.0f);
    // Example 2: worse where trained (negative mem).
    QCOMPARE(m.pIn[2], 0.5f);
    QCOMPARE(m.pOut[2], 1.0f);
    QCOMPARE(m.mem[2], -0.5f);
    QCOMPARE(m.se[2], float(std::sqrt(0.25 / 2)));
    // Example 3: every member trained on it: P_out, mem and se are undefined.
    QCOMPARE(m.mIn[3], 4);
    QCOMPARE(m.mOut[3], 0);
    QCOMPARE(m.pIn[3], 0.75f);
    QVERIFY(std::isnan(m.pOut[3]) && std::isnan(m.mem[3]) && std::isnan(m.se[3]));
    // Example 4: one member in, three out: se = sqrt(0 + (1/3)(2/3)/3).
    QCOMPARE(m.pOut[4], float(1.0 / 3));
    QCOMPARE(m.mem[4], float(1.0 - 1.0 / 3));
    QCOMPARE(m.se[4], float(std::sqrt((1.0 / 3) * (2.0 / 3) / 3)));

    PDS_VERIFY_MESSAGE(messageOf<Error>([&] { estimateMemorisation(in, {correct[0]}); }),
                       "4 train masks but 1 correctness rows");
}

void TestSweep::trajectory_data()
{
    QTest::addColumn<QList<double>>("score");
    QTest::addColumn<QList<double>>("se");
    QTest::addColumn<double>("delta");
    QTest::addColumn<double>("z");
    QTest::addColumn<Trajectory>("expected");
    using T = Trajectory;
    const QList<double> zero3{0, 0, 0};
    QTest::newRow("decreasing") << QList<double>{0.8, 0.5, 0.2} << zero3 << 0.1 << 2.0 << T::Decreasing;
    QTest::newRow("increasing") << QList<double>{0.1, 0.3, 0.6} << zero3 << 0.1 << 2.0 << T::Increasing;
    QTest::newRow("cap-shaped") << QList<double>{0.2, 0.6, 0.3} << zero3 << 0.1 << 2.0 << T::CapShaped;
    QTest::newRow("constant") << QList<double>{0.5, 0.55, 0.5} << zero3 << 0.1 << 2.0 << T::Constant;
    QTest::newRow("interior above one end only") << QList<double>{0.2, 0.6, 0.7} << zero3 << 0.1 << 2.0
                                                 << T::Increasing;
    QTest::newRow("cap wins over a rise") << QList<double>{0.0, 0.75, 0.5} << zero3 << 0.1 << 2.0 << T::CapShaped;
    QTest::newRow("two sizes") << QList<double>{0.25, 0.875} << QList<double>{0, 0} << 0.1 << 2.0 << T::Increasing;
    // δ edge: a change of exactly δ is not more than δ (binary fractions, exact).
    QTest::newRow("change of exactly delta") << QList<double>{0.5, 0.75} << QList<double>{0, 0} << 0.25 << 2.0
                                             << T::Constant;
    QTest::newRow("change just over delta") << QList<double>{0.5, 0.8125} << QList<double>{0, 0} << 0.25 << 2.0
                                            << T::Increasing;
    QTest::newRow("fall of exactly delta") << QList<double>{0.75, 0.5} << QList<double>{0, 0} << 0.25 << 2.0
                                           << T::Constant;
    // z edge: a rise of 0.5 with a standard error of 0.25 is exactly 2 of them.
    QTest::newRow("rise of exactly z se") << QList<double>{0.0, 0.5} << QList<double>{0.25, 0} << 0.1 << 2.0
                                          << T::Undetermined;
    QTest::newRow("rise over z se") << QList<double>{0.0, 0.5} << QList<double>{0.25, 0} << 0.1 << 1.5
                                    << T::Increasing;
    QTest::newRow("cap of exactly z se") << QList<double>{0.0, 0.5, 0.0} << QList<double>{0, 0.25, 0} << 0.1 << 2.0
                                         << T::Undetermined;
    QTest::newRow("cap over z se") << QList<double>{0.0, 0.5, 0.0} << QList<double>{0, 0.25, 0} << 0.1 << 1.5
                                   << T::CapShaped;
    // Undetermined: standard errors too large to tell constant from a change.
    QTest::newRow("flat but uncertain") << QList<double>{0.5, 0.5} << QList<double>{0.25, 0.25} << 0.1 << 2.0
                                        << T::Undetermined;
    QTest::newRow("flat and certain") << QList<double>{0.5, 0.52} << QList<double>{0.01, 0.01} << 0.1 << 2.0
                                      << T::Constant;
    QTest::newRow("z 0 ignores se") << QList<double>{0.5, 0.5} << QList<double>{0.25, 0.25} << 0.1 << 0.0
                                    << T::Constant;
    QTest::newRow("undefined at one size") << QList<double>{0.5, std::nan(""), 0.5} << zero3 << 0.1 << 2.0
                                           << T::Undetermined;
}

void TestSweep::trajectory()
{
    QFETCH(QList<double>, score);
    QFETCH(QList<double>, se);
    QFETCH(double, delta);
    QFETCH(double, z);
    QFETCH(Trajectory, expected);
    const Trajectory got = classifyTrajectory(toStd(score), toStd(se), TrajectoryRule{delta, z});
    QCOMPARE(QString::fromStdString(trajectoryNames()[std::size_t(got)]),
             QString::fromStdString(trajectoryNames()[std::size_t(expected)]));
}

void TestSweep::trajectoryShares()
{
    // Examples across sizes: [size][example]; se omitted = 0.
    const std::vector<std::vector<float>> mem = {{0.8f, 0.1f, 0.2f, 0.5f}, {0.5f, 0.3f, 0.6f, 0.5f},
                                                 {0.2f, 0.6f, 0.3f, 0.5f}};
    const auto types = classifyTrajectories(mem, {});
    QCOMPARE(int(types[0]), int(Trajectory::Decreasing));
    QCOMPARE(int(types[1]), int(Trajectory::Increasing));
    QCOMPARE(int(types[2]), int(Trajectory::CapShaped));
    QCOMPARE(int(types[3]), int(Trajectory::Constant));
    const auto shares = sweep::trajectoryShares(types);
    QCOMPARE(shares, (std::vector<double>{0.25, 0.25, 0.25, 0.25, 0.0}));
    // A larger margin turns the small changes constant.
    const auto wide = classifyTrajectories(mem, {}, TrajectoryRule{0.45, 2.0});
    QCOMPARE(int(wide[0]), int(Trajectory::Decreasing));
    QCOMPARE(int(wide[1]), int(Trajectory::Increasing));
    QCOMPARE(int(wide[2]), int(Trajectory::Constant));
    PDS_VERIFY_MESSAGE(messageOf<Error>([] { classifyTrajectory({0.5}, {0.0}); }), "two sizes or more");
}

void TestSweep::spearmanRanks()
{
    QCOMPARE(spearman({1, 2, 3, 4}, {10, 20, 30, 40}), 1.0);
    QCOMPARE(spearman({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0);
    // Monotone but not linear: still 1.
    QCOMPARE(spearman({1, 2, 3, 4}, {1, 8, 27, 1000}), 1.0);
    // Ties take their average rank: ranks (1, 2.5, 2.5, 4) against (1, 2, 3, 4).
    QVERIFY(std::abs(spearman({1, 2, 2, 3}, {1, 2, 3, 4}) - 4.5 / std::sqrt(4.5 * 5.0)) < 1e-12);
    // Pairs with a NaN are left out.
    const float nan = std::nanf("");
    QCOMPARE(spearman({1, nan, 2, 3}, {1, 5, 2, 3}), 1.0);
    QVERIFY(std::isnan(spearman({1, 2}, {1, 2})));
    QVERIFY(std::isnan(spearman({1, 1, 1}, {1, 2, 3})));
}

void TestSweep::agreement()
{
    using T = Trajectory;
    const std::vector<T> mem = {T::Increasing, T::Decreasing, T::Constant, T::Undetermined};
    const std::vector<T> proxy = {T::Increasing, T::Increasing, T::Constant, T::Constant};
    QCOMPARE(trajectoryAgreement(mem, proxy), 2.0 / 3.0);
    QVERIFY(std::isnan(trajectoryAgreement({T::Undetermined}, {T::Constant})));
}

void TestSweep::orientedProxies()
{
    const auto &names = proxyNames();
    QCOMPARE(names.size(), std::size_t(8));
    auto at = [&](const std::string &name) {
        return std::size_t(std::find(names.begin(), names.end(), name) - names.begin());
    };
    QCOMPARE(orientedProxy(at("depth_val"), 3.0f, 6, 10), 0.5f);
    QCOMPARE(orientedProxy(at("consistency"), 0.25f, 6, 10), 0.75f);
    QCOMPARE(orientedProxy(at("confidence"), 1.0f, 6, 10), 0.0f);
    QCOMPARE(orientedProxy(at("loss"), 0.0f, 6, 10), 0.0f);
    QCOMPARE(orientedProxy(at("forgetting"), 2.0f, 6, 10), 0.2f);
    QCOMPARE(orientedProxy(at("iteration_learned"), 5.0f, 6, 10), 0.5f);
    QVERIFY(std::isnan(orientedProxy(at("el2n"), std::nanf(""), 6, 10)));
}

void TestSweep::distillationLossMatchesFormula()
{
    const std::vector<std::vector<double>> s = {{1.0, 2.0, 0.5}, {0.0, -1.0, 3.0}};
    const std::vector<std::vector<double>> t = {{2.0, 0.0, 1.0}, {1.0, 1.0, 1.5}};
    const std::vector<int> y = {1, 2};
    auto softmax = [](const std::vector<double> &v, double temp) {
        std::vector<double> e;
        double sum = 0;
        for (double x : v)
            sum += std::exp(x / temp);
        for (double x : v)
            e.push_back(std::exp(x / temp) / sum);
        return e;
    };
    const double T = 2.0, alpha = 0.3;
    double ce = 0, kl = 0;
    for (std::size_t i = 0; i < 2; ++i) {
        ce -= std::log(softmax(s[i], 1.0)[std::size_t(y[i])]);
        const auto ps = softmax(s[i], T), pt = softmax(t[i], T);
        for (std::size_t k = 0; k < 3; ++k)
            kl += pt[k] * std::log(pt[k] / ps[k]);
    }
    ce /= 2;
    kl /= 2;
    const auto student = torch::tensor({1.0, 2.0, 0.5, 0.0, -1.0, 3.0}, torch::kFloat32).view({2, 3});
    const auto teacher = torch::tensor({2.0, 0.0, 1.0, 1.0, 1.0, 1.5}, torch::kFloat32).view({2, 3});
    const auto labels = torch::tensor({1, 2}, torch::kLong);
    const double got = distillationLoss(student, teacher, labels, T, alpha).item<double>();
    const double expected = (1 - alpha) * ce + alpha * T * T * kl;
    QVERIFY2(std::abs(got - expected) < 1e-5, qPrintable(QStringLiteral("%1 vs %2").arg(got).arg(expected)));
    // α = 1: the soft term alone; α = 0: exactly cross-entropy.
    QVERIFY(std::abs(distillationLoss(student, teacher, labels, T, 1.0).item<double>() - T * T * kl) < 1e-5);
    QVERIFY(torch::equal(distillationLoss(student, teacher, labels, T, 0.0),
                         torch::nn::functional::cross_entropy(student, labels)));
    // The student that matches the teacher has no soft loss.
    QVERIFY(std::abs(distillationLoss(teacher, teacher, labels, T, 1.0).item<double>()) < 1e-6);
}

void TestSweep::distillSettings()
{
    RunConfig c;
    c.distill.teacher = "teacher.h5";
    c.distill.temperature = 2.5;
    c.distill.alpha = 0.25;
    const RunConfig back = runConfigFromJson(toJson(c));
    QCOMPARE(back.distill.teacher, std::string("teacher.h5"));
    QCOMPARE(back.distill.temperature, 2.5);
    QCOMPARE(back.distill.alpha, 0.25);
    // Off: the section is left out, so the JSON of plain runs is unchanged.
    QVERIFY(toJson(RunConfig{}).find("distill") == std::string::npos);
    QVERIFY(!runConfigFromJson(toJson(RunConfig{})).distill.enabled());
    c.distill.temperature = 0;
    try {
        c.validate();
        QFAIL("a temperature of 0 must be refused");
    } catch (const ConfigError &e) {
        QCOMPARE(QString::fromStdString(e.field()), QStringLiteral("distill.temperature"));
    }
    c.distill.temperature = 4;
    c.distill.alpha = 1.5;
    PDS_VERIFY_MESSAGE(messageOf<ConfigError>([&] { c.validate(); }), "alpha must lie in [0, 1], got 1.5");
    // A student and a plain member of one sweep differ in the distill section as a whole.
    RunConfig plain = c;
    plain.distill = DistillConfig{};
    QCOMPARE(QString::fromStdString(studySettingDifference(plain, c).key), QStringLiteral("distill"));
    QCOMPARE(QString::fromStdString(studySettingDifference(c, plain).key), QStringLiteral("distill"));
}

void TestSweep::alphaZeroTrainsLikePlain()
{
    // A teacher, a plain run and students at α = 0 and 0.9, all on member 0's subset.
    RunConfig c;
    c.dataset.name.clear();
    c.dataset.path = m_data.toStdString();
    c.dataset.format = "idx";
    c.model.arch = "cnn";
    c.model.cnnBaseWidth = 4;
    c.train.epochs = 2;
    c.train.threads = 1;
    c.train.device = DeviceChoice::Cpu;
    c.study.models = 2;
    c.study.ratio = 0.7;
    RunConfig teacher = c;
    teacher.model.cnnBaseWidth = 8;
    teacher.output = path("teacher.h5").toStdString();
    RunConfig plain = c;
    plain.output = path("plain.h5").toStdString();
    RunConfig zero = c;
    zero.output = path("alpha0.h5").toStdString();
    zero.distill.teacher = teacher.output;
    zero.distill.alpha = 0.0;
    RunConfig soft = zero;
    soft.output = path("alpha09.h5").toStdString();
    soft.distill.alpha = 0.9;
    CancelToken cancel;
    for (const RunConfig *r : {&teacher, &plain, &zero, &soft})
        QCOMPARE(QString::fromStdString(RunJob(*r).run(nullptr, cancel).status), QStringLiteral("complete"));
    auto logits = [](const RunConfig &r) { return RunReader(r.output).finalLogits(0, "train").values; };
    QVERIFY2(logits(zero) == logits(plain), "a student at alpha 0 must train exactly like a plain model");
    QVERIFY(logits(soft) != logits(plain));
    QVERIFY(RunReader(soft.output).summary().configJson.find("\"distill\"") != std::string::npos);
    QVERIFY(RunReader(plain.output).summary().configJson.find("\"distill\"") == std::string::npos);
}

void TestSweep::teacherOfAnotherSubset()
{
    RunConfig c;
    c.dataset.name.clear();
    c.dataset.path = m_data.toStdString();
    c.dataset.format = "idx";
    c.model.arch = "mlp";
    c.model.mlpHiddenLayers = 1;
    c.model.mlpHiddenUnits = 8;
    c.train.epochs = 1;
    c.train.threads = 1;
    c.train.device = DeviceChoice::Cpu;
    c.study.models = 2;
    c.study.ratio = 0.7;
    c.study.member = 1;
    c.output = path("teacher-m1.h5").toStdString();
    CancelToken cancel;
    RunJob(c).run(nullptr, cancel);
    RunConfig student = c;
    student.study.member = 0;
    student.distill.teacher = c.output;
    student.output = path("student-m0.h5").toStdString();
    PDS_VERIFY_MESSAGE(messageOf<StoreError>([&] { RunJob(student).run(nullptr, cancel); }),
                       "the teacher trained on another subset than the student");
    RunConfig missing = student;
    missing.distill.teacher = path("no-teacher.h5").toStdString();
    PDS_VERIFY_MESSAGE(messageOf<StoreError>([&] { RunJob(missing).run(nullptr, cancel); }), "no-teacher.h5");
}

void TestSweep::sameSubsetsAtEverySize()
{
    SweepConfig c = tinySweep(m_data, path("subsets.h5"));
    c.distill = true;
    std::vector<std::int32_t> labels;
    for (int i = 0; i < 200; ++i)
        labels.push_back(i % 4);
    for (int m = 0; m < c.base.study.models; ++m) {
        const RunConfig first = sweepMemberConfig(c, 0, m, false);
        const auto mask = memberMask(labels, 4, first.study, first.train.seed);
        QCOMPARE(std::count(mask.begin(), mask.end(), 1), std::ptrdiff_t(140)); // ratio 0.7
        for (int s = 1; s < int(c.sizes.size()); ++s) {
            for (bool distilled : {false, true}) {
                if (distilled && s == int(c.sizes.size()) - 1)
                    continue;
                const RunConfig r = sweepMemberConfig(c, s, m, distilled);
                QCOMPARE(memberMask(labels, 4, r.study, r.train.seed), mask);
                QCOMPARE(memberSeed(r.train.seed, r.study.member), memberSeed(first.train.seed, m));
                // The plain members of one index differ in their size alone.
                if (!distilled)
                    QCOMPARE(QString::fromStdString(studySettingDifference(first, r).key),
                             QStringLiteral("model.cnn_base_width"));
            }
        }
        const RunConfig student = sweepMemberConfig(c, 0, m, true);
        QCOMPARE(student.distill.teacher, sweepMemberConfig(c, 2, m, false).output);
        QCOMPARE(student.model.cnnBaseWidth, 4);
    }
    const auto a = memberMask(labels, 4, sweepMemberConfig(c, 0, 0, false).study, 0);
    QVERIFY(a != memberMask(labels, 4, sweepMemberConfig(c, 0, 1, false).study, 0));
    // The depth axis names architectures.
    c.base.model.arch = "resnet";
    c.sizes = {8, 14, 20};
    QCOMPARE(QString::fromStdString(sweepMemberConfig(c, 1, 0, false).model.arch), QStringLiteral("resnet14"));
}

void TestSweep::configErrors_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QList<double>>("sizes");
    QTest::addColumn<bool>("distill");
    QTest::addColumn<double>("temperature");
    QTest::addColumn<double>("alpha");
    QTest::addColumn<double>("ratio");
    QTest::addColumn<QString>("message");
    QTest::newRow("one size") << "cnn" << QList<double>{8} << false << 4.0 << 0.9 << 0.7
                              << "--sizes: a sweep needs at least two sizes to compare, got only 8";
    QTest::newRow("no size") << "cnn" << QList<double>{} << false << 4.0 << 0.9 << 0.7 << "got none";
    QTest::newRow("decreasing") << "cnn" << QList<double>{4, 16, 8} << false << 4.0 << 0.9 << 0.7
                                << "--sizes: sizes must be strictly increasing, but 8 follows 16";
    QTest::newRow("repeated") << "cnn" << QList<double>{4, 8, 8} << false << 4.0 << 0.9 << 0.7
                              << "--sizes: size 8 is repeated";
    QTest::newRow("fractional width") << "cnn" << QList<double>{4, 8.5} << false << 4.0 << 0.9 << 0.7
                                      << "whole numbers, got 8.5";
    QTest::newRow("bad depth") << "resnet" << QList<double>{8, 12} << false << 4.0 << 0.9 << 0.7 << "6n+2";
    QTest::newRow("distill without a teacher") << "cnn" << QList<double>{8} << true << 4.0 << 0.9 << 0.7
                                               << "--distill: the teacher is the largest size";
    QTest::newRow("temperature 0") << "cnn" << QList<double>{4, 8} << true << 0.0 << 0.9 << 0.7
                                   << "--temperature: the distillation temperature must be positive, got 0";
    QTest::newRow("negative temperature") << "cnn" << QList<double>{4, 8} << true << -1.0 << 0.9 << 0.7
                                          << "--temperature";
    QTest::newRow("alpha over 1") << "cnn" << QList<double>{4, 8} << true << 4.0 << 1.5 << 0.7
                                  << "--alpha: the distillation weight must lie in [0, 1], got 1.5";
    QTest::newRow("negative alpha") << "cnn" << QList<double>{4, 8} << true << 4.0 << -0.1 << 0.7 << "--alpha";
    QTest::newRow("ratio 1") << "cnn" << QList<double>{4, 8} << false << 4.0 << 0.9 << 1.0
                             << "--ratio: a ratio of 1 trains every member on every example";
}

void TestSweep::configErrors()
{
    QFETCH(QString, model);
    QFETCH(QList<double>, sizes);
    QFETCH(bool, distill);
    QFETCH(double, temperature);
    QFETCH(double, alpha);
    QFETCH(double, ratio);
    QFETCH(QString, message);
    SweepConfig c = tinySweep(m_data, path("bad.h5"));
    c.base.model.arch = model.toStdString();
    c.sizes = toStd(sizes);
    c.distill = distill;
    c.temperature = temperature;
    c.alpha = alpha;
    c.base.study.ratio = ratio;
    PDS_VERIFY_MESSAGE(messageOf<ConfigError>([&] { SweepJob job(c); }), message);
    QVERIFY(!QFile::exists(path("bad.h5")));
    QVERIFY(!QDir(path("bad.members")).exists());
}

void TestSweep::otherConfigurationRefused()
{
    SweepConfig c = tinySweep(m_data, path("refused.h5"));
    SweepConfig other = c;
    other.base.train.epochs = 3;
    QCOMPARE(QString::fromStdString(sweepConfigDifference(c, other)), QStringLiteral("train.epochs: 1 → 3"));
    other = c;
    other.sizes = {4, 8};
    QCOMPARE(QString::fromStdString(sweepConfigDifference(c, other)), QStringLiteral("sizes: 4,8,16 → 4,8"));
    other = c;
    other.rule.delta = 0.2;
    other.base.train.threads = 2;
    QVERIFY2(sweepConfigDifference(c, other).empty(), "the rule and where members run may change");

    // A member file of another configuration is refused by the merge, naming the setting.
    SweepConfig tiny = c;
    tiny.base.model.arch = "mlp";
    tiny.base.model.mlpHiddenLayers = 1;
    tiny.sizes = {4, 8};
    tiny.base.study.models = 2;
    CancelToken cancel;
    for (int s = 0; s < 2; ++s)
        for (int m = 0; m < 2; ++m) {
            RunConfig member = sweepMemberConfig(tiny, s, m, false);
            if (s == 1 && m == 1)
                member.train.lr = 0.01;
            QDir().mkpath(QFileInfo(QString::fromStdString(member.output)).path());
            RunJob(member).run(nullptr, cancel);
        }
    PDS_VERIFY_MESSAGE(messageOf<StoreError>([&] { mergeSweep(tiny); }),
                       "s01_m001.h5: member was trained with train.lr = 0.01 but the sweep asks for train.lr = 0.05");
    QVERIFY(!QFile::exists(path("refused.h5")));
}

void TestSweep::cliSweepEndToEnd()
{
    const QString out = path("cli-sweep.h5");
    const QStringList args{"sweep",    "--data-path", m_data,  "--format", "idx",      "--model", "mlp",
                           "--mlp-layers", "1",       "--sizes", "8,16,32", "--models", "3",     "--epochs",
                           "2",        "--threads",   "1",     "--device", "cpu",      "--k",     "3",
                           "--distill", "--jobs",     "2",     "-o",       out};
    const Outcome o = pdepth(args);
    QVERIFY2(o.exitCode == 0, qPrintable(describe(o)));
    QVERIFY2(o.out.contains("15 members trained, 0 reused"), qPrintable(describe(o)));
    const Outcome again = pdepth(args);
    QVERIFY2(again.exitCode == 0 && again.out.contains("0 members trained, 15 reused"), qPrintable(describe(again)));

    const SweepReader reader(out.toStdString());
    const SweepData &d = reader.data();
    QCOMPARE(int(d.sizes.size()), 3);
    QCOMPARE(d.sizes[2].arch, std::string("mlp"));
    QVERIFY(d.sizes[0].hasDistilled && d.sizes[1].hasDistilled && !d.sizes[2].hasDistilled);
    QCOMPARE(d.labels.size(), std::size_t(120));
    QCOMPARE(d.memberFiles.size(), std::size_t(15));

    // Read back with h5py: mem = P_in − P_out, se from its formula, the types and the distilled students.
    bool ok = false;
    const QString py = runPython(QStringLiteral(R"(
import h5py, numpy as np
f = h5py.File(%1, 'r')
assert f.attrs['format'] == 'pdepth-sweep', f.attrs['format']
g = f['sweep']
assert list(g['size_values'][()]) == [8.0, 16.0, 32.0]
names = list(g.attrs['trajectory_names'])
assert names == ['constant', 'decreasing', 'increasing', 'cap-shaped', 'undetermined'], names
for s in ['s00', 's01', 's02']:
    z = g['sizes'][s]
    p_in, p_out, m_in, m_out = z['p_in'][()], z['p_out'][()], z['m_in'][()], z['m_out'][()]
    assert (m_in + m_out == 3).all()
    ok = (m_in > 0) & (m_out > 0)
    assert np.allclose(z['mem'][()][ok], (p_in - p_out)[ok])
    se = np.sqrt(p_in * (1 - p_in) / np.maximum(m_in, 1) + p_out * (1 - p_out) / np.maximum(m_out, 1))
    assert np.allclose(z['se'][()][ok], se[ok], atol=1e-6)
    assert z['proxies'].shape == (8, 120)
assert 'distilled' in g['sizes']['s00'] and 'distilled' not in g['sizes']['s02']
assert g['sizes']['s00']['distilled']['by_type']['mem_plain'].shape == (5,)
assert abs(g['type_shares'][()].sum() - 1) < 1e-9
print('types', int((g['trajectory'][()] < 5).sum()), 'dataset', f['dataset'].attrs['class_names'].shape[0])
)").arg("'" + out + "'"), &ok);
    QVERIFY2(ok, qPrintable(py));
    QVERIFY2(py.contains("types 120 dataset 4"), qPrintable(py));

    const Outcome info = pdepth({"info", out});
    QVERIFY2(info.exitCode == 0, qPrintable(describe(info)));
    for (const QString &part : {QStringLiteral("trajectory shares (delta 0.1, z 2)"), QStringLiteral("cap-shaped"),
                                QStringLiteral("Spearman with mem"), QStringLiteral("distilled from size 32")})
        QVERIFY2(info.out.contains(part), qPrintable(info.out));
    const QString csv = path("cli-sweep.csv");
    const Outcome e = pdepth({"export", out, "--csv", csv});
    QVERIFY2(e.exitCode == 0, qPrintable(describe(e)));
    QFile f(csv);
    QVERIFY(f.open(QIODevice::ReadOnly | QIODevice::Text));
    const QString header = QString::fromUtf8(f.readLine());
    QVERIFY2(header.startsWith("index,label,trajectory,s8_p_in,s8_p_out,s8_m_in,s8_m_out,s8_mem,s8_se,s8_depth_val"),
             qPrintable(header));
    QVERIFY2(header.contains("s16_distilled_mem") && !header.contains("s32_distilled"), qPrintable(header));
    int rows = 0;
    while (!f.readLine().isEmpty())
        ++rows;
    QCOMPARE(rows, 120);

    // Rerun with another setting into the same output: refused, nothing changes.
    const QDir members(path("cli-sweep.members"));
    const QStringList before = members.entryList(QDir::Files, QDir::Name);
    const QByteArray sweepBefore = [&] {
        QFile sweepFile(out);
        return sweepFile.open(QIODevice::ReadOnly) ? sweepFile.readAll() : QByteArray();
    }();
    QVERIFY(!sweepBefore.isEmpty());
    QStringList changed = args;
    changed[changed.indexOf("--epochs") + 1] = "3";
    const Outcome refused = pdepth(changed);
    QVERIFY2(refused.exitCode == 2, qPrintable(describe(refused)));
    PDS_VERIFY_MESSAGE(refused.err, "holds a sweep of another configuration (train.epochs: 2 → 3)");
    QCOMPARE(members.entryList(QDir::Files, QDir::Name), before);
    QFile sweepAfter(out);
    QVERIFY(sweepAfter.open(QIODevice::ReadOnly));
    QVERIFY2(sweepAfter.readAll() == sweepBefore, "the refused rerun changed the sweep file");
}

void TestSweep::cliErrorsWriteNothing_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<QString>("message");
    QTest::newRow("one size") << QStringList{"--sizes", "8"} << "--sizes: a sweep needs at least two sizes";
    QTest::newRow("not increasing") << QStringList{"--sizes", "16,8"} << "--sizes: sizes must be strictly increasing";
    QTest::newRow("repeated") << QStringList{"--sizes", "8,8,16"} << "--sizes: size 8 is repeated";
    QTest::newRow("not a number") << QStringList{"--sizes", "8,x"} << "--sizes: 'x' is not a number";
    QTest::newRow("distill, one size") << QStringList{"--sizes", "8", "--distill"} << "--distill:";
    QTest::newRow("temperature") << QStringList{"--sizes", "8,16", "--distill", "--temperature", "0"}
                                 << "--temperature";
    QTest::newRow("alpha") << QStringList{"--sizes", "8,16", "--distill", "--alpha", "1.1"} << "--alpha";
    QTest::newRow("negative temperature") << QStringList{"--sizes", "8,16", "--distill", "--temperature=-1"}
                                          << "--temperature: the distillation temperature must be positive, got -1";
    QTest::newRow("negative alpha") << QStringList{"--sizes", "8,16", "--distill", "--alpha=-0.1"}
                                    << "--alpha: the distillation weight must lie in [0, 1], got -0.1";
    QTest::newRow("ratio 1") << QStringList{"--sizes", "8,16", "--ratio", "1"} << "--ratio: a ratio of 1";
    QTest::newRow("no sizes") << QStringList{} << "--sizes is required";
}

void TestSweep::cliErrorsWriteNothing()
{
    QFETCH(QStringList, options);
    QFETCH(QString, message);
    const QString out = path("cli-bad.h5");
    const Outcome o = pdepth(QStringList{"sweep", "--data-path", m_data, "--format", "idx", "--model", "mlp",
                                         "--device", "cpu", "-o", out}
                             + options);
    QVERIFY2(o.exitCode == 2, qPrintable(describe(o)));
    PDS_VERIFY_MESSAGE(o.err, message);
    QVERIFY(!QFile::exists(out));
    QVERIFY(!QDir(path("cli-bad.members")).exists());
}

QTEST_GUILESS_MAIN(TestSweep)
#include "tst_sweep.moc"
