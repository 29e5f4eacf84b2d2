// The Studio's side of a comparison of training regimes (docs/studio.md,
// "Regimes"): a tiny comparison made by `pdepth compare` opens in the main
// window, the depth histogram overlays its regimes as fractions, the Regimes
// view shows the file's numbers (read back with h5py), the depth scatter's
// picks filter the gallery, and every new chart exports and passes the
// figure checks. Renders with OpenGL: run under Xvfb.
#include "charts/depthhistogramchart.h"
#include "charts/examplescatterchart.h"
#include "charts/intervalchart.h"
#include "mainwindow.h"
#include "models/exampleselection.h"
#include "models/gallerymodel.h"
#include "models/rundocument.h"
#include "figurechecks.h"
#include "studiofixture.h"
#include "testsupport.h"
#include "views/galleryview.h"
#include "views/histogramview.h"
#include "views/regimesview.h"
#include "training/trainingrunner.h"
#include "training/trainingwizard.h"

#include "compare/comparison.h"
#include "store/comparefile.h"

#include <vtkAxis.h>
#include <vtkChartXY.h>

#include <QCheckBox>
#include <QComboBox>
#include <QDockWidget>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QSpinBox>
#include <QSettings>
#include <QSignalSpy>
#include <QSvgRenderer>
#include <QTableWidget>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>
#include <memory>

using namespace pds;
using namespace pds::test;

class TestRegimesStudio : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void opensComparisonAndItsRegimes();
    void histogramOverlaysRegimesAsFractions();
    void tableShowsTheFilesNumbers();
    void scatterPicksFilterTheGallery();
    void figures_data();
    void figures();
    void missingStudyIsRefused();
    void wizardBuildsTheComparison();
    void comparisonStartedHereOpensWhenDone();

private:
    QString path(const QString &name) const { return m_dir.filePath(name); }
    VtkHost *figure(const QString &which) const;

    QTemporaryDir m_dir;
    QString m_comparison;
    std::unique_ptr<MainWindow> m_window;
};

void TestRegimesStudio::initTestCase()
{
    test::useFreshSettings(QStringLiteral("tst_regimesstudio"));
    QVERIFY(m_dir.isValid());
    for (const char *d : {"data", "transfer", "other-size"})
        QVERIFY(QDir().mkpath(path(QLatin1String(d))));
    writeSyntheticIdx(path(QStringLiteral("data")).toStdString(), 4, 30, 10, 12);
    writeSyntheticIdx(path(QStringLiteral("transfer")).toStdString(), 3, 20, 8, 12);
    writeSyntheticIdx(path(QStringLiteral("other-size")).toStdString(), 3, 20, 8, 14);
    m_comparison = path(QStringLiteral("cmp.h5"));
    const Outcome o = pdepth({"compare", "--data-path", path(QStringLiteral("data")), "--format", "idx", "--model", "mlp",
                              "--mlp-layers", "2", "--mlp-units", "16", "--epochs", "1", "--generations", "2",
                              "--models", "2", "--k", "5", "--threads", "2", "--device", "cpu", "--regimes",
                              "standard,llf,seal", "--transfer-path", path(QStringLiteral("transfer")),
                              "--transfer-format", "idx", "--bootstrap", "200", "--jobs", "2", "-o", m_comparison});
    QVERIFY2(o.exitCode == 0, qPrintable(describe(o)));
    m_window = std::make_unique<MainWindow>();
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestRegimesStudio::opensComparisonAndItsRegimes()
{
    MainWindow &w = *m_window;
    QVERIFY(!w.regimesView()); // made when a comparison opens
    QString error;
    QVERIFY2(w.openFile(m_comparison, &error), qPrintable(error));
    // Each regime's study opens as a run, so every run view can show it.
    QCOMPARE(int(w.documents().size()), 3);
    QStringList titles;
    for (const auto &doc : w.documents())
        titles << doc->title();
    QCOMPARE(titles, (QStringList{"standard.h5", "llf.h5", "seal.h5"}));
    QCOMPARE(w.activeDocument()->title(), QStringLiteral("standard.h5"));
    QVERIFY(w.activeDocument()->isStudy());
    QCOMPARE(w.activeDocument()->modelCount(), 2);
    QVERIFY(w.regimesView());
    QCOMPARE(w.regimesView()->path(), m_comparison);
    auto *dock = w.findChild<QDockWidget *>(QStringLiteral("regimes"));
    QVERIFY(dock && dock->isVisible());
    // The dock keeps the window able to fit a 1366×768 screen (tst_layout's sizes).
    QCoreApplication::processEvents();
    const QSize least = w.minimumSizeHint();
    QVERIFY2(least.width() <= 1366 && least.height() <= 768,
             qPrintable(QStringLiteral("the window needs %1×%2").arg(least.width()).arg(least.height())));
    QVERIFY(QSettings().value(QStringLiteral("recentFiles")).toStringList().contains(QFileInfo(m_comparison).absoluteFilePath()));
    // The gallery shows the chosen regime's examples.
    QCOMPARE(w.gallery()->document(), w.activeDocument());
    QCOMPARE(std::int64_t(w.gallery()->model()->rowCount()), w.activeDocument()->size());
    // Opening it again opens nothing twice.
    QVERIFY2(w.openFile(m_comparison, &error), qPrintable(error));
    QCOMPARE(int(w.documents().size()), 3);
}

void TestRegimesStudio::histogramOverlaysRegimesAsFractions()
{
    MainWindow &w = *m_window;
    DepthHistogramChart *chart = w.histogramChart();
    QVERIFY(w.histogramView()->fractionsBox()->isChecked());
    QCOMPARE(chart->seriesCount(), 3);
    QCOMPARE(chart->seriesLabel(0), QStringLiteral("standard"));
    QCOMPARE(chart->seriesLabel(1), QStringLiteral("llf"));
    QCOMPARE(chart->seriesLabel(2), QStringLiteral("seal"));
    for (int s = 0; s < 3; ++s) {
        double sum = 0;
        for (double v : chart->binValues(s))
            sum += v;
        QVERIFY2(std::abs(sum - 1.0) < 1e-9, qPrintable(QStringLiteral("series %1 sums to %2").arg(s).arg(sum)));
    }
    // Another regime made active leads the overlay; the others stay.
    w.setActiveDocument(w.documents()[2].get());
    QCOMPARE(chart->seriesCount(), 3);
    QCOMPARE(chart->seriesLabel(0), QStringLiteral("seal"));
    // A compare run chosen by hand replaces the overlay with the pair.
    w.setCompareDocument(w.documents()[0].get());
    QCOMPARE(chart->seriesCount(), 2);
    w.setCompareDocument(nullptr);
    QCOMPARE(chart->seriesCount(), 3);
    w.setActiveDocument(w.documents()[0].get());
    QCOMPARE(chart->seriesLabel(0), QStringLiteral("standard"));

    // Any number of open runs: "(all open runs)" overlays the fixture study as well, named by file.
    QString error;
    QVERIFY2(w.openFile(studyFixture(), &error), qPrintable(error));
    w.setCompareDocument(nullptr);
    auto *compare = w.findChild<QComboBox *>(QStringLiteral("compareRuns"));
    QVERIFY(compare);
    QCOMPARE(compare->itemText(compare->count() - 1), QStringLiteral("(all open runs)"));
    compare->setCurrentIndex(compare->count() - 1);
    Q_EMIT compare->activated(compare->count() - 1);
    QCOMPARE(chart->seriesCount(), 4);
    QCOMPARE(chart->seriesLabel(0), QFileInfo(studyFixture()).fileName());
    QCOMPARE(chart->seriesLabel(1), QStringLiteral("standard.h5"));
    for (int s = 0; s < 4; ++s) {
        double sum = 0;
        for (double v : chart->binValues(s))
            sum += v;
        QVERIFY(std::abs(sum - 1.0) < 1e-9);
    }
    w.closeActive();
    QCOMPARE(int(w.documents().size()), 3);
    QCOMPARE(compare->itemText(compare->count() - 1), QStringLiteral("(all open runs)"));
    // A closed run leaves the chart once the event loop has run.
    QTRY_COMPARE(chart->seriesCount(), 3);
    compare->setCurrentIndex(0);
    Q_EMIT compare->activated(0);
    QCOMPARE(chart->seriesLabel(0), QStringLiteral("standard"));
}

void TestRegimesStudio::tableShowsTheFilesNumbers()
{
    RegimesView *view = m_window->regimesView();
    QVERIFY(view);
    bool ok = false;
    const QString json = runPython(QStringLiteral(
                                       "import h5py, json, numpy as np\n"
                                       "f = h5py.File('%1', 'r')\n"
                                       "out = []\n"
                                       "for name in f.attrs['regimes']:\n"
                                       "    name = name.decode() if isinstance(name, bytes) else name\n"
                                       "    g = f['regimes'][name]\n"
                                       "    acc = g['generation_test_accuracy'][()]\n"
                                       "    d = {'regime': name, 'acc': list(acc.mean(axis=0))}\n"
                                       "    for split in ('train', 'test'):\n"
                                       "        a = g['depth'][split].attrs\n"
                                       "        d[split] = [float(a['mean']), float(a['low']), float(a['high'])]\n"
                                       "    d['transfer'] = float(g['transfer'].attrs['mean'])\n"
                                       "    out.append(d)\n"
                                       "print(json.dumps(out))\n")
                                       .arg(m_comparison),
                                   &ok);
    QVERIFY(ok);
    const QJsonArray regimes = QJsonDocument::fromJson(json.toUtf8()).array();
    QCOMPARE(regimes.size(), 3);
    QTableWidget *table = view->table();
    QCOMPARE(table->rowCount(), 3);
    const int generations = 2;
    QCOMPARE(table->columnCount(), 1 + generations + 3);
    auto near = [](double a, double b) { return std::abs(a - b) < 1e-9; };
    for (int row = 0; row < 3; ++row) {
        const QJsonObject r = regimes[row].toObject();
        QCOMPARE(table->item(row, 0)->text(), r["regime"].toString());
        const QJsonArray acc = r["acc"].toArray();
        QCOMPARE(acc.size(), generations);
        for (int g = 0; g < generations; ++g)
            QVERIFY2(near(table->item(row, 1 + g)->data(Qt::UserRole).toDouble(), acc[g].toDouble()),
                     qPrintable(QStringLiteral("%1 generation %2").arg(r["regime"].toString()).arg(g + 1)));
        for (int s = 0; s < 2; ++s) {
            const QJsonArray d = r[s ? "test" : "train"].toArray();
            QTableWidgetItem *item = table->item(row, 1 + generations + s);
            QVERIFY(near(item->data(Qt::UserRole).toDouble(), d[0].toDouble()));
            QCOMPARE(item->text(), QStringLiteral("%1 [%2, %3]").arg(d[0].toDouble(), 0, 'f', 2)
                                       .arg(d[1].toDouble(), 0, 'f', 2).arg(d[2].toDouble(), 0, 'f', 2));
        }
        QVERIFY(near(table->item(row, 1 + generations + 2)->data(Qt::UserRole).toDouble(), r["transfer"].toDouble()));
    }
    // The charts carry the same numbers: a line per regime, both splits' depth, transfer per regime.
    QCOMPARE(view->accuracyChart()->seriesCount(), 3);
    QCOMPARE(view->accuracyChart()->series(2).y.size(), std::size_t(generations));
    QCOMPARE(view->depthChart()->seriesCount(), 2);
    const IntervalSeries &test = view->depthChart()->series(1);
    for (int row = 0; row < 3; ++row) {
        const QJsonArray d = regimes[row].toObject()["test"].toArray();
        QVERIFY(near(test.y[row], d[0].toDouble()) && near(test.low[row], d[1].toDouble()) && near(test.high[row], d[2].toDouble()));
    }
    QCOMPARE(view->transferChart()->seriesCount(), 3);
    QVERIFY(near(view->transferChart()->series(1).y[0], regimes[1].toObject()["transfer"].toDouble()));
}

void TestRegimesStudio::scatterPicksFilterTheGallery()
{
    MainWindow &w = *m_window;
    RegimesView *view = w.regimesView();
    QVERIFY(view);
    QCOMPARE(view->regimeXBox()->currentText(), QStringLiteral("standard"));
    QCOMPARE(view->regimeYBox()->currentText(), QStringLiteral("seal"));
    ExampleScatterChart *scatter = view->scatterChart();
    // The test split: examples numbered after the train split's.
    view->splitBox()->setCurrentIndex(1);
    Q_EMIT view->splitBox()->activated(1);
    const std::int64_t trainSize = w.activeDocument()->trainSize(), testSize = w.activeDocument()->testSize();
    QCOMPARE(scatter->plottedTotal(), int(testSize));
    QCOMPARE(scatter->plottedCount(0) + scatter->plottedCount(1) + scatter->plottedCount(2), int(testSize));

    w.findChild<QDockWidget *>(QStringLiteral("regimes"))->raise();
    view->tabs()->setCurrentIndex(4);
    QTRY_VERIFY(scatter->isVisible());
    scatter->renderedImage();
    // A rubber band over every point picks the whole test split and filters the gallery to it.
    const double lo = scatter->chartXY()->GetAxis(vtkAxis::BOTTOM)->GetMinimum();
    const double hi = scatter->chartXY()->GetAxis(vtkAxis::BOTTOM)->GetMaximum();
    const double bottom = scatter->chartXY()->GetAxis(vtkAxis::LEFT)->GetMinimum();
    const double top = scatter->chartXY()->GetAxis(vtkAxis::LEFT)->GetMaximum();
    const QPoint from = scatter->chartToWidget(lo + 0.01 * (hi - lo), bottom + 0.01 * (top - bottom)).toPoint();
    const QPoint to = scatter->chartToWidget(hi - 0.01 * (hi - lo), top - 0.01 * (top - bottom)).toPoint();
    ExampleSelection *selection = w.selection();
    selection->clear();
    QSignalSpy changed(selection, &ExampleSelection::selectionChanged);
    QTest::mousePress(scatter, Qt::LeftButton, {}, from);
    for (int step = 1; step <= 5; ++step)
        QTest::mouseMove(scatter, from + (to - from) * step / 5);
    QTest::mouseRelease(scatter, Qt::LeftButton, {}, to);
    QTRY_COMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(1).toBool(), true); // filters the gallery
    std::vector<std::int64_t> all;
    for (std::int64_t i = 0; i < testSize; ++i)
        all.push_back(trainSize + i);
    QCOMPARE(selection->examples(), all);
    QCOMPARE(std::int64_t(w.gallery()->model()->exampleIndex().rows().size()), testSize);
    QCOMPARE(scatter->highlightedCount(), int(testSize));

    // "Which examples did seal make easier?": those below the diagonal.
    const QRectF below(lo, bottom, hi - lo, top - bottom);
    std::vector<std::int64_t> easier;
    for (std::int64_t e : scatter->examplesIn(below)) {
        const auto &r = view->comparison().regimes;
        const std::size_t i = static_cast<std::size_t>(e - trainSize);
        if (r[2].test.exampleDepth[i] < r[0].test.exampleDepth[i])
            easier.push_back(e);
    }
    QCOMPARE(int(easier.size()), scatter->plottedCount(0));
    if (!easier.empty()) {
        view->pickExamples(easier);
        QCOMPARE(selection->examples(), easier);
        QCOMPARE(w.gallery()->model()->exampleIndex().rows().size(), easier.size());
        QVERIFY(selection->description().contains(QStringLiteral("seal against standard")));
    }
    selection->clear();
    QCOMPARE(scatter->highlightedCount(), 0);
}

VtkHost *TestRegimesStudio::figure(const QString &which) const
{
    RegimesView *view = m_window->regimesView();
    if (which == QLatin1String("histogram"))
        return m_window->histogramChart();
    if (which == QLatin1String("accuracy"))
        return view->accuracyChart();
    if (which == QLatin1String("depth"))
        return view->depthChart();
    if (which == QLatin1String("transfer"))
        return view->transferChart();
    return view->scatterChart();
}

void TestRegimesStudio::figures_data()
{
    QTest::addColumn<QString>("which");
    for (const char *which : {"histogram", "accuracy", "depth", "transfer", "scatter"})
        QTest::newRow(which) << QString::fromLatin1(which);
}

void TestRegimesStudio::figures()
{
    QFETCH(QString, which);
    QVERIFY(m_window->regimesView());
    VtkHost *chart = figure(which);
    // Shown where the window shows it: its dock raised, its tab chosen.
    const bool histogram = which == QLatin1String("histogram");
    m_window->findChild<QDockWidget *>(histogram ? QStringLiteral("histogram") : QStringLiteral("regimes"))->raise();
    if (!histogram)
        m_window->regimesView()->tabs()->setCurrentIndex(
            QStringList{"table", "accuracy", "depth", "transfer", "scatter"}.indexOf(which));
    QTRY_VERIFY(chart->isVisible());
    const QStringList problems = publishProblems(chart, path(which));
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
}

void TestRegimesStudio::missingStudyIsRefused()
{
    // A comparison copied without its studies: a clear message, nothing opened.
    const QString lone = path(QStringLiteral("alone/cmp.h5"));
    QVERIFY(QDir().mkpath(path(QStringLiteral("alone"))));
    QVERIFY(QFile::copy(m_comparison, lone));
    const int before = int(m_window->documents().size());
    QString error;
    QVERIFY(!m_window->openFile(lone, &error));
    PDS_VERIFY_MESSAGE(error, QStringLiteral("the study of regime standard"));
    PDS_VERIFY_MESSAGE(error, QStringLiteral("is missing"));
    QCOMPARE(int(m_window->documents().size()), before);
}

void TestRegimesStudio::wizardBuildsTheComparison()
{
    TrainingWizard plain;
    QVERIFY(!plain.isComparison());
    QVERIFY(!plain.page(TrainingWizard::ComparisonPage));
    TrainingWizard w(nullptr, TrainingWizard::Mode::Compare);
    QVERIFY(w.isComparison());
    QVERIFY(w.page(TrainingWizard::ComparisonPage));
    // It runs on this machine, and the regimes are chosen on their own page.
    QVERIFY(!w.runOnSlurm());
    QVERIFY(!w.findChild<QComboBox *>(QStringLiteral("runOn"))->isEnabled());
    QVERIFY(!w.findChild<QComboBox *>(QStringLiteral("regime"))->isEnabled());
    // The proposed file is named for what it holds.
    w.page(TrainingWizard::OutputPage)->initializePage();
    QVERIFY2(QString::fromStdString(w.config().output).endsWith(QStringLiteral("-comparison.h5")), w.config().output.c_str());
    QVERIFY(!w.findChild<QComboBox *>(QStringLiteral("runOn"))->isEnabled());
    auto *standard = w.findChild<QCheckBox *>(QStringLiteral("regime_standard"));
    auto *llf = w.findChild<QCheckBox *>(QStringLiteral("regime_llf"));
    auto *transfer = w.findChild<QComboBox *>(QStringLiteral("transfer"));
    auto *transferPath = w.findChild<QLineEdit *>(QStringLiteral("transferPath"));
    auto *bootstrap = w.findChild<QSpinBox *>(QStringLiteral("bootstrap"));
    QVERIFY(standard && llf && transfer && transferPath && bootstrap);

    // One regime only: the check names --regimes, as the CLI does.
    RunConfig c = w.config();
    c.dataset.name = "synthetic";
    c.dataset.format = "idx";
    c.dataset.path = path(QStringLiteral("data")).toStdString();
    c.limit = c.testLimit = 0;
    c.model.arch = "mlp";
    c.train.generations = 2;
    c.study.models = 2;
    w.setConfig(c);
    standard->setChecked(false);
    llf->setChecked(false);
    PDS_VERIFY_MESSAGE(w.checkPage(TrainingWizard::ComparisonPage), QStringLiteral("--regimes"));
    standard->setChecked(true);
    QCOMPARE(w.checkPage(TrainingWizard::ComparisonPage), QString());
    transferPath->setText(path(QStringLiteral("transfer")));
    bootstrap->setValue(500);
    QCOMPARE(w.checkPage(TrainingWizard::ComparisonPage), QString());

    const CompareConfig cc = w.compareConfig();
    QCOMPARE(int(cc.regimes.size()), 2);
    QCOMPARE(cc.base.study.models, 2);
    QVERIFY(cc.base.study.probe);
    QCOMPARE(TrainingRunner::compareArguments(cc),
             (QStringList{QStringLiteral("--regimes"), QStringLiteral("standard,seal"), QStringLiteral("--transfer-path"),
                          path(QStringLiteral("transfer")), QStringLiteral("--bootstrap"), QStringLiteral("500")}));
    // A transfer dataset of another image size is refused on the page.
    transferPath->setText(path(QStringLiteral("other-size")));
    PDS_VERIFY_MESSAGE(w.checkPage(TrainingWizard::ComparisonPage), QStringLiteral("transfer"));
}

void TestRegimesStudio::comparisonStartedHereOpensWhenDone()
{
    // A tiny comparison end to end: started as the wizard's Finish does,
    // followed through its event log, and opened in the Regimes dock.
    MainWindow &w = *m_window;
    CompareConfig cc;
    RunConfig &c = cc.base;
    c.dataset.name = "synthetic";
    c.dataset.path = path(QStringLiteral("data")).toStdString();
    c.dataset.format = "idx";
    c.model.arch = "mlp";
    c.model.mlpHiddenLayers = 2; // llf and seal need an early stage
    c.model.mlpHiddenUnits = 16;
    c.train.epochs = 1;
    c.train.generations = 2;
    c.train.batchSize = 16;
    c.train.device = DeviceChoice::Cpu;
    c.study.models = 2;
    c.study.ratio = 0.5;
    c.study.probe = true;
    c.study.k = 3;
    c.output = path(QStringLiteral("studio-cmp.h5")).toStdString();
    cc.regimes = {Regime::Standard, Regime::Seal};
    cc.transfer.name.clear();
    cc.bootstrapResamples = 100;
    QSignalSpy finished(w.runner(), &TrainingRunner::finished);
    QSignalSpy failed(w.runner(), &TrainingRunner::failed);
    QString error;
    QVERIFY2(w.runner()->startComparison(cc, &error), qPrintable(error));
    QVERIFY2(finished.wait(120000) || !finished.isEmpty(), qPrintable(failures(failed)));
    QCoreApplication::processEvents();
    QVERIFY(isComparisonFile(c.output));
    QCOMPARE(w.regimesView()->path(), QString::fromStdString(c.output));
    QCOMPARE(int(w.regimesView()->comparison().regimes.size()), 2);
    QCOMPARE(w.activeDocument()->title(), QStringLiteral("standard.h5"));
    QCOMPARE(w.histogramChart()->seriesCount(), 2);
    QCOMPARE(w.regimesView()->transferChart()->seriesCount(), 0);
}

int main(int argc, char **argv)
{
    VtkHost::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    TestRegimesStudio test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_regimesstudio.moc"
