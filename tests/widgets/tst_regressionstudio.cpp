// The Studio's side of a regression run (docs/studio.md "Regression runs"):
// tiny rotation-benchmark runs made by `pdepth train --task regression`
// (ConFrag and no selection in one file, small-loss on the same data in
// another) open through File › Open into the Regression dock in place of the
// classification-only docks; the per-epoch charts show the file's values, the
// scatter's colours follow the selection mask as h5py reads it, the gallery's
// Selected filter shows exactly the selected examples and its |ỹ − y| sort is
// ordered; the wizard's regression page builds the `pdepth train` job of a
// regression run and hides what only classification takes; every chart
// passes the figure checks of tst_figures and exports to PNG, SVG and PDF.
// Renders with OpenGL: run under Xvfb.
#include "charts/figureinspect.h"
#include "charts/linechart.h"
#include "charts/palette.h"
#include "charts/sizescatterchart.h"
#include "mainwindow.h"
#include "models/exampleselection.h"
#include "models/gallerymodel.h"
#include "models/rundocument.h"
#include "studiofixture.h"
#include "testsupport.h"
#include "training/trainingrunner.h"
#include "training/trainingwizard.h"
#include "views/galleryview.h"
#include "views/regressionview.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonArray>
#include <QLineEdit>
#include <QPushButton>
#include <QToolButton>
#include <QSettings>
#include <QSpinBox>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <vtkChartXY.h>
#include <vtkPlot.h>
#include <vtkTable.h>
#include <vtkVariant.h>

#include <algorithm>
#include "figurechecks.h"

#include <cmath>
#include <set>

using namespace pds;

namespace {

/// The points of the plot labelled `label` in `chart`, as (x, y) pairs.
std::vector<std::pair<double, double>> plotPoints(vtkChartXY *chart, const QString &label)
{
    std::vector<std::pair<double, double>> out;
    for (vtkIdType i = 0; i < chart->GetNumberOfPlots(); ++i) {
        vtkPlot *plot = chart->GetPlot(i);
        if (QString::fromStdString(plot->GetLabel()) != label)
            continue;
        vtkTable *t = plot->GetInput();
        for (vtkIdType r = 0; r < t->GetNumberOfRows(); ++r)
            out.emplace_back(t->GetValue(r, 0).ToDouble(), t->GetValue(r, 1).ToDouble());
    }
    return out;
}

QColor plotColour(vtkChartXY *chart, const QString &label)
{
    for (vtkIdType i = 0; i < chart->GetNumberOfPlots(); ++i)
        if (QString::fromStdString(chart->GetPlot(i)->GetLabel()) == label) {
            unsigned char rgb[3];
            chart->GetPlot(i)->GetColor(rgb);
            return QColor(rgb[0], rgb[1], rgb[2]);
        }
    return {};
}

/// Numbers printed one per line by a Python snippet.
std::vector<double> numbers(const QString &text)
{
    std::vector<double> out;
    for (const QString &line : text.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
        out.push_back(line.trimmed().toDouble());
    return out;
}

} // namespace

class TestRegressionStudio : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void opensInPlaceOfClassificationViews();
    void curvesShowTheFileValues();
    void overlaysRunsOfTheSameData();
    void scatterColoursFollowTheMask();
    void galleryFiltersSelectedAndSortsByError();
    void wizardBuildsTheRegressionJob();
    void figures_data();
    void figures();
    void closingBringsTheClassificationDocksBack();

private:
    /// The file's values by h5py, one per line.
    QString python(const QString &code);

    QTemporaryDir m_dir;
    QString m_run, m_smallLoss, m_otherNoise;
    std::unique_ptr<MainWindow> m_window;
};

QString TestRegressionStudio::python(const QString &code)
{
    bool ok = false;
    const QString out = test::runPython(QStringLiteral("import h5py, numpy as np\nf = h5py.File('%1', 'r')\n").arg(m_run) + code, &ok);
    return ok ? out : QString();
}

void TestRegressionStudio::initTestCase()
{
    test::useFreshSettings(QStringLiteral("tst_regressionstudio"));
    QVERIFY(m_dir.isValid());
    // Two angles' worth of images per value keep the runs to seconds.
    const QStringList common{"train", "--task", "regression", "--dataset", "fashion-mnist", "--limit", "182",
                             "--test-limit", "91", "--noise", "symmetric", "--noise-fraction", "0.4", "--model", "mlp",
                             "--mlp-layers", "1", "--mlp-units", "16", "--optimizer", "adam", "--lr", "0.001",
                             "--epochs", "2", "--batch", "64", "--device", "cpu", "--threads", "1", "--seed", "3"};
    m_run = m_dir.filePath(QStringLiteral("confrag.h5"));
    m_smallLoss = m_dir.filePath(QStringLiteral("small-loss.h5"));
    m_otherNoise = m_dir.filePath(QStringLiteral("other-noise.h5"));
    for (const auto &[out, extra] :
         std::vector<std::pair<QString, QStringList>>{{m_run, {"--select", "confrag,none"}},
                                                      {m_smallLoss, {"--select", "small-loss"}},
                                                      {m_otherNoise, {"--select", "none", "--noise-seed", "9"}}}) {
        const test::Outcome o = test::pdepth(common + extra + QStringList{"-o", out}, 180000);
        QVERIFY2(o.exitCode == 0, qPrintable(test::describe(o)));
    }
    m_window = std::make_unique<MainWindow>();
    m_window->resize(1300, 740);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestRegressionStudio::opensInPlaceOfClassificationViews()
{
    QString error;
    const QSize before = m_window->size();
    QVERIFY2(m_window->openFile(m_run, &error), qPrintable(error));
    QTest::qWait(50);
    // The Regression dock fits the window as it was (tst_layout's rule for every dock).
    QStringList needs;
    for (const QDockWidget *d : m_window->findChildren<QDockWidget *>())
        if (!d->isHidden())
            needs << QStringLiteral("%1 %2").arg(d->objectName()).arg(d->minimumSizeHint().width());
    QVERIFY2(m_window->size() == before, qPrintable(QStringLiteral("%1×%2, docks need %3").arg(m_window->width()).arg(m_window->height()).arg(needs.join(QStringLiteral(", ")))));
    RunDocument *doc = m_window->activeDocument();
    QVERIFY(doc && doc->isRegression());
    QCOMPARE(doc->trainSize(), std::int64_t(182));
    QCOMPARE(doc->testSize(), std::int64_t(91));
    QCOMPARE(doc->modelCount(), 0);
    auto *dock = m_window->findChild<QDockWidget *>(QStringLiteral("regression"));
    QVERIFY(dock && !dock->isHidden());
    QVERIFY(m_window->regressionView() && m_window->regressionView()->document() == doc);
    // Depths, difficulty groups and embeddings mean nothing for a regression run.
    for (const char *name : {"histogram", "groups", "embedding", "trajectory", "neighbours"})
        QVERIFY2(m_window->findChild<QDockWidget *>(QLatin1String(name))->isHidden(), name);
    QCOMPARE(m_window->regressionView()->curves().size(), std::size_t(2));
    QVERIFY(doc->column(QStringLiteral("selected")) && doc->column(QStringLiteral("target_error")));
    // The rotation benchmark's image is the source image turned by its clean angle.
    QVERIFY2(!doc->image(0).isNull(), qPrintable(doc->imageError()));
    // The example dock follows a regression example too.
    m_window->selection()->setCurrent(0, this);
    QTest::qWait(50);
}

void TestRegressionStudio::curvesShowTheFileValues()
{
    RegressionView *view = m_window->regressionView();
    QVERIFY(view);
    struct Case {
        LineChart *chart;
        const char *curve;
    };
    for (const Case &c : {Case{view->selectionRateChart(), "selection_rate"}, Case{view->errChart(), "err"},
                          Case{view->maeChart(), "mae"}}) {
        for (const char *method : {"confrag", "none"}) {
            const std::vector<double> expected =
                numbers(python(QStringLiteral("for v in f['methods/%1/curves/%2'][:]: print(repr(float(v)))").arg(QLatin1String(method), QLatin1String(c.curve))));
            QCOMPARE(expected.size(), std::size_t(2));
            const auto shown = plotPoints(c.chart->chartXY(), QLatin1String(method));
            QCOMPARE(shown.size(), expected.size());
            for (std::size_t e = 0; e < expected.size(); ++e) {
                QCOMPARE(shown[e].first, double(e + 1));
                QVERIFY2(std::abs(shown[e].second - expected[e]) < 1e-12,
                         qPrintable(QStringLiteral("%1 %2 epoch %3: shown %4, file %5").arg(QLatin1String(method), QLatin1String(c.curve)).arg(e + 1).arg(shown[e].second).arg(expected[e])));
            }
            QCOMPARE(plotColour(c.chart->chartXY(), QLatin1String(method)),
                     selectMethodColour(QLatin1String(method) == QLatin1String("confrag") ? 0 : 2));
        }
    }
}

void TestRegressionStudio::overlaysRunsOfTheSameData()
{
    RegressionView *view = m_window->regressionView();
    QString error;
    // Another noise seed moves other targets: not the same data.
    QVERIFY(!view->addRun(m_otherNoise, &error));
    PDS_VERIFY_MESSAGE(error, QStringLiteral("other noisy targets"));
    PDS_VERIFY_MESSAGE(error, QFileInfo(m_otherNoise).fileName());
    QVERIFY(!view->addRun(m_dir.filePath(QStringLiteral("missing.h5")), &error));
    PDS_VERIFY_MESSAGE(error, QStringLiteral("missing.h5"));
    QVERIFY2(view->addRun(m_smallLoss, &error), qPrintable(error));
    QCOMPARE(view->runCount(), 2);
    QCOMPARE(view->curves().size(), std::size_t(3));
    const QString label = QStringLiteral("small-loss (small-loss.h5)");
    QCOMPARE(view->curves()[2].label, label);
    bool ok = false;
    const std::vector<double> rate = numbers(test::runPython(
        QStringLiteral("import h5py\nfor v in h5py.File('%1', 'r')['methods/small-loss/curves/selection_rate'][:]: print(repr(float(v)))").arg(m_smallLoss), &ok));
    QVERIFY(ok);
    QCOMPARE(rate.size(), std::size_t(2));
    const auto shown = plotPoints(view->selectionRateChart()->chartXY(), label);
    QCOMPARE(shown.size(), rate.size());
    for (std::size_t e = 0; e < rate.size(); ++e)
        QCOMPARE(shown[e].second, rate[e]);
}

void TestRegressionStudio::scatterColoursFollowTheMask()
{
    RegressionView *view = m_window->regressionView();
    view->showSelection(0, 1); // confrag after epoch 1
    const std::vector<double> mask = numbers(python(QStringLiteral("for v in f['methods/confrag/selection'][0]: print(int(v))")));
    const std::vector<double> noisy = numbers(python(QStringLiteral("for v in f['dataset/train/target'][:]: print(repr(float(v)))")));
    const std::vector<double> clean = numbers(python(QStringLiteral("for v in f['dataset/train/clean_target'][:]: print(repr(float(v)))")));
    QCOMPARE(mask.size(), std::size_t(182));
    QCOMPARE(noisy.size(), mask.size());
    std::multiset<std::pair<double, double>> selected, rejected;
    for (std::size_t i = 0; i < mask.size(); ++i)
        (mask[i] == 1 ? selected : rejected).insert({clean[i], noisy[i]});
    QVERIFY2(!selected.empty() && !rejected.empty(), "the tiny run should both keep and reject examples");
    vtkChartXY *chart = view->scatterChart()->chartXY();
    const auto shownSelected = plotPoints(chart, QStringLiteral("selected"));
    const auto shownRejected = plotPoints(chart, QStringLiteral("not selected"));
    using Points = std::multiset<std::pair<double, double>>;
    QVERIFY(Points(shownSelected.begin(), shownSelected.end()) == selected);
    QVERIFY(Points(shownRejected.begin(), shownRejected.end()) == rejected);
    QCOMPARE(plotColour(chart, QStringLiteral("selected")), selectionColour(1));
    // One palette per meaning: selected is Tol's blue, rejected his grey, in every figure.
    QCOMPARE(selectionColour(1), QColor(0x44, 0x77, 0xAA));
    QCOMPARE(selectionColour(0), QColor(0xBB, 0xBB, 0xBB));
    QCOMPARE(plotColour(chart, QStringLiteral("not selected")), selectionColour(0));
    // And on screen: the selected colour is drawn.
    view->showChart(view->scatterChart());
    QTest::qWait(50);
    const QSet<QRgb> colours = test::coloursOf(view->scatterChart()->renderedImage(), 1);
    QVERIFY(colours.contains(selectionColour(1).rgb()));
}

void TestRegressionStudio::galleryFiltersSelectedAndSortsByError()
{
    RegressionView *view = m_window->regressionView();
    view->showSelection(0, 2); // confrag after epoch 2
    const std::vector<double> mask = numbers(python(QStringLiteral("for v in f['methods/confrag/selection'][1]: print(int(v))")));
    std::vector<std::int64_t> expected;
    for (std::size_t i = 0; i < mask.size(); ++i)
        if (mask[i] == 1)
            expected.push_back(static_cast<std::int64_t>(i));
    GalleryView *gallery = m_window->gallery();
    auto *selected = view->findChild<QToolButton *>(QStringLiteral("showSelected"));
    QVERIFY(selected);
    selected->click();
    std::vector<std::int64_t> shown = gallery->model()->exampleIndex().rows();
    std::sort(shown.begin(), shown.end());
    QCOMPARE(shown, expected);
    view->findChild<QToolButton *>(QStringLiteral("showRejected"))->click();
    QCOMPARE(gallery->model()->exampleIndex().rows().size(), mask.size() - expected.size());
    view->findChild<QToolButton *>(QStringLiteral("showNoisy"))->click();
    const std::vector<double> changed = numbers(python(QStringLiteral(
        "d = f['dataset/train']\nprint(int((d['target'][:] != d['clean_target'][:]).sum()))")));
    QCOMPARE(gallery->model()->exampleIndex().rows().size(), std::size_t(changed.at(0)));
    QVERIFY(changed.at(0) > 40 && changed.at(0) < 110); // about 40 % of 182
    // Sorted by |ỹ − y|, largest first, over every example.
    view->findChild<QToolButton *>(QStringLiteral("showAll"))->click();
    view->findChild<QToolButton *>(QStringLiteral("sortByError"))->click();
    const auto &rows = gallery->model()->exampleIndex().rows();
    QCOMPARE(rows.size(), std::size_t(182 + 91));
    const ScoreColumn *error = m_window->activeDocument()->column(QStringLiteral("target_error"));
    for (std::size_t r = 1; r < rows.size(); ++r)
        QVERIFY2(error->values[static_cast<std::size_t>(rows[r - 1])] >= error->values[static_cast<std::size_t>(rows[r])],
                 qPrintable(QStringLiteral("row %1").arg(r)));
    QVERIFY(error->values[static_cast<std::size_t>(rows.front())] > 0);
}

void TestRegressionStudio::wizardBuildsTheRegressionJob()
{
    TrainingWizard wizard;
    auto *task = wizard.findChild<QComboBox *>(QStringLiteral("task"));
    auto *noise = wizard.findChild<QComboBox *>(QStringLiteral("noise"));
    QVERIFY(task && noise);
    auto items = [](const QComboBox *box) {
        QStringList out;
        for (int i = 0; i < box->count(); ++i)
            out << box->itemText(i);
        return out;
    };
    // Classification: no Gaussian target noise; regression: no class-map noise.
    QCOMPARE(items(noise), (QStringList{"none", "symmetric", "asymmetric"}));
    QCOMPARE(wizard.findChild<QComboBox *>(QStringLiteral("datasetFormat"))->findText(QStringLiteral("csv")), -1);
    task->setCurrentIndex(task->findText(QStringLiteral("regression")));
    QCOMPARE(items(noise), (QStringList{"none", "symmetric", "gaussian"}));
    // A target folder (format csv) needs its train.csv, named on the Dataset page.
    auto *source = wizard.findChild<QComboBox *>(QStringLiteral("datasetSource"));
    auto *format = wizard.findChild<QComboBox *>(QStringLiteral("datasetFormat"));
    QVERIFY(format->findText(QStringLiteral("csv")) >= 0);
    source->setCurrentIndex(source->count() - 1);
    format->setCurrentIndex(format->findText(QStringLiteral("csv")));
    wizard.findChild<QLineEdit *>(QStringLiteral("datasetPath"))->setText(m_dir.path());
    PDS_VERIFY_MESSAGE(wizard.checkPage(TrainingWizard::DatasetPage), QStringLiteral("no train.csv"));
    QCOMPARE(wizard.config().dataset.format, std::string("csv"));
    source->setCurrentIndex(0);
    wizard.findChild<QLineEdit *>(QStringLiteral("datasetPath"))->clear();
    noise->setCurrentIndex(noise->findText(QStringLiteral("gaussian")));
    wizard.findChild<QSpinBox *>(QStringLiteral("sigmaMax"))->setValue(30);
    // The classification-only fields of the other pages are hidden, Slurm is off.
    for (const char *name : {"regime", "generations", "sealFraction", "mixedPrecision"})
        QVERIFY2(wizard.findChild<QWidget *>(QLatin1String(name))->isHidden(), name);
    QVERIFY(!wizard.findChild<QComboBox *>(QStringLiteral("runOn"))->isEnabled());
    for (const char *name : {"select-confrag", "select-small-loss", "select-none"})
        wizard.findChild<QCheckBox *>(QLatin1String(name))->setChecked(true);
    wizard.findChild<QSpinBox *>(QStringLiteral("fragments"))->setValue(6);
    wizard.findChild<QSpinBox *>(QStringLiteral("selectK"))->setValue(4);
    wizard.findChild<QDoubleSpinBox *>(QStringLiteral("keep"))->setValue(0.7);
    // An odd F is refused on the Regression page, naming the setting.
    wizard.findChild<QSpinBox *>(QStringLiteral("fragments"))->setValue(5);
    PDS_VERIFY_MESSAGE(wizard.checkPage(TrainingWizard::RegressionPage), QStringLiteral("Fragments F must be even"));
    wizard.findChild<QSpinBox *>(QStringLiteral("fragments"))->setValue(6);
    QCOMPARE(wizard.checkPage(TrainingWizard::RegressionPage), QString());

    const RunConfig c = wizard.config();
    QVERIFY(c.task == Task::Regression);
    QVERIFY(c.noise.kind == NoiseSpec::Kind::Gaussian);
    QCOMPARE(c.noise.sigmaMax, 30);
    QCOMPARE(c.study.models, 1);
    QVERIFY(!c.study.probe);
    QVERIFY(c.regression.methods == (std::vector<SelectMethod>{SelectMethod::ConFrag, SelectMethod::SmallLoss, SelectMethod::None}));
    // Regression goes Dataset, Model, Training, Regression, Output; no Study page.
    wizard.restart();
    QList<int> visited{wizard.currentId()};
    while (wizard.nextId() >= 0) {
        wizard.next();
        visited << wizard.currentId();
        if (visited.size() > 8)
            break;
    }
    QCOMPARE(visited, (QList<int>{TrainingWizard::DatasetPage, TrainingWizard::ModelPage, TrainingWizard::TrainingPage,
                                  TrainingWizard::RegressionPage, TrainingWizard::OutputPage}));

    // Launched as the wizard launches every run: `pdepth train --config … -o …`
    // (here a stand-in pdepth that records its arguments).
    const QString record = m_dir.filePath(QStringLiteral("args.txt"));
    const QString fake = m_dir.filePath(QStringLiteral("fake-pdepth"));
    {
        QFile f(fake);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QStringLiteral("#!/bin/sh\nprintf '%s\\n' \"$@\" > '%1'\n").arg(record).toUtf8());
        f.close();
        f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    }
    RunConfig job = c;
    job.output = m_dir.filePath(QStringLiteral("wizard-regression.h5")).toStdString();
    const QByteArray real = qgetenv("PDS_PDEPTH");
    qputenv("PDS_PDEPTH", fake.toUtf8());
    TrainingRunner runner;
    QString error;
    const bool started = runner.start(job, &error);
    qputenv("PDS_PDEPTH", real);
    QVERIFY2(started, qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(record).size() > 0, 10000);
    QFile args(record);
    QVERIFY(args.open(QIODevice::ReadOnly));
    const QStringList argv = QString::fromUtf8(args.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(argv.value(0), QStringLiteral("train"));
    QCOMPARE(argv.value(1), QStringLiteral("--config"));
    QCOMPARE(argv.value(3), QStringLiteral("-o"));
    QCOMPARE(argv.value(4), QString::fromStdString(job.output));
    QFile configFile(argv.value(2));
    QVERIFY2(configFile.open(QIODevice::ReadOnly), qPrintable(argv.value(2)));
    const QJsonObject json = QJsonDocument::fromJson(configFile.readAll()).object();
    QCOMPARE(json.value(QStringLiteral("task")).toString(), QStringLiteral("regression"));
    const QJsonObject regression = json.value(QStringLiteral("regression")).toObject();
    QCOMPARE(regression.value(QStringLiteral("fragments")).toInt(), 6);
    QCOMPARE(regression.value(QStringLiteral("k")).toInt(), 4);
    QCOMPARE(json.value(QStringLiteral("noise")).toObject().value(QStringLiteral("kind")).toString(), QStringLiteral("gaussian"));
}

void TestRegressionStudio::figures_data()
{
    QTest::addColumn<int>("which");
    QTest::newRow("selection rate") << 0;
    QTest::newRow("err") << 1;
    QTest::newRow("mae") << 2;
    QTest::newRow("scatter") << 3;
}

void TestRegressionStudio::figures()
{
    QFETCH(int, which);
    RegressionView *view = m_window->regressionView();
    VtkHost *chart = which == 0 ? static_cast<VtkHost *>(view->selectionRateChart())
                     : which == 1 ? static_cast<VtkHost *>(view->errChart())
                     : which == 2 ? static_cast<VtkHost *>(view->maeChart())
                                  : static_cast<VtkHost *>(view->scatterChart());
    // Every chart is among the figures File › Export offers.
    bool offered = false;
    for (const auto &[title, host] : m_window->figureViews())
        offered = offered || host == chart;
    QVERIFY(offered);
    auto *dock = m_window->findChild<QDockWidget *>(QStringLiteral("regression"));
    dock->setFloating(true);
    dock->resize(1100, 800);
    dock->show();
    view->showChart(chart);
    QVERIFY(QTest::qWaitForWindowExposed(dock));
    QTest::qWait(50);
    const QStringList problems = test::publishProblems(chart, m_dir.filePath(QStringLiteral("regression%1").arg(which)));
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
    dock->setFloating(false);
}

void TestRegressionStudio::closingBringsTheClassificationDocksBack()
{
    m_window->closeActive();
    QVERIFY(!m_window->activeDocument());
    QVERIFY(m_window->findChild<QDockWidget *>(QStringLiteral("regression"))->isHidden());
    for (const char *name : {"histogram", "groups", "embedding", "trajectory", "neighbours"})
        QVERIFY2(!m_window->findChild<QDockWidget *>(QLatin1String(name))->isHidden(), name);
    QVERIFY(!m_window->regressionView()->document());
}

QTEST_MAIN(TestRegressionStudio)
#include "tst_regressionstudio.moc"
