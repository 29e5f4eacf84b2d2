#include "training/modelwizardpage.h"

#include "training/trainingwizard.h"
#include "training/wizardfields.h"

#include "train/config.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QSpinBox>

#include <algorithm>

namespace pds {

ModelWizardPage::ModelWizardPage(QWidget *parent)
    : CheckedPage(TrainingWizard::ModelPage, tr("Model"), tr("The network and the size of its k-NN probes."),
                  parent)
{
    auto *w = new QWidget;
    m_arch = combo(QStringLiteral("arch"), {QStringLiteral("mlp"), QStringLiteral("cnn"), QStringLiteral("resnet18"),
                                           QStringLiteral("vgg16")});
    m_width = doubleSpin(QStringLiteral("width"), 0.0, 16.0, 3, 0.25);
    m_width->setToolTip(tr("Scales every layer's width; 1 is the standard model"));
    m_maxFeatures = spin(QStringLiteral("maxFeatures"), 0, 10000000);
    m_maxFeatures->setToolTip(tr("Probe embeddings wider than this are average-pooled down before the k-NN"));
    auto *form = new QFormLayout(w);
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("Architecture"), m_arch);
    form->addRow(tr("Width multiplier"), m_width);
    form->addRow(tr("Probe features (max)"), m_maxFeatures);
    setContent(w);
}

void ModelWizardPage::applyTo(RunConfig &c) const
{
    c.model.arch = m_arch->currentText().toStdString();
    c.model.widthMultiplier = m_width->value();
    c.study.maxFeatures = m_maxFeatures->value();
}

void ModelWizardPage::setFrom(const RunConfig &c)
{
    selectText(m_arch, QString::fromStdString(c.model.arch));
    m_width->setValue(c.model.widthMultiplier);
    m_maxFeatures->setValue(static_cast<int>(std::min<std::int64_t>(c.study.maxFeatures, m_maxFeatures->maximum())));
}

QString ModelWizardPage::problem()
{
    if (!(m_width->value() > 0))
        return tr("The width multiplier must be positive.");
    return configProblem();
}

} // namespace pds
