#pragma once

#include "store/comparefile.h"

#include <QPointer>
#include <QString>
#include <QWidget>

#include <cstdint>
#include <vector>

class QComboBox;
class QLabel;
class QTableWidget;
class QTabWidget;

namespace pds {

class ExampleScatterChart;
class ExampleSelection;
class IntervalChart;

/// The Regimes view of a comparison file (`pdepth compare`): a table and
/// charts of test accuracy per generation per regime, the mean effective
/// depth of both splits with its bootstrap interval and the transfer
/// accuracy with its spread over members; and a scatter of each example's
/// depth under one regime against another, whose picks select (and filter
/// the gallery to) those examples. Examples are numbered as in the regimes'
/// study files (train split, then test split), which share them.
class RegimesView : public QWidget {
    Q_OBJECT
public:
    explicit RegimesView(ExampleSelection *selection, QWidget *parent = nullptr);
    ~RegimesView() override;

    /// Shows `comparison` read from `path` (an empty path: nothing open).
    void setComparison(const QString &path, const Comparison &comparison);
    const Comparison &comparison() const { return m_comparison; }
    QString path() const { return m_path; }

    QTableWidget *table() const { return m_table; }
    IntervalChart *accuracyChart() const { return m_accuracy; }
    IntervalChart *depthChart() const { return m_depth; }
    IntervalChart *transferChart() const { return m_transfer; }
    ExampleScatterChart *scatterChart() const { return m_scatter; }
    QTabWidget *tabs() const { return m_tabs; }
    QComboBox *regimeXBox() const { return m_regimeX; }
    QComboBox *regimeYBox() const { return m_regimeY; }
    QComboBox *splitBox() const { return m_split; }
    /// Selects the examples picked in the scatter, as a drag or a click does.
    void pickExamples(const std::vector<std::int64_t> &examples);

private:
    void fillTable();
    void fillCharts();
    void updateScatter();
    void updateHighlight();

    QPointer<ExampleSelection> m_selection;
    QString m_path;
    Comparison m_comparison;
    QLabel *m_summary;
    QTabWidget *m_tabs;
    QTableWidget *m_table;
    IntervalChart *m_accuracy, *m_depth, *m_transfer;
    ExampleScatterChart *m_scatter;
    QComboBox *m_regimeX, *m_regimeY, *m_split;
};

} // namespace pds
