#pragma once

#include <QPointer>
#include <QWidget>

#include <vector>

class QDoubleSpinBox;
class QLabel;
class QTableWidget;

namespace pds {

class RunDocument;

/// The thresholds of the difficulty groups as spin boxes (object names are the
/// GroupThresholds field names, e.g. "labelIssue"), a reset button, and the
/// size of each group. Every change regroups the document at once.
class ThresholdsPanel : public QWidget {
    Q_OBJECT
public:
    explicit ThresholdsPanel(QWidget *parent = nullptr);
    void setDocument(RunDocument *doc);
    /// The spin box of one GroupThresholds field, by its name (nullptr if none).
    QDoubleSpinBox *spinBox(const QString &field) const;
    /// Examples in each group, as the table shows them.
    std::vector<int> groupCounts() const;
    /// Plotted points of each group, shown beside the counts.
    void setPlottedCounts(const std::vector<int> &plotted);

private:
    void showThresholds();
    void apply();
    void updateCounts();

    QPointer<RunDocument> m_doc;
    std::vector<QDoubleSpinBox *> m_boxes;
    QTableWidget *m_counts = nullptr;
    QLabel *m_note = nullptr;
    std::vector<int> m_groupCounts, m_plotted;
};

} // namespace pds
