#include "training/wizardfields.h"

#include <QDoubleSpinBox>
#include <QSpinBox>

namespace pds {

QSpinBox *spin(const QString &name, int min, int max, const QString &special)
{
    auto *s = new QSpinBox;
    s->setObjectName(name);
    s->setRange(min, max);
    s->setSpecialValueText(special);
    s->setGroupSeparatorShown(true);
    return s;
}

QDoubleSpinBox *doubleSpin(const QString &name, double min, double max, int decimals, double step)
{
    auto *s = new QDoubleSpinBox;
    s->setObjectName(name);
    s->setRange(min, max);
    s->setDecimals(decimals);
    s->setSingleStep(step);
    return s;
}

QComboBox *combo(const QString &name, const QStringList &items)
{
    auto *c = new QComboBox;
    c->setObjectName(name);
    c->addItems(items);
    return c;
}

void selectText(QComboBox *box, const QString &text)
{
    int i = box->findText(text);
    if (i < 0) {
        // A value from a configuration file the list does not offer is kept and
        // shown, so that validation can name it rather than silently replace it.
        box->addItem(text);
        i = box->count() - 1;
    }
    box->setCurrentIndex(i);
}

} // namespace pds
