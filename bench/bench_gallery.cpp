// Gallery speed on a 70,000-example study: opening the run, showing the
// gallery until its first thumbnails are painted, sorting by every score,
// filtering, linking a large selection, scrolling, and the exports.
//
// usage: bench_gallery [study.h5]
// Without an argument it writes a synthetic study over Fashion-MNIST (all
// 60,000 + 10,000 examples, 4 members, plausible random scores; images from
// /usr/share/datasets/fashion-mnist) through the core's RunWriter and
// mergeStudy, into $TMPDIR/pds-bench-gallery/ (reused by later runs). A real
// study works as well: pdepth study --limit 0 --epochs 1 --model mlp --models 2.

#include "models/exampleselection.h"
#include "models/rundocument.h"
#include "views/contactsheet.h"
#include "views/exampletableview.h"
#include "views/exampleview.h"
#include "views/galleryview.h"

#include "data/catalogue.h"
#include "probe/probestage.h"
#include "store/runwriter.h"
#include "study/study.h"
#include "train/config.h"
#include "train/dynamics.h"

#include "charts/vtkhost.h"
#include "mainwindow.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QListView>
#include <QScrollBar>
#include <QTableView>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <random>

using namespace pds;

namespace {

/// Writes member m of a synthetic study: each example has a latent difficulty
/// that drives its depth, its predictions and its learning curve.
void writeMember(const Dataset &data, const std::string &config, const std::vector<float> &difficulty,
                 int member, const std::string &path)
{
    constexpr int kEpochs = 3, kProbes = 4;
    const int classes = data.numClasses();
    std::mt19937 rng(1234u + static_cast<unsigned>(member));
    std::uniform_real_distribution<float> uniform(0.f, 1.f);
    auto other = [&](int label) { return (label + 1 + static_cast<int>(rng() % (classes - 1))) % classes; };

    RunWriter writer(path, config);
    writer.writeHeader(config, data, channelStats(data.train, data.channels, data.height, data.width), 0);
    ModelInfo info;
    info.arch = "mlp";
    info.seed = static_cast<std::uint64_t>(member);
    info.epochsPlanned = kEpochs;
    info.device = "cpu";
    info.probeNames = {"input", "block1", "block2", "logits"};
    info.inTrain.resize(static_cast<std::size_t>(data.train.size()));
    for (std::size_t i = 0; i < info.inTrain.size(); ++i)
        info.inTrain[i] = ((i * 2654435761u >> 7) + static_cast<std::size_t>(member)) % 2 == 0;
    writer.beginModel(0, info);
    writer.setMember(0, member);

    struct SplitData {
        const Split *split;
        std::size_t offset;
        std::vector<EpochRecord> epochs;
        std::vector<float> logits;
    };
    ProbeResults probes;
    probes.probeNames = info.probeNames;
    probes.probes = kProbes;
    for (const auto &name : info.probeNames)
        probes.reductions.push_back({name, {1, 28, 28}, {1, 28, 28}});
    probes.trainAccuracy = probes.trainAgreement = probes.validationAccuracy = probes.validationAgreement =
        std::vector<double>(kProbes, 0.8);
    SplitData splits[2] = {{&data.train, 0, {}, {}}, {&data.test, static_cast<std::size_t>(data.train.size()), {}, {}}};
    for (int s = 0; s < 2; ++s) {
        SplitData &sd = splits[s];
        const auto n = static_cast<std::size_t>(sd.split->size());
        auto &knn = s == 0 ? probes.trainKnn : probes.testKnn;
        auto &depth = s == 0 ? probes.trainDepth : probes.testDepth;
        knn.assign(kProbes * n, 0);
        depth.assign(n, 0);
        sd.epochs.resize(kEpochs);
        for (auto &e : sd.epochs)
            e.resize(n);
        sd.logits.assign(n * static_cast<std::size_t>(classes), 0.f);
        for (std::size_t i = 0; i < n; ++i) {
            const int label = sd.split->labels[i];
            const bool trained = s == 0 && info.inTrain[i];
            const float d = std::clamp(difficulty[sd.offset + i] + 0.15f * (uniform(rng) - 0.5f), 0.f, 1.f);
            const int dep = std::min(kProbes, static_cast<int>(d * (trained ? 3.f : 5.f)));
            depth[i] = dep;
            for (int p = 0; p < kProbes; ++p)
                knn[static_cast<std::size_t>(p) * n + i] = p >= dep ? label : other(label);
            for (int e = 0; e < kEpochs; ++e) {
                const float prob = std::clamp((1.f - d) * float(e + 1) / kEpochs + 0.1f * uniform(rng), 0.01f, 0.99f);
                EpochRecord &r = sd.epochs[static_cast<std::size_t>(e)];
                r.pred[i] = uniform(rng) < prob ? label : other(label);
                r.probGiven[i] = prob;
                r.margin[i] = std::log(prob / (1.f - prob));
                r.loss[i] = -std::log(prob);
                r.el2n[i] = 1.f - prob;
            }
            sd.logits[i * static_cast<std::size_t>(classes) + static_cast<std::size_t>(sd.epochs.back().pred[i])] = 5.f;
        }
    }
    for (int e = 0; e < kEpochs; ++e) {
        EpochCurve curve;
        curve.epoch = e + 1;
        curve.lr = 0.05;
        writer.appendEpoch(0, curve, splits[0].epochs[static_cast<std::size_t>(e)],
                           splits[1].epochs[static_cast<std::size_t>(e)]);
    }
    const ExampleScores train = computeScores(splits[0].epochs, data.train.labels, 0);
    const ExampleScores test = computeScores(splits[1].epochs, data.test.labels, 0);
    writer.finishModel(0, train, test, splits[0].logits, splits[1].logits, classes, "complete", 1.0);
    writer.writeProbes(0, probes, 30, 4096);
    writer.finish("complete");
}

QString syntheticStudy()
{
    const QString dir = QDir::temp().filePath(QStringLiteral("pds-bench-gallery"));
    const QString path = dir + QStringLiteral("/study.h5");
    if (QFileInfo::exists(path))
        return path;
    QDir().mkpath(dir);
    std::printf("writing a synthetic 70,000-example study to %s ...\n", qPrintable(path));
    QElapsedTimer t;
    t.start();
    RunConfig config;
    config.dataset.name = "fashion-mnist";
    config.model.arch = "mlp";
    config.study.models = 4;
    config.study.probe = true;
    config.output = path.toStdString();
    const Dataset data = loadDataset(config.dataset);
    std::vector<float> difficulty(static_cast<std::size_t>(data.train.size() + data.test.size()));
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> uniform(0.f, 1.f);
    for (float &d : difficulty)
        d = uniform(rng) * uniform(rng);
    constexpr int kMembers = 4;
    std::vector<std::string> members;
    for (int m = 0; m < kMembers; ++m) {
        members.push_back(memberPath(config.output, m));
        std::filesystem::create_directories(std::filesystem::path(members.back()).parent_path());
        writeMember(data, toJson(config), difficulty, m, members.back());
    }
    mergeStudy(members, config.output);
    std::printf("  written in %.1f s\n", t.elapsed() / 1000.0);
    return path;
}

double msSince(const QElapsedTimer &t)
{
    return t.nsecsElapsed() / 1e6;
}

/// Runs the event loop until `done` or `timeoutMs`; returns the milliseconds it took.
double waitUntil(const std::function<bool()> &done, int timeoutMs = 30000)
{
    QElapsedTimer t;
    t.start();
    while (!done() && t.elapsed() < timeoutMs)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    return msSince(t);
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    VtkHost::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    const QString path = argc > 1 ? QString::fromLocal8Bit(argv[1]) : syntheticStudy();

    QElapsedTimer t;
    t.start();
    RunDocument doc(path);
    const double openMs = msSince(t);
    std::printf("\n%s: %lld examples, %d models, %zu score columns\n", qPrintable(doc.title()),
                static_cast<long long>(doc.size()), doc.modelCount(), doc.columns().size());
    std::printf("%-44s %10s\n", "step", "ms");
    auto row = [](const QString &what, double ms) { std::printf("%-44s %10.1f\n", qPrintable(what), ms); };
    row(QStringLiteral("open RunDocument"), openMs);

    ExampleSelection selection;
    t.restart();
    GalleryView gallery(&selection);
    gallery.resize(1280, 900);
    gallery.setDocument(&doc);
    gallery.show();
    bool requested = false;
    QObject::connect(gallery.model(), &GalleryModel::thumbnailRequested, [&] { requested = true; });
    waitUntil([&] { return requested; });
    const double shownMs = msSince(t);
    row(QStringLiteral("gallery setDocument + show + first paint"), shownMs);
    row(QStringLiteral("  open + show (the < 1 s budget)"), openMs + shownMs);
    const int visible = std::min(40, gallery.model()->rowCount());
    waitUntil([&] { return gallery.model()->decodedCount() >= visible; });
    row(QStringLiteral("  first %1 thumbnails decoded (loads images)").arg(visible), msSince(t));
    gallery.view()->viewport()->repaint();

    double worstSort = 0;
    for (const ScoreColumn &c : doc.columns()) {
        for (Qt::SortOrder order : {Qt::AscendingOrder, Qt::DescendingOrder}) {
            t.restart();
            gallery.setSortColumn(c.name, order);
            gallery.view()->viewport()->repaint();
            const double ms = msSince(t);
            worstSort = std::max(worstSort, ms);
            if (order == Qt::DescendingOrder)
                row(QStringLiteral("sort %1 (desc) + repaint").arg(c.name), ms);
        }
    }
    row(QStringLiteral("  slowest sort (the < 100 ms budget)"), worstSort);

    ExampleFilter f;
    f.label = 6;
    t.restart();
    gallery.setFilter(f);
    gallery.view()->viewport()->repaint();
    row(QStringLiteral("filter class 6 + repaint"), msSince(t));
    f = {};
    f.search = QStringLiteral("train 1000-1999");
    t.restart();
    gallery.setFilter(f);
    gallery.view()->viewport()->repaint();
    row(QStringLiteral("filter search train 1000-1999 + repaint"), msSince(t));
    t.restart();
    gallery.setFilter({});
    gallery.view()->viewport()->repaint();
    row(QStringLiteral("clear filters + repaint"), msSince(t));

    gallery.setSortColumn(QStringLiteral("consistency"), Qt::AscendingOrder);
    std::vector<std::int64_t> scattered;
    for (std::int64_t e = 0; e < doc.size(); e += 10)
        scattered.push_back(e);
    t.restart();
    selection.setExamples(scattered, QStringLiteral("every tenth example"));
    gallery.view()->viewport()->repaint();
    row(QStringLiteral("link a 7,000-example scattered selection"), msSince(t));
    t.restart();
    selection.setExamples(scattered, QStringLiteral("every tenth example"), nullptr, true);
    gallery.view()->viewport()->repaint();
    row(QStringLiteral("  the same as a filter (selection only)"), msSince(t));
    t.restart();
    selection.clear();
    gallery.view()->viewport()->repaint();
    row(QStringLiteral("  clear it"), msSince(t));

    QScrollBar *bar = gallery.view()->verticalScrollBar();
    constexpr int kSteps = 200;
    double worstFrame = 0;
    t.restart();
    for (int s = 1; s <= kSteps; ++s) {
        QElapsedTimer frame;
        frame.start();
        bar->setValue(static_cast<int>(static_cast<qint64>(bar->maximum()) * s / kSteps));
        gallery.view()->viewport()->repaint();
        QCoreApplication::processEvents();
        worstFrame = std::max(worstFrame, msSince(frame));
    }
    row(QStringLiteral("scroll: mean frame over %1 jumps").arg(kSteps), msSince(t) / kSteps);
    row(QStringLiteral("scroll: worst frame"), worstFrame);
    row(QStringLiteral("  thumbnails decoded so far"), gallery.model()->decodedCount());

    ExampleTableView table(&selection);
    t.restart();
    table.setDocument(&doc);
    table.resize(1280, 400);
    table.show();
    QCoreApplication::processEvents();
    row(QStringLiteral("table setDocument + show"), msSince(t));
    t.restart();
    table.model()->sort(table.model()->columnOfKey(QStringLiteral("depth_val")), Qt::DescendingOrder);
    table.view()->viewport()->repaint();
    row(QStringLiteral("table sort depth_val + repaint"), msSince(t));

    const QString out = QDir::temp().filePath(QStringLiteral("pds-bench-gallery"));
    QDir().mkpath(out);
    QString error;
    t.restart();
    if (!gallery.exportCsv(out + QStringLiteral("/examples.csv"), &error))
        std::printf("CSV export failed: %s\n", qPrintable(error));
    row(QStringLiteral("CSV export of 70,000 rows"), msSince(t));
    t.restart();
    if (!gallery.exportContactSheet(out + QStringLiteral("/sheet.png"), &error))
        std::printf("contact sheet failed: %s\n", qPrintable(error));
    row(QStringLiteral("contact sheet, 64 examples, PNG"), msSince(t));
    t.restart();
    if (!gallery.exportContactSheet(out + QStringLiteral("/sheet.pdf"), &error))
        std::printf("contact sheet failed: %s\n", qPrintable(error));
    row(QStringLiteral("contact sheet, 64 examples, PDF"), msSince(t));
    gallery.setSortColumn(QStringLiteral("depth_val"), Qt::DescendingOrder);
    gallery.view()->viewport()->repaint();
    const int before = gallery.model()->decodedCount();
    waitUntil([&] { return gallery.model()->decodedCount() >= before + 40; }, 5000);
    gallery.grab().save(out + QStringLiteral("/gallery.png"));
    ExampleView detail(&selection);
    detail.setDocument(&doc);
    detail.resize(360, 900);
    t.restart();
    selection.setCurrent(gallery.model()->exampleAt(0));
    row(QStringLiteral("detail panel, first example shown"), msSince(t));
    detail.grab().save(out + QStringLiteral("/detail.png"));
    // The whole Studio (every view drawn) needs OpenGL: run under Xvfb with QT_QPA_PLATFORM=xcb.
    if (QGuiApplication::platformName() == QLatin1String("xcb")) {
        MainWindow window;
        window.resize(1600, 1000);
        window.show();
        for (int i = 0; i < 20; ++i)
            QApplication::processEvents();
        t.restart();
        window.openFile(path);
        QApplication::processEvents();
        row(QStringLiteral("Studio: open the run, every view drawn"), msSince(t));
    }
    std::printf("outputs in %s\n", qPrintable(out));
    return 0;
}
