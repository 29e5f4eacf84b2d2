// The main window on an ordinary screen: with a study open, the default dock
// layout fits the screen and keeps its size while the user selects examples
// and switches tabs, and no visible control of any dock is cut off. CTest
// runs it twice, under Xvfb screens of 1366×768 and 1920×1080
// (PDS_SCREEN names the size the test expects).
#include "mainwindow.h"
#include "models/exampleselection.h"
#include "models/rundocument.h"
#include "studiofixture.h"
#include "views/groupsview.h"

#include <QAbstractButton>
#include <QAbstractScrollArea>
#include <QAbstractSpinBox>
#include <QComboBox>
#include <QDockWidget>
#include <QLabel>
#include <QScreen>
#include <QSettings>
#include <QTabBar>
#include <QTemporaryDir>
#include <QtTest/QtTest>

using namespace pds;

namespace {

/// True when `w` lies in the scrolled contents of a scroll area (it may extend past what is shown).
bool insideScrolledContents(const QWidget *w, const QWidget *stop)
{
    for (const QWidget *p = w->parentWidget(); p && p != stop; p = p->parentWidget())
        if (auto *area = qobject_cast<const QAbstractScrollArea *>(p->parentWidget()); area && area->viewport() == p)
            return true;
    return false;
}

/// Visible widgets of `dock` that are cut off: outside their parent's rectangle,
/// or narrower than the least they need to show their text.
QStringList clipped(QDockWidget *dock)
{
    QStringList out;
    const QList<QWidget *> children = dock->widget()->findChildren<QWidget *>();
    for (QWidget *w : children) {
        if (!w->isVisibleTo(dock) || w->isWindow() || insideScrolledContents(w, dock))
            continue;
        // Qt's own parts of a control (a spin box's line edit, a tab bar's scroll buttons) are its business.
        if (qobject_cast<QAbstractSpinBox *>(w->parentWidget()) || qobject_cast<QComboBox *>(w->parentWidget())
            || qobject_cast<QTabBar *>(w->parentWidget()) || qobject_cast<QAbstractScrollArea *>(w->parentWidget()))
            continue;
        const QString name = QStringLiteral("%1 \"%2\" (%3)")
                                 .arg(QString::fromLatin1(w->metaObject()->className()), w->objectName(),
                                      qobject_cast<QLabel *>(w) ? qobject_cast<QLabel *>(w)->text().left(40)
                                      : qobject_cast<QAbstractButton *>(w) ? qobject_cast<QAbstractButton *>(w)->text()
                                                                           : QString());
        const QRect inParent = w->geometry();
        if (!w->parentWidget()->rect().adjusted(-1, -1, 1, 1).contains(inParent))
            out << QStringLiteral("%1 in %2: %3,%4 %5×%6 outside its parent's %7×%8")
                       .arg(name, dock->objectName())
                       .arg(inParent.x()).arg(inParent.y()).arg(inParent.width()).arg(inParent.height())
                       .arg(w->parentWidget()->width()).arg(w->parentWidget()->height());
        auto *label = qobject_cast<QLabel *>(w);
        const bool text = label || qobject_cast<QAbstractButton *>(w) || qobject_cast<QComboBox *>(w)
                          || qobject_cast<QAbstractSpinBox *>(w);
        if (label && label->wordWrap()) {
            // A wrapped text needs room for a few words a line, not a one-word column.
            if (!label->text().isEmpty() && label->width() < std::min(160, label->sizeHint().width()))
                out << QStringLiteral("%1 in %2 wraps into a %3-pixel column").arg(name, dock->objectName()).arg(label->width());
        } else if (text && w->width() + 1 < w->minimumSizeHint().width()) {
            out << QStringLiteral("%1 in %2 is %3 wide, needs %4").arg(name, dock->objectName()).arg(w->width()).arg(w->minimumSizeHint().width());
        }
    }
    return out;
}

} // namespace

class TestLayout : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void windowFitsAndHolds();

private:
    /// The window's frame within the screen's available area, and nothing of a dock cut off.
    void checkFits(MainWindow &w, const QString &when);

    QRect m_available;
};

void TestLayout::initTestCase()
{
    test::useFreshSettings(QStringLiteral("tst_layout"));
    m_available = QGuiApplication::primaryScreen()->availableGeometry();
    const QString expected = qEnvironmentVariable("PDS_SCREEN");
    if (!expected.isEmpty()) {
        const QSize screen = QGuiApplication::primaryScreen()->geometry().size();
        QCOMPARE(QStringLiteral("%1x%2").arg(screen.width()).arg(screen.height()), expected);
    }
    qInfo() << "available screen area" << m_available;
}

void TestLayout::checkFits(MainWindow &w, const QString &when)
{
    QTest::qWait(50); // let layouts settle
    QCoreApplication::processEvents();
    const QRect frame = w.frameGeometry();
    // What asks for the room, to find a culprit quickly.
    QStringList needs{QStringLiteral("central %1×%2").arg(w.centralWidget()->minimumSizeHint().width()).arg(w.centralWidget()->minimumSizeHint().height())};
    for (QDockWidget *dock : w.findChildren<QDockWidget *>())
        if (dock->isVisible())
            needs << QStringLiteral("%1 %2×%3").arg(dock->objectName()).arg(dock->minimumSizeHint().width()).arg(dock->minimumSizeHint().height());
    if (!m_available.contains(frame))
        for (QDockWidget *dock : w.findChildren<QDockWidget *>())
            for (QWidget *child : dock->widget()->findChildren<QWidget *>(QString(), Qt::FindDirectChildrenOnly))
                if (child->isVisibleTo(dock))
                    qInfo().noquote() << dock->objectName() << child->metaObject()->className() << child->objectName()
                                      << "least width" << child->minimumSizeHint().width();
    QVERIFY2(m_available.contains(frame),
             qPrintable(QStringLiteral("%1: the window %2,%3 %4×%5 leaves the screen's %6×%7 (least sizes: %8)")
                            .arg(when).arg(frame.x()).arg(frame.y()).arg(frame.width()).arg(frame.height())
                            .arg(m_available.width()).arg(m_available.height()).arg(needs.join(QStringLiteral(", ")))));
    QStringList cut;
    for (QDockWidget *dock : w.findChildren<QDockWidget *>())
        if (dock->isVisible() && !dock->visibleRegion().isEmpty())
            cut << clipped(dock);
    QVERIFY2(cut.isEmpty(), qPrintable(when + QStringLiteral(":\n") + cut.join(QLatin1Char('\n'))));
}

void TestLayout::windowFitsAndHolds()
{
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    checkFits(w, QStringLiteral("at start"));
    const QSize startSize = w.size();

    QString error;
    QVERIFY2(w.openFile(test::studyFixture(), &error), qPrintable(error));
    checkFits(w, QStringLiteral("with a study open"));
    QCOMPARE(w.size(), startSize);

    RunDocument *doc = w.activeDocument();
    for (std::int64_t ex : {std::int64_t(0), std::int64_t(17), doc->trainSize() + 3, doc->size() - 1}) {
        w.selection()->setExamples({ex}, doc->exampleName(ex), nullptr, false);
        w.selection()->setCurrent(ex);
        checkFits(w, QStringLiteral("after selecting %1").arg(doc->exampleName(ex)));
        QCOMPARE(w.size(), startSize);
    }
    std::vector<std::int64_t> many;
    for (std::int64_t ex = 0; ex < doc->size(); ex += 3)
        many.push_back(ex);
    w.selection()->setExamples(many, QStringLiteral("every third example, a long description of a filter"), nullptr, true);
    checkFits(w, QStringLiteral("after filtering"));
    QCOMPARE(w.size(), startSize);

    // The groups view's thresholds opened beside the chart: the panel scrolls, the window keeps its size.
    auto *thresholds = w.groupsView()->findChild<QAbstractButton *>(QStringLiteral("thresholdsToggle"));
    QVERIFY(thresholds);
    w.findChild<QDockWidget *>(QStringLiteral("groups"))->raise();
    thresholds->setChecked(true);
    checkFits(w, QStringLiteral("with the thresholds open"));
    QCOMPARE(w.size(), startSize);

    // A second run (compared in the histogram), then back to the study.
    QVERIFY2(w.openFile(test::runFixture(), &error), qPrintable(error));
    checkFits(w, QStringLiteral("with a second run open"));
    QCOMPARE(w.size(), startSize);
    w.setActiveDocument(doc);
    checkFits(w, QStringLiteral("after switching back to the study"));
    QCOMPARE(w.size(), startSize);

    // Every dock brought to the front of its tab group in turn, then the training dock shown.
    for (QDockWidget *dock : w.findChildren<QDockWidget *>()) {
        dock->show();
        dock->raise();
        checkFits(w, QStringLiteral("with the %1 dock in front").arg(dock->windowTitle()));
        QCOMPARE(w.size(), startSize);
    }
}

QTEST_MAIN(TestLayout)
#include "tst_layout.moc"
