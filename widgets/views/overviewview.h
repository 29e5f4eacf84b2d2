#pragma once

#include <QWidget>

class QTextBrowser;

namespace pds {

class LineChart;
class RunDocument;

/// The run overview: dataset, model, configuration and headline numbers,
/// training curves per epoch and model, and probe accuracy per layer.
class OverviewView : public QWidget {
    Q_OBJECT
public:
    explicit OverviewView(QWidget *parent = nullptr);

    void setDocument(RunDocument *doc);
    /// The summary as HTML (what the text pane shows).
    QString summaryHtml() const;
    LineChart *curvesChart() const { return m_curves; }
    LineChart *probeChart() const { return m_probes; }

private:
    void refresh();

    RunDocument *m_doc = nullptr;
    QTextBrowser *m_text;
    LineChart *m_curves;
    LineChart *m_probes;
};

} // namespace pds
