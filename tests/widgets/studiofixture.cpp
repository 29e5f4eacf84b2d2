#include "studiofixture.h"

#include "data/catalogue.h"
#include "probe/probestage.h"
#include "runfixtures.h"
#include "store/runformat.h"
#include "store/runwriter.h"
#include "study/study.h"
#include "testsupport.h"
#include "train/runjob.h"

#include <QDir>
#include <QRectF>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>
#include <map>
#include <set>

namespace pds::test {
namespace {

QTemporaryDir &fixtureDir()
{
    static QTemporaryDir dir;
    return dir;
}

/// IEEE half-precision bits of a whole number 0..2047 (exact in float16).
std::uint16_t halfOf(int v)
{
    if (v == 0)
        return 0;
    int e = 0;
    while ((2 << e) <= v)
        ++e;
    const int mantissa = (v - (1 << e)) * 1024 / (1 << e);
    return static_cast<std::uint16_t>(((e + 15) << 10) | mantissa);
}

std::vector<std::uint16_t> halfBits(const std::vector<int> &values)
{
    std::vector<std::uint16_t> bits;
    for (int v : values)
        bits.push_back(halfOf(v));
    return bits;
}

} // namespace

RunConfig fixtureConfig()
{
    RunConfig c;
    c.dataset.name = "synthetic";
    c.dataset.path = fixtureDataset().toStdString();
    c.dataset.format = "idx";
    c.noise.kind = NoiseSpec::Kind::Symmetric;
    c.noise.fraction = 0.1;
    c.model.arch = "mlp";
    c.model.mlpHiddenLayers = 2;
    c.model.mlpHiddenUnits = 32;
    c.train.epochs = 3;
    c.train.batchSize = 16;
    c.train.lr = 0.05;
    c.train.device = DeviceChoice::Cpu;
    c.study.k = 5;
    c.study.embeddings = "all";
    return c;
}

void useFreshSettings(const QString &application)
{
    static QTemporaryDir config;
    qputenv("XDG_CONFIG_HOME", config.path().toUtf8());
    QCoreApplication::setOrganizationName(QStringLiteral("pds-test"));
    QCoreApplication::setApplicationName(application);
    QSettings().clear();
}

QString failures(const QSignalSpy &failed)
{
    QStringList out;
    for (const auto &args : failed)
        out << args.at(0).toString();
    return out.join(QStringLiteral("; "));
}

QSet<QRgb> coloursOf(const QImage &image, int step)
{
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += step)
        for (int x = 0; x < image.width(); x += step)
            colours.insert(image.pixel(x, y));
    return colours;
}

QString fixtureDataset()
{
    const QString dir = fixtureDir().filePath("data");
    if (!QFileInfo::exists(dir + "/train-images-idx3-ubyte.gz")) {
        QDir().mkpath(dir);
        writeSyntheticIdx(dir.toStdString(), 4, 24, 8);
    }
    return dir;
}

QString studyFixture()
{
    const QString path = fixtureDir().filePath("study.h5");
    if (!QFileInfo::exists(path)) {
        RunConfig c = fixtureConfig();
        c.study.models = 4;
        c.study.ratio = 0.5;
        c.study.probe = true;
        c.output = path.toStdString();
        CancelToken cancel;
        StudyJob(c).run(nullptr, cancel);
    }
    return path;
}

QString runFixture()
{
    const QString path = fixtureDir().filePath("run.h5");
    if (!QFileInfo::exists(path)) {
        RunConfig c = fixtureConfig();
        c.study.probe = true;
        c.output = path.toStdString();
        CancelToken cancel;
        RunJob(c).run(nullptr, cancel);
    }
    return path;
}

QString handMadeRun(HandMade kind)
{
    const char *names[] = {"handmade-probed.h5", "handmade-noprobes.h5", "handmade-training.h5"};
    const QString path = fixtureDir().filePath(QString::fromLatin1(names[int(kind)]));
    const QString written = kind == HandMade::StillTraining ? path + QString::fromLatin1(runformat::kPartialSuffix) : path;
    if (QFileInfo::exists(written))
        return written;
    const QString data = fixtureDir().filePath("handmade-data");
    QDir().mkpath(data);
    writeSyntheticIdx(data.toStdString(), 2, 4, 2);
    RunConfig c = fixtureConfig();
    c.dataset.path = data.toStdString();
    c.noise.kind = NoiseSpec::Kind::None;
    c.study.k = 3;
    c.study.probe = kind != HandMade::WithoutProbes;
    const std::string json = toJson(c);
    const Dataset dataset = loadDataset(c.dataset);
    const std::size_t nTrain = dataset.train.labels.size(), nTest = dataset.test.labels.size();

    // The still-training file is a copy of the writer's .part file taken mid-run.
    RunWriter w((kind == HandMade::StillTraining ? path + QStringLiteral(".writer.h5") : path).toStdString(), json);
    w.writeHeader(json, dataset, channelStats(dataset.train, 1, dataset.height, dataset.width), 0);
    ModelInfo info;
    info.arch = "mlp";
    info.seed = 1;
    info.epochsPlanned = 1;
    info.device = "cpu";
    info.probeNames = {"p0", "p1"};
    info.inTrain = {1, 1, 1, 1, 1, 1, 0, 1};
    w.beginModel(0, info);
    w.appendEpoch(0, curve(1), record(1, nTrain), record(1, nTest));
    if (kind == HandMade::StillTraining) {
        QFile::copy(QString::fromStdString(w.partialPath()), written);
        return written;
    }
    if (kind == HandMade::Probed) {
        w.writeEmbedding(0, "p0", "train", halfBits({40, 48, 23, 54, 38, 16, 19, 50}).data(), 8, 1);
        w.writeEmbedding(0, "p0", "test", halfBits({48, 13, 3, 16}).data(), 4, 1);
        w.writeEmbedding(0, "p1", "train", halfBits({39, 284, 34, 286, 41, 279, 55, 268}).data(), 8, 1);
        w.writeEmbedding(0, "p1", "test", halfBits({13, 297, 42, 284}).data(), 4, 1);
        ProbeResults r;
        r.probeNames = info.probeNames;
        r.reductions = {{"p0", {1}, {1}}, {"p1", {1}, {1}}};
        r.probes = 2;
        // Row-major [probe, example]: p0's votes, then p1's (which equal the labels).
        r.trainKnn = {1, 1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1};
        r.testKnn = {1, 0, 0, 0, 0, 1, 0, 1};
        r.trainDepth = {1, 0, 0, 0, 1, 1, 0, 0};
        r.testDepth = {1, 1, 0, 1};
        r.trainAccuracy = r.trainAgreement = {0.5, 1.0};
        r.validationAccuracy = r.validationAgreement = {0.4, 1.0};
        w.writeProbes(0, r, 3, 4096);
    }
    w.finishModel(0, scores(nTrain, 0.f), scores(nTest, 0.f), std::vector<float>(nTrain * 2, 0.5f),
                  std::vector<float>(nTest * 2, 0.5f), 2, runformat::kStatusComplete, 1.0);
    w.finish(runformat::kStatusComplete);
    return path;
}

} // namespace pds::test
