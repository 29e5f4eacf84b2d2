// The VTK host (rendering, event forwarding, PNG/SVG/PDF export) and the
// depth histogram, on the study fixture. Renders with OpenGL: run under Xvfb.
#include "charts/depthhistogramchart.h"
#include "charts/palette.h"
#include "models/exampleselection.h"
#include "models/rundocument.h"
#include "studiofixture.h"

#include <QApplication>
#include <QMenu>
#include <QProcess>
#include <QSet>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest/QtTest>

#include <vtkAxis.h>
#include <vtkChartXY.h>
#include <vtkContextScene.h>
#include <vtkContextView.h>
#include <vtkFloatArray.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkInteractorObserver.h>
#include <vtkPlot.h>
#include <vtkRenderer.h>
#include <vtkTable.h>
#include <vtkTooltipItem.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>

using namespace pds;

class TestCharts : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void countsMatchColumns_data();
    void countsMatchColumns();
    void fractionsSumToOne();
    void classFilterPartitions();
    void clickBinSelectsExamples();
    void compareRun();
    void emptyChart();
    void renderIsNotBlank();
    void mouseClickSelectsBar();
    void dragSelectsRangeOfBars();
    void hoverShowsTooltip();
    void rightClickOpensMenu();
    void svgGetsTitleWhenViewHasNone();
    void exportPng();
    void exportSvg();
    void exportPdf();

private:
    /// Histogram of one run counted straight from the document.
    std::vector<std::vector<std::int64_t>> expectedBins(const RunDocument &doc, DepthSplit split, int model,
                                                        int cls) const;
    void showView();

    std::unique_ptr<RunDocument> m_doc, m_run;
    std::unique_ptr<ExampleSelection> m_selection;
    std::unique_ptr<DepthHistogramChart> m_view;
    QTemporaryDir m_dir;
};

void TestCharts::initTestCase()
{
    m_doc = std::make_unique<RunDocument>(test::studyFixture());
    m_run = std::make_unique<RunDocument>(test::runFixture());
    QVERIFY(m_doc->probeCount() > 1);
    QCOMPARE(m_doc->modelCount(), 4);
    m_selection = std::make_unique<ExampleSelection>();
    m_view = std::make_unique<DepthHistogramChart>(m_selection.get());
    m_view->setDocuments(m_doc.get());
    // PDS_KEEP_EXPORTS=1 keeps the exported figures for a look by eye.
    if (qEnvironmentVariableIsSet("PDS_KEEP_EXPORTS")) {
        m_dir.setAutoRemove(false);
        qInfo() << "exports in" << m_dir.path();
    }
}

std::vector<std::vector<std::int64_t>> TestCharts::expectedBins(const RunDocument &doc, DepthSplit split, int model,
                                                                int cls) const
{
    const int P = doc.probeCount();
    std::vector<std::vector<std::int64_t>> bins(P + 1);
    const bool train = split == DepthSplit::Train;
    const ScoreColumn *column = doc.column(train ? "depth_train" : "depth_val");
    for (std::int64_t i = 0; i < doc.size(); ++i) {
        if (cls >= 0 && doc.labels()[i] != cls)
            continue;
        if (model < 0) {
            const float v = column->values[i];
            if (!std::isnan(v))
                bins[static_cast<int>(std::floor(v + 0.5f))].push_back(i);
        } else if (doc.trainedOn(model, i) == train) {
            bins[doc.depth(model, i)].push_back(i);
        }
    }
    return bins;
}

void TestCharts::countsMatchColumns_data()
{
    QTest::addColumn<int>("split");
    QTest::addColumn<int>("model");
    QTest::addColumn<int>("cls");
    QTest::newRow("train effective") << 0 << -1 << -1;
    QTest::newRow("validation effective") << 1 << -1 << -1;
    QTest::newRow("train model 0") << 0 << 0 << -1;
    QTest::newRow("validation model 2") << 1 << 2 << -1;
    QTest::newRow("train effective class 1") << 0 << -1 << 1;
    QTest::newRow("validation model 3 class 2") << 1 << 3 << 2;
}

void TestCharts::countsMatchColumns()
{
    QFETCH(int, split);
    QFETCH(int, model);
    QFETCH(int, cls);
    const auto s = split == 0 ? DepthSplit::Train : DepthSplit::Validation;
    m_view->setFractions(false);
    m_view->setSplit(s);
    m_view->setModel(model);
    m_view->setClassFilter(cls);
    const auto expected = expectedBins(*m_doc, s, model, cls);
    QCOMPARE(m_view->seriesCount(), 1);
    QCOMPARE(m_view->binCount(), m_doc->probeCount() + 1);
    const std::vector<double> values = m_view->binValues(0);
    QCOMPARE(values.size(), expected.size());
    std::size_t total = 0;
    for (std::size_t bin = 0; bin < expected.size(); ++bin) {
        QCOMPARE(values[bin], double(expected[bin].size()));
        QCOMPARE(m_view->examplesInBin(int(bin)), expected[bin]);
        total += expected[bin].size();
    }
    QVERIFY2(total > 0, "the fixture should have examples in this split");
    QCOMPARE(m_view->binLabel(0), m_doc->probeNames().front());
    QCOMPARE(m_view->binLabel(m_doc->probeCount()), QStringLiteral("never"));
    QVERIFY(m_view->figureTitle().contains(s == DepthSplit::Train ? "Train-split" : "Validation-split"));
    QVERIFY(m_view->figureTitle().contains(m_doc->title()));
    m_view->setClassFilter(-1);
    m_view->setModel(-1);
    m_view->setSplit(DepthSplit::Train);
}

void TestCharts::fractionsSumToOne()
{
    for (int model : {-1, 1}) {
        m_view->setModel(model);
        m_view->setFractions(false);
        const std::vector<double> counts = m_view->binValues(0);
        const double total = std::accumulate(counts.begin(), counts.end(), 0.0);
        m_view->setFractions(true);
        const std::vector<double> fractions = m_view->binValues(0);
        QCOMPARE(std::accumulate(fractions.begin(), fractions.end(), 0.0), 1.0);
        for (std::size_t bin = 0; bin < counts.size(); ++bin)
            QCOMPARE(fractions[bin], counts[bin] / total);
    }
    m_view->setFractions(false);
    m_view->setModel(-1);
}

void TestCharts::classFilterPartitions()
{
    const std::vector<double> all = m_view->binValues(0);
    std::vector<double> sum(all.size(), 0.0);
    for (int cls = 0; cls < m_doc->numClasses(); ++cls) {
        m_view->setClassFilter(cls);
        for (std::size_t bin = 0; bin < sum.size(); ++bin) {
            sum[bin] += m_view->binValues(0)[bin];
            for (std::int64_t example : m_view->examplesInBin(int(bin)))
                QCOMPARE(m_doc->labels()[example], cls);
        }
    }
    m_view->setClassFilter(-1);
    QCOMPARE(sum, all);
}

void TestCharts::clickBinSelectsExamples()
{
    m_view->setClassFilter(2);
    int bin = 0;
    for (int b = 0; b < m_view->binCount(); ++b)
        if (m_view->examplesInBin(b).size() > m_view->examplesInBin(bin).size())
            bin = b;
    const auto expected = expectedBins(*m_doc, DepthSplit::Train, -1, 2)[bin];
    QVERIFY(!expected.empty());
    QSignalSpy spy(m_selection.get(), &ExampleSelection::selectionChanged);
    m_view->clickBin(bin);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).value<QObject *>(), m_view.get());
    QCOMPARE(spy.at(0).at(1).toBool(), true);
    QCOMPARE(m_selection->examples(), expected);
    QCOMPARE(m_selection->description(),
             QStringLiteral("train-split depth %1, class %2").arg(m_view->binLabel(bin), m_doc->className(2)));
    // Out-of-range bins do nothing.
    m_view->clickBin(m_view->binCount());
    QCOMPARE(spy.count(), 1);
    m_view->setClassFilter(-1);
}

void TestCharts::compareRun()
{
    QCOMPARE(m_run->size(), m_doc->size());
    m_view->setDocuments(m_doc.get(), m_run.get());
    QCOMPARE(m_view->seriesCount(), 2);
    QCOMPARE(m_view->chart()->GetNumberOfPlots(), 2);
    const auto primary = expectedBins(*m_doc, DepthSplit::Train, -1, -1);
    const auto compare = expectedBins(*m_run, DepthSplit::Train, -1, -1);
    QCOMPARE(m_run->probeCount(), m_doc->probeCount());
    for (std::size_t bin = 0; bin < primary.size(); ++bin) {
        QCOMPARE(m_view->binValues(0)[bin], double(primary[bin].size()));
        QCOMPARE(m_view->binValues(1)[bin], double(compare[bin].size()));
    }
    QVERIFY(m_view->figureTitle().contains(" vs "));
    // Both runs number the same examples, so the compare run's bars select too.
    int bin = 0;
    while (compare[bin].empty())
        ++bin;
    m_view->clickBin(bin, 1);
    QCOMPARE(m_selection->examples(), compare[bin]);
    m_view->setDocuments(m_doc.get());
    QCOMPARE(m_view->seriesCount(), 1);

    // A compare run that is closed leaves the chart.
    auto closing = std::make_unique<RunDocument>(test::runFixture());
    m_view->setDocuments(m_doc.get(), closing.get());
    QCOMPARE(m_view->seriesCount(), 2);
    closing.reset();
    QTRY_COMPARE(m_view->seriesCount(), 1);
    QVERIFY(!m_view->compare());
}

void TestCharts::emptyChart()
{
    m_view->setDocuments(nullptr);
    QCOMPARE(m_view->seriesCount(), 0);
    QCOMPARE(m_view->figureTitle(), QStringLiteral("No run open"));
    QVERIFY(m_view->binValues(0).empty());
    QVERIFY(m_view->examplesInBin(0).empty());
    m_view->setDocuments(m_doc.get());
    QCOMPARE(m_view->seriesCount(), 1);
}

void TestCharts::showView()
{
    m_selection->clear(); // another view's change removes the bar highlight
    if (m_view->isVisible())
        return;
    m_view->resize(800, 600);
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
    QVERIFY(m_view->isValid());
}

namespace {
QSet<QRgb> colours(const QImage &image)
{
    QSet<QRgb> set;
    for (int y = 0; y < image.height(); y += 2)
        for (int x = 0; x < image.width(); x += 2)
            set.insert(image.pixel(x, y) & 0xffffff);
    return set;
}

bool near(QRgb a, QColor b, int tolerance = 40)
{
    return std::abs(qRed(a) - b.red()) + std::abs(qGreen(a) - b.green()) + std::abs(qBlue(a) - b.blue()) <= tolerance;
}
} // namespace

void TestCharts::renderIsNotBlank()
{
    showView();
    m_view->setDocuments(m_doc.get(), m_run.get());
    const QImage image = m_view->renderedImage();
    QCOMPARE(image.size(), m_view->size() * m_view->devicePixelRatio());
    const QSet<QRgb> set = colours(image);
    QVERIFY2(set.size() >= 4, qPrintable(QString::number(set.size())));
    // Mostly white background, with both series' bar colours present.
    int white = 0, blue = 0, orange = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x) {
            const QRgb p = image.pixel(x, y);
            white += near(p, Qt::white, 6);
            blue += near(p, seriesColour(0));
            orange += near(p, seriesColour(1));
        }
    const int pixels = image.width() * image.height();
    QVERIFY2(white > pixels / 3 && white < pixels, qPrintable(QString::number(white)));
    QVERIFY2(blue > 500, qPrintable(QString::number(blue)));
    QVERIFY2(orange > 500, qPrintable(QString::number(orange)));
}

void TestCharts::mouseClickSelectsBar()
{
    showView();
    m_view->setDocuments(m_doc.get(), m_run.get());
    const QImage image = m_view->renderedImage();
    const qreal dpr = m_view->devicePixelRatio();
    for (int series : {0, 1}) {
        int bin = 0;
        const std::vector<double> values = m_view->binValues(series);
        for (int b = 0; b < m_view->binCount(); ++b)
            if (values[b] > values[bin])
                bin = b;
        const QPointF centre = m_view->barCenter(bin, series);
        // The computed centre really is on that series' bar.
        const QRgb pixel = image.pixel((centre * dpr).toPoint());
        QVERIFY2(near(pixel, series == 0 ? seriesColour(0) : seriesColour(1)),
                 qPrintable(QColor(pixel).name()));

        m_selection->clear();
        QSignalSpy spy(m_selection.get(), &ExampleSelection::selectionChanged);
        QTest::mouseMove(m_view.get(), centre.toPoint());
        QTest::mouseClick(m_view.get(), Qt::LeftButton, {}, centre.toPoint());
        QTRY_COMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).value<QObject *>(), m_view.get());
        QCOMPARE(spy.at(0).at(1).toBool(), true);
        QCOMPARE(m_selection->examples(), m_view->examplesInBin(bin, series));
    }
    if (qEnvironmentVariableIsSet("PDS_KEEP_EXPORTS"))
        m_view->renderedImage().save(m_dir.filePath("clicked.png"));
    // A click on the background selects nothing.
    m_selection->clear();
    QSignalSpy spy(m_selection.get(), &ExampleSelection::selectionChanged);
    QTest::mouseClick(m_view.get(), Qt::LeftButton, {}, QPoint(3, 3));
    QTest::qWait(50);
    QCOMPARE(spy.count(), 0);
    m_view->setDocuments(m_doc.get());
}

void TestCharts::dragSelectsRangeOfBars()
{
    showView();
    m_view->setDocuments(m_doc.get());
    m_view->renderedImage();
    // A box from just above the x axis left of bar 0 to the top, across bar 2's centre.
    const double top = m_view->chart()->GetAxis(vtkAxis::LEFT)->GetMaximum();
    const QPoint from = m_view->chartToWidget(-0.45, top * 0.01).toPoint();
    const QPoint to = m_view->chartToWidget(2.0, top * 0.98).toPoint();
    std::vector<std::int64_t> expected;
    int last = 0;
    for (int bin = 0; bin <= 2; ++bin) {
        const auto examples = m_view->examplesInBin(bin);
        expected.insert(expected.end(), examples.begin(), examples.end());
        if (!examples.empty())
            last = bin;
    }
    std::sort(expected.begin(), expected.end());
    QVERIFY(!expected.empty());
    m_selection->clear();
    QSignalSpy spy(m_selection.get(), &ExampleSelection::selectionChanged);
    QTest::mousePress(m_view.get(), Qt::LeftButton, {}, from);
    for (int step = 1; step <= 5; ++step)
        QTest::mouseMove(m_view.get(), from + (to - from) * step / 5);
    QTest::mouseRelease(m_view.get(), Qt::LeftButton, {}, to);
    QTRY_COMPARE(spy.count(), 1);
    QCOMPARE(m_selection->examples(), expected);
    QCOMPARE(m_selection->description(),
             QStringLiteral("train-split depth %1–%2").arg(m_view->binLabel(0), m_view->binLabel(last)));
}

void TestCharts::hoverShowsTooltip()
{
    showView();
    m_view->setFractions(false);
    m_view->renderedImage();
    const std::vector<double> values = m_view->binValues(0);
    const int bin = int(std::max_element(values.begin(), values.end()) - values.begin());
    const QPointF centre = m_view->barCenter(bin);
    vtkTooltipItem *tooltip = m_view->chart()->GetTooltip();
    QTest::mouseMove(m_view.get(), QPoint(2, 2));
    QTRY_VERIFY(!tooltip->GetVisible());
    QTest::mouseMove(m_view.get(), centre.toPoint());
    QTRY_VERIFY(tooltip->GetVisible());
    const QString text = QString::fromStdString(tooltip->GetText());
    std::size_t total = 0;
    for (int b = 0; b < m_view->binCount(); ++b)
        total += m_view->examplesInBin(b).size();
    const QString expected = QStringLiteral("depth %1: %2 of %3 examples (%4 %)")
                                 .arg(m_view->binLabel(bin)).arg(values[bin]).arg(total)
                                 .arg(100.0 * values[bin] / double(total), 0, 'f', 1);
    QVERIFY2(text.contains(expected), qPrintable(text + " / " + expected));
    QVERIFY(text.startsWith(m_doc->title()));
    if (qEnvironmentVariableIsSet("PDS_KEEP_EXPORTS"))
        m_view->renderedImage().save(m_dir.filePath("hover.png"));
}

void TestCharts::rightClickOpensMenu()
{
    showView();
    QStringList actions;
    QTimer::singleShot(200, [&] {
        if (auto *menu = qobject_cast<QMenu *>(QApplication::activePopupWidget())) {
            for (QAction *action : menu->actions())
                actions << action->text();
            menu->close();
        }
    });
    QTest::mouseClick(m_view.get(), Qt::RightButton, {}, QPoint(400, 300));
    QTRY_VERIFY(!actions.isEmpty());
    QVERIFY2(actions.contains(QStringLiteral("Export figure…")), qPrintable(actions.join('|')));
}

void TestCharts::svgGetsTitleWhenViewHasNone()
{
    // A bare host with an untitled chart: the export adds figureTitle().
    VtkHost host;
    vtkNew<vtkContextView> view;
    view->SetRenderWindow(host.renderWindow());
    view->GetRenderer()->SetBackground(1, 1, 1);
    // Attaching a context view is all a chart needs for its events to arrive.
    QVERIFY(host.renderWindow()->GetInteractor() == host.interactor());
    QVERIFY(host.interactor()->GetInteractorStyle());
    QCOMPARE(QString(host.interactor()->GetInteractorStyle()->GetClassName()), QString("vtkContextInteractorStyle"));
    vtkNew<vtkChartXY> chart;
    view->GetScene()->AddItem(chart);
    vtkNew<vtkTable> table;
    for (const char *name : {"x", "y"}) {
        vtkNew<vtkFloatArray> column;
        column->SetName(name);
        table->AddColumn(column);
    }
    table->SetNumberOfRows(5);
    for (int i = 0; i < 5; ++i) {
        table->SetValue(i, 0, i);
        table->SetValue(i, 1, i * i);
    }
    chart->AddPlot(vtkChart::LINE)->SetInputData(table, 0, 1);
    host.setWindowTitle(QStringLiteral("Bare <chart>"));
    host.resize(400, 300);
    host.show();
    QVERIFY(QTest::qWaitForWindowExposed(&host));
    const QString path = m_dir.filePath("bare.svg");
    QString error;
    QVERIFY2(host.exportSvg(path, &error), qPrintable(error));
    QSvgRenderer svg(path);
    QVERIFY(svg.isValid());
    QVERIFY2(svg.viewBoxF().height() > 300, qPrintable(QString::number(svg.viewBoxF().height())));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray content = file.readAll();
    QVERIFY(content.contains(">Bare &lt;chart&gt;</text>"));
    QVERIFY(host.exportPdf(m_dir.filePath("bare.pdf"), &error));
    const QString pdftotext = QStandardPaths::findExecutable("pdftotext");
    if (pdftotext.isEmpty())
        QSKIP("pdftotext is not installed");
    QProcess text;
    text.start(pdftotext, {m_dir.filePath("bare.pdf"), "-"});
    QVERIFY(text.waitForFinished());
    QVERIFY(QString::fromUtf8(text.readAllStandardOutput()).contains("Bare <chart>"));
}

void TestCharts::exportPng()
{
    showView();
    const QString path = m_dir.filePath("histogram.png");
    QString error;
    QVERIFY2(m_view->exportPng(path, QSize(1200, 900), 300, &error), qPrintable(error));
    QImage image;
    QVERIFY(image.load(path, "PNG"));
    QCOMPARE(image.size(), QSize(1200, 900));
    QCOMPARE(std::lround(image.dotsPerMeterX() * 0.0254), 300L);
    QCOMPARE(std::lround(image.dotsPerMeterY() * 0.0254), 300L);
    QVERIFY(colours(image).size() >= 4);
    int blue = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            blue += near(image.pixel(x, y), seriesColour(0));
    QVERIFY2(blue > 2000, qPrintable(QString::number(blue)));
    // The widget renders at its own size again afterwards.
    QCOMPARE(m_view->renderedImage().size(), m_view->size() * m_view->devicePixelRatio());
    QVERIFY(!m_view->exportPng(path, QSize(0, 10), 300, &error));
    QVERIFY(!error.isEmpty());
}

void TestCharts::exportSvg()
{
    showView();
    const QString path = m_dir.filePath("histogram.svg");
    QString error;
    QVERIFY2(m_view->exportSvg(path, &error), qPrintable(error));
    QVERIFY(QSvgRenderer(path).isValid());
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QXmlStreamReader xml(&file);
    QStringList texts;
    int shapes = 0;
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement)
            continue;
        if (xml.name() == QLatin1String("text"))
            texts << xml.readElementText(QXmlStreamReader::IncludeChildElements);
        else if (xml.name() == QLatin1String("polygon"))
            ++shapes;
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QVERIFY2(texts.contains("Prediction depth (probe)"), qPrintable(texts.join('|')));
    QVERIFY(texts.contains("Examples"));
    QVERIFY(texts.contains(m_doc->probeNames().front()));
    // The title as drawn: what is shown, then the run (the full title is the SVG's <title>).
    QVERIFY2(std::any_of(texts.begin(), texts.end(),
                         [this](const QString &t) { return t.size() > 10 && m_view->figureTitle().startsWith(t); }),
             qPrintable(texts.join('|')));
    QVERIFY(texts.contains(m_doc->title()));
    // Each bar is filled as polygons (GL2PS triangles).
    const std::vector<double> values = m_view->binValues(0);
    QVERIFY2(shapes >= std::count_if(values.begin(), values.end(), [](double v) { return v > 0; }),
             qPrintable(QString::number(shapes)));
    QVERIFY(!file.readAll().contains("<image"));
}

void TestCharts::exportPdf()
{
    showView();
    const QString path = m_dir.filePath("histogram.pdf");
    QString error;
    QVERIFY2(m_view->exportPdf(path, &error), qPrintable(error));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.read(5), QByteArray("%PDF-"));
    QVERIFY(m_view->exportFigure(m_dir.filePath("again.pdf"), {}, 0, &error));
    QVERIFY(!m_view->exportFigure(m_dir.filePath("figure.bmp"), {}, 0, &error));

    const QString pdfimages = QStandardPaths::findExecutable("pdfimages");
    const QString pdftotext = QStandardPaths::findExecutable("pdftotext");
    if (pdfimages.isEmpty() || pdftotext.isEmpty())
        QSKIP("poppler-utils (pdfimages, pdftotext) are not installed");
    QProcess images;
    images.start(pdfimages, {"-list", path});
    QVERIFY(images.waitForFinished());
    const QStringList lines = QString::fromUtf8(images.readAllStandardOutput()).split('\n', Qt::SkipEmptyParts);
    // Two header lines and no image rows: the PDF is all vectors and text.
    QCOMPARE(lines.size(), 2);
    QProcess text;
    text.start(pdftotext, {path, "-"});
    QVERIFY(text.waitForFinished());
    const QString content = QString::fromUtf8(text.readAllStandardOutput());
    QVERIFY2(content.contains("Prediction depth (probe)"), qPrintable(content));
    QVERIFY(content.contains(m_doc->probeNames().front()));
}

int main(int argc, char **argv)
{
    VtkHost::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    TestCharts test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_charts.moc"
