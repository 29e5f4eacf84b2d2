#include "charts/depthhistogramchart.h"
#include "charts/groupschart.h"
#include "charts/trajectorychart.h"
#include "charts/vtkhost.h"
#include "mainwindow.h"
#include "models/exampleselection.h"
#include "models/rundocument.h"
#include "studiofixture.h"
#include "training/trainingrunner.h"
#include "views/exampleview.h"
#include "views/galleryview.h"
#include "views/groupsview.h"
#include "views/histogramview.h"
#include "views/overviewview.h"

#include "train/config.h"

#include <QCheckBox>
#include <QComboBox>
#include <QMimeData>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <set>

using namespace pds;

/// The Studio's main window: opening runs, linked views, live training.
class TestMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void opensRunsAndComparesTwo();
    void badFileSaysWhyAndKeepsTheRest();
    void histogramClickFiltersTheGallery();
    void groupsSelectionReachesEveryView();
    void histogramControlsDriveTheView();
    void dropOpensFiles();
    void liveTrainingIsShownAndOpenedWhenDone();
    void reopenedStudioFollowsItsJob();
    void screenshotsAreWritten();
};

void TestMainWindow::initTestCase()
{
    // A private settings file: recent files and layout must not leak between runs.
    test::useFreshSettings(QStringLiteral("tst_mainwindow"));
}

void TestMainWindow::opensRunsAndComparesTwo()
{
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QString error;
    QVERIFY2(w.openFile(test::studyFixture(), &error), qPrintable(error));
    QVERIFY2(w.openFile(test::runFixture(), &error), qPrintable(error));
    QCOMPARE(int(w.documents().size()), 2);
    QCOMPARE(w.activeDocument()->path(), test::runFixture());
    // The second run opened is compared with the first.
    QVERIFY(w.compareDocument());
    QCOMPARE(w.compareDocument()->path(), test::studyFixture());
    QCOMPARE(w.histogramChart()->seriesCount(), 2);
    // Opening an open file brings it forward instead of loading it twice.
    QVERIFY(w.openFile(test::studyFixture()));
    QCOMPARE(int(w.documents().size()), 2);
    QCOMPARE(w.activeDocument()->path(), test::studyFixture());
    QVERIFY(w.overviewView()->summaryHtml().contains(QStringLiteral("study.h5")));
    QVERIFY(QSettings().value(QStringLiteral("recentFiles")).toStringList().contains(QFileInfo(test::studyFixture()).absoluteFilePath()));
    w.closeActive();
    QCOMPARE(int(w.documents().size()), 1);
    QCOMPARE(w.activeDocument()->path(), test::runFixture());
}

void TestMainWindow::badFileSaysWhyAndKeepsTheRest()
{
    MainWindow w;
    QVERIFY(w.openFile(test::studyFixture()));
    QTemporaryDir dir;
    const QString bad = dir.filePath(QStringLiteral("truncated.h5"));
    QFile original(test::studyFixture());
    QVERIFY(original.open(QIODevice::ReadOnly));
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(original.read(original.size() / 3));
    f.close();
    QString error;
    QVERIFY(!w.openFile(bad, &error));
    QVERIFY2(error.contains(bad), qPrintable(error));
    QCOMPARE(int(w.documents().size()), 1);
    QCOMPARE(w.activeDocument()->path(), test::studyFixture());
}

void TestMainWindow::histogramClickFiltersTheGallery()
{
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.openFile(test::studyFixture()));
    DepthHistogramChart *h = w.histogramChart();
    int bin = 0;
    while (h->examplesInBin(bin).empty())
        ++bin;
    const auto expected = h->examplesInBin(bin);
    h->clickBin(bin);
    // The gallery now shows exactly the bar's examples.
    const auto &rows = w.gallery()->model()->exampleIndex().rows();
    QCOMPARE(std::set<std::int64_t>(rows.begin(), rows.end()), std::set<std::int64_t>(expected.begin(), expected.end()));
    QCOMPARE(rows.size(), expected.size());
    // Escape clears the selection and the gallery shows everything again.
    w.selection()->clear();
    QCOMPARE(std::int64_t(w.gallery()->model()->exampleIndex().rows().size()), w.activeDocument()->size());
}

void TestMainWindow::groupsSelectionReachesEveryView()
{
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.openFile(test::studyFixture()));
    // Everything the scatter holds.
    w.groupsView()->chart()->selectRect(-10, -10, 100, 100);
    const auto selected = w.selection()->examples();
    QVERIFY(!selected.empty());
    QCOMPARE(w.gallery()->model()->exampleIndex().rows().size(), selected.size());
    // Picking one example makes it current in the trajectory and the example view.
    const std::int64_t one = selected[selected.size() / 2];
    w.selection()->setExamples({one}, QStringLiteral("one"), nullptr);
    QCOMPARE(w.selection()->current(), one);
    QCOMPARE(w.trajectoryChart()->example(), one);
    QCOMPARE(w.exampleView()->example(), one);
}

void TestMainWindow::histogramControlsDriveTheView()
{
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.openFile(test::studyFixture()));
    HistogramView *panel = w.histogramView();
    QCOMPARE(panel->modelBox()->count(), 1 + w.activeDocument()->modelCount());
    QCOMPARE(panel->classBox()->count(), 1 + w.activeDocument()->numClasses());
    panel->splitBox()->setCurrentIndex(1);
    Q_EMIT panel->splitBox()->activated(1);
    QCOMPARE(w.histogramChart()->split(), DepthSplit::Validation);
    panel->modelBox()->setCurrentIndex(2);
    Q_EMIT panel->modelBox()->activated(2);
    QCOMPARE(w.histogramChart()->model(), 1);
    // Model 1's validation split: the examples it held out, train and test.
    const RunDocument *doc = w.activeDocument();
    double total = 0;
    for (double v : w.histogramChart()->binValues(0))
        total += v;
    std::int64_t heldOut = 0;
    for (std::int64_t e = 0; e < doc->size(); ++e)
        heldOut += !doc->trainedOn(1, e);
    QCOMPARE(std::int64_t(total), heldOut);
    panel->classBox()->setCurrentIndex(2);
    Q_EMIT panel->classBox()->activated(2);
    QCOMPARE(w.histogramChart()->classFilter(), 1);
    panel->fractionsBox()->setChecked(true);
    QVERIFY(w.histogramChart()->fractions());
}

void TestMainWindow::dropOpensFiles()
{
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(test::studyFixture())});
    // What Qt delivers when a file is dragged over the window and let go.
    QDragEnterEvent enter(QPoint(100, 100), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(100, 100), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &drop);
    QCOMPARE(int(w.documents().size()), 1);
    QCOMPARE(w.activeDocument()->path(), test::studyFixture());
}

namespace {

/// A 2-model study of a small mlp on the fixture data, on the CPU.
RunConfig smallStudy(const QString &output, int epochs, int batch)
{
    RunConfig c;
    c.dataset.name = "synthetic";
    c.dataset.path = test::fixtureDataset().toStdString();
    c.dataset.format = "idx";
    c.model.arch = "mlp";
    c.model.mlpHiddenLayers = 1;
    c.model.mlpHiddenUnits = 16;
    c.train.epochs = epochs;
    c.train.batchSize = batch;
    c.train.device = DeviceChoice::Cpu;
    c.study.models = 2;
    c.study.ratio = 0.5;
    c.study.probe = true;
    c.study.k = 5;
    c.output = output.toStdString();
    return c;
}

} // namespace

void TestMainWindow::liveTrainingIsShownAndOpenedWhenDone()
{
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QTemporaryDir dir;
    // Long enough for the window to show the file while it grows.
    const RunConfig c = smallStudy(dir.filePath(QStringLiteral("live.h5")), 20, 16);
    QSignalSpy updated(w.runner(), &TrainingRunner::fileUpdated);
    QSignalSpy finished(w.runner(), &TrainingRunner::finished);
    QString error;
    QVERIFY2(w.runner()->start(c, &error), qPrintable(error));
    // A file being written shows up as a live run while the job goes on (a
    // read that races the atomic replacement waits for the next update).
    auto showsLive = [&] {
        for (const auto &doc : w.documents())
            if (doc->isLive() || doc->path().contains(QStringLiteral(".members")))
                return true;
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(showsLive() || !finished.isEmpty(), 60000);
    QVERIFY2(finished.isEmpty(), "the job ended before the window showed its file");
    QVERIFY(updated.count() > 0);
    QVERIFY(finished.wait(120000));
    QCoreApplication::processEvents();
    QVERIFY(w.activeDocument());
    QCOMPARE(w.activeDocument()->path(), QString::fromStdString(c.output));
    QVERIFY(w.activeDocument()->isStudy());
}

void TestMainWindow::reopenedStudioFollowsItsJob()
{
    QTemporaryDir dir;
    const RunConfig c = smallStudy(dir.filePath(QStringLiteral("again.h5")), 60, 4);
    const QString output = QString::fromStdString(c.output);
    {
        // The first Studio starts the study and goes away while it trains.
        MainWindow first;
        QSignalSpy epochs(first.runner(), &TrainingRunner::epochFinished);
        QString error;
        QVERIFY2(first.runner()->start(c, &error), qPrintable(error));
        QVERIFY(epochs.wait(60000));
    }
    {
        // The next one follows the job it remembers.
        MainWindow second;
        QSignalSpy started(second.runner(), &TrainingRunner::started);
        second.reattachJobs();
        QCOMPARE(started.count(), 1);
        QCOMPARE(started.at(0).at(0).toString(), output);
        QVERIFY(second.runner()->isRunning());
    }
    // Opening the study's output while its job runs follows the job, and
    // opens the study when it is done.
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QSignalSpy started(w.runner(), &TrainingRunner::started);
    QSignalSpy finished(w.runner(), &TrainingRunner::finished);
    QVERIFY(w.openFile(output));
    QCOMPARE(started.count(), 1);
    QVERIFY(finished.wait(120000) || !finished.isEmpty());
    QCoreApplication::processEvents();
    QVERIFY(w.activeDocument());
    QCOMPARE(w.activeDocument()->path(), output);
    QVERIFY(w.activeDocument()->isStudy());
    // Seen to its end, it is not followed again.
    MainWindow last;
    QSignalSpy again(last.runner(), &TrainingRunner::started);
    last.reattachJobs();
    QCOMPARE(again.count(), 0);
}

void TestMainWindow::screenshotsAreWritten()
{
    MainWindow w;
    w.resize(1400, 900);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.openFile(test::studyFixture()));
    QTemporaryDir dir;
    QVERIFY(w.saveScreenshots(dir.path()));
    for (const char *name : {"mainwindow.png", "histogram-chart.png", "groups.png", "trajectory-chart.png",
                             "gallery.png", "detail.png", "wizard-1.png"}) {
        QImage img(dir.filePath(QString::fromLatin1(name)));
        QVERIFY2(!img.isNull(), name);
        QVERIFY2(test::coloursOf(img, 7).size() > 8, name); // not a blank picture
    }
}

int main(int argc, char **argv)
{
    VtkHost::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    TestMainWindow test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_mainwindow.moc"
