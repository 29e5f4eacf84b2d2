#pragma once

#include "charts/vtkhost.h"

#include <QPointer>
#include <QString>

#include <vtkSmartPointer.h>

#include <array>
#include <cstdint>
#include <vector>

class vtkChartXY;
class vtkContextView;
class vtkPlot;

namespace pds {

class ExampleSelection;
class RunDocument;
class StateOverlay;

/// How one example travels through a study, in one figure of three panels:
/// across probes (the k-NN prediction of every model at every probe, with
/// its prediction depth), across epochs (the probability of the given label,
/// correct epochs and forgetting events) and across models (the depth under
/// each model, with mean and spread). Follows the shared current example and
/// overlays up to four more selected examples in the epoch and model panels.
/// The panels sit side by side in a wide figure and one above the other in a
/// narrow one (a single column), whichever gives each panel more room.
class TrajectoryChart : public VtkHost {
    Q_OBJECT
public:
    enum Panel { Probes = 0, Epochs = 1, Models = 2 };
    /// At most this many examples are drawn (the current one first).
    static constexpr int maxExamples = 5;

    explicit TrajectoryChart(ExampleSelection *selection, QWidget *parent = nullptr);
    ~TrajectoryChart() override;

    /// Shows `doc` (null: empty panels).
    void setDocument(RunDocument *doc);

    /// The example shown in full (-1 if none).
    std::int64_t example() const { return m_examples.empty() ? -1 : m_examples.front(); }
    /// Every example drawn, the current one first.
    const std::vector<std::int64_t> &examples() const { return m_examples; }
    /// Forgetting events of example() under `model` (correct at epoch e−1, wrong at e), as drawn.
    int forgettingEvents(int model) const;

    /// The chart of one panel.
    vtkChartXY *chart(Panel panel) const;
    /// Plots in a panel, and the points (table rows) they hold in all.
    int plotCount(Panel panel) const;
    int pointCount(Panel panel) const;
    /// Class markers in the probe panel (one per model and probe).
    int probeMarkerCount() const;
    /// The class drawn at (probe, model) in the probe panel, or -1 if none is.
    int probeMarkerClass(int model, int probe) const;
    /// Probe-panel markers flagged as disagreeing with the model's final prediction.
    int disagreementCount() const;
    /// Depth segments drawn in the probe panel (one per model with probes).
    int depthSegmentCount() const;
    /// Forgetting-event markers in the epoch panel.
    int forgettingMarkerCount() const;
    /// Lines (one per model and example) in the epoch panel.
    int epochLineCount() const;
    /// The panel titles as drawn.
    QString panelTitle(Panel panel) const;

    /// True when the panels are drawn one above the other (the last frame was narrow).
    bool stacked() const { return m_stacked; }
    /// Whether a figure of `widthPoints` × `heightPoints` (points at the
    /// fonts' size) stacks its panels: the arrangement whose panels are
    /// larger, counting a panel's width at 1/1.6 (legends and tick labels
    /// take room beside the plot).
    static bool stacksAt(double widthPoints, double heightPoints);

    QString figureTitle() const override;
    /// A single column stacks the panels: it is twice as tall as wide.
    QSizeF suggestedFigureSize(double widthInches) const override;
    /// What the chart says instead of panels (no run, no example selected); empty while it draws.
    QString emptyMessage() const;
    FigureGeometry figureGeometry() override;

protected:
    void prepareFrame() override;
    bool settleLayout() override;

private:
    void setPanelTitle(Panel panel, const QString &title);
    /// The full title of a panel's axis (vtkAxis position); drawn elided when the panel is small.
    QString axisTitle(Panel panel, int position) const;
    void rebuild();
    void drawProbes(std::int64_t ex);
    void drawEpochs();
    void drawModels();
    void clearPanels(const QString &message);
    vtkPlot *addPlot(Panel panel, int type, const std::vector<float> &xs, const std::vector<float> &ys,
                     const std::vector<std::string> &tips = {});

    QPointer<ExampleSelection> m_selection;
    QPointer<RunDocument> m_doc;
    std::vector<std::int64_t> m_examples;
    vtkSmartPointer<vtkContextView> m_view;
    bool m_stacked = false;
    std::array<vtkSmartPointer<vtkChartXY>, 3> m_charts;
    std::vector<vtkPlot *> m_classPlots;       ///< probe panel, one per predicted class present
    std::vector<int> m_classOfPlot;            ///< class of each of m_classPlots
    vtkPlot *m_disagree = nullptr, *m_depthLines = nullptr, *m_forgetting = nullptr;
    int m_epochLines = 0;
    std::vector<int> m_forgettingPerModel;
    StateOverlay *m_empty = nullptr;
    std::array<QString, 3> m_panelTitles; ///< in full; the charts draw them elided to their width
};

} // namespace pds
