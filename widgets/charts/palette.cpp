#include "charts/palette.h"

namespace pds {

QColor classColour(int label)
{
    // Tableau 10: distinct in print and for the common colour-vision deficiencies.
    static const QColor palette[] = {QColor(31, 119, 180), QColor(255, 127, 14), QColor(44, 160, 44),
                                     QColor(214, 39, 40),  QColor(148, 103, 189), QColor(140, 86, 75),
                                     QColor(227, 119, 194), QColor(127, 127, 127), QColor(188, 189, 34),
                                     QColor(23, 190, 207)};
    return label < 0 ? QColor(0, 0, 0) : palette[label % 10];
}

QColor groupColour(int group)
{
    static const QColor palette[] = {QColor(170, 170, 170), QColor(44, 160, 44), QColor(255, 127, 14),
                                     QColor(214, 39, 40), QColor(148, 103, 189)};
    return group >= 0 && group < 5 ? palette[group] : QColor(0, 0, 0);
}

} // namespace pds
