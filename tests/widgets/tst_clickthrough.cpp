#include "charts/depthhistogramchart.h"
#include "charts/vtkhost.h"
#include "mainwindow.h"
#include "models/rundocument.h"
#include "training/trainingwizard.h"
#include "training/trainingrunner.h"
#include "views/galleryview.h"

#include <QAbstractButton>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest/QtTest>

using namespace pds;

/// A new user's first session, driven through the real widgets: File › New
/// study, the wizard on Fashion-MNIST with two fields made smaller, training in
/// the background with live progress, the finished study in the views, and
/// figures exported. Needs the Debian Fashion-MNIST package (as the Studio's
/// default does); about a minute on 2 cores.
class TestClickThrough : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void newUserTrainsAndExploresAStudy();

private:
    void driveWizard(TrainingWizard *wizard);

    QString m_output;
    QString m_failure;
    bool m_driven = false;
};

/// Types into a spin box as a user would: select all, type, Tab.
static void type(QWidget *field, const QString &text)
{
    field->setFocus();
    QTest::keyClick(field, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(field, text);
    QTest::keyClick(field, Qt::Key_Tab);
}

void TestClickThrough::driveWizard(TrainingWizard *wizard)
{
    m_driven = true;
    auto next = [&](int expectedFrom) {
        if (wizard->currentId() != expectedFrom)
            return false;
        QTest::mouseClick(wizard->button(QWizard::NextButton), Qt::LeftButton);
        for (int i = 0; i < 200 && wizard->currentId() == expectedFrom; ++i)
            QTest::qWait(50);
        return wizard->currentId() != expectedFrom;
    };
    const QList<int> pages = wizard->pageIds();
    // Dataset: Fashion-MNIST is the default; a smaller subset for a quick first look.
    for (int i = 0; i < 200 && wizard->previewStatus().contains(QStringLiteral("Loading")); ++i)
        QTest::qWait(50);
    type(wizard->findChild<QSpinBox *>(QStringLiteral("limit")), QStringLiteral("1000"));
    type(wizard->findChild<QSpinBox *>(QStringLiteral("testLimit")), QStringLiteral("500"));
    if (!next(pages[0]) || !next(pages[1])) {
        m_failure = QStringLiteral("the dataset or model page did not accept its defaults: ") + wizard->pageError();
        return;
    }
    type(wizard->findChild<QSpinBox *>(QStringLiteral("epochs")), QStringLiteral("2"));
    if (!next(pages[2]) || !next(pages[3])) {
        m_failure = QStringLiteral("the training or study page refused: ") + wizard->pageError();
        return;
    }
    auto *output = wizard->findChild<QLineEdit *>(QStringLiteral("output"));
    output->selectAll();
    QTest::keyClicks(output, m_output);
    QTest::mouseClick(wizard->button(QWizard::FinishButton), Qt::LeftButton);
    if (wizard->isVisible())
        m_failure = QStringLiteral("Finish did not close the wizard: ") + wizard->pageError();
}

void TestClickThrough::initTestCase()
{
    // A fresh user: no settings, no recent files, and none left behind.
    static QTemporaryDir config;
    qputenv("XDG_CONFIG_HOME", config.path().toUtf8());
    QCoreApplication::setOrganizationName(QStringLiteral("pds-test"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_clickthrough"));
}

void TestClickThrough::newUserTrainsAndExploresAStudy()
{
    if (!QFileInfo::exists(QStringLiteral("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")))
        QSKIP("Debian's dataset-fashion-mnist is not installed");
    QTemporaryDir dir;
    m_output = dir.filePath(QStringLiteral("first-study.h5"));
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QSignalSpy progress(w.runner(), &TrainingRunner::progress);
    QSignalSpy updated(w.runner(), &TrainingRunner::fileUpdated);
    QSignalSpy finished(w.runner(), &TrainingRunner::finished);
    QSignalSpy failed(w.runner(), &TrainingRunner::failed);

    // The wizard is modal: drive it from the event loop its exec() runs.
    QTimer poll;
    connect(&poll, &QTimer::timeout, this, [&] {
        if (auto *wizard = qobject_cast<TrainingWizard *>(QApplication::activeModalWidget()); wizard && !m_driven) {
            poll.stop();
            driveWizard(wizard);
            if (!m_failure.isEmpty())
                wizard->reject();
        }
    });
    poll.start(100);
    w.newStudy();
    QVERIFY2(m_failure.isEmpty(), qPrintable(m_failure));
    QVERIFY(m_driven);

    QVERIFY2(finished.wait(900000) || !finished.isEmpty(),
             qPrintable(failed.isEmpty() ? QStringLiteral("no result") : failed.first().first().toString()));
    QVERIFY(progress.count() > 10); // live progress reached the progress view
    QVERIFY(updated.count() >= 4);  // and the live file was refreshed per epoch and model
    QCoreApplication::processEvents();

    // The views show the finished study.
    RunDocument *doc = w.activeDocument();
    QVERIFY(doc);
    QCOMPARE(doc->path(), m_output);
    QVERIFY(doc->isStudy());
    QCOMPARE(doc->modelCount(), 4);
    QCOMPARE(doc->trainSize(), std::int64_t(1000));
    QCOMPARE(doc->testSize(), std::int64_t(500));
    QCOMPARE(std::int64_t(w.gallery()->model()->rowCount()), doc->size());
    double inHistogram = 0;
    for (double v : w.histogramChart()->binValues(0))
        inHistogram += v;
    QCOMPARE(inHistogram, 1000.0); // every pool example has a train-split depth

    // Figures and the contact sheet export.
    QString error;
    for (const char *name : {"depth.png", "depth.svg", "depth.pdf"})
        QVERIFY2(w.histogramChart()->exportFigure(dir.filePath(QString::fromLatin1(name)), QSize(1200, 800), 300, &error),
                 qPrintable(error));
    QVERIFY(!QImage(dir.filePath(QStringLiteral("depth.png"))).isNull());
    QVERIFY2(w.gallery()->exportContactSheet(dir.filePath(QStringLiteral("sheet.pdf")), &error), qPrintable(error));
    QFile pdf(dir.filePath(QStringLiteral("sheet.pdf")));
    QVERIFY(pdf.open(QIODevice::ReadOnly));
    QVERIFY(pdf.read(5) == "%PDF-");
}

int main(int argc, char **argv)
{
    VtkHost::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    TestClickThrough test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_clickthrough.moc"
