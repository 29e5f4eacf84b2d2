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

QStringList figureProblems(const FigureGeometry &g)
{
    QStringList out;
    const QRectF figure(QPointF(0, 0), g.size);
    auto name = [](const FigureText &t) { return QStringLiteral("\"%1\"").arg(t.text); };
    auto rect = [](const QRectF &r) {
        return QStringLiteral("[%1,%2 %3×%4]").arg(r.x(), 0, 'f', 0).arg(r.y(), 0, 'f', 0).arg(r.width(), 0, 'f', 0).arg(r.height(), 0, 'f', 0);
    };
    if (g.texts.empty())
        out << QStringLiteral("no text drawn");
    // Texts inside the figure (a pixel of antialiasing aside).
    for (const FigureText &t : g.texts)
        if (!figure.adjusted(-1, -1, 1, 1).contains(t.box))
            out << QStringLiteral("%1 %2 leaves the %3×%4 figure").arg(name(t), rect(t.box)).arg(g.size.width()).arg(g.size.height());
    // Titles, axis titles and tick labels never overlap one another.
    for (std::size_t i = 0; i < g.texts.size(); ++i)
        for (std::size_t j = i + 1; j < g.texts.size(); ++j) {
            const FigureText &a = g.texts[i], &b = g.texts[j];
            if (a.kind == FigureText::Legend || b.kind == FigureText::Legend)
                continue;
            const QRectF overlap = a.box.adjusted(1, 1, -1, -1).intersected(b.box.adjusted(1, 1, -1, -1));
            if (!overlap.isEmpty())
                out << QStringLiteral("%1 %2 overlaps %3 %4").arg(name(a), rect(a.box), name(b), rect(b.box));
        }
    for (std::size_t p = 0; p < g.panels.size(); ++p) {
        const FigurePanel &panel = g.panels[p];
        // Distinct tick labels per axis.
        for (const QStringList &ticks : {panel.xTicks, panel.yTicks}) {
            const std::set<QString> distinct(ticks.begin(), ticks.end());
            if (distinct.size() != static_cast<std::size_t>(ticks.size()))
                out << QStringLiteral("panel %1 repeats tick labels: %2").arg(p).arg(ticks.join(QLatin1Char(' ')));
        }
        std::map<int, std::set<QString>> drawnTicks;
        for (const FigureText &t : g.texts)
            if (t.kind == FigureText::TickLabel && t.panel == static_cast<int>(p)
                && !drawnTicks[t.axis].insert(t.text).second)
                out << QStringLiteral("panel %1 draws tick label %2 twice").arg(p).arg(name(t));
        // The legend hides no marks and stays inside the figure.
        if (!panel.legend.isEmpty()) {
            if (!figure.adjusted(-1, -1, 1, 1).contains(panel.legend))
                out << QStringLiteral("panel %1 legend %2 leaves the figure").arg(p).arg(rect(panel.legend));
            int hidden = 0;
            for (const QPointF &m : panel.marks)
                hidden += panel.legend.adjusted(1, 1, -1, -1).contains(m) ? 1 : 0;
            if (hidden > 0)
                out << QStringLiteral("panel %1 legend %2 covers %3 plotted marks").arg(p).arg(rect(panel.legend)).arg(hidden);
        }
        // Data inside the axes, with at most 10 % of the axis as margin on a
        // side (0.6 of a step on axes whose ticks name categories: probes, models).
        if (!panel.data.valid)
            continue;
        auto categorical = [](const QStringList &ticks) {
            for (const QString &t : ticks) {
                bool number = false;
                QString(t).remove(QLatin1Char('%')).toDouble(&number);
                if (!number)
                    return true;
            }
            return false;
        };
        auto checkAxis = [&](const char *axis, double lo, double hi, double d0, double d1, bool named) {
            const double span = hi - lo, eps = 1e-6 * std::max(1.0, std::abs(span));
            if (d0 < lo - eps || d1 > hi + eps)
                out << QStringLiteral("panel %1 %2 axis %3..%4 cuts the data %5..%6").arg(p).arg(QLatin1String(axis)).arg(lo).arg(hi).arg(d0).arg(d1);
            if (d1 - d0 <= eps)
                return;
            const double allowed = std::max(0.1 * span, named ? 0.6 : 0.0) + eps;
            if (d0 - lo > allowed || hi - d1 > allowed)
                out << QStringLiteral("panel %1 %2 axis %3..%4 leaves more than 10 % around the data %5..%6")
                           .arg(p).arg(QLatin1String(axis)).arg(lo).arg(hi).arg(d0).arg(d1);
        };
        checkAxis("x", panel.xMin, panel.xMax, panel.data.x0, panel.data.x1, categorical(panel.xTicks));
        checkAxis("y", panel.yMin, panel.yMax, panel.data.y0, panel.data.y1, categorical(panel.yTicks));
    }
    return out;
}

} // namespace pds::test
