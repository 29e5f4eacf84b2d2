#pragma once

#include "training/trainingwizard.h"

#include <QMainWindow>
#include <QPointer>
#include <QStringList>

#include <memory>
#include <vector>

class QComboBox;
class QDockWidget;
class QLabel;
class QMenu;

namespace pds {

class DepthHistogramChart;
class ExampleView;
class EmbeddingView;
class ExampleSelection;
class ExampleTableView;
class GalleryView;
class GroupsView;
class HistogramView;
class NeighboursView;
class OverviewView;
class ProgressView;
class RegressionView;
class SlurmProgressView;
class RunDocument;
class ModelSizesView;
class RegimesView;
class SweepDocument;
class TrainingRunner;
class TrajectoryChart;
class VtkHost;

/// The Studio's main window: open runs (several at once, one active and one
/// to compare), the linked views as docks around the gallery, the training
/// wizard and its background job, figure export, and persistent layout.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Opens a run file (or brings it forward if open); on failure shows
    /// the reason in a message box unless `error` is given. A file not
    /// `writtenHere` (by this Studio's training) is checked in a child process first.
    bool openFile(const QString &path, QString *error = nullptr, bool writtenHere = false);
    /// Follows again the training jobs this Studio started before it was
    /// closed (or killed): a live one first, else one that ended meanwhile.
    void reattachJobs();
    /// Starts the wizard (if `wizardNow`) or says how to begin in the status bar.
    void showWelcome(bool wizardNow);
    /// Renders every view of the active run to `<dir>/<view>.png` (docs/ screenshots).
    bool saveScreenshots(const QString &dir);

    const std::vector<std::unique_ptr<RunDocument>> &documents() const { return m_documents; }
    RunDocument *activeDocument() const { return m_active; }
    RunDocument *compareDocument() const { return m_compare; }
    void setActiveDocument(RunDocument *doc);
    void setCompareDocument(RunDocument *doc);
    ExampleSelection *selection() const { return m_selection; }
    TrainingRunner *runner() const { return m_runner; }
    SlurmProgressView *slurmView() const { return m_slurm; }
    DepthHistogramChart *histogramChart() const { return m_histogramChart; }
    HistogramView *histogramView() const { return m_histogramView; }
    GroupsView *groupsView() const { return m_groups; }
    GalleryView *gallery() const { return m_gallery; }
    TrajectoryChart *trajectoryChart() const { return m_trajectory; }
    NeighboursView *neighboursView() const { return m_neighbours; }
    ExampleView *exampleView() const { return m_detail; }
    OverviewView *overviewView() const { return m_overview; }
    ModelSizesView *modelSizesView() const { return m_modelSizes; }
    /// The Regression dock's view (null until a regression run is first shown).
    RegressionView *regressionView() const { return m_regressionView; }
    /// The Regimes view (null until a comparison file is opened).
    RegimesView *regimesView() const { return m_regimes; }
    /// The open sweep file (one at a time; null when none).
    SweepDocument *sweepDocument() const { return m_sweep.get(); }
    /// The docked views that export figures, by title.
    QList<QPair<QString, VtkHost *>> figureViews() const;

public Q_SLOTS:
    void openDialog();
    void newStudy();
    /// The wizard in sweep mode: a study at several model sizes (`pdepth sweep`).
    void newSweep();
    /// The wizard in comparison mode: the study under several regimes (`pdepth compare`).
    void newComparison();
    void resumeDialog();
    void closeActive();
    void reloadActive();

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void createViews();
    /// Runs the wizard in sweep or comparison mode and starts what it describes.
    void startWizardJob(TrainingWizard::Mode mode, const QString &title);
    /// Shows the Slurm dock, made and tabbed with the training dock the first time.
    void showSlurmDock();
    /// A regression run shows the Regression dock (made the first time) in
    /// place of the classification-only docks; another run brings those back.
    void showRegressionViews(bool regression);
    void createMenus();
    QDockWidget *addDock(const QString &title, const QString &name, QWidget *widget, Qt::DockWidgetArea area);
    void refreshRunLists();
    void addRecent(const QString &path);
    void rebuildRecentMenu();
    void onFileUpdated(const QString &path);
    void onJobEnded(const QString &path, const QString &how);
    /// Follows the job still writing `path`, if one runs and none is followed.
    bool followJob(const QString &path);
    RunDocument *findDocument(const QString &path) const;
    void closeDocument(RunDocument *doc);
    void exportView(VtkHost *view);
    /// Opens a sweep file into the Model sizes dock (replacing an open one).
    bool openSweep(const QString &path, const QString &unguardedNote, QString *error);
    /// Opens a comparison file into the Regimes dock (made the first time) and
    /// its regimes' studies as runs, overlaid in the depth histogram.
    bool openComparison(const QString &path, QString *error);
    /// The depth histogram of the active run: with the compare run, over every
    /// open run when "(all open runs)" is chosen, or over every regime of the
    /// open comparison when the active run is one of them.
    void updateHistogram();

    ExampleSelection *m_selection;
    TrainingRunner *m_runner;
    std::vector<std::unique_ptr<RunDocument>> m_documents;
    RunDocument *m_active = nullptr;
    RunDocument *m_compare = nullptr;
    RunDocument *m_live = nullptr; ///< the file the running job writes, while it runs

    GalleryView *m_gallery = nullptr;
    OverviewView *m_overview = nullptr;
    ModelSizesView *m_modelSizes = nullptr;
    QDockWidget *m_sizesDock = nullptr;
    std::unique_ptr<SweepDocument> m_sweep;
    RegimesView *m_regimes = nullptr;
    std::vector<QPointer<RunDocument>> m_regimeRuns; ///< the open comparison's studies, in its order
    QStringList m_regimeNames;
    bool m_compareAll = false; ///< the histogram overlays every open run
    HistogramView *m_histogramView = nullptr;
    DepthHistogramChart *m_histogramChart = nullptr;
    GroupsView *m_groups = nullptr;
    TrajectoryChart *m_trajectory = nullptr;
    NeighboursView *m_neighbours = nullptr;
    EmbeddingView *m_embedding = nullptr;
    ExampleView *m_detail = nullptr;
    ExampleTableView *m_table = nullptr;
    ProgressView *m_progress = nullptr;
    SlurmProgressView *m_slurm = nullptr;
    QDockWidget *m_progressDock = nullptr;
    QComboBox *m_activeCombo = nullptr;
    QComboBox *m_compareCombo = nullptr;
    QMenu *m_recentMenu = nullptr;
    QMenu *m_viewMenu = nullptr;
    QStringList m_recent;
    RegressionView *m_regressionView = nullptr;
    QList<QDockWidget *> m_hiddenForRegression;
};

} // namespace pds
