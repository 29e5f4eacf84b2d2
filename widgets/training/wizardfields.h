#pragma once

// The field makers the wizard's pages share: named spin boxes and combo boxes
// (the object names are how tests and scripts find a field), and the
// mapping between a combo box and an enumerated setting of train/settings.h.

#include "train/settings.h"

#include <QComboBox>
#include <QString>
#include <QStringList>

#include <algorithm>
#include <cstddef>

class QDoubleSpinBox;
class QSpinBox;

namespace pds {

/// A spin box named `name`; `special` is shown instead of the minimum.
QSpinBox *spin(const QString &name, int min, int max, const QString &special = {});
QDoubleSpinBox *doubleSpin(const QString &name, double min, double max, int decimals, double step);
QComboBox *combo(const QString &name, const QStringList &items);
/// Selects `text`, adding it when the list does not offer it.
void selectText(QComboBox *box, const QString &text);

/// A combo box listing the names of an enumerated setting, in its mapping's order.
template <typename E> QComboBox *settingCombo(const QString &name)
{
    QStringList items;
    for (const auto &n : settingNames<E>())
        items << QString::fromStdString(n);
    return combo(name, items);
}

/// The setting a combo box made by settingCombo shows.
template <typename E> E comboSetting(const QComboBox *box)
{
    return SettingNames<E>::entries[static_cast<std::size_t>(std::max(0, box->currentIndex()))].first;
}

template <typename E> void selectSetting(QComboBox *box, E value)
{
    box->setCurrentIndex(box->findText(QString::fromLatin1(settingName(value))));
}

} // namespace pds
