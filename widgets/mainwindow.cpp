#include "mainwindow.h"

#include "appicon.h"
#include "charts/depthhistogramchart.h"
#include "charts/palette.h"
#include "charts/trajectorychart.h"
#include "charts/vtkhost.h"
#include "models/exampleselection.h"
#include "models/rundocument.h"
#include "models/sweepdocument.h"
#include "training/progressview.h"
#include "training/slurmprogressview.h"
#include "training/rememberedjobs.h"
#include "training/trainingwizard.h"
#include "training/trainingrunner.h"
#include "views/embeddingview.h"
#include "views/exampletableview.h"
#include "views/exampleview.h"
#include "views/galleryview.h"
#include "views/groupsview.h"
#include "views/histogramview.h"
#include "views/modelsizesview.h"
#include "views/neighboursview.h"
#include "views/overviewview.h"
#include "views/regimesview.h"
#include "views/regressionview.h"

#include "compare/comparison.h"
#include "study/detachedjob.h"
#include "train/runjob.h"
#include "store/comparefile.h"
#include "store/sweepfile.h"
#include "sweep/sweepconfig.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QGuiApplication>
#include <QScreen>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QThread>
#include <QTimer>
#include <QToolBar>

#include <algorithm>
#include <cmath>

namespace pds {
namespace {

constexpr int kMaxRecent = 8;

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent), m_selection(new ExampleSelection(this)), m_runner(new TrainingRunner(this))
{
    setWindowTitle(tr("Prediction Depth Studio"));
    setWindowIcon(studioIcon());
    setAcceptDrops(true);
    setDockNestingEnabled(true);
    createViews();
    createMenus();

    QSettings settings;
    m_recent = settings.value(QStringLiteral("recentFiles")).toStringList();
    rebuildRecentMenu();
    const QRect available = (screen() ? screen() : QGuiApplication::primaryScreen())->availableGeometry();
    if (!restoreGeometry(settings.value(QStringLiteral("geometry")).toByteArray())) {
        // The whole available screen up to 1600×1000, the docks in proportion to it.
        const QSize size(std::min(available.width(), 1600), std::min(available.height(), 1000));
        resize(size);
        move(available.topLeft() + QPoint((available.width() - size.width()) / 2, (available.height() - size.height()) / 2));
        resizeDocks({findChild<QDockWidget *>(QStringLiteral("overview")), findChild<QDockWidget *>(QStringLiteral("histogram"))},
                    {size.width() * 27 / 100, size.width() * 36 / 100}, Qt::Horizontal);
        resizeDocks({findChild<QDockWidget *>(QStringLiteral("trajectory"))}, {size.height() * 30 / 100}, Qt::Vertical);
    }
    restoreState(settings.value(QStringLiteral("windowState")).toByteArray());
    // A layout saved on a larger screen must not leave this one.
    if (!available.contains(frameGeometry()))
        setGeometry(QRect(available.topLeft(), size().boundedTo(available.size())));

    connect(m_runner, &TrainingRunner::started, this, [this](const QString &output) {
        RememberedJobs::add(output);
        m_progressDock->show();
        m_progressDock->raise();
        statusBar()->showMessage(tr("Training: writing %1").arg(output));
    });
    connect(m_runner, &TrainingRunner::fileUpdated, this, &MainWindow::onFileUpdated);
    connect(m_runner, &TrainingRunner::finished, this,
            [this](const QString &path) { onJobEnded(path, tr("finished")); });
    connect(m_runner, &TrainingRunner::cancelled, this,
            [this](const QString &path) { onJobEnded(path, tr("cancelled; the file keeps every finished epoch")); });
    connect(m_runner, &TrainingRunner::failed, this, [this](const QString &message) {
        RememberedJobs::remove(m_runner->outputPath());
        statusBar()->showMessage(tr("Training failed: %1").arg(message));
    });
    connect(m_selection, &ExampleSelection::selectionChanged, this, [this] {
        if (!m_active)
            return;
        const auto n = m_selection->examples().size();
        statusBar()->showMessage(n == 0 ? tr("Selection cleared")
                                        : tr("%1 example(s) selected: %2").arg(n).arg(m_selection->description()));
    });
    connect(m_selection, &ExampleSelection::currentChanged, this, [this](std::int64_t example) {
        if (m_active && example >= 0)
            statusBar()->showMessage(tr("Showing %1 (%2)")
                                         .arg(m_active->exampleName(example),
                                              m_active->className(m_active->labels()[static_cast<std::size_t>(example)])));
    });
    statusBar()->showMessage(tr("Ready"));
}

MainWindow::~MainWindow()
{
    // Views hold raw pointers to documents: detach them before the documents go.
    setActiveDocument(nullptr);
    setCompareDocument(nullptr);
    m_modelSizes->setDocument(nullptr);
}

QDockWidget *MainWindow::addDock(const QString &title, const QString &name, QWidget *widget, Qt::DockWidgetArea area)
{
    auto *dock = new QDockWidget(title, this);
    dock->setObjectName(name); // saveState() needs it
    dock->setWidget(widget);
    addDockWidget(area, dock);
    m_viewMenu->addAction(dock->toggleViewAction());
    return dock;
}

void MainWindow::createViews()
{
    m_viewMenu = new QMenu(tr("&View"), this);
    m_gallery = new GalleryView(m_selection);
    setCentralWidget(m_gallery);

    m_overview = new OverviewView;
    m_histogramView = new HistogramView(m_selection);
    m_histogramChart = m_histogramView->chart();
    m_groups = new GroupsView(m_selection);
    m_trajectory = new TrajectoryChart(m_selection);
    m_neighbours = new NeighboursView(m_selection);
    m_embedding = new EmbeddingView(m_selection);
    m_detail = new ExampleView(m_selection);
    m_table = new ExampleTableView(m_selection);
    m_modelSizes = new ModelSizesView(m_selection);
    m_progress = new ProgressView;
    m_progress->setRunner(m_runner);
    m_slurm = new SlurmProgressView(this); // owned here until its dock is made
    m_slurm->hide();
    connect(m_slurm, &SlurmProgressView::studyMerged, this, [this](const QString &path) {
        statusBar()->showMessage(tr("Slurm study merged: %1").arg(path));
        if (!findDocument(path))
            openFile(path);
    });
    // The table lists what the gallery's filters leave, in the same order rules.
    connect(m_gallery, &GalleryView::filterChanged, m_table, &ExampleTableView::setFilter);

    QDockWidget *overview = addDock(tr("Overview"), QStringLiteral("overview"), m_overview, Qt::LeftDockWidgetArea);
    QDockWidget *histogram = addDock(tr("Depth histogram"), QStringLiteral("histogram"), m_histogramView, Qt::RightDockWidgetArea);
    QDockWidget *groups = addDock(tr("Difficulty groups"), QStringLiteral("groups"), m_groups, Qt::RightDockWidgetArea);
    QDockWidget *embedding = addDock(tr("Layer embeddings"), QStringLiteral("embedding"), m_embedding, Qt::RightDockWidgetArea);
    QDockWidget *trajectory = addDock(tr("Trajectory"), QStringLiteral("trajectory"), m_trajectory, Qt::BottomDockWidgetArea);
    QDockWidget *detail = addDock(tr("Example"), QStringLiteral("detail"), m_detail, Qt::LeftDockWidgetArea);
    QDockWidget *table = addDock(tr("Table"), QStringLiteral("table"), m_table, Qt::BottomDockWidgetArea);
    QDockWidget *neighbours = addDock(tr("Neighbours"), QStringLiteral("neighbours"), m_neighbours, Qt::BottomDockWidgetArea);
    m_progressDock = addDock(tr("Training"), QStringLiteral("training"), m_progress, Qt::LeftDockWidgetArea);
    m_sizesDock = addDock(tr("Model sizes"), QStringLiteral("sizes"), m_modelSizes, Qt::RightDockWidgetArea);
    tabifyDockWidget(histogram, groups);
    tabifyDockWidget(groups, embedding);
    tabifyDockWidget(embedding, m_sizesDock);
    m_sizesDock->hide(); // shown when a sweep file opens
    histogram->raise();
    tabifyDockWidget(trajectory, table);
    tabifyDockWidget(table, neighbours);
    trajectory->raise();
    tabifyDockWidget(overview, m_progressDock);
    tabifyDockWidget(m_progressDock, detail);
    // The Slurm dock is made when first shown (showSlurmDock): even hidden, a
    // dock in the left area made the window taller than a 768-pixel screen.
    m_viewMenu->addAction(tr("Slurm"), this, &MainWindow::showSlurmDock);
    overview->raise();
    m_overview->setMinimumWidth(340);
    m_detail->setMinimumWidth(340);
    m_progressDock->hide();
}

void MainWindow::showSlurmDock()
{
    auto *dock = findChild<QDockWidget *>(QStringLiteral("slurm"));
    if (!dock) {
        dock = addDock(tr("Slurm"), QStringLiteral("slurm"), m_slurm, Qt::LeftDockWidgetArea);
        tabifyDockWidget(m_progressDock, dock);
    }
    dock->show();
    dock->raise();
}

void MainWindow::showRegressionViews(bool regression)
{
    static const char *const classificationOnly[] = {"overview", "histogram", "groups", "embedding", "trajectory", "neighbours"};
    auto *dock = findChild<QDockWidget *>(QStringLiteral("regression"));
    if (!regression) {
        for (QDockWidget *hidden : std::as_const(m_hiddenForRegression))
            hidden->show();
        m_hiddenForRegression.clear();
        if (dock)
            dock->hide();
        return;
    }
    if (!dock) {
        m_regressionView = new RegressionView;
        connect(m_regressionView, &RegressionView::filterRequested, m_gallery, &GalleryView::setFilter);
        connect(m_regressionView, &RegressionView::sortRequested, m_gallery, &GalleryView::setSortColumn);
        dock = addDock(tr("Regression"), QStringLiteral("regression"), m_regressionView, Qt::RightDockWidgetArea);
        tabifyDockWidget(findChild<QDockWidget *>(QStringLiteral("histogram")), dock);
    }
    for (const char *name : classificationOnly) {
        auto *other = findChild<QDockWidget *>(QLatin1String(name));
        if (other && other->isVisible() && !m_hiddenForRegression.contains(other)) {
            other->hide();
            m_hiddenForRegression.append(other);
        }
    }
    dock->show();
    dock->raise();
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *open = file->addAction(tr("&Open run…"), this, &MainWindow::openDialog);
    open->setShortcut(QKeySequence::Open);
    m_recentMenu = file->addMenu(tr("Open &recent"));
    QAction *study = file->addAction(tr("&New study…"), this, &MainWindow::newStudy);
    file->addAction(tr("New model-size &sweep…"), this, &MainWindow::newSweep);
    file->addAction(tr("New regime &comparison…"), this, &MainWindow::newComparison);
    study->setShortcut(QKeySequence::New);
    file->addAction(tr("Res&ume interrupted run…"), QKeySequence(Qt::CTRL | Qt::Key_R), this, &MainWindow::resumeDialog);
    file->addAction(tr("Re&load"), QKeySequence::Refresh, this, &MainWindow::reloadActive);
    file->addAction(tr("&Close run"), QKeySequence::Close, this, &MainWindow::closeActive);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu *exportMenu = menuBar()->addMenu(tr("&Export"));
    connect(exportMenu, &QMenu::aboutToShow, this, [this, exportMenu] {
        exportMenu->clear();
        for (const auto &[title, view] : figureViews())
            exportMenu->addAction(tr("%1 figure…").arg(title), this, [this, view = view] { exportView(view); });
        exportMenu->addSeparator();
        exportMenu->addAction(tr("Contact sheet…"), this, [this] { m_gallery->exportContactSheetWithDialog(); });
        exportMenu->addAction(tr("Table as CSV…"), this, [this] { m_gallery->exportCsvWithDialog(); });
    });
    auto *exportFocused = new QAction(tr("Export focused figure"), this);
    exportFocused->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    connect(exportFocused, &QAction::triggered, this, [this] {
        for (QWidget *w = QApplication::focusWidget(); w; w = w->parentWidget())
            if (auto *host = qobject_cast<VtkHost *>(w))
                return exportView(host);
        statusBar()->showMessage(tr("Click into a chart first, then press Ctrl+E"));
    });
    addAction(exportFocused);
    auto *clearSelection = new QAction(tr("Clear selection"), this);
    clearSelection->setShortcut(QKeySequence(Qt::Key_Escape));
    connect(clearSelection, &QAction::triggered, this, [this] { m_selection->clear(this); });
    addAction(clearSelection);

    menuBar()->addMenu(m_viewMenu);
    m_viewMenu->addSeparator();
    m_viewMenu->addAction(clearSelection);
    m_viewMenu->addAction(exportFocused);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About"), this, [this] {
        QMessageBox::about(this, tr("About Prediction Depth Studio"),
                           tr("<b>Prediction Depth Studio</b> %1<p>Trains image classifiers, measures how deep into "
                              "the network each example's prediction is made (Baldock et al. 2021), its "
                              "memorisation and difficulty group, and shows why.</p>")
                               .arg(QApplication::applicationVersion()));
    });

    QToolBar *bar = addToolBar(tr("Runs"));
    bar->setObjectName(QStringLiteral("runs"));
    bar->addAction(open);
    bar->addAction(study);
    bar->addSeparator();
    bar->addWidget(new QLabel(tr(" Run: ")));
    m_activeCombo = new QComboBox;
    m_activeCombo->setMinimumContentsLength(24);
    m_activeCombo->setToolTip(tr("The run the views show"));
    bar->addWidget(m_activeCombo);
    bar->addWidget(new QLabel(tr("  Compare with: ")));
    m_compareCombo = new QComboBox;
    m_compareCombo->setMinimumContentsLength(24);
    m_compareCombo->setObjectName(QStringLiteral("compareRuns"));
    m_compareCombo->setToolTip(tr("A second run, or all open runs, overlaid in the depth histogram"));
    bar->addWidget(m_compareCombo);
    connect(m_activeCombo, QOverload<int>::of(&QComboBox::activated), this, [this](int i) {
        if (i >= 0 && i < static_cast<int>(m_documents.size()))
            setActiveDocument(m_documents[static_cast<std::size_t>(i)].get());
    });
    connect(m_compareCombo, QOverload<int>::of(&QComboBox::activated), this, [this](int i) {
        // The last entry, with three runs or more, overlays them all.
        m_compareAll = m_documents.size() > 2 && i == static_cast<int>(m_documents.size()) + 1;
        setCompareDocument(i > 0 && i <= static_cast<int>(m_documents.size()) ? m_documents[static_cast<std::size_t>(i - 1)].get()
                                                                              : nullptr);
    });
}

QList<QPair<QString, VtkHost *>> MainWindow::figureViews() const
{
    QList<QPair<QString, VtkHost *>> out;
    for (QDockWidget *dock : findChildren<QDockWidget *>()) {
        for (VtkHost *host : dock->widget()->findChildren<VtkHost *>())
            out.append({dock->windowTitle() + (host->figureTitle().isEmpty() ? QString() : QStringLiteral(": ") + host->figureTitle()), host});
        if (auto *host = qobject_cast<VtkHost *>(dock->widget()))
            out.append({dock->windowTitle(), host});
    }
    return out;
}

void MainWindow::exportView(VtkHost *view)
{
    view->exportWithDialog();
}

RunDocument *MainWindow::findDocument(const QString &path) const
{
    const QString canonical = QFileInfo(path).absoluteFilePath();
    for (const auto &doc : m_documents)
        if (QFileInfo(doc->path()).absoluteFilePath() == canonical)
            return doc.get();
    return nullptr;
}

bool MainWindow::openFile(const QString &path, QString *error, bool writtenHere)
{
    // A file a job of an earlier Studio still writes: follow the job, which
    // shows its newest file as it goes and opens the finished one.
    if (followJob(path))
        return true;
    if (RunDocument *open = findDocument(path)) {
        setActiveDocument(open);
        return true;
    }
    QApplication::setOverrideCursor(Qt::WaitCursor);
    try {
        // A sweep file (pdepth sweep) is not a run: it opens into the Model sizes dock.
        QString unguarded;
        if (writtenHere ? isSweepFile(path.toStdString()) : SweepDocument::isCheckedSweep(path, &unguarded)) {
            QApplication::restoreOverrideCursor();
            return openSweep(path, unguarded, error);
        }
        // A comparison file (pdepth compare) opens into the Regimes dock.
        if (isComparisonFile(path.toStdString())) {
            QApplication::restoreOverrideCursor();
            return openComparison(path, error);
        }
        m_documents.push_back(writtenHere ? std::make_unique<RunDocument>(path) : RunDocument::openChecked(path));
        QApplication::restoreOverrideCursor();
    } catch (const std::exception &e) {
        QApplication::restoreOverrideCursor();
        const QString message = tr("Cannot open %1: %2").arg(path, QString::fromStdString(e.what()));
        statusBar()->showMessage(message);
        if (error)
            *error = message;
        else
            QMessageBox::warning(this, tr("Open run"), message);
        return false;
    }
    RunDocument *doc = m_documents.back().get();
    if (!doc->isLive())
        addRecent(path);
    RunDocument *previous = m_active;
    setActiveDocument(doc);
    // The second run opened is compared with the first by default.
    if (previous && !m_compare)
        setCompareDocument(previous);
    const QStringList notes = doc->warnings();
    statusBar()->showMessage(tr("Opened %1: %2 examples, %3 model(s)").arg(doc->title()).arg(doc->size()).arg(doc->modelCount())
                             + (notes.isEmpty() ? QString() : QStringLiteral(" (") + notes.join(QStringLiteral("; ")) + QStringLiteral(")")));
    return true;
}

bool MainWindow::openSweep(const QString &path, const QString &unguardedNote, QString *error)
{
    std::unique_ptr<SweepDocument> sweep;
    try {
        sweep = std::make_unique<SweepDocument>(path);
    } catch (const std::exception &e) {
        const QString message = tr("Cannot open %1: %2").arg(path, QString::fromStdString(e.what()));
        statusBar()->showMessage(message);
        if (error)
            *error = message;
        else
            QMessageBox::warning(this, tr("Open sweep"), message);
        return false;
    }
    if (!unguardedNote.isEmpty())
        sweep->addWarning(unguardedNote);
    m_modelSizes->setDocument(sweep.get());
    m_sweep = std::move(sweep);
    addRecent(path);
    m_sizesDock->show();
    m_sizesDock->raise();
    const QStringList notes = m_sweep->warnings();
    statusBar()->showMessage(tr("Opened sweep %1: %2 sizes, %3 train examples").arg(m_sweep->title()).arg(m_sweep->sizeCount()).arg(m_sweep->exampleCount())
                             + (notes.isEmpty() ? QString() : QStringLiteral(" (") + notes.join(QStringLiteral("; ")) + QStringLiteral(")")));
    return true;
}

bool MainWindow::openComparison(const QString &path, QString *error)
{
    auto fail = [&](const QString &why) {
        const QString message = tr("Cannot open %1: %2").arg(path, why);
        statusBar()->showMessage(message);
        if (error)
            *error = message;
        else
            QMessageBox::warning(this, tr("Open comparison"), message);
        return false;
    };
    Comparison comparison;
    try {
        comparison = readComparison(path.toStdString());
    } catch (const std::exception &e) {
        return fail(QString::fromStdString(e.what()));
    }
    // The studies' members are linked by relative paths from the study files
    // beside the comparison, so those (not the copies inside it) are opened.
    std::vector<QPointer<RunDocument>> runs;
    QStringList names;
    for (const RegimeResult &r : comparison.regimes) {
        const QString study = QFileInfo(path).dir().filePath(QString::fromStdString(r.studyFile));
        if (!QFileInfo::exists(study))
            return fail(tr("the study of regime %1, %2, is missing (a comparison keeps its studies beside it)")
                            .arg(QString::fromStdString(r.regime), study));
        QString why;
        if (!openFile(study, &why))
            return fail(why);
        runs.emplace_back(findDocument(study));
        names << QString::fromStdString(r.regime);
    }
    if (!m_regimes) {
        m_regimes = new RegimesView(m_selection);
        QDockWidget *dock = addDock(tr("Regimes"), QStringLiteral("regimes"), m_regimes, Qt::RightDockWidgetArea);
        tabifyDockWidget(findChild<QDockWidget *>(QStringLiteral("histogram")), dock);
    }
    m_regimes->setComparison(path, comparison);
    m_regimeRuns = std::move(runs);
    m_regimeNames = names;
    m_compareAll = false;
    setCompareDocument(nullptr);
    setActiveDocument(m_regimeRuns.front());
    m_regimes->parentWidget()->show();
    m_regimes->parentWidget()->raise();
    addRecent(path);
    statusBar()->showMessage(tr("Opened comparison %1: %2").arg(QFileInfo(path).fileName(), names.join(QStringLiteral(", "))));
    return true;
}

void MainWindow::updateHistogram()
{
    // A regression run has no depths to histogram.
    if (m_active && m_active->isRegression())
        return m_histogramView->setDocuments(nullptr, nullptr);
    if (m_compareAll && m_active && !m_compare) {
        std::vector<RunDocument *> docs{m_active};
        for (const auto &doc : m_documents)
            if (doc.get() != m_active && !doc->isRegression())
                docs.push_back(doc.get());
        return m_histogramView->setOverlay(docs, {}, {});
    }
    const bool regime = m_active && !m_compare
                        && std::any_of(m_regimeRuns.begin(), m_regimeRuns.end(), [this](const auto &d) { return d == m_active; });
    if (!regime)
        return m_histogramView->setDocuments(m_active, m_compare);
    // The active regime first (the selection numbers its examples), then the others in the file's order.
    std::vector<RunDocument *> docs{m_active};
    QStringList labels;
    std::vector<QColor> colours;
    for (std::size_t i = 0; i < m_regimeRuns.size(); ++i)
        if (m_regimeRuns[i] && m_regimeRuns[i] != m_active)
            docs.push_back(m_regimeRuns[i]);
    for (RunDocument *doc : docs)
        for (std::size_t i = 0; i < m_regimeRuns.size(); ++i)
            if (m_regimeRuns[i] == doc) {
                labels << m_regimeNames[int(i)];
                colours.push_back(regimeColour(m_regimeNames[int(i)]));
            }
    m_histogramView->setOverlay(docs, labels, colours);
}

void MainWindow::setActiveDocument(RunDocument *doc)
{
    if (m_active == doc && doc)
        return;
    m_active = doc;
    if (m_compare == doc)
        m_compare = nullptr;
    m_selection->clear(this);
    // A regression run has no models, depths or classes: those views show nothing for it.
    const bool regression = doc && doc->isRegression();
    RunDocument *classification = regression ? nullptr : doc;
    showRegressionViews(regression);
    if (m_regressionView)
        m_regressionView->setDocument(regression ? doc : nullptr);
    m_overview->setDocument(classification);
    updateHistogram();
    m_groups->setDocument(classification);
    m_trajectory->setDocument(classification);
    m_neighbours->setDocument(classification);
    m_embedding->setDocument(classification);
    m_detail->setDocument(doc);
    m_gallery->setDocument(doc);
    m_table->setDocument(doc);
    setWindowTitle(doc ? tr("%1 — Prediction Depth Studio").arg(doc->title()) : tr("Prediction Depth Studio"));
    refreshRunLists();
}

void MainWindow::setCompareDocument(RunDocument *doc)
{
    m_compare = doc == m_active ? nullptr : doc;
    if (m_compare)
        m_compareAll = false;
    updateHistogram();
    refreshRunLists();
}

void MainWindow::refreshRunLists()
{
    m_activeCombo->clear();
    m_compareCombo->clear();
    m_compareCombo->addItem(tr("(none)"));
    for (const auto &doc : m_documents) {
        const QString label = doc->title() + (doc->isLive() ? tr(" (live)") : QString());
        m_activeCombo->addItem(label, doc->path());
        m_compareCombo->addItem(label, doc->path());
    }
    for (std::size_t i = 0; i < m_documents.size(); ++i) {
        if (m_documents[i].get() == m_active)
            m_activeCombo->setCurrentIndex(int(i));
        if (m_documents[i].get() == m_compare)
            m_compareCombo->setCurrentIndex(int(i) + 1);
    }
    m_compareAll = m_compareAll && m_documents.size() > 2;
    if (m_documents.size() > 2)
        m_compareCombo->addItem(tr("(all open runs)"));
    if (m_compareAll)
        m_compareCombo->setCurrentIndex(m_compareCombo->count() - 1);
}

void MainWindow::closeDocument(RunDocument *doc)
{
    if (!doc)
        return;
    if (m_compare == doc)
        setCompareDocument(nullptr);
    if (m_live == doc)
        m_live = nullptr;
    RunDocument *next = nullptr;
    for (const auto &d : m_documents)
        if (d.get() != doc) {
            next = d.get();
            break;
        }
    if (m_active == doc)
        setActiveDocument(next == m_compare ? next : next);
    for (auto it = m_documents.begin(); it != m_documents.end(); ++it)
        if (it->get() == doc) {
            m_documents.erase(it);
            break;
        }
    refreshRunLists();
}

void MainWindow::closeActive()
{
    closeDocument(m_active);
}

void MainWindow::reloadActive()
{
    if (!m_active)
        return;
    try {
        m_active->reload();
        statusBar()->showMessage(tr("Reloaded %1").arg(m_active->title()));
    } catch (const std::exception &e) {
        statusBar()->showMessage(tr("Cannot reload %1: %2").arg(m_active->title(), QString::fromStdString(e.what())));
    }
}

void MainWindow::openDialog()
{
    QSettings settings;
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Open run, study, sweep or comparison"), settings.value(QStringLiteral("lastDir"), QDir::homePath()).toString(),
        tr("Run files (*.h5 *.part);;All files (*)"));
    for (const QString &f : files) {
        settings.setValue(QStringLiteral("lastDir"), QFileInfo(f).absolutePath());
        openFile(f);
    }
}

void MainWindow::newStudy()
{
    if (m_runner->isRunning()) {
        QMessageBox::information(this, tr("New study"), tr("A training job is running; cancel it or wait for it to finish."));
        return;
    }
    TrainingWizard wizard(this);
    wizard.setConcurrentMembers(m_runner->concurrentMembers());
    if (wizard.exec() != QDialog::Accepted)
        return;
    if (wizard.runOnSlurm()) {
        // Finish on the Slurm page has submitted the study; follow its jobs.
        const SlurmSubmission &sub = wizard.slurmSubmission();
        m_slurm->follow(QString::fromStdString(sub.stateFile));
        showSlurmDock();
        statusBar()->showMessage(tr("Submitted to Slurm: members %1, merge %2")
                                     .arg(QString::fromStdString(sub.arrayJob.empty() ? "(all finished)" : sub.arrayJob),
                                          QString::fromStdString(sub.mergeJob)));
        return;
    }
    QString error;
    m_runner->setConcurrentMembers(wizard.concurrentMembers());
    if (!m_runner->start(wizard.config(), &error))
        QMessageBox::warning(this, tr("New study"), error);
}

void MainWindow::newSweep()
{
    startWizardJob(TrainingWizard::Mode::Sweep, tr("New sweep"));
}

void MainWindow::newComparison()
{
    startWizardJob(TrainingWizard::Mode::Compare, tr("New comparison"));
}

void MainWindow::startWizardJob(TrainingWizard::Mode mode, const QString &title)
{
    if (m_runner->isRunning()) {
        QMessageBox::information(this, title, tr("A training job is running; cancel it or wait for it to finish."));
        return;
    }
    TrainingWizard wizard(this, mode);
    wizard.setConcurrentMembers(m_runner->concurrentMembers());
    if (wizard.exec() != QDialog::Accepted)
        return;
    QString error;
    m_runner->setConcurrentMembers(wizard.concurrentMembers());
    try {
        if (mode == TrainingWizard::Mode::Compare ? m_runner->startComparison(wizard.compareConfig(), &error)
                                                  : m_runner->startSweep(wizard.sweepConfig(), &error))
            return;
    } catch (const std::exception &e) {
        error = QString::fromStdString(e.what());
    }
    QMessageBox::warning(this, title, error);
}

void MainWindow::resumeDialog()
{
    if (m_runner->isRunning()) {
        QMessageBox::information(this, tr("Resume"), tr("A training job is running; wait for it to finish."));
        return;
    }
    const QString path = QFileDialog::getOpenFileName(this, tr("Resume an interrupted run"), QDir::homePath(),
                                                      tr("Interrupted runs (*.part *.h5)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!m_runner->resume(path, &error))
        QMessageBox::warning(this, tr("Resume"), error);
}

void MainWindow::onFileUpdated(const QString &path)
{
    RunDocument *doc = findDocument(path);
    try {
        if (doc) {
            doc->reload();
        } else {
            // A study moves on to its next member's file: show that one instead.
            if (m_live)
                closeDocument(m_live);
            QString error;
            if (!openFile(path, &error, /*writtenHere=*/true)) {
                statusBar()->showMessage(error);
                return;
            }
            doc = findDocument(path);
        }
    } catch (const std::exception &e) {
        // A live file is replaced atomically; a failed read waits for the next update.
        statusBar()->showMessage(tr("Waiting for %1: %2").arg(path, QString::fromStdString(e.what())));
        return;
    }
    m_live = doc;
    refreshRunLists();
}

bool MainWindow::followJob(const QString &path)
{
    if (m_runner->isRunning()
        || inspectJob(RunJob::finalPath(QFileInfo(path).absoluteFilePath().toStdString())).kind
               != JobState::Kind::Running)
        return false;
    return m_runner->attach(path);
}

void MainWindow::reattachJobs()
{
    if (m_runner->isRunning())
        return;
    const QString next = RememberedJobs::next();
    if (!next.isEmpty())
        m_runner->attach(next);
}

void MainWindow::onJobEnded(const QString &path, const QString &how)
{
    RememberedJobs::remove(m_runner->outputPath());
    if (m_live) {
        closeDocument(m_live);
        m_live = nullptr;
    }
    statusBar()->showMessage(tr("Training %1: %2").arg(how, path));
    if (!path.isEmpty() && QFileInfo::exists(path))
        openFile(path, nullptr, /*writtenHere=*/true);
}

void MainWindow::addRecent(const QString &path)
{
    const QString abs = QFileInfo(path).absoluteFilePath();
    m_recent.removeAll(abs);
    m_recent.prepend(abs);
    while (m_recent.size() > kMaxRecent)
        m_recent.removeLast();
    QSettings().setValue(QStringLiteral("recentFiles"), m_recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    for (const QString &path : m_recent)
        m_recentMenu->addAction(QFileInfo(path).fileName(), this, [this, path] { openFile(path); })->setToolTip(path);
    m_recentMenu->setEnabled(!m_recent.isEmpty());
}

void MainWindow::showWelcome(bool wizardNow)
{
    if (wizardNow) {
        QTimer::singleShot(0, this, &MainWindow::newStudy);
        return;
    }
    statusBar()->showMessage(tr("Open a run (Ctrl+O), drop a .h5 file here, or start a new study (Ctrl+N)"));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_runner->isRunning()) {
        QMessageBox box(QMessageBox::Question, tr("Quit"),
                        tr("A training job is running. It trains on in its own process after the Studio closes, "
                           "and the Studio shows it again when reopened. Stop it instead? Finished epochs are "
                           "kept; File › Resume continues it later."),
                        QMessageBox::Cancel, this);
        QPushButton *keep = box.addButton(tr("Keep training"), QMessageBox::AcceptRole);
        QPushButton *stop = box.addButton(tr("Stop training"), QMessageBox::DestructiveRole);
        box.setDefaultButton(keep);
        box.exec();
        if (box.clickedButton() == stop) {
            m_runner->cancel();
        } else if (box.clickedButton() != keep) {
            event->ignore();
            return;
        }
    }
    QSettings settings;
    settings.setValue(QStringLiteral("geometry"), saveGeometry());
    settings.setValue(QStringLiteral("windowState"), saveState());
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    for (const QUrl &url : event->mimeData()->urls())
        if (url.isLocalFile())
            openFile(url.toLocalFile());
}

bool MainWindow::saveScreenshots(const QString &dir)
{
    QDir().mkpath(dir);
    if (!m_active)
        return false;
    // The pictures show the whole screen's worth of window (docs/studio.md
    // is shot at 1920×1080), not the smaller size a first start picks.
    if (const QScreen *s = screen())
        setGeometry(s->availableGeometry());
    // Show the hardest held-out example, so the per-example views have something to say.
    if (const ScoreColumn *depth = m_active->column(QStringLiteral("depth_val"))) {
        std::int64_t best = -1;
        for (std::size_t i = 0; i < depth->values.size(); ++i)
            if (!std::isnan(depth->values[i]) && (best < 0 || depth->values[i] > depth->values[static_cast<std::size_t>(best)]))
                best = static_cast<std::int64_t>(i);
        if (best >= 0)
            m_selection->setCurrent(best, this);
    }
    bool ok = true;
    auto settle = [] {
        for (int i = 0; i < 20; ++i) {
            QApplication::processEvents();
            QThread::msleep(25);
        }
    };
    settle();
    ok &= grab().save(dir + QStringLiteral("/mainwindow.png"));
    for (QDockWidget *dock : findChildren<QDockWidget *>()) {
        // The model-sizes dock shows a sweep; the screenshots open a study.
        if (dock == m_progressDock || dock == m_sizesDock)
            continue;
        dock->show();
        dock->raise();
        settle();
        const QString name = dir + QLatin1Char('/') + dock->objectName();
        ok &= dock->widget()->grab().save(name + QStringLiteral(".png"));
        // Charts rendered on their own as well, at twice the resolution of the
        // screen and the same proportions (a grab of the whole dock draws them less crisply).
        auto hosts = dock->widget()->findChildren<VtkHost *>();
        if (auto *host = qobject_cast<VtkHost *>(dock->widget()))
            hosts.prepend(host);
        for (int i = 0; i < hosts.size(); ++i)
            ok &= hosts[i]->exportPng(name + QStringLiteral("-chart%1.png").arg(hosts.size() > 1 ? QString::number(i + 1) : QString()),
                                      hosts[i]->size() * 2, 144);
    }
    ok &= m_gallery->grab().save(dir + QStringLiteral("/gallery.png"));
    TrainingWizard wizard(this);
    wizard.show();
    // The pages a study goes through (the others belong to other tasks), until Next stops.
    for (int page = 0;; ++page) {
        // The dataset page loads its preview in the background.
        for (int wait = 0; wait < (page == 0 ? 8 : 1); ++wait)
            settle();
        ok &= wizard.grab().save(dir + QStringLiteral("/wizard-%1.png").arg(page + 1));
        const int shown = wizard.currentId();
        wizard.next();
        if (wizard.currentId() == shown)
            break;
    }
    wizard.close();
    return ok;
}

} // namespace pds
