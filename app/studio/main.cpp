#include "appicon.h"
#include "charts/vtkhost.h"
#include "mainwindow.h"
#include "train/devices.h"

#include <QApplication>
#include <QCommandLineParser>

int main(int argc, char **argv)
{
    pds::VtkHost::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Prediction Depth Studio"));
    QApplication::setApplicationName(QStringLiteral("pdepth-studio"));
    QApplication::setApplicationVersion(QStringLiteral(PDS_VERSION));
    // Every window and dialog shows the icon; the desktop file name ties them to the launcher.
    QApplication::setWindowIcon(pds::studioIcon());
    QGuiApplication::setDesktopFileName(QString::fromLatin1(pds::kDesktopFileName));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Prediction Depth Studio: train, probe and browse example difficulty."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("files"), QStringLiteral("Run or study files (.h5) to open."));
    QCommandLineOption wizard(QStringLiteral("new-study"), QStringLiteral("Open the training wizard at start."));
    QCommandLineOption screenshots(QStringLiteral("screenshots"),
                                   QStringLiteral("Save a PNG of every view into <dir> and quit (for docs/)."),
                                   QStringLiteral("dir"));
    parser.addOption(wizard);
    parser.addOption(screenshots);
    parser.process(app);
    // The PCA of the embedding view runs on LibTorch's CPU threads.
    pds::setComputeThreads(0);

    pds::MainWindow window;
    window.show();
    for (const QString &file : parser.positionalArguments())
        window.openFile(file);
    if (parser.isSet(screenshots))
        return window.saveScreenshots(parser.value(screenshots)) ? 0 : 1;
    if (parser.isSet(wizard) || parser.positionalArguments().isEmpty())
        window.showWelcome(parser.isSet(wizard));
    window.reattachJobs();
    return QApplication::exec();
}
