#include "appicon.h"

#include <QApplication>
#include <QDialog>
#include <QFile>
#include <QtTest/QtTest>

#include "studiofixture.h"

using namespace pds;

/// The Studio's compiled-in resources: the application icon loads at every size.
class TestResources : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void iconIsCompiledIn();
    void dialogsShowTheIcon();
};

void TestResources::iconIsCompiledIn()
{
    const QIcon icon = studioIcon();
    QVERIFY(!icon.isNull());
    QVERIFY(QFile::exists(QStringLiteral(":/icons/pdepth-studio.svg")));
    for (int size : {16, 32, 48, 256}) {
        const QImage image = icon.pixmap(size, size).toImage();
        QCOMPARE(image.size(), QSize(size, size));
        // The drawing, not a blank square: the blue ground, the bars and the dots.
        QVERIFY2(test::coloursOf(image, 1).size() > 8, qPrintable(QString::number(size)));
    }
    // The SVG renders at sizes no PNG has.
    QVERIFY(!QIcon(QStringLiteral(":/icons/pdepth-studio.svg")).pixmap(100, 100).isNull());
}

void TestResources::dialogsShowTheIcon()
{
    QApplication::setWindowIcon(studioIcon());
    QDialog dialog;
    QCOMPARE(dialog.windowIcon().cacheKey(), QApplication::windowIcon().cacheKey());
    QVERIFY(!dialog.windowIcon().isNull());
}

QTEST_MAIN(TestResources)
#include "tst_resources.moc"
