#pragma once

#include <QString>
#include <QStringList>
#include <QWidget>

#include <vector>

namespace pds {

/// Bars of a class distribution (share per class), the given label highlighted.
class DistributionBars : public QWidget {
    Q_OBJECT
public:
    explicit DistributionBars(QWidget *parent = nullptr);
    /// `shares` per class; only the classes with a share are drawn, largest first.
    void setDistribution(const QStringList &classNames, const std::vector<double> &shares, int givenLabel);
    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    struct Bar {
        QString name;
        double share;
        bool given;
    };
    std::vector<Bar> m_bars;
};

} // namespace pds
