#pragma once

#include <QWidget>

class QComboBox;
class QToolButton;

namespace pds {

class ExampleSelection;
class GroupsChart;
class RunDocument;
class StateOverlay;
class ThresholdsPanel;

/// The difficulty-groups view of the Studio, one dockable widget: axis and
/// selection-tool controls above the GroupsChart, the ThresholdsPanel beside it.
class GroupsView : public QWidget {
    Q_OBJECT
public:
    explicit GroupsView(ExampleSelection *selection, QWidget *parent = nullptr);
    void setDocument(RunDocument *doc);
    GroupsChart *chart() const { return m_chart; }
    ThresholdsPanel *thresholds() const { return m_panel; }
    QComboBox *axesBox() const { return m_axesBox; }
    /// What the view says over its chart (no depth, a test example chosen); empty when nothing.
    QString stateMessage() const;

private:
    void updateState();

    ExampleSelection *m_selection;
    RunDocument *m_doc = nullptr;
    StateOverlay *m_noDepth, *m_banner;
    GroupsChart *m_chart;
    ThresholdsPanel *m_panel;
    QComboBox *m_axesBox;
    QToolButton *m_rectButton, *m_lassoButton;
};

} // namespace pds
