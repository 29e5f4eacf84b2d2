#pragma once

#include <QMainWindow>
#include <QStringList>

#include <memory>
#include <vector>

class QComboBox;
class QDockWidget;
class QLabel;
class QMenu;

namespace pds {

class DepthHistogramView;
class DetailPanel;
class EmbeddingView;
class ExampleSelection;
class ExampleTable;
class GalleryWidget;
class GroupsView;
class HistogramPanel;
class OverviewPanel;
class ProgressPanel;
class RunDocument;
class TrainingRunner;
class TrajectoryView;
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
    /// the reason in a message box unless `error` is given.
    bool openFile(const QString &path, QString *error = nullptr);
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
    DepthHistogramView *histogramView() const { return m_histogram; }
    HistogramPanel *histogramPanel() const { return m_histogramPanel; }
    GroupsView *groupsView() const { return m_groups; }
    GalleryWidget *gallery() const { return m_gallery; }
    TrajectoryView *trajectoryView() const { return m_trajectory; }
    DetailPanel *detailPanel() const { return m_detail; }
    OverviewPanel *overviewPanel() const { return m_overview; }
    /// The docked views that export figures, by title.
    QList<QPair<QString, VtkHost *>> figureViews() const;

public Q_SLOTS:
    void openDialog();
    void newStudy();
    void resumeDialog();
    void closeActive();
    void reloadActive();

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void createViews();
    void createMenus();
    QDockWidget *addDock(const QString &title, const QString &name, QWidget *widget, Qt::DockWidgetArea area);
    void refreshRunLists();
    void addRecent(const QString &path);
    void rebuildRecentMenu();
    void onFileUpdated(const QString &path);
    void onJobEnded(const QString &path, const QString &how);
    RunDocument *findDocument(const QString &path) const;
    void closeDocument(RunDocument *doc);
    void exportView(VtkHost *view);

    ExampleSelection *m_selection;
    TrainingRunner *m_runner;
    std::vector<std::unique_ptr<RunDocument>> m_documents;
    RunDocument *m_active = nullptr;
    RunDocument *m_compare = nullptr;
    RunDocument *m_live = nullptr; ///< the file the running job writes, while it runs

    GalleryWidget *m_gallery = nullptr;
    OverviewPanel *m_overview = nullptr;
    HistogramPanel *m_histogramPanel = nullptr;
    DepthHistogramView *m_histogram = nullptr;
    GroupsView *m_groups = nullptr;
    TrajectoryView *m_trajectory = nullptr;
    EmbeddingView *m_embedding = nullptr;
    DetailPanel *m_detail = nullptr;
    ExampleTable *m_table = nullptr;
    ProgressPanel *m_progress = nullptr;
    QDockWidget *m_progressDock = nullptr;
    QComboBox *m_activeCombo = nullptr;
    QComboBox *m_compareCombo = nullptr;
    QMenu *m_recentMenu = nullptr;
    QMenu *m_viewMenu = nullptr;
    QStringList m_recent;
};

} // namespace pds
