#include "training/regressionwizardpage.h"

#include "training/trainingwizard.h"
#include "training/wizardfields.h"

#include "train/config.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QSpinBox>

#include <algorithm>

namespace pds {

RegressionWizardPage::RegressionWizardPage(QWidget *parent)
    : CheckedPage(TrainingWizard::RegressionPage, tr("Regression"),
                  tr("Which examples each regressor trains on, and ConFrag's settings."), parent)
{
    auto *w = new QWidget;
    auto *methods = new QHBoxLayout;
    const QStringList tips{tr("ConFrag: experts on paired target fragments vote on which targets look clean"),
                           tr("Small-loss: the examples the regressor fits best, Co-teaching's schedule"),
                           tr("None: every example with its noisy target"),
                           tr("Clean: every example with its clean target (the reference of MRAE)")};
    for (const auto &[method, name] : SettingNames<SelectMethod>::entries) {
        auto *box = new QCheckBox(QString::fromLatin1(name));
        box->setObjectName(QStringLiteral("select-") + QString::fromLatin1(name));
        box->setToolTip(tips.value(static_cast<int>(method)));
        methods->addWidget(box);
        m_methods.append(box);
    }
    methods->addStretch(1);
    m_fragments = spin(QStringLiteral("fragments"), 2, 1000);
    m_fragments->setSingleStep(2);
    m_fragments->setToolTip(tr("F: contiguous groups of the distinct noisy targets, paired far apart (even)"));
    m_k = spin(QStringLiteral("selectK"), 1, 1000);
    m_k->setToolTip(tr("K: neighbours of the feature-space vote"));
    m_jitter = doubleSpin(QStringLiteral("jitter"), 0.01, 1.0, 2, 0.05);
    m_jitter->setToolTip(tr("Share of the distinct target values each expert epoch sees"));
    m_keep = doubleSpin(QStringLiteral("keep"), 0.0, 1.0, 3, 0.05);
    m_keep->setSpecialValueText(tr("1 − noise fraction"));
    m_keep->setToolTip(tr("Small-loss: share of examples kept; Gaussian noise needs it given"));
    auto *form = new QFormLayout(w);
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("Methods"), methods);
    form->addRow(tr("Fragments F"), m_fragments);
    form->addRow(tr("Neighbours K"), m_k);
    form->addRow(tr("Jitter window"), m_jitter);
    form->addRow(tr("Small-loss keep"), m_keep);
    setContent(w);
}

void RegressionWizardPage::setFrom(const RunConfig &c)
{
    const RegressionConfig &r = c.regression;
    for (int m = 0; m < m_methods.size(); ++m)
        m_methods[m]->setChecked(std::find(r.methods.begin(), r.methods.end(), static_cast<SelectMethod>(m)) != r.methods.end());
    m_fragments->setValue(r.fragments);
    m_k->setValue(r.k);
    m_jitter->setValue(r.jitter);
    m_keep->setValue(r.keep);
}

void RegressionWizardPage::applyTo(RunConfig &c) const
{
    RegressionConfig &r = c.regression;
    r.methods.clear();
    for (int m = 0; m < m_methods.size(); ++m)
        if (m_methods[m]->isChecked())
            r.methods.push_back(static_cast<SelectMethod>(m));
    r.fragments = m_fragments->value();
    r.k = m_k->value();
    r.jitter = m_jitter->value();
    r.keep = m_keep->value();
    // One model on the whole train split, no probes: the classification study's settings do not apply.
    c.study.models = 1;
    c.study.ratio = 1.0;
    c.study.probe = false;
    c.study.embeddings = "none";
    c.train.regime = Regime::Standard;
    c.train.generations = 1;
    c.train.splitStage.clear();
    c.train.el2nEpoch = 0;
    c.noise.classMap.clear();
    c.dataset.classes = 0;
}

QString RegressionWizardPage::problem()
{
    if (std::none_of(m_methods.begin(), m_methods.end(), [](const QCheckBox *b) { return b->isChecked(); }))
        return tr("Choose at least one method.");
    if (m_fragments->value() % 2 != 0)
        return tr("Fragments F must be even (fragments are paired), got %1.").arg(m_fragments->value());
    return configProblem();
}

} // namespace pds
