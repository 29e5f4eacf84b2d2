#include "charts/trajectorychart.h"
#include "charts/vtkhost.h"
#include "models/exampleselection.h"
#include "models/rundocument.h"
#include "studiofixture.h"

#include <QApplication>
#include <QSet>
#include <QtTest/QtTest>

#include <vtkAxis.h>
#include <vtkChartXY.h>

#include <cmath>
#include <memory>

using namespace pds;

namespace {

/// Correct at epoch e−1 and wrong at e, counted from the raw trace.
int countForgetting(const RunDocument::EpochTrace &trace, int label)
{
    int n = 0;
    for (std::size_t e = 1; e < trace.pred.size(); ++e)
        n += trace.pred[e - 1] == label && trace.pred[e] != label;
    return n;
}

} // namespace

class TestTrajectory : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void emptyWithoutExample();
    void probePanelMatchesPredictions();
    void forgettingEventsMatchTraces();
    void followsCurrentExample();
    void overlaysSelectedExamples();
    void modelPanelShowsSpread();
    void singleRun();
    void renders();

private:
    void checkProbePanel(std::int64_t ex);

    std::unique_ptr<RunDocument> m_doc;
    std::unique_ptr<ExampleSelection> m_selection;
    std::unique_ptr<TrajectoryChart> m_view;
    std::int64_t m_forgetful = -1; ///< a train example with forgetting events, if the fixture has one
};

void TestTrajectory::initTestCase()
{
    m_doc = std::make_unique<RunDocument>(test::studyFixture());
    QVERIFY(m_doc->modelCount() >= 2);
    QVERIFY(m_doc->probeCount() >= 2);
    int most = 0;
    for (std::int64_t e = 0; e < m_doc->size(); ++e) {
        int total = 0;
        for (int m = 0; m < m_doc->modelCount(); ++m)
            total += countForgetting(m_doc->epochTrace(m, e), m_doc->labels()[static_cast<std::size_t>(e)]);
        if (total > most) {
            most = total;
            m_forgetful = e;
        }
    }
    QVERIFY2(m_forgetful >= 0, "the fixture has no forgetting event to check");
}

void TestTrajectory::init()
{
    m_selection = std::make_unique<ExampleSelection>();
    m_view = std::make_unique<TrajectoryChart>(m_selection.get());
    m_view->resize(1500, 520);
    m_view->setDocument(m_doc.get());
}

void TestTrajectory::emptyWithoutExample()
{
    QCOMPARE(m_view->example(), std::int64_t(-1));
    QCOMPARE(m_view->probeMarkerCount(), 0);
    QCOMPARE(m_view->epochLineCount(), 0);
    QCOMPARE(m_view->plotCount(TrajectoryChart::Models), 0);
    QVERIFY(m_view->panelTitle(TrajectoryChart::Probes).contains(QStringLiteral("Click an example")));
}

void TestTrajectory::checkProbePanel(std::int64_t ex)
{
    const int models = m_doc->modelCount(), probes = m_doc->probeCount();
    QCOMPARE(m_view->example(), ex);
    QCOMPARE(m_view->probeMarkerCount(), models * probes);
    int disagree = 0;
    for (int m = 0; m < models; ++m) {
        const auto preds = m_doc->knnPredictions(m, ex);
        QCOMPARE(static_cast<int>(preds.size()), probes);
        for (int l = 0; l < probes; ++l) {
            QCOMPARE(m_view->probeMarkerClass(m, l), preds[static_cast<std::size_t>(l)]);
            disagree += preds[static_cast<std::size_t>(l)] != m_doc->finalPrediction(m, ex);
        }
    }
    QCOMPARE(m_view->disagreementCount(), disagree);
    QCOMPARE(m_view->depthSegmentCount(), models);
    QVERIFY(m_view->panelTitle(TrajectoryChart::Probes).contains(m_doc->exampleName(ex)));
}

void TestTrajectory::probePanelMatchesPredictions()
{
    // A test example (held out by every model) and a train example.
    for (std::int64_t ex : {std::int64_t(5), m_doc->trainSize() + 3}) {
        m_selection->setCurrent(ex);
        checkProbePanel(ex);
    }
    vtkAxis *axis = m_view->chart(TrajectoryChart::Probes)->GetAxis(vtkAxis::BOTTOM);
    QCOMPARE(QString::fromStdString(axis->GetTitle()), QStringLiteral("Probe"));
    QCOMPARE(QString::fromStdString(m_view->chart(TrajectoryChart::Epochs)->GetAxis(vtkAxis::LEFT)->GetTitle()),
             QStringLiteral("Probability of the given label"));
    QCOMPARE(QString::fromStdString(m_view->chart(TrajectoryChart::Models)->GetAxis(vtkAxis::LEFT)->GetTitle()),
             QStringLiteral("Prediction depth"));
}

void TestTrajectory::forgettingEventsMatchTraces()
{
    m_selection->setCurrent(m_forgetful);
    const int label = m_doc->labels()[static_cast<std::size_t>(m_forgetful)];
    int total = 0, trainedTotal = 0, heldTotal = 0, trainedModels = 0;
    for (int m = 0; m < m_doc->modelCount(); ++m) {
        const int expected = countForgetting(m_doc->epochTrace(m, m_forgetful), label);
        QCOMPARE(m_view->forgettingEvents(m), expected);
        total += expected;
        if (m_doc->trainedOn(m, m_forgetful)) {
            trainedTotal += expected;
            ++trainedModels;
        } else {
            heldTotal += expected;
        }
    }
    QVERIFY(total > 0);
    QCOMPARE(m_view->forgettingMarkerCount(), total);
    QCOMPARE(m_view->epochLineCount(), m_doc->modelCount());
    // The study's own scores are the means of the per-model counts over the
    // models that trained on the example, and over those that held it out.
    const int heldModels = m_doc->modelCount() - trainedModels;
    QVERIFY(trainedModels > 0 && heldModels > 0);
    const ScoreColumn *trained = m_doc->column(QStringLiteral("forgetting_events"));
    const ScoreColumn *held = m_doc->column(QStringLiteral("forgetting_events_held_out"));
    QVERIFY(trained && held);
    const auto at = static_cast<std::size_t>(m_forgetful);
    QVERIFY(std::abs(trained->values[at] - double(trainedTotal) / trainedModels) < 1e-4);
    QVERIFY(std::abs(held->values[at] - double(heldTotal) / heldModels) < 1e-4);
}

void TestTrajectory::followsCurrentExample()
{
    m_selection->setCurrent(7);
    checkProbePanel(7);
    m_selection->setCurrent(m_forgetful);
    checkProbePanel(m_forgetful);
    m_selection->setExamples({20}, QStringLiteral("one example"));
    checkProbePanel(20);
    m_view->setDocument(nullptr);
    QCOMPARE(m_view->example(), std::int64_t(-1));
    QCOMPARE(m_view->probeMarkerCount(), 0);
}

void TestTrajectory::overlaysSelectedExamples()
{
    m_selection->setCurrent(9);
    m_selection->setExamples({1, 2, 3, 4, 5, 6, 7, 9}, QStringLiteral("eight examples"));
    QCOMPARE(m_view->examples(), (std::vector<std::int64_t>{9, 1, 2, 3, 4}));
    checkProbePanel(9);
    QCOMPARE(m_view->epochLineCount(), TrajectoryChart::maxExamples * m_doc->modelCount());
    // The model panel: two kinds of point for the current example, one plot per further example.
    int points = 0;
    for (int m = 0; m < m_doc->modelCount(); ++m)
        for (std::int64_t e : m_view->examples())
            points += m_doc->depth(m, e) >= 0;
    // Each kind of model (trained on it, held out) has a mean and two ±std lines of two points each.
    bool anyTrained = false, anyHeld = false;
    for (int m = 0; m < m_doc->modelCount(); ++m)
        (m_doc->trainedOn(m, 9) ? anyTrained : anyHeld) = true;
    const int lines = 3 * 2 * (int(anyTrained) + int(anyHeld));
    QCOMPARE(m_view->pointCount(TrajectoryChart::Models), points + lines);
}

void TestTrajectory::modelPanelShowsSpread()
{
    const std::int64_t ex = 11; // a train example: some models trained on it, some held it out
    m_selection->setCurrent(ex);
    std::vector<double> trained, held;
    for (int m = 0; m < m_doc->modelCount(); ++m)
        (m_doc->trainedOn(m, ex) ? trained : held).push_back(m_doc->depth(m, ex));
    QVERIFY(!trained.empty() && !held.empty());
    auto meanStd = [](const std::vector<double> &v) {
        double mean = 0, var = 0;
        for (double x : v)
            mean += x;
        mean /= double(v.size());
        for (double x : v)
            var += (x - mean) * (x - mean);
        return std::make_pair(mean, std::sqrt(var / double(v.size())));
    };
    const auto [tm, ts] = meanStd(trained);
    const auto [hm, hs] = meanStd(held);
    // The spread the view draws agrees with the study's effective depths.
    QVERIFY(std::abs(tm - m_doc->column(QStringLiteral("depth_train"))->values[ex]) < 1e-4);
    QVERIFY(std::abs(hm - m_doc->column(QStringLiteral("depth_val"))->values[ex]) < 1e-4);
    const QString title = m_view->panelTitle(TrajectoryChart::Models);
    QVERIFY2(title.contains(QStringLiteral("trained on it %1 ± %2").arg(tm, 0, 'f', 2).arg(ts, 0, 'f', 2)), qPrintable(title));
    QVERIFY2(title.contains(QStringLiteral("held out %1 ± %2").arg(hm, 0, 'f', 2).arg(hs, 0, 'f', 2)), qPrintable(title));
    // Points, plus the mean and ±std lines of both kinds.
    QCOMPARE(m_view->pointCount(TrajectoryChart::Models), m_doc->modelCount() + 2 * 3 * 2);
}

void TestTrajectory::singleRun()
{
    RunDocument run(test::runFixture());
    QCOMPARE(run.modelCount(), 1);
    m_view->setDocument(&run);
    const std::int64_t ex = run.trainSize() + 2;
    m_selection->setCurrent(ex);
    QCOMPARE(m_view->example(), ex);
    QCOMPARE(m_view->probeMarkerCount(), run.probeCount());
    for (int l = 0; l < run.probeCount(); ++l)
        QCOMPARE(m_view->probeMarkerClass(0, l), run.knnPredictions(0, ex)[static_cast<std::size_t>(l)]);
    QCOMPARE(m_view->epochLineCount(), 1);
    QCOMPARE(m_view->forgettingEvents(0), countForgetting(run.epochTrace(0, ex), run.labels()[static_cast<std::size_t>(ex)]));
    m_view->setDocument(nullptr);
}

void TestTrajectory::renders()
{
    m_selection->setCurrent(m_forgetful);
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
    const QImage image = m_view->renderedImage();
    QVERIFY(!image.isNull());
    QVERIFY2(test::coloursOf(image).size() > 20, qPrintable(QString::number(test::coloursOf(image).size())));
    // All three panels are drawn: each third of the figure has ink in several colours.
    for (int third = 0; third < 3; ++third) {
        const QImage part = image.copy(third * image.width() / 3, 0, image.width() / 3, image.height());
        QVERIFY2(test::coloursOf(part).size() > 8, qPrintable(QStringLiteral("panel %1").arg(third)));
    }
}

int main(int argc, char **argv)
{
    VtkHost::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    TestTrajectory test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_trajectory.moc"
