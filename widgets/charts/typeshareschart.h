#pragma once

#include "charts/titledchart.h"

#include <QStringList>

#include <vector>

class vtkObject;

namespace pds {

/// Bars of the share of examples per memorisation trajectory type (one bar
/// per type, in the trajectory palette). A click on a bar emits
/// typeClicked(); the view turns it into a selection that filters the gallery.
class TypeSharesChart : public TitledChart {
    Q_OBJECT
public:
    explicit TypeSharesChart(QWidget *parent = nullptr);
    ~TypeSharesChart() override;

    /// `shares` and `counts` per type, named by `types`; an empty `types` clears the chart.
    void setShares(const QString &title, const QString &subtitle, const QStringList &types,
                   const std::vector<double> &shares, const std::vector<long long> &counts);
    int barCount() const { return static_cast<int>(m_shares.size()); }
    double share(int type) const { return type >= 0 && type < barCount() ? m_shares[type] : 0.0; }
    /// What a click on the bar of `type` does.
    void clickBar(int type);

Q_SIGNALS:
    void typeClicked(int type);

private:
    void onChartClick(vtkObject *caller, unsigned long event, void *callData);

    QStringList m_types;
    std::vector<double> m_shares;
};

} // namespace pds
