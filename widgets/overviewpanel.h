#pragma once

#include <QWidget>

class QTextBrowser;

namespace pds {

class LineChartView;
class RunDocument;

/// The run overview: dataset, model, configuration and headline numbers,
/// training curves per epoch and model, and probe accuracy per layer.
class OverviewPanel : public QWidget {
    Q_OBJECT
public:
    explicit OverviewPanel(QWidget *parent = nullptr);

    void setDocument(RunDocument *doc);
    /// The summary as HTML (what the text pane shows).
    QString summaryHtml() const;
    LineChartView *curvesChart() const { return m_curves; }
    LineChartView *probeChart() const { return m_probes; }

private:
    void refresh();

    RunDocument *m_doc = nullptr;
    QTextBrowser *m_text;
    LineChartView *m_curves;
    LineChartView *m_probes;
};

} // namespace pds
