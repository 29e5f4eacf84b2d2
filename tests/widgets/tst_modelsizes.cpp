// The Model sizes view of a sweep file: opening it in the main window (the
// Model sizes dock), the sizes it shows, the trajectory bars that select and
// filter, the scatter's points, and every chart's figure as a reader judges
// it (the checks of tst_figures) in PNG, SVG and PDF. Renders with OpenGL:
// run under Xvfb.
#include "charts/figureinspect.h"
#include "charts/linechart.h"
#include "charts/sizescatterchart.h"
#include "charts/typeshareschart.h"
#include "figurechecks.h"
#include "mainwindow.h"
#include "models/exampleselection.h"
#include "models/gallerymodel.h"
#include "models/rundocument.h"
#include "models/sweepdocument.h"
#include "store/sweepfile.h"
#include "studiofixture.h"
#include "sweep/sweepconfig.h"
#include "training/trainingrunner.h"
#include "training/trainingwizard.h"
#include "views/galleryview.h"
#include "views/modelsizesview.h"

#include <QDockWidget>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QSvgRenderer>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>

using namespace pds;
using pds::test::figureProblems;

namespace {

constexpr int kExamples = 8;
// Trajectory per example: decreasing ×4, increasing, cap-shaped, constant, undetermined.
const std::uint8_t kTrajectory[kExamples] = {1, 1, 1, 2, 3, 0, 4, 1};

SweepEnsemble ensemble(int size, bool distilled)
{
    SweepEnsemble e;
    for (int i = 0; i < kExamples; ++i) {
        const float pIn = 0.95f - 0.05f * float(i % 3);
        float pOut = std::clamp(0.2f + 0.1f * float(size) + 0.05f * float(i) + (distilled ? 0.1f : 0.0f), 0.0f, 1.0f);
        const int m = 4;
        float mem = pIn - pOut;
        float se = std::sqrt(pIn * (1 - pIn) / m + pOut * (1 - pOut) / m);
        // Example 6 has no held-out member at the largest size: no estimate there.
        if (i == 6 && size == 2)
            pOut = mem = se = std::nanf("");
        e.pIn.push_back(pIn);
        e.pOut.push_back(pOut);
        e.mem.push_back(mem);
        e.se.push_back(se);
        e.mIn.push_back(m);
        e.mOut.push_back(i == 6 && size == 2 ? 0 : m);
    }
    e.testAccuracy = {0.7, 0.72};
    e.trainAccuracy = {0.9, 0.91};
    return e;
}

/// A hand-made sweep of 8 examples over widths 4, 8, 16 with students
/// distilled at 4 and 8, its /dataset copied from the hand-made run.
QString writeSweep(const QString &dir)
{
    SweepData d;
    d.configJson = "{}";
    d.model = "cnn";
    d.axis = "width";
    d.members = 2;
    d.ratio = 0.5;
    d.delta = 0.1;
    d.z = 2;
    d.distill = true;
    d.temperature = 4;
    d.alpha = 0.9;
    for (int i = 0; i < kExamples; ++i)
        d.labels.push_back(i % 2);
    d.trajectoryNames = {"constant", "decreasing", "increasing", "cap-shaped", "undetermined"};
    d.proxyNames = {"consistency", "loss"};
    d.trajectory.assign(kTrajectory, kTrajectory + kExamples);
    d.typeShares = {1.0 / 8, 4.0 / 8, 1.0 / 8, 1.0 / 8, 1.0 / 8};
    d.deltaGrid = {0.05, 0.1};
    d.sharesByDelta = {d.typeShares, d.typeShares};
    d.agreement = {0.75, 0.5};
    d.proxyTrajectory = {d.trajectory, d.trajectory};
    // The first member is gone; the second (the hand-made run, whose /dataset
    // the sweep copies) gives the gallery its images.
    d.memberFiles = {"m0.h5", test::handMadeRun(test::HandMade::Probed).toStdString()};
    const double widths[] = {4, 8, 16};
    for (int s = 0; s < 3; ++s) {
        SweepSize size;
        size.size = widths[s];
        size.arch = "cnn";
        size.plain = ensemble(s, false);
        size.proxies = {std::vector<float>(kExamples, 0.5f), std::vector<float>(kExamples, 1.0f)};
        size.spearman = {-0.9 + 0.1 * s, 0.4};
        size.hasDistilled = s < 2;
        if (size.hasDistilled) {
            size.distilled = ensemble(s, true);
            size.byType.count = {1, 4, 1, 1, 1};
            for (auto *column : {&size.byType.memPlain, &size.byType.memDistilled, &size.byType.pInPlain,
                                 &size.byType.pInDistilled, &size.byType.pOutPlain, &size.byType.pOutDistilled})
                column->assign(5, 0.5);
        }
        d.sizes.push_back(std::move(size));
    }
    const QString path = dir + QStringLiteral("/sweep.h5");
    writeSweepFile(path.toStdString(), d, test::handMadeRun(test::HandMade::Probed).toStdString());
    return path;
}

} // namespace

class TestModelSizes : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void opensIntoTheDock();
    void barsSelectAndFilter();
    void galleryWithoutMembers();
    void scatterPlotsEveryEstimate();
    void figures_data();
    void figures();
    void wizardBuildsTheSweep();
    void sweepStartedHereOpensWhenDone();

private:
    QTemporaryDir m_dir;
    QString m_sweep;
    std::unique_ptr<MainWindow> m_window;
};

void TestModelSizes::initTestCase()
{
    test::useFreshSettings(QStringLiteral("tst_modelsizes"));
    QVERIFY(m_dir.isValid());
    m_sweep = writeSweep(m_dir.path());
    QVERIFY(isSweepFile(m_sweep.toStdString()));
    m_window = std::make_unique<MainWindow>();
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestModelSizes::opensIntoTheDock()
{
    MainWindow &w = *m_window;
    QString error;
    QVERIFY2(w.openFile(m_sweep, &error), qPrintable(error));
    // A sweep is no run: it opens into the Model sizes dock, not the run list.
    QVERIFY(w.documents().empty());
    QVERIFY(w.sweepDocument());
    QCOMPARE(w.modelSizesView()->document(), w.sweepDocument());
    auto *dock = w.findChild<QDockWidget *>(QStringLiteral("sizes"));
    QVERIFY(dock && dock->isVisible());
    QCOMPARE(w.sweepDocument()->sizeLabels(), (QStringList{QStringLiteral("4"), QStringLiteral("8"), QStringLiteral("16")}));
    QVERIFY(QSettings().value(QStringLiteral("recentFiles")).toStringList().contains(QFileInfo(m_sweep).absoluteFilePath()));

    // Curves: mem, P_in, P_out plain (3 sizes, an error bar each) and distilled (2 sizes).
    ModelSizesView *view = w.modelSizesView();
    QCOMPARE(view->curvesChart()->seriesCount(), 3 * (1 + 3) + 3 * (1 + 2));
    QCOMPARE(int(view->curveExamples().size()), kExamples);
    QVERIFY(view->curvesChart()->figureTitle().contains(QStringLiteral("all 8")));

    QTableWidget *table = view->proxyTable();
    QCOMPARE(table->rowCount(), 2);
    QCOMPARE(table->columnCount(), 4);
    QCOMPARE(table->horizontalHeaderItem(2)->text(), QStringLiteral("ρ at 16"));
    QCOMPARE(table->item(0, 0)->text(), QStringLiteral("-0.90"));
    QCOMPARE(table->item(1, 3)->text(), QStringLiteral("0.50"));

    // A run still opens as a run beside it.
    QVERIFY2(w.openFile(test::handMadeRun(test::HandMade::Probed), &error), qPrintable(error));
    QCOMPARE(int(w.documents().size()), 1);
    QVERIFY(w.sweepDocument());
}

void TestModelSizes::barsSelectAndFilter()
{
    ModelSizesView *view = m_window->modelSizesView();
    ExampleSelection *selection = m_window->selection();
    QCOMPARE(view->sharesChart()->barCount(), 5);
    QCOMPARE(view->sharesChart()->share(1), 0.5);
    QSignalSpy changed(selection, &ExampleSelection::selectionChanged);
    // The sweep's own gallery shows its pool: the 8 train examples, not the test split.
    GalleryView *gallery = view->gallery();
    QVERIFY(m_window->sweepDocument()->pool());
    QCOMPARE(gallery->document(), m_window->sweepDocument()->pool());
    QCOMPARE(gallery->model()->rowCount(), kExamples);
    QVERIFY(!m_window->sweepDocument()->pool()->image(0).isNull());
    view->sharesChart()->clickBar(1);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.at(0).at(1).toBool(), true); // filters the gallery
    QCOMPARE(selection->examples(), (std::vector<std::int64_t>{0, 1, 2, 7}));
    QCOMPARE(gallery->model()->rowCount(), 4);
    const std::int64_t decreasing[] = {0, 1, 2, 7};
    for (int row = 0; row < 4; ++row)
        QCOMPARE(gallery->model()->exampleAt(row), decreasing[row]);
    view->sharesChart()->clickBar(3);
    QCOMPARE(gallery->model()->rowCount(), 1);
    QCOMPARE(gallery->model()->exampleAt(0), std::int64_t(4));
    view->sharesChart()->clickBar(1);
    QCOMPARE(view->curveExamples(), (std::vector<std::int64_t>{0, 1, 2, 7}));
    QVERIFY(view->curvesChart()->figureTitle().contains(QStringLiteral("4 selected")));
    QCOMPARE(view->scatterChart()->highlightedCount(), 4);
    // A selection made elsewhere reaches the view; examples beyond the sweep are ignored.
    selection->setExamples({3, 100}, QStringLiteral("elsewhere"));
    QCOMPARE(view->curveExamples(), (std::vector<std::int64_t>{3}));
    QCOMPARE(view->scatterChart()->highlightedCount(), 1);
    selection->clear();
    QCOMPARE(int(view->curveExamples().size()), kExamples);
    QCOMPARE(view->scatterChart()->highlightedCount(), 0);
}

void TestModelSizes::galleryWithoutMembers()
{
    // A sweep whose members are not beside it still opens; the view says why it has no gallery.
    QTemporaryDir away;
    QVERIFY(away.isValid());
    SweepData d = m_window->sweepDocument()->data();
    d.memberFiles = {"gone/s00_m000.h5"};
    const QString lonely = away.filePath(QStringLiteral("lonely.h5"));
    writeSweepFile(lonely.toStdString(), d, test::handMadeRun(test::HandMade::Probed).toStdString());
    SweepDocument doc(lonely);
    ExampleSelection selection;
    ModelSizesView view(&selection);
    QVERIFY(!doc.pool());
    QVERIFY2(doc.poolNote().contains(QStringLiteral("none of its 1 member files")), qPrintable(doc.poolNote()));
    view.setDocument(&doc);
    QVERIFY(!view.gallery()->document());
    QCOMPARE(view.gallery()->model()->rowCount(), 0);
    QVERIFY(view.findChild<QLabel *>()->text().contains(QStringLiteral("No gallery: none of its 1 member files")));
    view.setDocument(nullptr);
}

void TestModelSizes::scatterPlotsEveryEstimate()
{
    SizeScatterChart *scatter = m_window->modelSizesView()->scatterChart();
    // Example 6 has no estimate at the largest size.
    QCOMPARE(scatter->plottedTotal(), kExamples - 1);
    QCOMPARE(scatter->plottedCount(1), 4);
    QCOMPARE(scatter->plottedCount(4), 0);
}

void TestModelSizes::figures_data()
{
    QTest::addColumn<int>("which");
    QTest::newRow("curves") << 0;
    QTest::newRow("shares") << 1;
    QTest::newRow("scatter") << 2;
}

void TestModelSizes::figures()
{
    QFETCH(int, which);
    ModelSizesView *view = m_window->modelSizesView();
    view->sharesChart()->clickBar(1); // the curves of a selection, the scatter's crosses
    VtkHost *chart = which == 0 ? static_cast<VtkHost *>(view->curvesChart())
                     : which == 1 ? static_cast<VtkHost *>(view->sharesChart())
                                  : static_cast<VtkHost *>(view->scatterChart());
    // The dock floating at a size where each chart has a figure's proportions.
    auto *dock = m_window->findChild<QDockWidget *>(QStringLiteral("sizes"));
    dock->setFloating(true);
    dock->resize(1300, 1000);
    dock->show();
    QVERIFY(QTest::qWaitForWindowExposed(dock));
    QTest::qWait(50);
    const QStringList problems = test::publishProblems(chart, m_dir.filePath(QStringLiteral("chart%1").arg(which)), /*xNamed=*/true);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
}

void TestModelSizes::wizardBuildsTheSweep()
{
    // Run mode has no Sweep page; sweep mode adds it after the Study page.
    TrainingWizard plain;
    QVERIFY(!plain.isSweep());
    QVERIFY(!plain.page(TrainingWizard::SweepPage));
    TrainingWizard w(nullptr, TrainingWizard::Mode::Sweep);
    QVERIFY(w.isSweep());
    QVERIFY(w.page(TrainingWizard::SweepPage));
    // A sweep trains on this machine: Slurm is not offered.
    QVERIFY(!w.runOnSlurm());
    QVERIFY(!w.findChild<QComboBox *>(QStringLiteral("runOn"))->isEnabled());
    auto *sizes = w.findChild<QLineEdit *>(QStringLiteral("sizes"));
    auto *distill = w.findChild<QCheckBox *>(QStringLiteral("distill"));
    auto *temperature = w.findChild<QDoubleSpinBox *>(QStringLiteral("temperature"));
    QVERIFY(sizes && distill && temperature);

    // Bad input: the page's check names the option, as the CLI does.
    sizes->setText(QStringLiteral("8,4"));
    QVERIFY2(w.checkPage(TrainingWizard::SweepPage).contains(QStringLiteral("--sizes")), qPrintable(w.pageError(TrainingWizard::SweepPage)));
    sizes->setText(QStringLiteral("4,x"));
    QVERIFY(w.checkPage(TrainingWizard::SweepPage).contains(QStringLiteral("--sizes: 'x'")));
    sizes->setText(QStringLiteral("16"));
    QVERIFY(w.checkPage(TrainingWizard::SweepPage).contains(QStringLiteral("at least two sizes")));
    sizes->setText(QStringLiteral("4,4,8"));
    QVERIFY(w.checkPage(TrainingWizard::SweepPage).contains(QStringLiteral("--sizes: size 4 is repeated")));
    // The Study page's ratio is the sweep's: 1 holds nothing out.
    auto *ratio = w.findChild<QDoubleSpinBox *>(QStringLiteral("ratio"));
    QVERIFY(ratio);
    const double keptRatio = ratio->value();
    sizes->setText(QStringLiteral("4,8"));
    ratio->setValue(1.0);
    QVERIFY2(w.checkPage(TrainingWizard::SweepPage).contains(QStringLiteral("--ratio: a ratio of 1")),
             qPrintable(w.checkPage(TrainingWizard::SweepPage)));
    ratio->setValue(keptRatio);
    sizes->setText(QStringLiteral("4, 8,16"));
    distill->setChecked(true);
    temperature->setValue(0.0);
    QVERIFY(w.checkPage(TrainingWizard::SweepPage).contains(QStringLiteral("--temperature")));
    temperature->setValue(3.0);
    QCOMPARE(w.checkPage(TrainingWizard::SweepPage), QString());

    const SweepConfig sweep = w.sweepConfig();
    QCOMPARE(sweep.sizes, (std::vector<double>{4, 8, 16}));
    QCOMPARE(sweep.base.model.arch, w.config().model.arch);
    QCOMPARE(sweep.base.study.models, w.config().study.models);
    QCOMPARE(TrainingRunner::sweepArguments(sweep),
             (QStringList{QStringLiteral("--sizes"), QStringLiteral("4,8,16"), QStringLiteral("--distill"),
                          QStringLiteral("--temperature"), QStringLiteral("3"), QStringLiteral("--alpha"),
                          QStringLiteral("0.9"), QStringLiteral("--delta"), QStringLiteral("0.1"),
                          QStringLiteral("--z"), QStringLiteral("2")}));
}

void TestModelSizes::sweepStartedHereOpensWhenDone()
{
    // A tiny sweep end to end: started as the wizard's Finish does, followed
    // through its event log, and its file opened in the Model sizes dock.
    MainWindow &w = *m_window;
    SweepConfig sweep;
    RunConfig &c = sweep.base;
    c.dataset.name = "synthetic";
    c.dataset.path = test::fixtureDataset().toStdString();
    c.dataset.format = "idx";
    c.model.arch = "mlp";
    c.model.mlpHiddenLayers = 1;
    c.train.epochs = 1;
    c.train.batchSize = 16;
    c.train.device = DeviceChoice::Cpu;
    c.study.models = 2;
    c.study.ratio = 0.5;
    c.study.probe = true;
    c.study.k = 3;
    c.output = m_dir.filePath(QStringLiteral("studio-sweep.h5")).toStdString();
    sweep.sizes = {8, 16};
    sweep.distill = true;
    QSignalSpy finished(w.runner(), &TrainingRunner::finished);
    QSignalSpy failed(w.runner(), &TrainingRunner::failed);
    QString error;
    QVERIFY2(w.runner()->startSweep(sweep, &error), qPrintable(error));
    QVERIFY2(finished.wait(120000) || !finished.isEmpty(), qPrintable(test::failures(failed)));
    QCoreApplication::processEvents();
    QVERIFY(isSweepFile(c.output));
    QVERIFY(w.sweepDocument());
    QCOMPARE(w.sweepDocument()->path(), QString::fromStdString(c.output));
    QCOMPARE(w.sweepDocument()->sizeLabels(), (QStringList{QStringLiteral("8"), QStringLiteral("16")}));
    QVERIFY(w.sweepDocument()->hasDistilled());
    QCOMPARE(w.modelSizesView()->scatterChart()->plottedTotal() > 0, true);
}

int main(int argc, char **argv)
{
    VtkHost::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    TestModelSizes test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_modelsizes.moc"
