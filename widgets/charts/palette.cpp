#include "charts/palette.h"

#include "store/schema.h"

#include <algorithm>

namespace pds {

QColor classColour(int label)
{
    static const QColor palette[] = {QColor(0x33, 0x22, 0x88), QColor(0xCC, 0x66, 0x77), QColor(0x11, 0x77, 0x33),
                                     QColor(0xDD, 0xCC, 0x77), QColor(0x88, 0xCC, 0xEE), QColor(0x88, 0x22, 0x55),
                                     QColor(0x44, 0xAA, 0x99), QColor(0x99, 0x99, 0x33), QColor(0xAA, 0x44, 0x99),
                                     QColor(0x55, 0x55, 0x55)};
    return label < 0 ? QColor(0, 0, 0) : palette[label % 10];
}

QColor groupColour(int group)
{
    static const QColor palette[] = {QColor(0xAA, 0xAA, 0xAA), QColor(0x00, 0x9E, 0x73), QColor(0xE6, 0x9F, 0x00),
                                     QColor(0xD5, 0x5E, 0x00), QColor(0xCC, 0x79, 0xA7)};
    return group >= 0 && group < 5 ? palette[group] : QColor(0, 0, 0);
}

QColor modelColour(int model)
{
    static const QColor palette[] = {QColor(0x00, 0x72, 0xB2), QColor(0xE6, 0x9F, 0x00), QColor(0x00, 0x9E, 0x73),
                                     QColor(0xD5, 0x5E, 0x00), QColor(0xCC, 0x79, 0xA7), QColor(0x56, 0xB4, 0xE9),
                                     QColor(0x00, 0x00, 0x00), QColor(0xB8, 0xA9, 0x00)};
    return model < 0 ? QColor(0x77, 0x77, 0x77) : palette[model % 8];
}

QString modelLabel(int model)
{
    return QString::fromStdString(schema::modelName(model));
}

QColor seriesColour(int series)
{
    static const QColor palette[] = {QColor(0x44, 0x77, 0xAA), QColor(0xEE, 0x66, 0x77), QColor(0x22, 0x88, 0x33),
                                     QColor(0xCC, 0xBB, 0x44), QColor(0x66, 0xCC, 0xEE), QColor(0xAA, 0x33, 0x77),
                                     QColor(0xBB, 0xBB, 0xBB)};
    return palette[std::max(0, series) % 7];
}

QColor regimeColour(const QString &regime)
{
    if (regime == QLatin1String("standard"))
        return QColor(0x00, 0x77, 0xBB);
    if (regime == QLatin1String("llf"))
        return QColor(0xEE, 0x77, 0x33);
    if (regime == QLatin1String("seal"))
        return QColor(0x00, 0x99, 0x88);
    return QColor(0xBB, 0xBB, 0xBB);
}

QColor splitColour(bool test)
{
    return test ? QColor(0xDD, 0xAA, 0x33) : QColor(0x00, 0x44, 0x88);
}

QColor trajectoryColour(int type)
{
    static const QColor palette[] = {QColor(0xBB, 0xBB, 0xBB), QColor(0x44, 0x77, 0xAA), QColor(0xEE, 0x66, 0x77),
                                     QColor(0x22, 0x88, 0x33), QColor(0xCC, 0xBB, 0x44)};
    return type >= 0 && type < 5 ? palette[type] : QColor(0, 0, 0);
}

QColor selectionColour(int selected)
{
    return selected == 1 ? QColor(0x44, 0x77, 0xAA) : QColor(0xBB, 0xBB, 0xBB);
}

QColor selectMethodColour(int method)
{
    static const QColor palette[] = {QColor(0xEE, 0x77, 0x33), QColor(0x00, 0x99, 0x88), QColor(0x77, 0x77, 0x77),
                                     QColor(0x00, 0x77, 0xBB)};
    return method >= 0 && method < 4 ? palette[method] : QColor(0, 0, 0);
}

} // namespace pds
