#include "models/numberformat.h"

#include <QLocale>

#include <cmath>

namespace pds {

QString formatScore(float value, bool integer, int precision)
{
    if (std::isnan(value))
        return {};
    if (integer && value == std::round(value))
        return QString::number(static_cast<qlonglong>(value));
    return QString::number(value, 'g', precision);
}

QString thousands(qint64 n)
{
    // The C locale prints no group separators; the Studio speaks English.
    return QLocale(QLocale::English).toString(n);
}

} // namespace pds
