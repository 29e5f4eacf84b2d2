// Every chart, on screen and as exported, measured as a reader would judge a
// figure: texts inside the figure and apart, distinct tick labels, a legend
// that hides no data and axes fitted to the data. Renders with OpenGL: run
// under Xvfb.
#include "charts/depthhistogramchart.h"
#include "charts/figureinspect.h"
#include "charts/groupschart.h"
#include "charts/linechart.h"
#include "charts/trajectorychart.h"
#include "models/exampleselection.h"
#include "models/rundocument.h"
#include "studiofixture.h"
#include "training/livecurves.h"
#include "views/overviewview.h"

#include <QFile>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>
#include <memory>
#include <set>

using namespace pds;

namespace {

/// Where a figure fails a reader; empty when it passes.
QStringList problems(const FigureGeometry &g)
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

} // namespace

class TestFigures : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void charts_data();
    void charts();
    void liveCurves_data();
    void liveCurves();

private:
    /// The chart named `which`, shown with the long-titled study.
    VtkHost *makeChart(const QString &which);

    QTemporaryDir m_dir;
    std::unique_ptr<RunDocument> m_doc, m_run;
    std::unique_ptr<ExampleSelection> m_selection;
    std::vector<std::unique_ptr<QWidget>> m_keep;
};

void TestFigures::initTestCase()
{
    // PDS_KEEP_EXPORTS=1 keeps the exported figures for a look by eye.
    if (qEnvironmentVariableIsSet("PDS_KEEP_EXPORTS")) {
        m_dir.setAutoRemove(false);
        qInfo() << "exports in" << m_dir.path();
    }
    // A long file name makes long run titles, as real studies have.
    const QString study = m_dir.filePath(QStringLiteral("fashion-mnist-cnn-8-models-symmetric-noise-5-percent-study.h5"));
    QVERIFY(QFile::copy(test::studyFixture(), study));
    const QString run = m_dir.filePath(QStringLiteral("fashion-mnist-cnn-single-run-with-probes-seed-7.h5"));
    QVERIFY(QFile::copy(test::runFixture(), run));
    m_doc = std::make_unique<RunDocument>(study);
    m_run = std::make_unique<RunDocument>(run);
    m_selection = std::make_unique<ExampleSelection>();
}

VtkHost *TestFigures::makeChart(const QString &which)
{
    if (which.startsWith(QLatin1String("overview"))) {
        auto *overview = new OverviewView;
        overview->setDocument(m_doc.get());
        m_keep.emplace_back(overview);
        // Shown alone, at the size under test, rather than inside the overview's splitter.
        VtkHost *chart = which.endsWith(QLatin1String("curves")) ? overview->curvesChart() : overview->probeChart();
        chart->setParent(nullptr);
        m_keep.emplace_back(chart);
        return chart;
    }
    if (which.startsWith(QLatin1String("histogram"))) {
        auto *chart = new DepthHistogramChart(m_selection.get());
        chart->setDocuments(m_doc.get(), which.endsWith(QLatin1String("compare")) ? m_run.get() : nullptr);
        m_keep.emplace_back(chart);
        return chart;
    }
    if (which.startsWith(QLatin1String("groups"))) {
        auto *chart = new GroupsChart(m_selection.get());
        chart->setDocument(m_doc.get());
        if (which.endsWith(QLatin1String("memorisation")))
            chart->setAxes(GroupsChart::Axes::Memorisation);
        m_keep.emplace_back(chart);
        return chart;
    }
    auto *chart = new TrajectoryChart(m_selection.get());
    chart->setDocument(m_doc.get());
    m_selection->setExamples({3, 40, m_doc->trainSize() + 2}, QStringLiteral("three"), nullptr, false);
    m_selection->setCurrent(3);
    m_keep.emplace_back(chart);
    return chart;
}

void TestFigures::charts_data()
{
    QTest::addColumn<QString>("which");
    QTest::addColumn<QSize>("screen");
    for (const char *which : {"overview-curves", "overview-probes", "histogram", "histogram-compare", "groups",
                              "groups-memorisation", "trajectory"}) {
        // A dock's size at 1366×768 and a roomy one; the trajectory is a wide bottom dock.
        const bool wide = QByteArray(which) == "trajectory";
        QTest::addRow("%s small", which) << QString::fromLatin1(which) << (wide ? QSize(1100, 300) : QSize(430, 330));
        QTest::addRow("%s large", which) << QString::fromLatin1(which) << (wide ? QSize(1800, 420) : QSize(800, 560));
    }
}

void TestFigures::charts()
{
    QFETCH(QString, which);
    QFETCH(QSize, screen);
    VtkHost *chart = makeChart(which);
    chart->resize(screen);
    chart->show();
    QVERIFY(QTest::qWaitForWindowExposed(chart));
    chart->renderedImage();
    const QStringList onScreen = problems(chart->figureGeometry());
    QVERIFY2(onScreen.isEmpty(), qPrintable(QStringLiteral("on screen:\n") + onScreen.join(QLatin1Char('\n'))));

    // Exports: a single and a double column at 300 dpi and a vector figure (points at 72 dpi); the
    // three-panel trajectory only in a double column's width.
    const bool wide = which == QLatin1String("trajectory");
    const std::vector<std::pair<QSize, int>> exports =
        wide ? std::vector<std::pair<QSize, int>>{{QSize(2100, 900), 300}, {QSize(2100, 1200), 300}, {QSize(720, 300), 72}}
             : std::vector<std::pair<QSize, int>>{{QSize(1050, 780), 300}, {QSize(2100, 1400), 300}, {QSize(252, 190), 72}};
    for (const auto &[size, dpi] : exports) {
        const QStringList exported = problems(chart->figureGeometryAt(size, dpi));
        QVERIFY2(exported.isEmpty(), qPrintable(QStringLiteral("exported at %1×%2, %3 dpi:\n")
                                                    .arg(size.width()).arg(size.height()).arg(dpi)
                                                + exported.join(QLatin1Char('\n'))));
    }
    const QString png = m_dir.filePath(which + QStringLiteral(".png"));
    QString error;
    const QSizeF inches = wide ? QSizeF(7, 3) : QSizeF(3.5, 2.6);
    QVERIFY2(chart->exportFigure(png, FigureOptions{inches, 10, 300}, &error), qPrintable(error));
    const QImage image(png);
    QCOMPARE(image.size(), (inches * 300).toSize());
    QCOMPARE(image.text(QStringLiteral("Title")), chart->figureTitle());
    // Vector figures at the same physical size: one SVG unit, one PDF point, is a point.
    const QString svg = m_dir.filePath(which + QStringLiteral(".svg"));
    QVERIFY2(chart->exportFigure(svg, FigureOptions{inches, 8, 300}, &error), qPrintable(error));
    QSvgRenderer renderer(svg);
    QVERIFY(renderer.isValid());
    QCOMPARE(renderer.viewBoxF().size().toSize(), (inches * 72).toSize());
    QVERIFY2(chart->exportFigure(m_dir.filePath(which + QStringLiteral(".pdf")), FigureOptions{inches, 8, 300}, &error),
             qPrintable(error));
    chart->hide();
}

void TestFigures::liveCurves_data()
{
    QTest::addColumn<QSize>("size");
    QTest::addRow("dock") << QSize(360, 200);
    QTest::addRow("wide") << QSize(700, 320);
}

void TestFigures::liveCurves()
{
    QFETCH(QSize, size);
    LiveCurves curves;
    curves.resize(size);
    curves.setEpochs(6);
    for (int m = 0; m < 8; ++m)
        for (int e = 1; e <= 6; ++e)
            curves.addPoint(m, e, 2.3 / (e + m * 0.1), 0.3 + 0.1 * e - 0.01 * m);
    const FigureGeometry g = curves.figureGeometry();
    const QStringList found = problems(g);
    QVERIFY2(found.isEmpty(), qPrintable(found.join(QLatin1Char('\n'))));
    // A legend entry per model and titled axes.
    int legend = 0, axisTitles = 0;
    for (const FigureText &t : g.texts) {
        legend += t.kind == FigureText::Legend && t.text.startsWith(QLatin1Char('m')) ? 1 : 0;
        axisTitles += t.kind == FigureText::AxisTitle ? 1 : 0;
    }
    QCOMPARE(legend, 8);
    QCOMPARE(axisTitles, 3);
}

QTEST_MAIN(TestFigures)
#include "tst_figures.moc"
