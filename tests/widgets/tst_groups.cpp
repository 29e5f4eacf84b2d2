#include "charts/groupschart.h"
#include "charts/vtkhost.h"
#include "models/exampleselection.h"
#include "models/rundocument.h"
#include "studiofixture.h"
#include "views/groupsview.h"
#include "views/thresholdspanel.h"

#include <QApplication>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QPushButton>
#include <QSet>
#include <QSignalSpy>
#include <QToolButton>
#include <QtTest/QtTest>

#include <vtkAxis.h>
#include <vtkChartXY.h>
#include <vtkTooltipItem.h>

#include <cmath>
#include <memory>

using namespace pds;

namespace {

/// Examples with both coordinates of the chart, per group, counted from the document alone.
std::vector<int> expectedCounts(const RunDocument &doc, const char *yColumn)
{
    std::vector<int> counts(static_cast<std::size_t>(RunDocument::groupLabels().size()), 0);
    const ScoreColumn *x = doc.column(QStringLiteral("depth_val"));
    const ScoreColumn *y = doc.column(QLatin1String(yColumn));
    for (std::size_t e = 0; e < static_cast<std::size_t>(doc.size()); ++e)
        if (std::isfinite(x->values[e]) && std::isfinite(y->values[e]))
            ++counts[static_cast<std::size_t>(doc.groups()[e])];
    return counts;
}

std::vector<int> chartCounts(const GroupsChart &chart)
{
    std::vector<int> counts;
    for (int g = 0; g < RunDocument::groupLabels().size(); ++g)
        counts.push_back(chart.plottedCount(g));
    return counts;
}

/// Plotted examples and their drawn positions.
std::vector<std::pair<std::int64_t, QPointF>> plottedPoints(const GroupsChart &chart, const RunDocument &doc)
{
    std::vector<std::pair<std::int64_t, QPointF>> out;
    for (std::int64_t e = 0; e < doc.size(); ++e) {
        const QPointF p = chart.position(e);
        if (std::isfinite(p.x()))
            out.emplace_back(e, p);
    }
    return out;
}

/// Even-odd rule, written independently of VTK's polygon test.
bool insidePolygon(const std::vector<QPointF> &poly, QPointF p)
{
    bool inside = false;
    for (std::size_t i = 0, j = poly.size() - 1; i < poly.size(); j = i++) {
        const QPointF a = poly[i], b = poly[j];
        if ((a.y() > p.y()) != (b.y() > p.y()) && p.x() < (b.x() - a.x()) * (p.y() - a.y()) / (b.y() - a.y()) + a.x())
            inside = !inside;
    }
    return inside;
}

} // namespace

class TestGroups : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void countsMatchGroups();
    void memorisationAxes();
    void thresholdSpinBoxRegroups();
    void selectRect();
    void selectPolygon();
    void linkedSelection();
    void mouseDragSelects();
    void hoverAndClick();
    void renders();
    void singleRunHasNoGroups();

private:
    std::unique_ptr<RunDocument> m_doc;
    std::unique_ptr<ExampleSelection> m_selection;
    std::unique_ptr<GroupsView> m_view;
};

void TestGroups::initTestCase()
{
    m_doc = std::make_unique<RunDocument>(test::studyFixture());
    QVERIFY(m_doc->hasGroups());
}

void TestGroups::init()
{
    m_doc->setThresholds(GroupThresholds{});
    m_selection = std::make_unique<ExampleSelection>();
    m_view = std::make_unique<GroupsView>(m_selection.get());
    m_view->resize(1100, 700);
    m_view->setDocument(m_doc.get());
}

void TestGroups::countsMatchGroups()
{
    const auto expected = expectedCounts(*m_doc, "depth_train");
    QCOMPARE(chartCounts(*m_view->chart()), expected);
    int total = 0;
    for (int c : expected)
        total += c;
    // Test examples have no train-split depth: plotted, but never all of them.
    QVERIFY(total > 0);
    QVERIFY(total <= m_doc->trainSize());
    QCOMPARE(m_view->chart()->plottedTotal(), total);
    QVERIFY(m_view->chart()->title().contains(QStringLiteral("%1 of %2 examples plotted").arg(total).arg(m_doc->size())));
    for (std::int64_t e = m_doc->trainSize(); e < m_doc->size(); ++e)
        QVERIFY(std::isnan(m_view->chart()->position(e).x()));

    // The table counts every example of each group, plotted or not.
    std::vector<int> all(expected.size(), 0);
    for (std::int8_t g : m_doc->groups())
        ++all[static_cast<std::size_t>(g)];
    QCOMPARE(m_view->thresholds()->groupCounts(), all);

    // Jitter stays within ±0.2 of the true depths and is the same in a second chart.
    const ScoreColumn *x = m_doc->column(QStringLiteral("depth_val"));
    const ScoreColumn *y = m_doc->column(QStringLiteral("depth_train"));
    GroupsChart other(m_selection.get());
    other.setDocument(m_doc.get());
    bool moved = false;
    for (std::int64_t e = 0; e < m_doc->trainSize(); ++e) {
        const QPointF p = m_view->chart()->position(e);
        QVERIFY(std::abs(p.x() - x->values[static_cast<std::size_t>(e)]) <= 0.2 + 1e-5);
        QVERIFY(std::abs(p.y() - y->values[static_cast<std::size_t>(e)]) <= 0.2 + 1e-5);
        moved = moved || std::abs(p.x() - x->values[static_cast<std::size_t>(e)]) > 0.01;
        QCOMPARE(other.position(e), p);
    }
    QVERIFY(moved);
}

void TestGroups::memorisationAxes()
{
    m_view->axesBox()->setCurrentIndex(1);
    QCOMPARE(m_view->chart()->axes(), GroupsChart::Axes::Memorisation);
    QCOMPARE(chartCounts(*m_view->chart()), expectedCounts(*m_doc, "memorisation"));
    QCOMPARE(QString::fromStdString(m_view->chart()->chartXY()->GetAxis(vtkAxis::LEFT)->GetTitle()),
             QStringLiteral("Memorisation"));
    m_view->axesBox()->setCurrentIndex(0);
    QCOMPARE(QString::fromStdString(m_view->chart()->chartXY()->GetAxis(vtkAxis::LEFT)->GetTitle()),
             QStringLiteral("Train-split depth"));
    QCOMPARE(QString::fromStdString(m_view->chart()->chartXY()->GetAxis(vtkAxis::BOTTOM)->GetTitle()),
             QStringLiteral("Validation-split depth"));
}

void TestGroups::thresholdSpinBoxRegroups()
{
    const std::vector<std::int8_t> before = m_doc->groups();
    const auto countsBefore = chartCounts(*m_view->chart());
    QDoubleSpinBox *easy = m_view->thresholds()->spinBox(QStringLiteral("easiness"));
    QDoubleSpinBox *ambiguity = m_view->findChild<QDoubleSpinBox *>(QStringLiteral("ambiguity"));
    QVERIFY(easy && ambiguity);
    QCOMPARE(easy->value(), GroupThresholds{}.easiness);
    QSignalSpy regrouped(m_doc.get(), &RunDocument::groupsChanged);

    // Any easiness is enough and no ambiguity is: the easy group can only grow.
    easy->setValue(0.0);
    ambiguity->setValue(1.0);
    QCOMPARE(regrouped.count(), 2);
    QCOMPARE(m_doc->thresholds().easiness, 0.0);
    QCOMPARE(m_doc->thresholds().ambiguity, 1.0);
    QVERIFY(m_doc->groups() != before);
    const auto countsAfter = chartCounts(*m_view->chart());
    QCOMPARE(countsAfter, expectedCounts(*m_doc, "depth_train"));
    QVERIFY(countsAfter[1] > countsBefore[1]);
    std::vector<int> all(countsAfter.size(), 0);
    for (std::int8_t g : m_doc->groups())
        ++all[static_cast<std::size_t>(g)];
    QCOMPARE(m_view->thresholds()->groupCounts(), all);

    m_view->findChild<QPushButton *>(QStringLiteral("reset"))->click();
    QCOMPARE(m_doc->groups(), before);
    QCOMPARE(easy->value(), GroupThresholds{}.easiness);
    QCOMPARE(chartCounts(*m_view->chart()), countsBefore);
}

void TestGroups::selectRect()
{
    const auto points = plottedPoints(*m_view->chart(), *m_doc);
    double x0 = 1e9, x1 = -1e9, y0 = 1e9, y1 = -1e9;
    for (const auto &[e, p] : points) {
        x0 = std::min(x0, p.x()), x1 = std::max(x1, p.x());
        y0 = std::min(y0, p.y()), y1 = std::max(y1, p.y());
    }
    const double rx0 = x0 + 0.2 * (x1 - x0), rx1 = x0 + 0.7 * (x1 - x0);
    const double ry0 = y0 + 0.1 * (y1 - y0), ry1 = y0 + 0.8 * (y1 - y0);
    std::vector<std::int64_t> expected;
    for (const auto &[e, p] : points)
        if (p.x() >= rx0 && p.x() <= rx1 && p.y() >= ry0 && p.y() <= ry1)
            expected.push_back(e);
    QVERIFY(!expected.empty());
    QVERIFY(expected.size() < points.size());

    QSignalSpy changed(m_selection.get(), &ExampleSelection::selectionChanged);
    m_view->chart()->selectRect(rx1, ry1, rx0, ry0); // corners in either order
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.first().at(0).value<QObject *>(), m_view->chart());
    QCOMPARE(changed.first().at(1).toBool(), true);
    QCOMPARE(m_selection->examples(), expected);
    QCOMPARE(m_selection->description(), QStringLiteral("%1 examples in the groups view").arg(expected.size()));
    QCOMPARE(m_view->chart()->highlighted(), expected);

    // A rectangle with no point in it clears the selection.
    m_view->chart()->selectRect(x1 + 5, y1 + 5, x1 + 6, y1 + 6);
    QVERIFY(m_selection->isEmpty());
    QVERIFY(m_view->chart()->highlighted().empty());
}

void TestGroups::selectPolygon()
{
    const auto points = plottedPoints(*m_view->chart(), *m_doc);
    double x0 = 1e9, x1 = -1e9, y0 = 1e9, y1 = -1e9;
    for (const auto &[e, p] : points) {
        x0 = std::min(x0, p.x()), x1 = std::max(x1, p.x());
        y0 = std::min(y0, p.y()), y1 = std::max(y1, p.y());
    }
    const std::vector<QPointF> triangle = {{x0 - 0.1, y0 - 0.1},
                                           {x1 + 0.1, y0 - 0.1},
                                           {x0 + 0.5 * (x1 - x0), y1 + 0.1}};
    std::vector<std::int64_t> expected;
    for (const auto &[e, p] : points)
        if (insidePolygon(triangle, p))
            expected.push_back(e);
    QVERIFY(!expected.empty());
    QVERIFY(expected.size() < points.size());

    QSignalSpy changed(m_selection.get(), &ExampleSelection::selectionChanged);
    m_view->chart()->selectPolygon(triangle);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.first().at(1).toBool(), true);
    QCOMPARE(m_selection->examples(), expected);
    QCOMPARE(m_view->chart()->highlighted(), expected);
}

void TestGroups::linkedSelection()
{
    // Two plotted train examples and one test example, which has no point.
    const auto points = plottedPoints(*m_view->chart(), *m_doc);
    QVERIFY(points.size() > 10);
    const std::int64_t a = points[3].first, b = points[10].first, test = m_doc->trainSize() + 1;
    m_selection->setExamples({b, test, a}, QStringLiteral("from the gallery"));
    QCOMPARE(m_view->chart()->highlighted(), (std::vector<std::int64_t>{a, b}));
    m_selection->clear();
    QVERIFY(m_view->chart()->highlighted().empty());
    // A new document keeps the selection shown.
    m_selection->setExamples({a}, QStringLiteral("one"));
    m_view->setDocument(m_doc.get());
    QCOMPARE(m_view->chart()->highlighted(), std::vector<std::int64_t>{a});
}

void TestGroups::mouseDragSelects()
{
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
    GroupsChart *chart = m_view->chart();
    QVERIFY(!chart->renderedImage().isNull()); // lays the chart out
    vtkChartXY *xy = chart->chartXY();
    const int *p1 = xy->GetPoint1(), *p2 = xy->GetPoint2();
    vtkAxis *xAxis = xy->GetAxis(vtkAxis::BOTTOM);
    const double dpr = chart->devicePixelRatioF();
    // Scene pixels (origin bottom left, VTK flips y as height - 1 - y) to widget coordinates, and to data.
    auto widgetPos = [&](double sx, double sy) {
        return QPoint(qRound(sx / dpr), qRound((chart->height() * dpr - 1 - sy) / dpr));
    };
    auto dataX = [&](double sx) {
        return xAxis->GetUnscaledMinimum()
               + (sx - p1[0]) / (p2[0] - p1[0]) * (xAxis->GetUnscaledMaximum() - xAxis->GetUnscaledMinimum());
    };
    const double pixel = (xAxis->GetUnscaledMaximum() - xAxis->GetUnscaledMinimum()) / (p2[0] - p1[0]);

    // Rectangle over the left part of the plot area, full height.
    const double midX = p1[0] + 0.45 * (p2[0] - p1[0]);
    QSignalSpy changed(m_selection.get(), &ExampleSelection::selectionChanged);
    QTest::mousePress(chart, Qt::LeftButton, {}, widgetPos(p1[0] + 2, p2[1] - 2));
    QTest::mouseMove(chart, widgetPos(midX, p1[1] + 40));
    QTest::mouseMove(chart, widgetPos(midX, p1[1] + 2));
    QTest::mouseRelease(chart, Qt::LeftButton, {}, widgetPos(midX, p1[1] + 2));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.first().at(1).toBool(), true);
    const double cut = dataX(midX);
    const auto points = plottedPoints(*chart, *m_doc);
    int left = 0;
    for (const auto &[e, p] : points) {
        if (p.x() < cut - 2 * pixel)
            QVERIFY2(m_selection->contains(e), qPrintable(m_doc->exampleName(e)));
        if (p.x() > cut + 2 * pixel)
            QVERIFY2(!m_selection->contains(e), qPrintable(m_doc->exampleName(e)));
        left += p.x() < cut;
    }
    QVERIFY(left > 0 && left < static_cast<int>(points.size()));

    // Lasso around the whole plot area selects every point.
    QToolButton *lasso = nullptr;
    for (QToolButton *b : m_view->findChildren<QToolButton *>())
        if (b->text() == QStringLiteral("Lasso"))
            lasso = b;
    QVERIFY(lasso);
    lasso->click();
    QCOMPARE(chart->tool(), GroupsChart::Tool::Lasso);
    // The chart takes presses strictly inside its plot area.
    const std::vector<QPointF> corners = {{p1[0] + 2.0, p1[1] + 2.0}, {p2[0] - 2.0, p1[1] + 2.0},
                                          {p2[0] - 2.0, p2[1] - 2.0}, {p1[0] + 2.0, p2[1] - 2.0}};
    QTest::mousePress(chart, Qt::LeftButton, {}, widgetPos(corners[0].x(), corners[0].y()));
    for (std::size_t i = 1; i <= corners.size(); ++i) {
        const QPointF from = corners[i - 1], to = corners[i % corners.size()];
        for (int s = 1; s <= 10; ++s) {
            const QPointF q = from + (to - from) * (s / 10.0);
            QTest::mouseMove(chart, widgetPos(q.x(), q.y()));
        }
    }
    QTest::mouseRelease(chart, Qt::LeftButton, {}, widgetPos(corners[0].x() + 1, corners[0].y() + 2));
    QCOMPARE(changed.count(), 2);
    QCOMPARE(static_cast<int>(m_selection->examples().size()), chart->plottedTotal());
    m_view->hide();
}

void TestGroups::hoverAndClick()
{
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
    GroupsChart *chart = m_view->chart();
    QVERIFY(!chart->renderedImage().isNull());
    vtkChartXY *xy = chart->chartXY();
    const int *p1 = xy->GetPoint1(), *p2 = xy->GetPoint2();
    vtkAxis *xAxis = xy->GetAxis(vtkAxis::BOTTOM), *yAxis = xy->GetAxis(vtkAxis::LEFT);
    auto scene = [&](QPointF data) {
        return QPointF(p1[0] + (data.x() - xAxis->GetUnscaledMinimum()) / (xAxis->GetUnscaledMaximum() - xAxis->GetUnscaledMinimum()) * (p2[0] - p1[0]),
                       p1[1] + (data.y() - yAxis->GetUnscaledMinimum()) / (yAxis->GetUnscaledMaximum() - yAxis->GetUnscaledMinimum()) * (p2[1] - p1[1]));
    };
    // A point with no other within 12 pixels, so the hover can only mean it.
    const auto points = plottedPoints(*chart, *m_doc);
    std::int64_t lonely = -1;
    QPointF at;
    for (const auto &[e, p] : points) {
        const QPointF s = scene(p);
        bool alone = true;
        for (const auto &[f, q] : points)
            alone = alone && (f == e || QLineF(s, scene(q)).length() > 12);
        if (alone) {
            lonely = e;
            at = s;
            break;
        }
    }
    QVERIFY(lonely >= 0);
    const double dpr = chart->devicePixelRatioF();
    QTest::mouseMove(chart, QPoint(qRound(at.x() / dpr), qRound((chart->height() * dpr - 1 - at.y()) / dpr)));
    vtkTooltipItem *tip = xy->GetTooltip();
    QVERIFY(tip->GetVisible());
    const QString text = QString::fromStdString(tip->GetText());
    const QString group = RunDocument::groupLabels()[m_doc->groups()[static_cast<std::size_t>(lonely)]];
    QVERIFY2(text.startsWith(m_doc->exampleName(lonely) + QStringLiteral(" · class ")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral(" · ") + group + QStringLiteral(" · ")), qPrintable(text));

    // A click picks that one example, without filtering the gallery.
    QSignalSpy changed(m_selection.get(), &ExampleSelection::selectionChanged);
    QTest::mouseClick(chart, Qt::LeftButton, {}, QPoint(qRound(at.x() / dpr), qRound((chart->height() * dpr - 1 - at.y()) / dpr)));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.first().at(1).toBool(), false);
    QCOMPARE(m_selection->examples(), std::vector<std::int64_t>{lonely});
    QCOMPARE(m_selection->current(), lonely);
    QCOMPARE(chart->highlighted(), std::vector<std::int64_t>{lonely});
    m_view->hide();
}

void TestGroups::renders()
{
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
    const QImage image = m_view->chart()->renderedImage();
    QVERIFY(!image.isNull());
    QVERIFY(image.width() > 100 && image.height() > 100);
    QVERIFY2(test::coloursOf(image).size() > 20, qPrintable(QString::number(test::coloursOf(image).size())));
    // The easy group's bluish green is drawn somewhere (blended with white by its alpha).
    bool green = false;
    for (int y = 0; y < image.height() && !green; ++y)
        for (int x = 0; x < image.width() && !green; ++x) {
            const QColor c = image.pixelColor(x, y);
            green = c.green() > c.red() + 50 && c.green() > c.blue() + 20;
        }
    QVERIFY(green);
}

void TestGroups::singleRunHasNoGroups()
{
    RunDocument run(test::runFixture());
    QVERIFY(!run.hasGroups());
    m_view->setDocument(&run);
    QVERIFY(m_view->chart()->title().contains(QStringLiteral("need a study")));
    QVERIFY(!m_view->thresholds()->spinBox(QStringLiteral("easiness"))->isEnabled());
    for (int g = 1; g < RunDocument::groupLabels().size(); ++g)
        QCOMPARE(m_view->chart()->plottedCount(g), 0);
    m_view->setDocument(nullptr);
    QCOMPARE(m_view->chart()->plottedTotal(), 0);
}

int main(int argc, char **argv)
{
    VtkHost::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    TestGroups test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_groups.moc"
