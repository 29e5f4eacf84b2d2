#include "study/memberconfig.h"
#include "train/config.h"

#include <QtTest/QtTest>

#include <functional>

using namespace pds;

namespace {

using Change = std::function<void(RunConfig &)>;

RunConfig member(int index)
{
    RunConfig c;
    c.dataset.name = "fashion-mnist";
    c.study.models = 4;
    c.study.ratio = 0.5;
    c.study.probe = true;
    c.study.member = index;
    c.output = "study.members/m00" + std::to_string(index) + ".h5";
    return c;
}

} // namespace

Q_DECLARE_METATYPE(Change)

class TestMemberConfig : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void settingsThatSplitAStudy_data()
    {
        QTest::addColumn<Change>("change");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("first");
        QTest::addColumn<QString>("other");
        QTest::newRow("k") << Change([](RunConfig &c) { c.study.k = 20; }) << "study.k" << "30" << "20";
        QTest::newRow("pooling limit") << Change([](RunConfig &c) { c.study.maxFeatures = 1024; })
                                       << "study.max_features" << "4096" << "1024";
        QTest::newRow("ratio") << Change([](RunConfig &c) { c.study.ratio = 0.25; }) << "study.ratio" << "0.5" << "0.25";
        QTest::newRow("ensemble size") << Change([](RunConfig &c) { c.study.models = 8; }) << "study.models" << "4" << "8";
        QTest::newRow("regime") << Change([](RunConfig &c) { c.train.regime = Regime::Llf; }) << "train.regime"
                                << "\"standard\"" << "\"llf\"";
        QTest::newRow("epochs") << Change([](RunConfig &c) { c.train.epochs = 3; }) << "train.epochs" << "10" << "3";
        QTest::newRow("dataset") << Change([](RunConfig &c) { c.dataset.name = "mnist"; }) << "dataset.name"
                                 << "\"fashion-mnist\"" << "\"mnist\"";
        QTest::newRow("limit") << Change([](RunConfig &c) { c.limit = 500; }) << "dataset.limit" << "0" << "500";
        QTest::newRow("model") << Change([](RunConfig &c) { c.model.arch = "resnet18"; }) << "model.arch"
                               << "\"cnn\"" << "\"resnet18\"";
        QTest::newRow("seed") << Change([](RunConfig &c) { c.train.seed = 7; }) << "train.seed" << "0" << "7";
        QTest::newRow("noise") << Change([](RunConfig &c) { c.noise.fraction = 0.1; }) << "noise.fraction" << "0.0"
                               << "0.1";
    }
    void settingsThatSplitAStudy()
    {
        QFETCH(Change, change);
        QFETCH(QString, key);
        QFETCH(QString, first);
        QFETCH(QString, other);
        RunConfig a = member(0), b = member(1);
        change(b);
        const SettingDifference d = studySettingDifference(a, b);
        QVERIFY(d.any());
        QCOMPARE(QString::fromStdString(d.key), key);
        QCOMPARE(QString::fromStdString(d.first), first);
        QCOMPARE(QString::fromStdString(d.other), other);
    }

    void settingsMembersMayDifferIn()
    {
        RunConfig a = member(0), b = member(3);
        b.train.device = DeviceChoice::Cpu;
        b.train.threads = 3;
        b.train.evalBatchSize = 4096;
        b.train.memoryFormat = MemoryFormat::Contiguous;
        b.train.cudnnBenchmark = false;
        b.study.embeddings = "all";
        b.dataset.path = "/elsewhere/fashion";
        const SettingDifference d = studySettingDifference(a, b);
        QVERIFY2(!d.any(), d.key.c_str());
    }
};

QTEST_GUILESS_MAIN(TestMemberConfig)
#include "tst_memberconfig.moc"
