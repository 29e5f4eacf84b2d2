#include "charts/trajectorychart.h"
#include "models/exampleselection.h"
#include "models/neighboursmodel.h"
#include "models/rundocument.h"
#include "probe/neighbours.h"
#include "studiofixture.h"
#include "views/groupsview.h"
#include "views/histogramview.h"
#include "views/neighboursview.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTableView>
#include <QThread>
#include <QtTest/QtTest>

#include <algorithm>
#include <memory>
#include <set>

using namespace pds;
using namespace pds::test;

using Neighbours = QList<qint64>;

/// The Neighbours panel on a hand-made run whose neighbours are known, and the
/// empty states of the depth views.
class TestNeighbours : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void panelShowsTheKnownNeighbours_data();
    void panelShowsTheKnownNeighbours();
    void searchLeavesTheExampleItselfOut();
    void votesMatchTheProbeStage();
    void clickingANeighbourSelectsIt();
    void emptyStatesSayWhatIsMissing();
    void runWithoutDepthSaysHowToGetIt();
    void studyStillTrainingSaysSo();
    void testExampleInTrainSplitChartSaysSo();

private:
    /// Makes `example` current and waits until the panel shows its neighbours.
    bool showNeighbours(NeighboursView &view, ExampleSelection &selection, qint64 example);

    std::unique_ptr<RunDocument> m_doc;
};

void TestNeighbours::initTestCase()
{
    m_doc = std::make_unique<RunDocument>(handMadeRun(HandMade::Probed));
    QCOMPARE(m_doc->trainSize(), std::int64_t(8));
    QCOMPARE(m_doc->testSize(), std::int64_t(4));
    QCOMPARE(m_doc->probeNames(), QStringList({"p0", "p1"}));
}

bool TestNeighbours::showNeighbours(NeighboursView &view, ExampleSelection &selection, qint64 example)
{
    QSignalSpy shown(&view, &NeighboursView::neighboursShown);
    selection.setCurrent(example);
    return (!shown.isEmpty() || shown.wait(20000)) && view.neighboursModel()->example() == example;
}

void TestNeighbours::panelShowsTheKnownNeighbours_data()
{
    // Worked by hand from the one-dimensional embeddings in handMadeRun()'s
    // description; labels are index % 2, and train 6 is not in the support.
    QTest::addColumn<qint64>("example");
    QTest::addColumn<Neighbours>("p0");
    QTest::addColumn<int>("p0Vote");
    QTest::addColumn<Neighbours>("p1");
    QTest::addColumn<int>("p1Vote");
    QTest::addColumn<int>("depthRow");
    // train 0 at 40: 38 (train 4), 48 (train 1), 50 (train 7): labels 0 1 1 vote 1, its label 0 only at p1.
    QTest::newRow("train 0") << qint64(0) << Neighbours{4, 1, 7} << 1 << Neighbours{4, 2, 7} << 0 << 1;
    QTest::newRow("train 3") << qint64(3) << Neighbours{7, 1, 0} << 1 << Neighbours{1, 5, 7} << 1 << 0;
    QTest::newRow("train 5") << qint64(5) << Neighbours{2, 4, 0} << 0 << Neighbours{1, 3, 7} << 1 << 1;
    // Held out by the model: queried like a test example, train 6 is no one's neighbour.
    QTest::newRow("train 6 (held out)") << qint64(6) << Neighbours{5, 2, 4} << 0 << Neighbours{4, 0, 2} << 0 << 0;
    // test 0 at 48 is as far from train 1 as possible: zero.
    QTest::newRow("test 0") << qint64(8) << Neighbours{1, 7, 3} << 1 << Neighbours{2, 0, 4} << 0 << 1;
    QTest::newRow("test 2") << qint64(10) << Neighbours{5, 2, 4} << 0 << Neighbours{4, 0, 2} << 0 << 0;
}

void TestNeighbours::panelShowsTheKnownNeighbours()
{
    QFETCH(qint64, example);
    QFETCH(Neighbours, p0);
    QFETCH(int, p0Vote);
    QFETCH(Neighbours, p1);
    QFETCH(int, p1Vote);
    QFETCH(int, depthRow);

    ExampleSelection selection;
    NeighboursView view(&selection);
    QAbstractItemModelTester tester(view.neighboursModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    view.setDocument(m_doc.get());
    QVERIFY(showNeighbours(view, selection, example));
    QVERIFY2(view.emptyMessage().isEmpty(), qPrintable(view.emptyMessage()));

    const NeighboursModel *model = view.neighboursModel();
    QCOMPARE(model->rowCount(), 2);
    QCOMPARE(model->columnCount(), NeighboursModel::FirstNeighbourColumn + 3);
    const QList<Neighbours> expected{p0, p1};
    const QList<int> votes{p0Vote, p1Vote};
    for (int row = 0; row < 2; ++row) {
        Neighbours shown;
        for (int rank = 0; rank < 3; ++rank) {
            const QModelIndex cell = model->index(row, NeighboursModel::FirstNeighbourColumn + rank);
            shown << model->data(cell, NeighboursModel::ExampleRole).toLongLong();
            QCOMPARE(model->data(cell, NeighboursModel::LabelRole).toInt(), int(shown.back() % 2));
            QCOMPARE(model->data(cell, Qt::DisplayRole).toString(), m_doc->className(int(shown.back() % 2)));
        }
        QCOMPARE(shown, expected[row]);
        const ProbeNeighbours &p = model->neighbours().probes[std::size_t(row)];
        QCOMPARE(p.vote, votes[row]);
        // The vote the panel shows is the one the probe stored in the file.
        QCOMPARE(model->storedPrediction(row), votes[row]);
        const int count = int(std::count_if(shown.begin(), shown.end(), [&](qint64 e) { return e % 2 == votes[row]; }));
        QCOMPARE(model->data(model->index(row, NeighboursModel::VoteColumn)).toString(),
                 QStringLiteral("%1 (%2 of 3)").arg(m_doc->className(votes[row])).arg(count));
        QCOMPARE(model->data(model->index(row, NeighboursModel::ProbeColumn), NeighboursModel::DepthRowRole).toBool(),
                 row == depthRow);
    }
    QCOMPARE(model->depthRow(), depthRow);
    QVERIFY(view.statusText().contains(m_doc->exampleName(example)));

    // Thumbnails: decoded off the GUI thread, then shown in place of the placeholder.
    if (model->thumbnailCount() == 0) {
        QSignalSpy ready(model, &NeighboursModel::thumbnailsReady);
        QVERIFY(ready.wait(20000));
    }
    QVERIFY(model->imageThread() != nullptr);
    QVERIFY(model->imageThread() != QThread::currentThread());
    std::set<qint64> distinct(p0.begin(), p0.end());
    distinct.insert(p1.begin(), p1.end());
    QCOMPARE(model->thumbnailCount(), int(distinct.size()));
    const auto pixmap = model->data(model->index(0, NeighboursModel::FirstNeighbourColumn), Qt::DecorationRole).value<QPixmap>();
    // Enlarged by a whole factor (12 px images, crisp pixels) within the thumbnail size.
    QCOMPARE(pixmap.width(), 48);
    QVERIFY(pixmap.width() <= model->thumbnailSize());
    QVERIFY(coloursOf(pixmap.toImage(), 1).size() > 2); // the image, not the grey placeholder
}

void TestNeighbours::searchLeavesTheExampleItselfOut()
{
    // The core query, without the panel: the same neighbours, the example
    // itself left out where the model trained on it, as in the probe stage.
    NeighbourSearch search(m_doc->path().toStdString(), 0);
    QCOMPARE(search.k(), 3);
    QCOMPARE(search.probeNames(), (std::vector<std::string>{"p0", "p1"}));
    const ExampleNeighbours trained = search.neighbours("train", 1);
    QVERIFY(trained.leftOut);
    for (const auto &p : trained.probes)
        QVERIFY(std::find(p.examples.begin(), p.examples.end(), 1) == p.examples.end());
    // test 0 sits on train 1 (both at 48 at p0): its nearest, at distance zero.
    const ExampleNeighbours test = search.neighbours("test", 0);
    QVERIFY(!test.leftOut);
    QCOMPARE(test.probes[0].examples.front(), std::int64_t(1));
    QCOMPARE(test.probes[0].distances.front(), 0.f);
    QCOMPARE(test.probes[0].distances[1], 2.f);
    QCOMPARE(test.probes[0].votes, (std::vector<int>{0, 3}));
    const QString missing = QString::fromStdString([] {
        try {
            NeighbourSearch(handMadeRun(HandMade::WithoutProbes).toStdString(), 0);
        } catch (const std::exception &e) {
            return std::string(e.what());
        }
        return std::string("no error");
    }());
    QVERIFY2(missing.contains("--probe"), qPrintable(missing));
}

void TestNeighbours::votesMatchTheProbeStage()
{
    // On a trained run the search, over the stored float16 embeddings, casts
    // the votes the probe stage cast over its float32 ones and stored.
    const QString path = runFixture();
    RunDocument doc(path);
    NeighbourSearch search(path.toStdString(), 0);
    QCOMPARE(int(search.probeNames().size()), doc.probeCount());
    QVERIFY(search.missingProbes().empty());
    int same = 0, total = 0;
    for (qint64 e = 0; e < doc.size(); ++e) {
        const ExampleRef ref = doc.ref(e);
        const ExampleNeighbours n = search.neighbours(ref.split(), ref.index);
        QCOMPARE(n.leftOut, doc.trainedOn(0, e));
        const std::vector<std::int32_t> stored = doc.knnPredictions(0, e);
        for (std::size_t p = 0; p < n.probes.size(); ++p) {
            QCOMPARE(int(n.probes[p].examples.size()), n.k);
            same += n.probes[p].vote == stored[p] ? 1 : 0;
            ++total;
        }
    }
    qInfo("%d of %d votes equal the stored k-NN predictions", same, total);
    QVERIFY2(same == total, qPrintable(QStringLiteral("%1 of %2").arg(same).arg(total)));
}

void TestNeighbours::clickingANeighbourSelectsIt()
{
    ExampleSelection selection;
    NeighboursView view(&selection);
    view.resize(900, 400);
    view.setDocument(m_doc.get());
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(showNeighbours(view, selection, 0));
    // p1's second nearest of train 0 is train 2.
    const QModelIndex cell = view.neighboursModel()->index(1, NeighboursModel::FirstNeighbourColumn + 1);
    QCOMPARE(view.neighboursModel()->exampleAt(cell), std::int64_t(2));
    QSignalSpy shown(&view, &NeighboursView::neighboursShown);
    QTest::mouseClick(view.table()->viewport(), Qt::LeftButton, {}, view.table()->visualRect(cell).center());
    QCOMPARE(selection.current(), std::int64_t(2));
    QCOMPARE(selection.examples(), std::vector<std::int64_t>{2});
    // The panel follows: now train 2's own neighbours.
    QVERIFY(shown.wait(20000));
    QCOMPARE(view.neighboursModel()->example(), std::int64_t(2));
}

void TestNeighbours::emptyStatesSayWhatIsMissing()
{
    ExampleSelection selection;
    NeighboursView view(&selection);
    QVERIFY2(view.emptyMessage().contains("Open a run"), qPrintable(view.emptyMessage()));
    view.setDocument(m_doc.get());
    QVERIFY2(view.emptyMessage().contains("Select an example"), qPrintable(view.emptyMessage()));
    QCOMPARE(view.neighboursModel()->rowCount(), 0);
    QVERIFY(showNeighbours(view, selection, 3));
    QVERIFY(view.emptyMessage().isEmpty());
    selection.setCurrent(-1);
    QVERIFY2(view.emptyMessage().contains("Select an example"), qPrintable(view.emptyMessage()));
    QCOMPARE(view.neighboursModel()->rowCount(), 0);

    // The trajectory asks for an example until one is selected.
    TrajectoryChart trajectory(&selection);
    QVERIFY2(trajectory.emptyMessage().contains("Open a run"), qPrintable(trajectory.emptyMessage()));
    trajectory.setDocument(m_doc.get());
    QVERIFY2(trajectory.emptyMessage().contains("Select an example"), qPrintable(trajectory.emptyMessage()));
    selection.setCurrent(3);
    QVERIFY2(trajectory.emptyMessage().isEmpty(), qPrintable(trajectory.emptyMessage()));
}

void TestNeighbours::runWithoutDepthSaysHowToGetIt()
{
    RunDocument doc(handMadeRun(HandMade::WithoutProbes));
    ExampleSelection selection;
    HistogramView histogram(&selection);
    QVERIFY(!histogram.emptyMessage().isEmpty()); // no run open
    histogram.setDocuments(&doc, nullptr);
    for (const QString &fragment : {QStringLiteral("has no prediction depth"), QStringLiteral("pdepth train --probe"),
                                    QStringLiteral("pdepth study"), QStringLiteral("Compute prediction depth")})
        QVERIFY2(histogram.emptyMessage().contains(fragment), qPrintable(histogram.emptyMessage()));
    // A run with depth shows its histogram, not the message.
    histogram.setDocuments(m_doc.get(), nullptr);
    QVERIFY2(histogram.emptyMessage().isEmpty(), qPrintable(histogram.emptyMessage()));

    GroupsView groups(&selection);
    groups.setDocument(&doc);
    QVERIFY2(groups.stateMessage().contains("pdepth train --probe"), qPrintable(groups.stateMessage()));
    NeighboursView neighbours(&selection);
    neighbours.setDocument(&doc);
    selection.setCurrent(1);
    QVERIFY2(neighbours.emptyMessage().contains("pdepth train --probe"), qPrintable(neighbours.emptyMessage()));
}

void TestNeighbours::studyStillTrainingSaysSo()
{
    RunDocument doc(handMadeRun(HandMade::StillTraining));
    QVERIFY(doc.isLive());
    ExampleSelection selection;
    HistogramView histogram(&selection);
    histogram.setDocuments(&doc, nullptr);
    QVERIFY2(histogram.emptyMessage().contains("still training"), qPrintable(histogram.emptyMessage()));
    QVERIFY2(histogram.emptyMessage().contains("0 of 1 models finished"), qPrintable(histogram.emptyMessage()));
}

void TestNeighbours::testExampleInTrainSplitChartSaysSo()
{
    ExampleSelection selection;
    GroupsView groups(&selection);
    groups.setDocument(m_doc.get());
    QVERIFY2(groups.stateMessage().isEmpty(), qPrintable(groups.stateMessage()));
    selection.setCurrent(2);
    QVERIFY(groups.stateMessage().isEmpty());
    selection.setCurrent(9);
    QVERIFY2(groups.stateMessage().contains("test 1 is a test example"), qPrintable(groups.stateMessage()));
    QVERIFY(groups.stateMessage().contains("no train-split depth"));
}

QTEST_MAIN(TestNeighbours)
#include "tst_neighbours.moc"
