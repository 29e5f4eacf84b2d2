#pragma once

#include "charts/titledchart.h"

#include <QColor>
#include <QPointer>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <vector>

class vtkChartXY;
class vtkObject;

namespace pds {

class ExampleSelection;
class RunDocument;

/// Which split's prediction depth a DepthHistogramChart shows.
enum class DepthSplit { Train, Validation };

/// Bar chart of how many examples have each prediction depth 0..P (P: even
/// the logits probe disagreed), for one run or any number of runs (or
/// regimes of a comparison) side by side. Shows the study's effective depth
/// or one model's own depth, counts or fractions, all classes or one.
/// Clicking a bar selects that bin's examples everywhere.
class DepthHistogramChart : public TitledChart {
    Q_OBJECT
public:
    explicit DepthHistogramChart(ExampleSelection *selection, QWidget *parent = nullptr);
    ~DepthHistogramChart() override;

    /// Either may be null; the selection refers to `primary`'s examples.
    void setDocuments(RunDocument *primary, RunDocument *compare = nullptr);
    /// Overlays `docs` (the first is the primary run; nulls are skipped),
    /// named in the legend by `labels` and drawn in `colours` where given
    /// (else the file names and the series palette).
    void setOverlay(const std::vector<RunDocument *> &docs, const QStringList &labels = {},
                    const std::vector<QColor> &colours = {});
    RunDocument *primary() const { return m_docs.empty() ? nullptr : m_docs.front().data(); }
    RunDocument *compare() const { return m_docs.size() > 1 ? m_docs[1].data() : nullptr; }

    void setSplit(DepthSplit split);
    DepthSplit split() const { return m_split; }
    /// -1: the study's effective depth; m >= 0: model m's own depth on its split.
    void setModel(int model);
    int model() const { return m_model; }
    /// Fractions of the examples shown instead of counts.
    void setFractions(bool fractions);
    bool fractions() const { return m_fractions; }
    /// -1: all classes; otherwise only examples whose given label is `cls`.
    void setClassFilter(int cls);
    int classFilter() const { return m_class; }

    /// Number of bars per series (P + 1 for the larger P; 0 with no run).
    int binCount() const { return m_binCount; }
    /// Series shown: 0 (no run), else one per overlaid run.
    int seriesCount() const { return static_cast<int>(m_series.size()); }
    /// The legend entry of a series.
    QString seriesLabel(int series) const;
    /// Bar heights of a series (counts, or fractions when fractions() is on).
    std::vector<double> binValues(int series) const;
    /// The examples in a bar, numbered as in that series' document.
    std::vector<std::int64_t> examplesInBin(int bin, int series = 0) const;
    /// The x tick label of a bin (probe name, "never" for depth P).
    QString binLabel(int bin) const;
    /// Does what clicking the bar does: selects its examples (filtering the
    /// gallery). Bars of the compare run only when it numbers examples alike.
    void clickBin(int bin, int series = 0);
    /// Centre of a bar in widget coordinates (for tests and tooltips).
    QPointF barCenter(int bin, int series = 0) const;

    vtkChartXY *chart() const { return chartXY(); }

private:
    struct Series {
        QPointer<RunDocument> doc;
        QString label;
        QColor colour;
        std::vector<std::vector<std::int64_t>> bins;
        std::size_t total = 0;
    };

    void rebuild();
    Series computeSeries(RunDocument *doc, int probeCountMax) const;
    QString describeBins(const std::vector<int> &bins) const;
    void selectBins(const std::vector<int> &bins, int series);
    void onChartClick(vtkObject *caller, unsigned long event, void *callData);
    void onChartSelection();
    void clearHighlight();

    ExampleSelection *m_selection;
    std::vector<QPointer<RunDocument>> m_docs;
    QStringList m_labels;
    std::vector<QColor> m_colours;
    DepthSplit m_split = DepthSplit::Train;
    int m_model = -1;
    bool m_fractions = false;
    int m_class = -1;

    std::vector<Series> m_series;
    QStringList m_tickLabels;
    int m_binCount = 0;
};

} // namespace pds
