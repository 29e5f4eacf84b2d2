#pragma once

#include <QColor>
#include <QStringList>
#include <QWidget>

#include <vector>

class QCheckBox;
class QComboBox;

namespace pds {

class DepthHistogramChart;
class ExampleSelection;
class RunDocument;
class StateOverlay;

/// The depth histogram with its controls: which split, effective depth or
/// one model's, counts or fractions, all classes or one.
class HistogramView : public QWidget {
    Q_OBJECT
public:
    explicit HistogramView(ExampleSelection *selection, QWidget *parent = nullptr);

    void setDocuments(RunDocument *primary, RunDocument *compare);
    /// Overlays several runs (the first is the primary) named by `labels`
    /// in `colours`, as fractions so that runs of different sizes compare.
    void setOverlay(const std::vector<RunDocument *> &docs, const QStringList &labels, const std::vector<QColor> &colours);
    DepthHistogramChart *chart() const { return m_chart; }
    QComboBox *splitBox() const { return m_split; }
    QComboBox *modelBox() const { return m_model; }
    QComboBox *classBox() const { return m_class; }
    QCheckBox *fractionsBox() const { return m_fractions; }
    /// What the view says instead of a histogram (empty while it shows one).
    QString emptyMessage() const;

private:
    void setPrimary(RunDocument *primary);
    void refillChoices();
    void updateEmptyState();

    DepthHistogramChart *m_chart;
    RunDocument *m_primary = nullptr;
    QComboBox *m_split, *m_model, *m_class;
    QCheckBox *m_fractions;
    StateOverlay *m_empty;
};

} // namespace pds
