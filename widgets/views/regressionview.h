#pragma once

#include "models/examplefilter.h"

#include <QPointer>
#include <QString>
#include <QWidget>

#include <cstdint>
#include <memory>
#include <vector>

class QComboBox;
class QLabel;
class QSpinBox;
class QTabWidget;

namespace pds {

class LineChart;
class RegressionRun;
class RunDocument;
class SizeScatterChart;

/// The views of a regression run (docs/studio.md "Regression runs"): the
/// selection rate, ERR and MAE per epoch of every method side by side, the
/// noisy against the clean target of the train split coloured by whether the
/// chosen method selected each example after the chosen epoch, and buttons
/// that filter and sort the gallery (selected, rejected, noisy, by |ỹ − y|).
/// Runs of the same data made separately (one method each) are overlaid with
/// addRun(); their curves are dashed.
class RegressionView : public QWidget {
    Q_OBJECT
public:
    /// One curve: method `method` of run `run` (0 = the document's own).
    struct Curve {
        int run = 0;
        int method = 0;
        QString label; ///< the method, and the file for an added run
    };

    explicit RegressionView(QWidget *parent = nullptr);
    ~RegressionView() override;

    /// Follows `doc` when it is a regression run (else shows nothing); drops added runs.
    void setDocument(RunDocument *doc);
    RunDocument *document() const { return m_doc; }
    /// Overlays the methods of another regression run of the same examples and
    /// targets; false with a message naming the file when it cannot.
    bool addRun(const QString &path, QString *error = nullptr);
    /// Asks for files to add and reports failures in a message box.
    void addRunWithDialog();
    int runCount() const { return static_cast<int>(m_runs.size()); }
    const std::vector<Curve> &curves() const { return m_curves; }

    /// Shows curve `curve`'s selection after epoch `epoch` in the scatter and
    /// the document's "selected" column (the gallery's filters).
    void showSelection(int curve, int epoch);
    int shownCurve() const { return m_shown; }
    /// The selection the scatter and the gallery show (train split).
    const std::vector<std::uint8_t> &shownMask() const;

    LineChart *selectionRateChart() const { return m_rate; }
    LineChart *errChart() const { return m_err; }
    LineChart *maeChart() const { return m_mae; }
    SizeScatterChart *scatterChart() const { return m_scatter; }
    /// Brings the chart forward in the tabs (for screenshots and tests).
    void showChart(QWidget *chart);

    /// The gallery filters the buttons ask for.
    static ExampleFilter selectedFilter(bool selected);
    static ExampleFilter noisyFilter();

Q_SIGNALS:
    void filterRequested(const pds::ExampleFilter &filter);
    void sortRequested(const QString &key, Qt::SortOrder order);

private:
    void rebuildCurves();
    void drawCurves();
    void drawScatter();
    void controlsChanged();
    void documentReloaded();

    QPointer<RunDocument> m_doc;
    std::vector<std::shared_ptr<const RegressionRun>> m_runs;
    std::vector<Curve> m_curves;
    int m_shown = 0, m_epoch = 0;
    bool m_updating = false;
    QComboBox *m_method;
    QSpinBox *m_epochBox;
    QLabel *m_runsLabel;
    QTabWidget *m_tabs;
    LineChart *m_rate, *m_err, *m_mae;
    SizeScatterChart *m_scatter;
};

} // namespace pds
