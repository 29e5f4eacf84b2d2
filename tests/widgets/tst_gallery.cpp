#include "models/exampleindex.h"
#include "models/exampleselection.h"
#include "models/exampletablemodel.h"
#include "models/gallerymodel.h"
#include "models/numberformat.h"
#include "models/rundocument.h"
#include "studiofixture.h"
#include "views/contactsheet.h"
#include "views/exampletableview.h"
#include "views/exampleview.h"
#include "views/galleryview.h"

#include "store/runreader.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QLabel>
#include <QListView>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest/QtTest>

#include <cmath>
#include <functional>
#include <memory>
#include <numeric>

using namespace pds;

/// The gallery, its models, exports and the example view on the study fixture.
class TestGallery : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void modelsPassTheTesterWhileChanging();
    void sortingOrdersEveryColumn();
    void filtersKeepExactlyTheirExamples_data();
    void filtersKeepExactlyTheirExamples();
    void searchRejectsWhatItCannotRead();
    void thumbnailsArriveLazily();
    void selectionLinksGalleryTableAndShared();
    void filteringSelectionFromAnotherView();
    void contactSheets();
    void csvExport();
    void csvExportFailureLeavesNoFile();
    void detailPanelShowsTheCurrentExample();

private:
    /// Examples 0..size-1 that pass `keep`, in example order.
    std::vector<std::int64_t> expected(const std::function<bool(std::int64_t)> &keep) const;
    static std::vector<std::int64_t> sorted(std::vector<std::int64_t> v);

    std::unique_ptr<RunDocument> m_doc;
    QTemporaryDir m_dir;
};

void TestGallery::initTestCase()
{
    m_doc = std::make_unique<RunDocument>(test::studyFixture());
    QVERIFY(m_doc->isStudy());
    QVERIFY(m_doc->loadImages());
    QVERIFY(m_dir.isValid());
}

std::vector<std::int64_t> TestGallery::expected(const std::function<bool(std::int64_t)> &keep) const
{
    std::vector<std::int64_t> out;
    for (std::int64_t e = 0; e < m_doc->size(); ++e)
        if (keep(e))
            out.push_back(e);
    return out;
}

std::vector<std::int64_t> TestGallery::sorted(std::vector<std::int64_t> v)
{
    std::sort(v.begin(), v.end());
    return v;
}

void TestGallery::modelsPassTheTesterWhileChanging()
{
    RunDocument doc(test::studyFixture());
    GalleryModel gallery;
    ExampleTableModel table;
    QAbstractItemModelTester galleryTester(&gallery, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester tableTester(&table, QAbstractItemModelTester::FailureReportingMode::QtTest);
    gallery.setDocument(&doc);
    table.setDocument(&doc);
    QCOMPARE(gallery.rowCount(), int(doc.size()));
    QCOMPARE(table.columnCount(), ExampleTableModel::FirstScoreColumn + int(doc.columns().size()));
    QCOMPARE(table.headerData(ExampleTableModel::FirstScoreColumn, Qt::Horizontal).toString(), doc.columns()[0].label);
    QCOMPARE(table.headerData(ExampleTableModel::FirstScoreColumn, Qt::Horizontal, Qt::ToolTipRole).toString(),
             doc.columns()[0].description);

    // Persistent indexes follow their example through a sort.
    const QPersistentModelIndex tracked = gallery.index(5);
    const qint64 trackedExample = tracked.data(GalleryModel::ExampleRole).toLongLong();
    gallery.setSort(QStringLiteral("depth_val"), Qt::DescendingOrder);
    QCOMPARE(tracked.data(GalleryModel::ExampleRole).toLongLong(), trackedExample);
    table.sort(table.columnOfKey(QStringLiteral("confidence")), Qt::AscendingOrder);
    table.sort(ExampleTableModel::LabelColumn, Qt::DescendingOrder);

    ExampleFilter f;
    f.label = 1;
    gallery.setFilter(f);
    table.setFilter(f);
    QCOMPARE(gallery.rowCount(), int(expected([&](std::int64_t e) { return doc.labels()[e] == 1; }).size()));
    f.search = QStringLiteral("2-20");
    gallery.setFilter(f);
    table.setFilter(f);
    doc.reload();
    QCOMPARE(gallery.rowCount(), table.rowCount());
    GroupThresholds t = doc.thresholds();
    t.easiness = 0.1;
    doc.setThresholds(t);
    f = {};
    f.group = 1;
    gallery.setFilter(f);
    table.setFilter(f);
    t.easiness = 0.9;
    doc.setThresholds(t);
    QCOMPARE(gallery.rowCount(), int(expected([&](std::int64_t e) { return doc.groups()[e] == 1; }).size()));
    QCOMPARE(table.rowCount(), gallery.rowCount());
    gallery.setDocument(nullptr);
    table.setDocument(nullptr);
    QCOMPARE(gallery.rowCount(), 0);
    QCOMPARE(table.columnCount(), 0);
}

void TestGallery::sortingOrdersEveryColumn()
{
    ExampleTableModel table;
    table.setDocument(m_doc.get());
    const int n = int(m_doc->size());
    for (int column = 0; column < table.columnCount(); ++column) {
        for (Qt::SortOrder order : {Qt::AscendingOrder, Qt::DescendingOrder}) {
            table.sort(column, order);
            QCOMPARE(table.rowCount(), n);
            std::vector<std::int64_t> seen;
            double previous = order == Qt::AscendingOrder ? -INFINITY : INFINITY;
            bool inNaN = false;
            int nans = 0;
            for (int row = 0; row < n; ++row) {
                const QModelIndex i = table.index(row, column);
                seen.push_back(i.data(ExampleTableModel::ExampleRole).toLongLong());
                const double v = i.data(ExampleTableModel::SortValueRole).toDouble();
                const QString where = QStringLiteral("column %1 row %2").arg(table.columnKey(column)).arg(row);
                if (std::isnan(v)) {
                    inNaN = true;
                    ++nans;
                    QVERIFY2(i.data().toString().isEmpty() || column < ExampleTableModel::FirstScoreColumn,
                             qPrintable(where));
                    continue;
                }
                QVERIFY2(!inNaN, qPrintable(where + " : a number after NaN"));
                QVERIFY2(order == Qt::AscendingOrder ? v >= previous : v <= previous, qPrintable(where));
                previous = v;
            }
            QCOMPARE(sorted(seen), expected([](std::int64_t) { return true; }));
            if (const ScoreColumn *c = m_doc->column(table.columnKey(column)))
                QCOMPARE(nans, int(std::count_if(c->values.begin(), c->values.end(),
                                                 [](float v) { return std::isnan(v); })));
        }
    }
    // Test examples have no train-split depth: sorted either way they come last.
    table.sort(table.columnOfKey(QStringLiteral("depth_train")), Qt::DescendingOrder);
    QCOMPARE(table.index(n - 1, 0).data(ExampleTableModel::ExampleRole).toLongLong(), m_doc->size() - 1);
}

Q_DECLARE_METATYPE(std::function<bool(const RunDocument &, std::int64_t)>)
Q_DECLARE_METATYPE(pds::ExampleFilter)
using Keep = std::function<bool(const RunDocument &, std::int64_t)>;

void TestGallery::filtersKeepExactlyTheirExamples_data()
{
    QTest::addColumn<ExampleFilter>("filter");
    QTest::addColumn<Keep>("keep");
    const std::int64_t nTrain = m_doc->trainSize();
    ExampleFilter f;
    f.label = 2;
    QTest::newRow("class") << f << Keep([](const RunDocument &d, std::int64_t e) { return d.labels()[e] == 2; });
    f = {};
    f.group = m_doc->groups()[0];
    const int group = f.group;
    QTest::newRow("group") << f << Keep([group](const RunDocument &d, std::int64_t e) { return d.groups()[e] == group; });
    f = {};
    f.depthColumn = QStringLiteral("depth_val");
    f.depthMin = 1.0;
    f.depthMax = 2.5;
    QTest::newRow("depth range") << f << Keep([](const RunDocument &d, std::int64_t e) {
        const float v = d.column(QStringLiteral("depth_val"))->values[e];
        return v >= 1.0f && v <= 2.5f;
    });
    f = {};
    f.noisyOnly = true;
    QTest::newRow("noisy") << f << Keep([](const RunDocument &d, std::int64_t e) { return d.noisy()[e] != 0; });
    f = {};
    f.selectionOnly = true;
    f.selection = {3, 17, nTrain + 2};
    QTest::newRow("selection") << f << Keep([nTrain](const RunDocument &, std::int64_t e) {
        return e == 3 || e == 17 || e == nTrain + 2;
    });
    f = {};
    f.search = QStringLiteral("train 5");
    QTest::newRow("train 5") << f << Keep([](const RunDocument &, std::int64_t e) { return e == 5; });
    f.search = QStringLiteral("test 4");
    QTest::newRow("test 4") << f << Keep([nTrain](const RunDocument &, std::int64_t e) { return e == nTrain + 4; });
    f.search = QStringLiteral("3-7");
    QTest::newRow("range 3-7") << f << Keep([nTrain](const RunDocument &, std::int64_t e) {
        const std::int64_t local = e >= nTrain ? e - nTrain : e;
        return local >= 3 && local <= 7;
    });
    f.search = QStringLiteral("12, test 0-1");
    QTest::newRow("list") << f << Keep([nTrain](const RunDocument &, std::int64_t e) {
        return e == 12 || e == nTrain + 12 || e == nTrain || e == nTrain + 1;
    });
    f = {};
    f.label = 0;
    f.noisyOnly = true;
    f.search = QStringLiteral("train");
    QTest::newRow("combined") << f << Keep([nTrain](const RunDocument &d, std::int64_t e) {
        return d.labels()[e] == 0 && d.noisy()[e] && e < nTrain;
    });
}

void TestGallery::filtersKeepExactlyTheirExamples()
{
    QFETCH(ExampleFilter, filter);
    QFETCH(Keep, keep);
    const auto want = expected([&](std::int64_t e) { return keep(*m_doc, e); });
    QVERIFY2(!want.empty() || QByteArray(QTest::currentDataTag()) == "combined", "the fixture exercises the filter");
    GalleryModel model;
    model.setDocument(m_doc.get());
    model.setFilter(filter);
    model.setSort(QStringLiteral("consistency"), Qt::DescendingOrder);
    std::vector<std::int64_t> got;
    for (int row = 0; row < model.rowCount(); ++row)
        got.push_back(model.index(row).data(GalleryModel::ExampleRole).toLongLong());
    QCOMPARE(sorted(got), want);

    // The gallery widget applies the same filter from its bar.
    ExampleSelection selection;
    GalleryView widget(&selection);
    widget.setDocument(m_doc.get());
    widget.setFilter(filter);
    QCOMPARE(widget.model()->rowCount(), int(want.size()));
    QCOMPARE(widget.countText(), QStringLiteral("%1 of %2 examples").arg(want.size()).arg(m_doc->size()));
}

void TestGallery::searchRejectsWhatItCannotRead()
{
    std::vector<SearchTerm> terms;
    QString error;
    QVERIFY(ExampleIndex::parseSearch(QStringLiteral(" Train 12 ; 200 - 100 "), &terms, &error));
    QCOMPARE(terms.size(), std::size_t(2));
    QCOMPARE(terms[0].split, 0);
    QCOMPARE(terms[0].first, 12);
    QCOMPARE(terms[1].split, -1);
    QCOMPARE(terms[1].first, 100);
    QCOMPARE(terms[1].last, 200);
    QVERIFY(!ExampleIndex::parseSearch(QStringLiteral("shirt"), &terms, &error));
    QVERIFY2(error.contains(QLatin1String("\"shirt\"")) && error.contains(QLatin1String("train 123")),
             qPrintable(error));
    QVERIFY(!ExampleIndex::parseSearch(QStringLiteral("5, train x"), &terms, &error));
    QVERIFY2(error.contains(QLatin1String("train x")), qPrintable(error));
    QVERIFY(terms.empty());

    GalleryModel model;
    model.setDocument(m_doc.get());
    ExampleFilter f;
    f.search = QStringLiteral("shirt");
    model.setFilter(f);
    QVERIFY(!model.exampleIndex().searchValid());
    QCOMPARE(model.rowCount(), 0);
}

void TestGallery::thumbnailsArriveLazily()
{
    GalleryModel model;
    model.setDocument(m_doc.get());
    model.setSort(QStringLiteral("depth_val"), Qt::AscendingOrder);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    const QModelIndex index = model.index(7);
    const qint64 example = index.data(GalleryModel::ExampleRole).toLongLong();
    const QPixmap first = qvariant_cast<QPixmap>(index.data(Qt::DecorationRole));
    QCOMPARE(first.toImage(), model.placeholder().toImage());
    // Asking again while it decodes queues nothing more.
    QCOMPARE(qvariant_cast<QPixmap>(index.data(Qt::DecorationRole)).toImage(), model.placeholder().toImage());
    QVERIFY(changed.wait(10000));
    QCOMPARE(changed.first().at(0).toModelIndex(), index);
    QCOMPARE(changed.first().at(1).toModelIndex(), index);
    QCOMPARE(changed.first().at(2).value<QList<int>>(), QList<int>{Qt::DecorationRole});
    QCOMPARE(model.decodedCount(), 1);

    const QImage thumb = qvariant_cast<QPixmap>(index.data(Qt::DecorationRole)).toImage();
    const QImage source = m_doc->image(example);
    QVERIFY(!source.isNull());
    const int factor = 64 / std::max(source.width(), source.height());
    QCOMPARE(thumb.size(), source.size() * factor);
    for (int y = 0; y < thumb.height(); ++y)
        for (int x = 0; x < thumb.width(); ++x)
            QCOMPARE(qGray(thumb.pixel(x, y)), qGray(source.pixel(x / factor, y / factor)));

    // Nothing else was decoded, and the cached one is not decoded again.
    QTest::qWait(50);
    QCOMPARE(model.decodedCount(), 1);
    QCOMPARE(changed.count(), 1);

    // A new size drops the cache: placeholder, then the larger thumbnail.
    model.setThumbnailSize(96);
    QCOMPARE(qvariant_cast<QPixmap>(index.data(Qt::DecorationRole)).size(), QSize(96, 96));
    changed.clear();
    QVERIFY(changed.wait(10000));
    QCOMPARE(qvariant_cast<QPixmap>(index.data(Qt::DecorationRole)).size(), source.size() * (96 / source.width()));
}

void TestGallery::selectionLinksGalleryTableAndShared()
{
    ExampleSelection selection;
    GalleryView gallery(&selection);
    ExampleTableView table(&selection);
    gallery.setDocument(m_doc.get());
    table.setDocument(m_doc.get());
    gallery.setSortColumn(QStringLiteral("consistency"), Qt::AscendingOrder);
    gallery.resize(900, 600);
    table.resize(900, 400);
    gallery.show();
    table.show();
    QVERIFY(QTest::qWaitForWindowExposed(&gallery));

    // Gallery → shared selection → table.
    QItemSelectionModel *gsm = gallery.view()->selectionModel();
    GalleryModel *gm = gallery.model();
    gsm->select(QItemSelection(gm->index(2), gm->index(4)), QItemSelectionModel::ClearAndSelect);
    const std::vector<std::int64_t> picked = sorted({gm->exampleAt(2), gm->exampleAt(3), gm->exampleAt(4)});
    QCOMPARE(selection.examples(), picked);
    QVERIFY(selection.description().contains(QLatin1String("gallery")));
    std::vector<std::int64_t> inTable;
    for (const QModelIndex &i : table.view()->selectionModel()->selectedRows())
        inTable.push_back(table.model()->exampleAt(i.row()));
    QCOMPARE(sorted(inTable), picked);

    gsm->setCurrentIndex(gm->index(3), QItemSelectionModel::NoUpdate);
    QCOMPARE(selection.current(), gm->exampleAt(3));
    QCOMPARE(table.model()->exampleAt(table.view()->currentIndex().row()), gm->exampleAt(3));

    // Table → shared selection → gallery, after the table is re-sorted.
    table.model()->sort(ExampleTableModel::ExampleColumn, Qt::DescendingOrder);
    ExampleTableModel *tm = table.model();
    QItemSelectionModel *tsm = table.view()->selectionModel();
    QSignalSpy changes(&selection, &ExampleSelection::selectionChanged);
    tsm->select(QItemSelection(tm->index(0, 0), tm->index(1, tm->columnCount() - 1)),
                QItemSelectionModel::ClearAndSelect);
    QCOMPARE(changes.count(), 1); // no echo from the gallery
    QCOMPARE(selection.examples(), sorted({m_doc->size() - 2, m_doc->size() - 1}));
    std::vector<std::int64_t> inGallery;
    for (const QModelIndex &i : gsm->selectedIndexes())
        inGallery.push_back(gm->exampleAt(i.row()));
    QCOMPARE(sorted(inGallery), selection.examples());

    // Another view → both.
    changes.clear();
    selection.setExamples({1, 10, 20}, QStringLiteral("from a chart"));
    QCOMPARE(changes.count(), 1);
    QCOMPARE(gsm->selectedIndexes().size(), 3);
    QCOMPARE(tsm->selectedRows().size(), 3);
    selection.setCurrent(10);
    QCOMPARE(gm->exampleAt(gallery.view()->currentIndex().row()), 10);
    // The shared selection survives a filter that hides part of it.
    ExampleFilter f;
    f.search = QStringLiteral("train 0-9");
    gallery.setFilter(f);
    QCOMPARE(gsm->selectedIndexes().size(), 1);
    QCOMPARE(selection.examples().size(), std::size_t(3));
}

void TestGallery::filteringSelectionFromAnotherView()
{
    ExampleSelection selection;
    GalleryView gallery(&selection);
    gallery.setDocument(m_doc.get());
    gallery.show();
    QVERIFY(QTest::qWaitForWindowExposed(&gallery));
    const std::int64_t nTrain = m_doc->trainSize();
    selection.setExamples({4, 9, nTrain + 1}, QStringLiteral("validation depth 2, class Shirt"), nullptr, true);
    QVERIFY(gallery.filter().selectionOnly);
    QCOMPARE(gallery.model()->rowCount(), 3);
    auto *chip = gallery.findChild<QLabel *>(QStringLiteral("selectionChip"));
    QVERIFY(chip);
    QVERIFY(chip->isVisible());
    QVERIFY2(chip->toolTip().contains(QLatin1String("validation depth 2, class Shirt")), qPrintable(chip->toolTip()));
    QCOMPARE(gallery.view()->selectionModel()->selectedIndexes().size(), 3);

    // Selecting inside the filtered gallery does not narrow it.
    GalleryModel *gm = gallery.model();
    gallery.view()->selectionModel()->select(gm->index(0), QItemSelectionModel::ClearAndSelect);
    QCOMPARE(selection.examples().size(), std::size_t(1));
    QCOMPARE(gm->rowCount(), 3);

    QToolButton *clear = nullptr;
    for (QToolButton *b : gallery.findChildren<QToolButton *>())
        if (b->toolTip() == QLatin1String("Clear the selection"))
            clear = b;
    QVERIFY(clear);
    clear->click();
    QVERIFY(selection.isEmpty());
    QVERIFY(!gallery.filter().selectionOnly);
    QVERIFY(!chip->isVisible());
    QCOMPARE(gm->rowCount(), int(m_doc->size()));
}

void TestGallery::contactSheets()
{
    std::vector<std::int64_t> examples(10);
    std::iota(examples.begin(), examples.end(), 0);
    QString error;
    const QString png = m_dir.filePath(QStringLiteral("sheet.png"));
    QVERIFY2(writeContactSheet(*m_doc, examples, QStringLiteral("depth_val"), png, &error, QStringLiteral("Ten")),
             qPrintable(error));
    QImage image(png);
    QVERIFY(!image.isNull());
    // 10 examples: 4 columns of 360 px, 3 rows of 380 px, a 130 px title and 60 px margins.
    QCOMPARE(image.size(), QSize(4 * 360 + 120, 130 + 3 * 380 + 120));
    QCOMPARE(qRound(image.dotsPerMeterX() * 0.0254), 300);
    // The first cell holds the image: its area is not blank.
    QSet<int> greys;
    for (int y = 60 + 130; y < 60 + 130 + 270; y += 3)
        for (int x = 60 + 45; x < 60 + 45 + 270; x += 3)
            greys.insert(qGray(image.pixel(x, y)));
    QVERIFY2(greys.size() > 5, "the first image is drawn");

    const QString pdf = m_dir.filePath(QStringLiteral("sheet.pdf"));
    QVERIFY2(writeContactSheet(*m_doc, examples, QStringLiteral("depth_val"), pdf, &error), qPrintable(error));
    QFile file(pdf);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.read(5), QByteArray("%PDF-"));
    const QString pdftotext = QStandardPaths::findExecutable(QStringLiteral("pdftotext"));
    if (!pdftotext.isEmpty()) {
        QProcess p;
        p.start(pdftotext, {pdf, QStringLiteral("-")});
        QVERIFY(p.waitForFinished(20000));
        const QString text = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(text.contains(m_doc->exampleName(9)), qPrintable(text));
        QVERIFY2(text.contains(m_doc->className(m_doc->labels()[0])), qPrintable(text));
        QVERIFY2(text.contains(m_doc->column(QStringLiteral("depth_val"))->label), qPrintable(text));
    }

    QVERIFY(!writeContactSheet(*m_doc, examples, {}, m_dir.filePath(QStringLiteral("sheet.gif")), &error));
    QVERIFY2(error.contains(QLatin1String(".png or .pdf")), qPrintable(error));
    QVERIFY(!writeContactSheet(*m_doc, {}, {}, m_dir.filePath(QStringLiteral("empty.png")), &error));
    QVERIFY2(error.contains(QLatin1String("no examples")), qPrintable(error));
    QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("empty.png"))));

    // The gallery's sheet: the selection in gallery order, else the top N.
    ExampleSelection selection;
    GalleryView gallery(&selection);
    gallery.setDocument(m_doc.get());
    gallery.setSortColumn(QStringLiteral("depth_val"), Qt::DescendingOrder);
    gallery.setContactSheetSize(5);
    const auto &rows = gallery.model()->exampleIndex().rows();
    QCOMPARE(gallery.contactSheetExamples(), std::vector<std::int64_t>(rows.begin(), rows.begin() + 5));
    selection.setExamples({rows[9], rows[3]}, QStringLiteral("two"));
    QCOMPARE(gallery.contactSheetExamples(), (std::vector<std::int64_t>{rows[3], rows[9]}));
    QVERIFY2(gallery.exportContactSheet(m_dir.filePath(QStringLiteral("two.png")), &error), qPrintable(error));
    QCOMPARE(QImage(m_dir.filePath(QStringLiteral("two.png"))).width(), 2 * 360 + 120);
}

void TestGallery::csvExport()
{
    ExampleSelection selection;
    GalleryView gallery(&selection);
    gallery.setDocument(m_doc.get());
    ExampleFilter f;
    f.label = 1;
    gallery.setFilter(f);
    gallery.setSortColumn(QStringLiteral("depth_val"), Qt::DescendingOrder);
    const QString path = m_dir.filePath(QStringLiteral("examples.csv"));
    QString error;
    QVERIFY2(gallery.exportCsv(path, &error), qPrintable(error));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 1 + gallery.model()->rowCount());
    const QStringList header = lines[0].split(QLatin1Char(','));
    QCOMPARE(header.mid(0, 4), (QStringList{"example", "split", "index", "source_index"}));
    QCOMPARE(header.size(), 10 + int(m_doc->columns().size()));
    const int depthColumn = header.indexOf(QStringLiteral("depth_val"));
    const int consistencyColumn = header.indexOf(QStringLiteral("consistency"));
    QVERIFY(depthColumn > 0 && consistencyColumn > 0);
    for (int row = 0; row < gallery.model()->rowCount(); ++row) {
        const QStringList fields = lines[row + 1].split(QLatin1Char(','));
        QCOMPARE(fields.size(), header.size());
        const std::int64_t e = gallery.model()->exampleAt(row);
        QCOMPARE(fields[0].toLongLong(), e);
        QCOMPARE(fields[4].toInt(), 1);
        QCOMPARE(fields[5], m_doc->className(1));
        const float depth = m_doc->column(QStringLiteral("depth_val"))->values[e];
        if (std::isnan(depth))
            QVERIFY(fields[depthColumn].isEmpty());
        else
            QCOMPARE(fields[depthColumn].toFloat(), depth); // 9 digits round-trip a float exactly
        QCOMPARE(fields[consistencyColumn].toFloat(), m_doc->column(QStringLiteral("consistency"))->values[e]);
    }
}

void TestGallery::csvExportFailureLeavesNoFile()
{
    // Root may write anywhere, so the unwritable folder is one whose parent is a file.
    const QString blocker = m_dir.filePath(QStringLiteral("not-a-folder"));
    QFile b(blocker);
    QVERIFY(b.open(QIODevice::WriteOnly));
    b.close();
    ExampleSelection selection;
    GalleryView gallery(&selection);
    gallery.setDocument(m_doc.get());
    QString error;
    for (const QString &path : {blocker + QStringLiteral("/out.csv"), m_dir.filePath(QStringLiteral("missing/out.csv"))}) {
        error.clear();
        QVERIFY(!gallery.exportCsv(path, &error));
        QVERIFY2(error.startsWith(QLatin1String("Cannot write ")) && error.contains(path), qPrintable(error));
        QVERIFY(!QFileInfo::exists(path));
    }
    QCOMPARE(QDir(m_dir.path()).entryList(QDir::Files).filter(QStringLiteral("out")).size(), 0);
    GalleryView empty(&selection);
    QVERIFY(!empty.exportCsv(m_dir.filePath(QStringLiteral("none.csv")), &error));
    QCOMPARE(error, QStringLiteral("No run is open"));
}

void TestGallery::detailPanelShowsTheCurrentExample()
{
    ExampleSelection selection;
    ExampleView panel(&selection);
    panel.setDocument(m_doc.get());
    QCOMPARE(panel.example(), -1);
    // An example some model held out, with a noisy label if the fixture has one.
    std::int64_t e = 0;
    for (std::int64_t k = 0; k < m_doc->trainSize(); ++k)
        if (m_doc->noisy()[k]) {
            e = k;
            break;
        }
    selection.setCurrent(e);
    QCOMPARE(panel.example(), e);
    QVERIFY(panel.fieldText(QStringLiteral("name")).startsWith(m_doc->exampleName(e)));
    QCOMPARE(panel.fieldText(QStringLiteral("label")), m_doc->className(m_doc->labels()[e]));
    QCOMPARE(panel.fieldText(QStringLiteral("clean_label")).contains(QLatin1String("noisy")), bool(m_doc->noisy()[e]));
    const ScoreColumn *consistency = m_doc->column(QStringLiteral("consistency"));
    QCOMPARE(panel.fieldText(QStringLiteral("consistency")),
             std::isnan(consistency->values[e]) ? QStringLiteral("—") : formatScore(consistency->values[e], false, 4));

    // The held-out distribution agrees with the study's summary in the file.
    RunReader reader(m_doc->path().toStdString());
    std::vector<std::int64_t> dims;
    const auto stored = reader.readFloatArray("summary/train/held_out_distribution", &dims);
    const int k = m_doc->numClasses();
    QCOMPARE(int(dims[1]), k);
    for (std::int64_t x = 0; x < m_doc->trainSize(); ++x) {
        int models = 0;
        const auto shares = ExampleView::heldOutDistribution(*m_doc, x, &models);
        if (models == 0)
            continue;
        for (int c = 0; c < k; ++c)
            QVERIFY(std::abs(shares[c] - stored[x * k + c]) < 1e-6);
    }
    int models = 0;
    ExampleView::heldOutDistribution(*m_doc, e, &models);
    if (models > 0)
        QVERIFY2(panel.fieldText(QStringLiteral("distribution")).contains(QString::number(models)),
                 qPrintable(panel.fieldText(QStringLiteral("distribution"))));
    selection.setCurrent(-1);
    QCOMPARE(panel.example(), -1);
}

QTEST_MAIN(TestGallery)
#include "tst_gallery.moc"
