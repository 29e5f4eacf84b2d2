#include "models/rundocument.h"
#include "studiofixture.h"

#include "store/runreader.h"
#include "train/runjob.h"
#include "util/error.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QSignalSpy>
#include <QThread>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>

using namespace pds;

/// RunDocument against the file read directly through RunReader.
class TestRunDocument : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void studyColumnsMatchTheFile();
    void singleRunSplitsDepthByTraining();
    void perModelArraysMatchTheFile();
    void thresholdsRegroupAtOnce();
    void imagesComeFromTheDataset();
    void embeddingsCoverBothSplits();
    void missingEmbeddingsNameThePath();
    void badFileGivesAClearError();
    void reloadKeepsThresholds();
    void killedRunOpensWithItsFinishedEpochs();
};

void TestRunDocument::studyColumnsMatchTheFile()
{
    const QString path = test::studyFixture();
    RunDocument doc(path);
    RunReader reader(path.toStdString());
    QVERIFY(doc.isStudy());
    QCOMPARE(doc.modelCount(), 4);
    QCOMPARE(doc.size(), reader.summary().trainSize + reader.summary().testSize);
    QCOMPARE(doc.numClasses(), 4);
    QVERIFY(doc.probeCount() > 2);
    const auto trainDepth = reader.summaryColumn("train", "depth_val_mean");
    const auto testDepth = reader.summaryColumn("test", "depth_val_mean");
    const ScoreColumn *col = doc.column(QStringLiteral("depth_val"));
    QVERIFY(col);
    QCOMPARE(col->values.size(), static_cast<std::size_t>(doc.size()));
    for (std::size_t i = 0; i < trainDepth.size(); ++i)
        QCOMPARE(col->values[i], trainDepth[i]);
    for (std::size_t i = 0; i < testDepth.size(); ++i)
        QCOMPARE(col->values[trainDepth.size() + i], testDepth[i]);
    // Test examples are never trained on: their train-split depth is undefined.
    const ScoreColumn *train = doc.column(QStringLiteral("depth_train"));
    QVERIFY(train);
    QVERIFY(std::isnan(train->values.back()));
    for (const char *name : {"consistency", "memorisation", "iteration_learned", "forgetting_events", "confidence",
                             "variability", "loss", "label_issue", "ambiguity", "rarity", "easiness",
                             "iteration_learned_held_out", "confidence_held_out"})
        QVERIFY2(doc.column(QString::fromLatin1(name)), name);
    // A study's dynamics columns are over the models that trained on each example.
    const auto trainedIl = reader.summaryColumn("train", "train_split/iteration_learned");
    for (std::size_t i = 0; i < trainedIl.size(); ++i)
        QVERIFY(doc.column(QStringLiteral("iteration_learned"))->values[i] == trainedIl[i]
                || (std::isnan(trainedIl[i]) && std::isnan(doc.column(QStringLiteral("iteration_learned"))->values[i])));
    QVERIFY(!doc.scoresRecomputed());
    const auto groups = reader.summaryColumn("train", "group");
    for (std::size_t i = 0; i < groups.size(); ++i)
        QCOMPARE(int(doc.groups()[i]), int(groups[i]));
    QCOMPARE(doc.exampleName(doc.trainSize() + 3), QStringLiteral("test 3"));
}

void TestRunDocument::singleRunSplitsDepthByTraining()
{
    const QString path = test::runFixture();
    RunDocument doc(path);
    RunReader reader(path.toStdString());
    QVERIFY(!doc.isStudy());
    QVERIFY(!doc.hasGroups());
    const auto depth = reader.depth(0, "train");
    const auto inTrain = reader.inTrain(0);
    const ScoreColumn *train = doc.column(QStringLiteral("depth_train"));
    const ScoreColumn *val = doc.column(QStringLiteral("depth_val"));
    QVERIFY(train && val);
    for (std::size_t i = 0; i < depth.size(); ++i) {
        QCOMPARE(inTrain[i] ? train->values[i] : val->values[i], depth[i]);
        QVERIFY(std::isnan(inTrain[i] ? val->values[i] : train->values[i]));
    }
    QVERIFY(doc.column(QStringLiteral("correctness")));
}

void TestRunDocument::perModelArraysMatchTheFile()
{
    const QString path = test::studyFixture();
    RunDocument doc(path);
    RunReader reader(path.toStdString());
    std::vector<std::int64_t> dims;
    const auto knn = reader.readInts("models/m001/probes/knn_pred_test", &dims);
    const auto depth = reader.readInts("models/m001/probes/depth_test");
    const std::int64_t example = doc.trainSize() + 5;
    const auto preds = doc.knnPredictions(1, example);
    QCOMPARE(preds.size(), std::size_t(dims[0]));
    for (std::size_t l = 0; l < preds.size(); ++l)
        QCOMPARE(preds[l], knn[l * dims[1] + 5]);
    QCOMPARE(doc.depth(1, example), depth[5]);
    QVERIFY(!doc.trainedOn(1, example));
    const auto inTrain = reader.inTrain(1);
    QCOMPARE(doc.trainedOn(1, 7), inTrain[7] != 0);
    const auto trace = doc.epochTrace(1, 7);
    QCOMPARE(int(trace.probGiven.size()), reader.summary().models[1].epochsCompleted);
    const auto lastProb = reader.dynamicsRow(1, "train", "prob_given", int(trace.probGiven.size()) - 1);
    QCOMPARE(trace.probGiven.back(), lastProb[7]);
    QCOMPARE(doc.probeAccuracy(1, ProbeCurve::ValidationAccuracy).size(), std::size_t(doc.probeCount()));
    QVERIFY_THROWS_EXCEPTION(Error, doc.depth(9, 0));
}

void TestRunDocument::thresholdsRegroupAtOnce()
{
    RunDocument doc(test::studyFixture());
    QSignalSpy spy(&doc, &RunDocument::groupsChanged);
    const auto stored = doc.groups();
    doc.setThresholds(doc.thresholds());
    QCOMPARE(spy.count(), 1);
    QVERIFY(doc.groups() == stored); // the file's thresholds reproduce the file's groups
    GroupThresholds strict = doc.thresholds();
    strict.easiness = 1.5; // no example can be easy enough
    doc.setThresholds(strict);
    for (auto g : doc.groups())
        QVERIFY(g != static_cast<std::int8_t>(DifficultyGroup::Easy));
    GroupThresholds loose = doc.thresholds();
    loose.easiness = -1.0; // every example with a held-out model is easy enough…
    loose.labelIssue = 2.0; // …and none is in an earlier group
    loose.rarity = 2.0;
    loose.ambiguity = 2.0;
    doc.setThresholds(loose);
    int easy = 0;
    for (std::size_t i = 0; i < doc.groups().size(); ++i)
        easy += doc.groups()[i] == static_cast<std::int8_t>(DifficultyGroup::Easy);
    const ScoreColumn *val = doc.column(QStringLiteral("depth_val"));
    int withHeldOut = 0;
    for (float v : val->values)
        withHeldOut += !std::isnan(v);
    QCOMPARE(easy, withHeldOut);
}

void TestRunDocument::imagesComeFromTheDataset()
{
    RunDocument doc(test::studyFixture());
    const QImage img = doc.image(doc.trainSize() + 2);
    QVERIFY2(!img.isNull(), qPrintable(doc.imageError()));
    QCOMPARE(img.size(), QSize(12, 12));
    // Synthetic classes are bright squares on noise: the image is not flat.
    int lo = 255, hi = 0;
    for (int y = 0; y < 12; ++y)
        for (int x = 0; x < 12; ++x) {
            lo = std::min(lo, qGray(img.pixel(x, y)));
            hi = std::max(hi, qGray(img.pixel(x, y)));
        }
    QVERIFY(hi - lo > 50);
    QVERIFY(doc.image(-1).isNull());
    QVERIFY(doc.image(doc.size()).isNull());
}

void TestRunDocument::embeddingsCoverBothSplits()
{
    RunDocument doc(test::studyFixture());
    QVERIFY(doc.hasEmbeddings(0));
    int dim = 0;
    const auto e = doc.embeddings(0, doc.probeCount() - 1, &dim);
    QCOMPARE(dim, doc.numClasses()); // the logits probe
    QCOMPARE(e.size(), std::size_t(doc.size()) * std::size_t(dim));
}

void TestRunDocument::missingEmbeddingsNameThePath()
{
    QTemporaryDir dir;
    RunConfig c = test::fixtureConfig();
    c.study.probe = true;
    c.study.embeddings = "none";
    c.output = dir.filePath(QStringLiteral("no-embeddings.h5")).toStdString();
    CancelToken cancel;
    RunJob(c).run(nullptr, cancel);
    RunDocument doc(QString::fromStdString(c.output));
    QVERIFY(!doc.hasEmbeddings(0));
    try {
        doc.embeddings(0, 0, nullptr);
        QFAIL("read embeddings that are not stored");
    } catch (const Error &e) {
        const QString message = QString::fromStdString(e.what());
        QVERIFY2(message.contains(QStringLiteral("models/m000/embeddings/train/input' is missing")), e.what());
    }
    QVERIFY_THROWS_EXCEPTION(Error, doc.embeddings(0, doc.probeCount(), nullptr));
}

void TestRunDocument::badFileGivesAClearError()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("not-a-run.h5"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("this is not HDF5");
    f.close();
    try {
        RunDocument doc(path);
        QFAIL("opened a file that is not HDF5");
    } catch (const Error &e) {
        QVERIFY2(QString::fromStdString(e.what()).contains(path), e.what());
    }
}

void TestRunDocument::reloadKeepsThresholds()
{
    RunDocument doc(test::studyFixture());
    GroupThresholds t = doc.thresholds();
    t.easiness = 1.5;
    doc.setThresholds(t);
    const auto regrouped = doc.groups();
    QSignalSpy spy(&doc, &RunDocument::reloaded);
    doc.reload();
    QCOMPARE(spy.count(), 1);
    QCOMPARE(doc.thresholds().easiness, 1.5);
    QVERIFY(doc.groups() == regrouped);
}

void TestRunDocument::killedRunOpensWithItsFinishedEpochs()
{
    // A run killed with SIGKILL leaves its `.part` file: the Studio opens it as a
    // live run with every finished epoch (docs/reliability.md).
    QTemporaryDir dir;
    const QString out = dir.filePath(QStringLiteral("killed.h5"));
    QProcess p;
    p.start(qEnvironmentVariable("PDS_PDEPTH"),
            {QStringLiteral("train"), QStringLiteral("--data-path"), test::fixtureDataset(), QStringLiteral("--format"),
             QStringLiteral("idx"), QStringLiteral("--model"), QStringLiteral("mlp"), QStringLiteral("--epochs"),
             QStringLiteral("400"), QStringLiteral("--device"), QStringLiteral("cpu"), QStringLiteral("--batch"),
             QStringLiteral("8"), QStringLiteral("-o"), out});
    QVERIFY2(p.waitForStarted(), qPrintable(p.errorString()));
    // Wait until two epochs are on disk.
    QElapsedTimer clock;
    clock.start();
    int epochs = 0;
    while (epochs < 2 && clock.elapsed() < 60000 && p.state() != QProcess::NotRunning) {
        QThread::msleep(50);
        try {
            if (QFile::exists(out + QStringLiteral(".part")))
                epochs = RunDocument(out + QStringLiteral(".part")).summary().models.at(0).epochsCompleted;
        } catch (const std::exception &) {
            // The header may not be complete yet.
        }
    }
    QVERIFY2(p.state() != QProcess::NotRunning, "the run ended before it could be killed");
    p.kill(); // SIGKILL
    p.waitForFinished();
    RunDocument doc(out + QStringLiteral(".part"));
    QVERIFY(doc.isLive());
    QCOMPARE(QString::fromStdString(doc.summary().status), QStringLiteral("running"));
    QVERIFY(doc.summary().models.at(0).epochsCompleted >= 2);
    QCOMPARE(int(doc.summary().models.at(0).curves.size()), doc.summary().models.at(0).epochsCompleted);
    QVERIFY(doc.column(QStringLiteral("loss"))); // per-epoch dynamics of finished epochs
    QVERIFY(!doc.epochTrace(0, 0).probGiven.empty());
}

QTEST_MAIN(TestRunDocument)
#include "tst_rundocument.moc"
