#include "charts/vtkhost.h"
#include "models/exampleselection.h"
#include "models/rundocument.h"
#include "probe/pca.h"
#include "studiofixture.h"
#include "train/runjob.h"
#include "views/embeddingview.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QSignalSpy>
#include <QSlider>
#include <QStackedWidget>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <vtkCamera.h>
#include <vtkDataArray.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkInteractorObserver.h>
#include <vtkPointData.h>
#include <vtkPolyData.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkUnsignedCharArray.h>

#include <cmath>
#include <map>
#include <memory>
#include <set>

using namespace pds;

namespace {

/// Waits until the view shows (model, probe).
bool waitShown(EmbeddingView &view, QSignalSpy &spy)
{
    for (int i = 0; i < 100 && (view.isProjecting() || view.pointCount() == 0); ++i)
        if (!spy.wait(200) && !view.isProjecting() && view.pointCount() > 0)
            break;
    return view.pointCount() > 0 && !view.isProjecting();
}

/// PC1..3 computed here, straight from the file, as the view should.
std::vector<float> expectedProjection(const RunDocument &doc, int model, int probe)
{
    int dim = 0;
    const std::vector<float> data = doc.embeddings(model, probe, &dim);
    const int components = std::min(3, dim);
    const PcaResult r = pcaProject(data.data(), doc.size(), dim, components);
    std::vector<float> out(static_cast<std::size_t>(doc.size() * 3), 0.0f);
    for (std::int64_t i = 0; i < doc.size(); ++i)
        for (int c = 0; c < components; ++c)
            out[static_cast<std::size_t>(3 * i + c)] = r.projected[static_cast<std::size_t>(i * components + c)];
    return out;
}

using Rgb = std::array<int, 3>;

Rgb colourOf(vtkPolyData *cloud, vtkIdType i)
{
    vtkDataArray *colours = cloud->GetPointData()->GetScalars();
    return {int(colours->GetComponent(i, 0)), int(colours->GetComponent(i, 1)), int(colours->GetComponent(i, 2))};
}

/// Checks that `key` and colour determine each other over the cloud: one colour per key value, distinct between values.
template <typename Key> QString oneColourPerValue(vtkPolyData *cloud, std::int64_t n, Key key)
{
    std::map<int, std::set<Rgb>> byValue;
    std::map<Rgb, std::set<int>> byColour;
    for (std::int64_t i = 0; i < n; ++i) {
        byValue[key(i)].insert(colourOf(cloud, i));
        byColour[colourOf(cloud, i)].insert(key(i));
    }
    for (const auto &[value, colours] : byValue)
        if (colours.size() != 1)
            return QStringLiteral("value %1 has %2 colours").arg(value).arg(colours.size());
    for (const auto &[colour, values] : byColour)
        if (values.size() != 1)
            return QStringLiteral("one colour is used by %1 values").arg(values.size());
    return byValue.size() > 1 ? QString() : QStringLiteral("only one value");
}

/// Display position of a drawn point in host widget coordinates, through VTK's own world→display.
QPoint screenPoint(EmbeddingView &view, vtkIdType i)
{
    double p[3];
    view.cloud()->GetPoint(i, p);
    vtkRenderer *r = view.renderer();
    r->SetWorldPoint(p[0], p[1], p[2], 1.0);
    r->WorldToDisplay();
    const double *d = r->GetDisplayPoint();
    const int height = r->GetRenderWindow()->GetSize()[1];
    const double dpr = view.host()->devicePixelRatioF();
    return QPoint(int(std::lround(d[0] / dpr)), int(std::lround((height - 1 - d[1]) / dpr)));
}

/// The drawn point farthest (on screen) from every other point, inside the view.
vtkIdType isolatedPoint(EmbeddingView &view, vtkIdType avoid = -1)
{
    const vtkIdType n = view.cloud()->GetNumberOfPoints();
    std::vector<QPoint> screen;
    for (vtkIdType i = 0; i < n; ++i)
        screen.push_back(screenPoint(view, i));
    const QRect inside = view.host()->rect().adjusted(20, 20, -20, -20);
    vtkIdType best = -1;
    double bestGap = -1;
    for (vtkIdType i = 0; i < n; ++i) {
        if (i == avoid || !inside.contains(screen[i]))
            continue;
        double gap = 1e9;
        for (vtkIdType j = 0; j < n; ++j)
            if (j != i)
                gap = std::min(gap, std::hypot(double(screen[i].x() - screen[j].x()), double(screen[i].y() - screen[j].y())));
        if (gap > bestGap) {
            bestGap = gap;
            best = i;
        }
    }
    return best;
}

} // namespace

class TestEmbedding : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        m_doc = std::make_unique<RunDocument>(test::studyFixture());
        QVERIFY(m_doc->hasEmbeddings(0));
        QVERIFY(m_doc->probeCount() >= 3);
        m_view = std::make_unique<EmbeddingView>(&m_selection);
        m_view->resize(1000, 760);
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
        QSignalSpy shown(m_view.get(), &EmbeddingView::projectionShown);
        m_view->setDocument(m_doc.get());
        QVERIFY(waitShown(*m_view, shown));
    }

    void projectionMatchesPca()
    {
        EmbeddingView &v = *m_view;
        const int probes = m_doc->probeCount();
        QCOMPARE(v.model(), 0);
        QCOMPARE(v.probe(), probes - 2); // the penultimate probe by default
        QCOMPARE(v.probeName(), m_doc->probeNames().at(probes - 2));
        QCOMPARE(v.pointCount(), int(m_doc->size()));
        QCOMPARE(v.projected().size(), std::size_t(m_doc->size() * 3));
        QCOMPARE(v.projected(), expectedProjection(*m_doc, 0, probes - 2));
        QCOMPARE(v.explained().size(), std::size_t(3));
        QVERIFY(v.explained()[0] >= v.explained()[1] && v.explained()[1] >= v.explained()[2]);
        QVERIFY(v.title().contains(v.probeName()));
        QCOMPARE(v.figureTitle(), QStringLiteral("Embeddings at %1 (PCA) — %2, model m000").arg(v.probeName(), m_doc->title()));
        QCOMPARE(v.title(), v.figureTitle());
        QCOMPARE(v.host()->figureTitle(), v.figureTitle());
        QVERIFY(v.message().isEmpty());
        // The cloud is the projection, PC3 included in 3-D.
        QCOMPARE(v.cloud()->GetNumberOfPoints(), vtkIdType(m_doc->size()));
        for (vtkIdType i = 0; i < v.cloud()->GetNumberOfPoints(); i += 17) {
            double p[3];
            v.cloud()->GetPoint(i, p);
            for (int c = 0; c < 3; ++c)
                QCOMPARE(float(p[c]), v.projected()[std::size_t(3 * i + c)]);
        }
    }

    void layerSliderChangesProbe()
    {
        EmbeddingView &v = *m_view;
        auto *slider = v.findChild<QSlider *>(QStringLiteral("layerSlider"));
        QVERIFY(slider);
        QCOMPARE(slider->maximum(), m_doc->probeCount() - 1);
        const std::vector<float> before = v.projected();
        QSignalSpy shown(&v, &EmbeddingView::projectionShown);
        slider->setValue(0);
        QCOMPARE(v.probe(), 0);
        QCOMPARE(v.probeName(), m_doc->probeNames().at(0));
        QVERIFY(shown.count() > 0 || shown.wait(30000));
        QVERIFY(!v.isProjecting());
        QVERIFY(v.projected() != before);
        QCOMPARE(v.projected(), expectedProjection(*m_doc, 0, 0));
        QVERIFY(v.title().contains(m_doc->probeNames().at(0)));

        // Back to a cached layer: drawn at once, without a new computation.
        shown.clear();
        slider->setValue(m_doc->probeCount() - 2);
        QCOMPARE(shown.count(), 1);
        QVERIFY(!v.isProjecting());
        QCOMPARE(v.projected(), before);

        // Another model: another projection of the same layer.
        auto *models = v.findChild<QComboBox *>(QStringLiteral("modelCombo"));
        QCOMPARE(models->count(), m_doc->modelCount());
        shown.clear();
        v.setModel(1);
        QVERIFY(shown.count() > 0 || shown.wait(30000));
        QCOMPARE(models->currentData().toInt(), 1);
        QCOMPARE(v.projected(), expectedProjection(*m_doc, 1, m_doc->probeCount() - 2));
        QVERIFY(v.projected() != before);
        shown.clear();
        v.setModel(0);
        QCOMPARE(shown.count(), 1);
    }

    void colourModes()
    {
        EmbeddingView &v = *m_view;
        m_selection.clear();
        const std::int64_t n = m_doc->size();
        const auto &labels = m_doc->labels();

        v.setColourBy(EmbeddingView::ColourBy::Class);
        QCOMPARE(v.cloud()->GetPointData()->GetScalars()->GetNumberOfTuples(), vtkIdType(n));
        QString problem = oneColourPerValue(v.cloud(), n, [&](std::int64_t i) { return labels[std::size_t(i)]; });
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        std::set<Rgb> classColours;
        for (std::int64_t i = 0; i < n; ++i)
            classColours.insert(colourOf(v.cloud(), i));
        QCOMPARE(int(classColours.size()), m_doc->numClasses());
        const Rgb firstByClass = colourOf(v.cloud(), 0);
        QCOMPARE(v.keyTitle(), QStringLiteral("Class"));
        QCOMPARE(v.keyLabels(), m_doc->classNames());

        v.setColourBy(EmbeddingView::ColourBy::Depth);
        problem = oneColourPerValue(v.cloud(), n, [&](std::int64_t i) { return m_doc->depth(0, i); });
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        // Deeper is further along the map: compare two depths' colours with the ends of viridis.
        std::int64_t shallow = -1, deep = -1;
        for (std::int64_t i = 0; i < n; ++i) {
            const int d = m_doc->depth(0, i);
            if (shallow < 0 || d < m_doc->depth(0, shallow))
                shallow = i;
            if (deep < 0 || d > m_doc->depth(0, deep))
                deep = i;
        }
        QVERIFY(m_doc->depth(0, deep) > m_doc->depth(0, shallow));
        QVERIFY(colourOf(v.cloud(), deep)[1] > colourOf(v.cloud(), shallow)[1]); // viridis grows greener-yellow
        QCOMPARE(v.keyTitle(), QStringLiteral("Prediction depth"));
        QCOMPARE(v.keyLabels().size(), m_doc->probeCount() + 1); // depth 0..P
        QVERIFY(v.keyLabels().first().startsWith(QString::number(m_doc->probeCount())));
        QVERIFY(v.keyLabels().last().startsWith(QStringLiteral("0  ") + m_doc->probeNames().first()));

        v.setColourBy(EmbeddingView::ColourBy::Group);
        problem = oneColourPerValue(v.cloud(), n, [&](std::int64_t i) { return int(m_doc->groups()[std::size_t(i)]); });
        QVERIFY2(problem.isEmpty() || problem == QLatin1String("only one value"), qPrintable(problem));
        QCOMPARE(v.findChild<QComboBox *>(QStringLiteral("colourCombo"))->currentIndex(), 2);
        QCOMPARE(v.keyTitle(), QStringLiteral("Difficulty group"));
        int listed = 0;
        for (const QString &label : v.keyLabels())
            listed += label.section(QLatin1Char('('), 1).chopped(1).toInt();
        QCOMPARE(listed, int(n)); // every example counted under one group

        v.setColourBy(EmbeddingView::ColourBy::Class);
        QCOMPARE(colourOf(v.cloud(), 0), firstByClass);
    }

    void twoDimensions()
    {
        EmbeddingView &v = *m_view;
        QSignalSpy shown(&v, &EmbeddingView::projectionShown);
        v.findChild<QCheckBox *>(QStringLiteral("threeD"))->setChecked(false);
        QCOMPARE(v.dimensions(), 2);
        for (vtkIdType i = 0; i < v.cloud()->GetNumberOfPoints(); ++i) {
            double p[3];
            v.cloud()->GetPoint(i, p);
            QCOMPARE(p[2], 0.0);
            QCOMPARE(float(p[0]), v.projected()[std::size_t(3 * i)]);
        }
        vtkCamera *camera = v.renderer()->GetActiveCamera();
        QVERIFY(camera->GetParallelProjection());
        const double *direction = camera->GetDirectionOfProjection();
        QVERIFY(std::abs(direction[2] + 1.0) < 1e-9); // looking down z
        const std::string style = v.host()->interactor()->GetInteractorStyle()->GetClassName();
        QVERIFY2(style != "vtkInteractorStyleTrackballCamera", style.c_str());

        // A left drag pans in 2-D: the camera moves but keeps looking down z.
        const double before[3] = {camera->GetFocalPoint()[0], camera->GetFocalPoint()[1], camera->GetFocalPoint()[2]};
        const QPoint c = v.host()->rect().center();
        QTest::mousePress(v.host(), Qt::LeftButton, {}, c);
        QTest::mouseMove(v.host(), c + QPoint(40, 30));
        QTest::mouseRelease(v.host(), Qt::LeftButton, {}, c + QPoint(80, 60));
        QVERIFY(std::abs(camera->GetFocalPoint()[0] - before[0]) + std::abs(camera->GetFocalPoint()[1] - before[1]) > 0);
        QVERIFY(std::abs(camera->GetDirectionOfProjection()[2] + 1.0) < 1e-9);

        v.setDimensions(3);
        QVERIFY(v.findChild<QCheckBox *>(QStringLiteral("threeD"))->isChecked());
        QVERIFY(!camera->GetParallelProjection());
        QCOMPARE(std::string(v.host()->interactor()->GetInteractorStyle()->GetClassName()),
                 std::string("vtkInteractorStyleTrackballCamera"));
        bool flat = true;
        for (vtkIdType i = 0; i < v.cloud()->GetNumberOfPoints() && flat; ++i)
            flat = v.cloud()->GetPoint(i)[2] == 0.0;
        QVERIFY(!flat);
        QCOMPARE(shown.count(), 0); // switching dimensions reuses the projection
    }

    void renderIsNotBlank()
    {
        const QImage image = m_view->host()->renderedImage();
        QVERIFY(!image.isNull());
        std::set<QRgb> colours;
        int coloured = 0;
        for (int y = 0; y < image.height(); y += 2)
            for (int x = 0; x < image.width(); x += 2) {
                const QColor c = image.pixelColor(x, y);
                colours.insert(image.pixel(x, y));
                if (c.saturation() > 80)
                    ++coloured;
            }
        QVERIFY2(colours.size() > 20, qPrintable(QString::number(colours.size())));
        QVERIFY2(coloured > 200, qPrintable(QString::number(coloured))); // the class-coloured points
    }

    void pickSelectsExample()
    {
        EmbeddingView &v = *m_view;
        m_selection.clear();
        v.host()->renderedImage(); // the camera as drawn
        const vtkIdType target = isolatedPoint(v);
        QVERIFY(target >= 0);
        const QPoint pos = screenPoint(v, target);
        QSignalSpy current(&m_selection, &ExampleSelection::currentChanged);
        QCOMPARE(v.pickAt(pos + QPoint(2, -1)), std::int64_t(target));
        QCOMPARE(m_selection.current(), std::int64_t(target));
        QCOMPARE(m_selection.examples(), std::vector<std::int64_t>{target});
        QCOMPARE(current.count(), 1);
        QCOMPARE(current.at(0).at(1).value<QObject *>(), static_cast<QObject *>(&v));
        QCOMPARE(v.highlighted(), std::vector<std::int64_t>{target});
        QVERIFY(m_selection.description().contains(m_doc->exampleName(target)));
        // Far from every point nothing is picked and the selection stays.
        QCOMPARE(v.pickAt(QPoint(2, 2)), std::int64_t(-1));
        QCOMPARE(m_selection.current(), std::int64_t(target));

        // The same through the mouse: a click without a drag.
        const vtkIdType other = isolatedPoint(v, target);
        QTest::mouseClick(v.host(), Qt::LeftButton, {}, screenPoint(v, other));
        QCOMPARE(m_selection.current(), std::int64_t(other));
        QCOMPARE(m_selection.examples(), std::vector<std::int64_t>{other});
    }

    void boxSelects()
    {
        EmbeddingView &v = *m_view;
        m_selection.clear();
        const QRect box = v.host()->rect().adjusted(v.host()->width() / 3, v.host()->height() / 3,
                                                    -v.host()->width() / 3, -v.host()->height() / 3);
        std::vector<std::int64_t> expected;
        for (vtkIdType i = 0; i < v.cloud()->GetNumberOfPoints(); ++i)
            if (box.adjusted(1, 1, -1, -1).contains(screenPoint(v, i)))
                expected.push_back(i);
        QVERIFY(!expected.empty());
        QSignalSpy changed(&m_selection, &ExampleSelection::selectionChanged);
        QTest::mousePress(v.host(), Qt::LeftButton, Qt::ShiftModifier, box.topLeft());
        QTest::mouseMove(v.host(), box.center());
        QTest::mouseRelease(v.host(), Qt::LeftButton, Qt::ShiftModifier, box.bottomRight());
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(1).toBool(), true); // filters the gallery
        // Points on the box's edge may round either way; everything well inside is selected.
        for (std::int64_t e : expected)
            QVERIFY2(m_selection.contains(e), qPrintable(QString::number(e)));
        QVERIFY(m_selection.examples().size() <= expected.size() + 4);
    }

    void selectionIsHighlighted()
    {
        EmbeddingView &v = *m_view;
        v.setColourBy(EmbeddingView::ColourBy::Class);
        m_selection.clear();
        m_selection.setCurrent(-1);
        const Rgb plain = colourOf(v.cloud(), 5);
        m_selection.setExamples({3, 7, 11}, QStringLiteral("test"));
        QCOMPARE(v.highlighted(), (std::vector<std::int64_t>{3, 7, 11}));
        // The rest fades toward white; the selection is drawn again, larger, in full colour.
        const Rgb faded = colourOf(v.cloud(), 5);
        for (int c = 0; c < 3; ++c)
            QVERIFY(faded[c] >= plain[c]);
        QVERIFY(faded != plain);
        m_selection.setCurrent(20);
        QCOMPARE(v.highlighted(), (std::vector<std::int64_t>{3, 7, 11, 20}));
        m_selection.clear();
        m_selection.setCurrent(-1);
        QVERIFY(v.highlighted().empty());
        QCOMPARE(colourOf(v.cloud(), 5), plain);
    }

    void exportsFigure()
    {
        QTemporaryDir dir;
        QString error;
        const QString png = dir.filePath(QStringLiteral("embedding.png"));
        QVERIFY2(m_view->host()->exportPng(png, QSize(800, 600), 150, &error), qPrintable(error));
        QCOMPARE(QImage(png).size(), QSize(800, 600));
        // GL2PS would rasterise the 3-D cloud (and Debian's cannot embed rasters):
        // the vector file must carry every point, the axes and the key itself.
        const QString svg = dir.filePath(QStringLiteral("embedding.svg"));
        QVERIFY2(m_view->host()->exportSvg(svg, &error), qPrintable(error));
        QFile file(svg);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(file.readAll());
        // The drawn title once (VtkHost adds none), plus the SVG's <title> element.
        QCOMPARE(text.count(QStringLiteral(">%1<").arg(m_view->figureTitle().toHtmlEscaped())), 2);
        QVERIFY(text.contains(QLatin1String(">Class<")));
        QVERIFY(text.contains(QLatin1String(">PC1 (")) && text.contains(QLatin1String(">PC3 (")));
        const int shapes = text.count(QLatin1String("<path")) + text.count(QLatin1String("<polygon"));
        QVERIFY2(shapes >= m_view->pointCount(), qPrintable(QString::number(shapes)));
        QVERIFY(text.count(QLatin1String("<polyline")) + text.count(QLatin1String("<line")) >= 3); // the axes
    }

    void newRunShowsProgressThenCloud()
    {
        EmbeddingView view(&m_selection);
        view.resize(600, 400);
        view.show();
        QSignalSpy shown(&view, &EmbeddingView::projectionShown);
        view.setDocument(m_doc.get());
        // Nothing to draw until the background PCA reports: say what is happening.
        QVERIFY2(view.message().startsWith(QStringLiteral("Reading and projecting %1 embeddings").arg(m_doc->size())),
                 qPrintable(view.message()));
        QVERIFY(shown.wait(30000));
        QVERIFY(view.message().isEmpty());
        QVERIFY(view.host()->isVisible());
        QCOMPARE(view.pointCount(), int(m_doc->size()));
    }

    void runWithoutEmbeddingsSaysSo()
    {
        QTemporaryDir dir;
        RunConfig c;
        c.dataset.name = "synthetic";
        c.dataset.path = test::fixtureDataset().toStdString();
        c.dataset.format = "idx";
        c.model.arch = "mlp";
        c.model.mlpHiddenLayers = 1;
        c.model.mlpHiddenUnits = 16;
        c.train.epochs = 1;
        c.train.batchSize = 32;
        c.train.device = DeviceChoice::Cpu;
        c.study.k = 5;
        c.study.probe = true;
        c.study.embeddings = "none";
        c.output = dir.filePath(QStringLiteral("plain.h5")).toStdString();
        CancelToken cancel;
        RunJob(c).run(nullptr, cancel);
        RunDocument plain(QString::fromStdString(c.output));
        QVERIFY(!plain.hasEmbeddings(0));

        EmbeddingView view(&m_selection);
        view.resize(600, 400);
        view.show();
        view.setDocument(&plain);
        QVERIFY2(view.message().contains(QStringLiteral("This run stores no embeddings — train with --embeddings all")),
                 qPrintable(view.message()));
        QCOMPARE(view.pointCount(), 0);
        QVERIFY(view.projected().empty());
        QVERIFY(!view.isProjecting());
        QVERIFY(!view.host()->isVisible());
        view.setDocument(nullptr);
        QVERIFY(view.message().contains(QLatin1String("No run open")));
    }

private:
    ExampleSelection m_selection;
    std::unique_ptr<RunDocument> m_doc;
    std::unique_ptr<EmbeddingView> m_view;
};

int main(int argc, char **argv)
{
    VtkHost::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    TestEmbedding test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_embedding.moc"
