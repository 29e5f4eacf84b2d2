#include "studiofixture.h"

#include "study/study.h"
#include "testsupport.h"
#include "train/runjob.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest/QtTest>

namespace pds::test {
namespace {

QTemporaryDir &fixtureDir()
{
    static QTemporaryDir dir;
    return dir;
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

} // namespace pds::test
