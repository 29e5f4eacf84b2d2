// Every chart, on screen and as exported, measured as a reader would judge a
// figure: texts inside the figure and apart, distinct tick labels, a legend
// that hides no data and axes fitted to the data. Renders with OpenGL: run
// under Xvfb.
#include "charts/depthhistogramchart.h"
#include "charts/figureinspect.h"
#include "charts/groupschart.h"
#include "charts/linechart.h"
#include "charts/palette.h"
#include "charts/trajectorychart.h"
#include "figurechecks.h"
#include "models/exampleselection.h"
#include "models/rundocument.h"
#include "studiofixture.h"
#include "training/livecurves.h"
#include "views/embeddingview.h"
#include "views/overviewview.h"

#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>
#include <memory>

using namespace pds;
using pds::test::figureProblems;

namespace {

/// Texts that name a model other than as m000, m001, … (the file's and `pdepth info`'s names).
QStringList badModelNames(const FigureGeometry &g)
{
    static const QRegularExpression shortName(QStringLiteral("(^|[^A-Za-z0-9_])m\\d{1,2}($|[^0-9])"));
    QStringList out;
    for (const FigureText &t : g.texts)
        if (shortName.match(t.text).hasMatch())
            out << t.text;
    return out;
}

/// How much of a pixel `colour` covers, drawn over white: 0 where the pixel
/// is not of its hue (`hue` (r, g or b) is the channel the colour is strong in, `weak` the one it lacks).
double coverage(QRgb pixel, int hue, int weak)
{
    const int channels[3] = {qRed(pixel), qGreen(pixel), qBlue(pixel)};
    if (channels[hue] - channels[weak] < 30)
        return 0; // white, grey, black or another colour
    return (255 - channels[weak]) / 255.0;
}

/// A line's thickness where it crosses column `x`, in pixels (antialiased edges counted by coverage).
double thicknessInColumn(const QImage &image, int x, int hue, int weak)
{
    double sum = 0;
    for (int y = 0; y < image.height(); ++y)
        sum += coverage(image.pixel(x, y), hue, weak);
    return sum;
}

/// The area of every pixel of the colour, in pixels (antialiased edges counted by coverage).
double colourArea(const QImage &image, int hue, int weak)
{
    double sum = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            sum += coverage(image.pixel(x, y), hue, weak);
    return sum;
}

/// Texts other than the legend's own that the legend's box covers.
QStringList textsUnderLegend(const FigureGeometry &g)
{
    QStringList out;
    for (const FigurePanel &panel : g.panels)
        for (const FigureText &t : g.texts)
            if (!panel.legend.isEmpty() && t.kind != FigureText::Legend
                && panel.legend.adjusted(1, 1, -1, -1).intersects(t.box))
                out << t.text;
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
    void trajectorySingleColumn();
    void marksScaleWithDpi();
    void embedding_data();
    void embedding();

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
    const FigureGeometry shown = chart->figureGeometry();
    const QStringList onScreen = figureProblems(shown);
    QVERIFY2(onScreen.isEmpty(), qPrintable(QStringLiteral("on screen:\n") + onScreen.join(QLatin1Char('\n'))));
    const QStringList misnamed = badModelNames(shown);
    QVERIFY2(misnamed.isEmpty(), qPrintable(QStringLiteral("models not named m000…: ") + misnamed.join(QStringLiteral(", "))));

    // Exports: a single and a double column at 300 dpi and a vector figure (points at 72 dpi); the
    // three-panel trajectory only in a double column's width.
    const bool wide = which == QLatin1String("trajectory");
    const std::vector<std::pair<QSize, int>> exports =
        wide ? std::vector<std::pair<QSize, int>>{{QSize(2100, 900), 300}, {QSize(2100, 1200), 300}, {QSize(720, 300), 72}}
             : std::vector<std::pair<QSize, int>>{{QSize(1050, 780), 300}, {QSize(2100, 1400), 300}, {QSize(252, 190), 72}};
    for (const auto &[size, dpi] : exports) {
        const QStringList exported = figureProblems(chart->figureGeometryAt(size, dpi));
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
    const QStringList found = figureProblems(g);
    QVERIFY2(found.isEmpty(), qPrintable(found.join(QLatin1Char('\n'))));
    // A legend entry per model, named as the file names it, and titled axes.
    QStringList legend;
    int axisTitles = 0;
    for (const FigureText &t : g.texts) {
        if (t.kind == FigureText::Legend && t.text.startsWith(QLatin1Char('m')))
            legend << t.text;
        axisTitles += t.kind == FigureText::AxisTitle ? 1 : 0;
    }
    QCOMPARE(legend, (QStringList{"m000", "m001", "m002", "m003", "m004", "m005", "m006", "m007"}));
    QCOMPARE(axisTitles, 3);
}

void TestFigures::trajectorySingleColumn()
{
    // A single column (3.5 in) at the height the export dialog proposes: the
    // panels stack, each keeps a plot a reader can read and its legend off the data.
    auto *chart = static_cast<TrajectoryChart *>(makeChart(QStringLiteral("trajectory")));
    chart->resize(1100, 300);
    chart->show();
    QVERIFY(QTest::qWaitForWindowExposed(chart));
    chart->renderedImage();
    QVERIFY(!chart->stacked()); // the bottom dock is wide: side by side
    const QSizeF inches = chart->suggestedFigureSize(3.5);
    QCOMPARE(inches.width(), 3.5);
    QVERIFY2(inches.height() >= 5.0, qPrintable(QString::number(inches.height())));
    for (const auto &[size, dpi] : std::vector<std::pair<QSize, int>>{{(inches * 300).toSize(), 300},
                                                                       {(inches * 72).toSize(), 72}}) {
        const FigureGeometry g = chart->figureGeometryAt(size, dpi);
        const QString where = QStringLiteral("exported at %1×%2, %3 dpi:\n").arg(size.width()).arg(size.height()).arg(dpi);
        const QStringList found = figureProblems(g);
        QVERIFY2(found.isEmpty(), qPrintable(where + found.join(QLatin1Char('\n'))));
        QCOMPARE(g.panels.size(), std::size_t(3));
        QVERIFY2(chart->stacked(), qPrintable(where + QStringLiteral("the panels are side by side")));
        for (std::size_t p = 0; p < g.panels.size(); ++p) {
            // At least 1.2 in by 0.8 in of plot per panel, whatever the legends and tick labels take (0.9 in
            // wide in the vector layout, where VTK's paddings, fixed in pixels, weigh four times as much).
            const QRectF plot = g.panels[p].plot;
            QVERIFY2(plot.width() >= (dpi >= 300 ? 1.2 : 0.9) * dpi && plot.height() >= 0.8 * dpi,
                     qPrintable(where + QStringLiteral("panel %1 plots in %2×%3 px").arg(p).arg(plot.width()).arg(plot.height())));
            const QStringList covered = textsUnderLegend(g);
            QVERIFY2(covered.isEmpty(), qPrintable(where + QStringLiteral("the legend covers ") + covered.join(QStringLiteral(", "))));
        }
    }
    const QString png = m_dir.filePath(QStringLiteral("trajectory-single-column.png"));
    QString error;
    QVERIFY2(chart->exportFigure(png, FigureOptions{inches, 9, 300}, &error), qPrintable(error));
    QCOMPARE(QImage(png).size(), (inches * 300).toSize());
    chart->renderedImage();
    QVERIFY(!chart->stacked()); // the screen's frame is wide again
    chart->hide();
}

void TestFigures::marksScaleWithDpi()
{
    // Line widths and marker sizes are points: a PNG at 300 dpi draws them three
    // times as many pixels wide as one at 100 dpi of the same figure.
    const QColor lineColour = modelColour(0), markerColour = modelColour(3);
    LineChart chart;
    chart.resize(500, 360);
    chart.setChart(QStringLiteral("Marks"), QStringLiteral("x"), QStringLiteral("y"),
                   {LineSeries{QStringLiteral("flat"), {0, 1, 2, 3, 4}, {1, 1, 1, 1, 1}, lineColour, false, false},
                    LineSeries{QStringLiteral("point"), {3}, {1.5}, markerColour, false, false}});
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    chart.renderedImage();
    std::map<int, std::pair<double, double>> measured; // dpi -> (line thickness, marker diameter) in pixels
    for (int dpi : {100, 300}) {
        const QString png = m_dir.filePath(QStringLiteral("marks-%1.png").arg(dpi));
        QString error;
        QVERIFY2(chart.exportFigure(png, FigureOptions{QSizeF(3, 2), 10, dpi}, &error), qPrintable(error));
        const QImage image = QImage(png).convertToFormat(QImage::Format_RGB32);
        QCOMPARE(image.size(), QSize(3 * dpi, 2 * dpi));
        // The blue line crosses the column at a third of the width; the vermillion marker stands alone.
        measured[dpi] = {thicknessInColumn(image, image.width() / 3, 2, 0), std::sqrt(colourArea(image, 0, 2))};
        QVERIFY2(measured[dpi].first > 0 && measured[dpi].second > 0,
                 qPrintable(QStringLiteral("nothing drawn at %1 dpi").arg(dpi)));
    }
    const double lineRatio = measured[300].first / measured[100].first;
    const double markerRatio = measured[300].second / measured[100].second;
    const QString found = QStringLiteral("line %1 px → %2 px, marker %3 px → %4 px (square root of its area)")
                              .arg(measured[100].first, 0, 'f', 2).arg(measured[300].first, 0, 'f', 2)
                              .arg(measured[100].second, 0, 'f', 2).arg(measured[300].second, 0, 'f', 2);
    qInfo().noquote() << found;
    QVERIFY2(lineRatio > 2.5 && lineRatio < 3.5, qPrintable(found));
    QVERIFY2(markerRatio > 2.5 && markerRatio < 3.5, qPrintable(found));
    // A 2-point line at 300 dpi is about 8 pixels thick (2 / 72 × 300).
    QVERIFY2(measured[300].first >= 6.5 && measured[300].first <= 10, qPrintable(found));
}

void TestFigures::embedding_data()
{
    QTest::addColumn<QSize>("screen");
    QTest::addColumn<int>("dimensions");
    QTest::addRow("dock 3-D") << QSize(460, 420) << 3;
    QTest::addRow("large 3-D") << QSize(1000, 760) << 3;
    QTest::addRow("dock 2-D") << QSize(460, 420) << 2;
}

void TestFigures::embedding()
{
    QFETCH(QSize, screen);
    QFETCH(int, dimensions);
    // The fixture itself: its embeddings are in the members' files beside it.
    RunDocument doc(test::studyFixture());
    QVERIFY(doc.hasEmbeddings(0));
    EmbeddingView view(m_selection.get());
    view.resize(screen);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QSignalSpy shown(&view, &EmbeddingView::projectionShown);
    view.setDocument(&doc);
    for (int i = 0; i < 100 && (view.isProjecting() || view.pointCount() == 0); ++i)
        shown.wait(200);
    QVERIFY(view.pointCount() > 0);
    view.setDimensions(dimensions);
    VtkHost *host = view.host();
    host->renderedImage();

    auto check = [&](const FigureGeometry &g, const QString &where) {
        QStringList found = figureProblems(g);
        found << badModelNames(g);
        for (const QString &t : textsUnderLegend(g))
            found << QStringLiteral("the key covers \"%1\"").arg(t);
        // Every axis labelled: its title and at least two tick labels (one on the 3-D depth axis, often
        // foreshortened to a few millimetres, where a crowded label is left out rather than overlapped).
        std::map<int, int> ticks, titles;
        for (const FigureText &t : g.texts) {
            ticks[t.axis] += t.kind == FigureText::TickLabel ? 1 : 0;
            titles[t.axis] += t.kind == FigureText::AxisTitle ? 1 : 0;
        }
        for (int axis = 0; axis < dimensions; ++axis)
            if (ticks[axis] < (axis == 2 ? 1 : 2) || titles[axis] != 1)
                found << QStringLiteral("axis %1 has %2 tick labels and %3 titles").arg(axis).arg(ticks[axis]).arg(titles[axis]);
        if (g.panels.empty() || g.panels.front().marks.size() != std::size_t(view.pointCount()))
            found << QStringLiteral("not every point is in the figure");
        QVERIFY2(found.isEmpty(), qPrintable(where + found.join(QLatin1Char('\n'))));
    };
    check(host->figureGeometry(), QStringLiteral("on screen:\n"));
    for (const auto &[size, dpi] : std::vector<std::pair<QSize, int>>{
             {QSize(1050, 900), 300}, {QSize(2100, 1400), 300}, {QSize(252, 216), 72}}) {
        const FigureGeometry g = host->figureGeometryAt(size, dpi);
        check(g, QStringLiteral("exported at %1×%2, %3 dpi:\n").arg(size.width()).arg(size.height()).arg(dpi));
        // Points inside the figure with a margin (nothing cut at the edges).
        const QRectF inner = QRectF(QPointF(0, 0), g.size).adjusted(4, 4, -4, -4);
        for (const QPointF &m : g.panels.front().marks)
            QVERIFY2(inner.contains(m), qPrintable(QStringLiteral("a point at %1,%2 is cut at %3×%4")
                                                       .arg(m.x()).arg(m.y()).arg(size.width()).arg(size.height())));
    }
    // The files: the PNG's border is background (nothing clipped), the SVG and PDF are written.
    const QSizeF inches(3.5, 3.0);
    const QString base = m_dir.filePath(QStringLiteral("embedding-%1d-%2").arg(dimensions).arg(screen.width()));
    QString error;
    QVERIFY2(host->exportFigure(base + QStringLiteral(".png"), FigureOptions{inches, 10, 300}, &error), qPrintable(error));
    const QImage image(base + QStringLiteral(".png"));
    QCOMPARE(image.size(), (inches * 300).toSize());
    for (int x = 0; x < image.width(); ++x)
        for (int y : {0, 1, image.height() - 2, image.height() - 1})
            QVERIFY2(qGray(image.pixel(x, y)) > 240, qPrintable(QStringLiteral("drawn at the edge: %1,%2").arg(x).arg(y)));
    for (int y = 0; y < image.height(); ++y)
        for (int x : {0, 1, image.width() - 2, image.width() - 1})
            QVERIFY2(qGray(image.pixel(x, y)) > 240, qPrintable(QStringLiteral("drawn at the edge: %1,%2").arg(x).arg(y)));
    QVERIFY2(host->exportFigure(base + QStringLiteral(".svg"), FigureOptions{inches, 8, 300}, &error), qPrintable(error));
    QSvgRenderer renderer(base + QStringLiteral(".svg"));
    QVERIFY(renderer.isValid());
    QCOMPARE(renderer.viewBoxF().size().toSize(), (inches * 72).toSize());
    QVERIFY2(host->exportFigure(base + QStringLiteral(".pdf"), FigureOptions{inches, 8, 300}, &error), qPrintable(error));
    QVERIFY(QFileInfo(base + QStringLiteral(".pdf")).size() > 0);
}

QTEST_MAIN(TestFigures)
#include "tst_figures.moc"
