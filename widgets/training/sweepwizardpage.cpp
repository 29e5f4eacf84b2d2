#include "training/sweepwizardpage.h"

#include "training/trainingwizard.h"
#include "training/wizardfields.h"

#include "sweep/sweepconfig.h"
#include "util/error.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLineEdit>

namespace pds {

SweepWizardPage::SweepWizardPage(QWidget *parent)
    : CheckedPage(TrainingWizard::SweepPage, tr("Model sizes"),
                  tr("Train the study's ensemble at several model sizes, with the same subsets at every size, "
                     "to see which examples larger models memorise (the Model sizes view)."),
                  parent)
{
    auto *w = new QWidget;
    m_sizes = new QLineEdit(QStringLiteral("4,8,16,32"));
    m_sizes->setObjectName(QStringLiteral("sizes"));
    m_sizes->setToolTip(tr("Strictly increasing: cnn base widths (4,8,16,32,64), mlp hidden units, depths of the "
                           "CIFAR ResNet family (8,14,20,32,44,56) or width multipliers of other models (0.25,0.5,1,2)"));
    m_distill = new QCheckBox(tr("Distil students of the smaller sizes from the largest"));
    m_distill->setObjectName(QStringLiteral("distill"));
    m_temperature = doubleSpin(QStringLiteral("temperature"), 0.0, 100.0, 2, 0.5);
    m_temperature->setValue(4.0);
    m_temperature->setToolTip(tr("Distillation temperature T"));
    m_alpha = doubleSpin(QStringLiteral("alpha"), 0.0, 1.0, 2, 0.05);
    m_alpha->setValue(0.9);
    m_alpha->setToolTip(tr("Weight α of the distillation term: (1−α)·CE + α·T²·KL"));
    auto *form = new QFormLayout(w);
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("Sizes"), m_sizes);
    form->addRow(QString(), m_distill);
    form->addRow(tr("Temperature T"), m_temperature);
    form->addRow(tr("Weight α"), m_alpha);
    setContent(w);
    connect(m_distill, &QCheckBox::toggled, this, [this] { updateEnabled(); });
    updateEnabled();
}

void SweepWizardPage::updateEnabled()
{
    m_temperature->setEnabled(m_distill->isChecked());
    m_alpha->setEnabled(m_distill->isChecked());
}

SweepConfig SweepWizardPage::sweepConfig(const RunConfig &base) const
{
    SweepConfig c;
    c.base = base;
    c.base.study.probe = true;
    for (const QString &token : m_sizes->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const double size = token.trimmed().toDouble(&ok);
        if (!ok)
            throw ConfigError("--sizes: '" + token.trimmed().toStdString() + "' is not a number (expected e.g. 4,8,16,32)");
        c.sizes.push_back(size);
    }
    c.distill = m_distill->isChecked();
    c.temperature = m_temperature->value();
    c.alpha = m_alpha->value();
    return c;
}

QString SweepWizardPage::problem()
{
    return configProblem([this](const RunConfig &base) { sweepConfig(base).validate(); });
}

} // namespace pds
