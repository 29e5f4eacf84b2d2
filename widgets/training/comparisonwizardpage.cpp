#include "training/comparisonwizardpage.h"

#include "training/trainingwizard.h"
#include "training/wizardfields.h"

#include "compare/comparison.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>

namespace pds {

ComparisonWizardPage::ComparisonWizardPage(QWidget *parent)
    : CheckedPage(TrainingWizard::ComparisonPage, tr("Regimes"),
                  tr("Train the study's members under several regimes, with the same subsets, seeds and total "
                     "epochs, and compare accuracy, prediction depth and transfer (the Regimes view)."),
                  parent)
{
    auto *w = new QWidget;
    m_standard = new QCheckBox(QStringLiteral("standard"));
    m_llf = new QCheckBox(QStringLiteral("llf"));
    m_seal = new QCheckBox(QStringLiteral("seal"));
    for (QCheckBox *box : {m_standard, m_llf, m_seal}) {
        box->setObjectName(QStringLiteral("regime_") + box->text());
        box->setChecked(true);
    }
    m_standard->setToolTip(tr("Normal training for generations × epochs epochs"));
    m_llf->setToolTip(tr("Later layers re-initialised every generation"));
    m_seal->setToolTip(tr("Early layers ascend the gradient for the first part of every generation, then descend"));
    auto *regimes = new QHBoxLayout;
    regimes->addWidget(m_standard);
    regimes->addWidget(m_llf);
    regimes->addWidget(m_seal);
    regimes->addStretch(1);
    m_summary = new QLabel;
    m_summary->setWordWrap(true);
    m_summary->setObjectName(QStringLiteral("comparisonSummary"));
    m_transfer = combo(QStringLiteral("transfer"), {tr("none"), QStringLiteral("mnist"), QStringLiteral("fashion-mnist"),
                                                    QStringLiteral("cifar10"), QStringLiteral("cifar100")});
    m_transfer->setEditable(true);
    m_transfer->setToolTip(tr("A second dataset of the same image size: a linear probe on each member's frozen "
                              "penultimate features is trained and tested on it"));
    m_transferPath = new QLineEdit;
    m_transferPath->setObjectName(QStringLiteral("transferPath"));
    m_transferPath->setPlaceholderText(tr("its default location"));
    m_transferPath->setToolTip(tr("Folder of the transfer dataset (empty: where the catalogue expects it)"));
    m_bootstrap = spin(QStringLiteral("bootstrap"), 100, 100000);
    m_bootstrap->setValue(2000);
    m_bootstrap->setToolTip(tr("Resamples of each 95 % bootstrap interval over examples"));
    auto *form = new QFormLayout(w);
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("Regimes"), regimes);
    form->addRow(QString(), m_summary);
    form->addRow(tr("Transfer dataset"), m_transfer);
    form->addRow(tr("Transfer folder"), m_transferPath);
    form->addRow(tr("Bootstrap resamples"), m_bootstrap);
    setContent(w);
}

void ComparisonWizardPage::initializePage()
{
    const TrainingWizard *w = trainingWizard();
    if (!w)
        return;
    const RunConfig c = w->config();
    m_summary->setText(tr("Each regime trains the %1 members of the Study page for %2 generations of %3 epochs "
                          "(the Training page); standard training gets all %4 epochs in one.")
                           .arg(c.study.models)
                           .arg(c.train.generations)
                           .arg(c.train.epochs)
                           .arg(c.train.generations * c.train.epochs));
}

CompareConfig ComparisonWizardPage::compareConfig(const RunConfig &base) const
{
    CompareConfig c;
    c.base = base;
    c.base.study.probe = true;
    QStringList regimes;
    for (QCheckBox *box : {m_standard, m_llf, m_seal})
        if (box->isChecked())
            regimes << box->text();
    c.regimes = parseRegimes(regimes.join(QLatin1Char(',')).toStdString());
    // "none" and an empty folder: no transfer probe; a folder alone is read by its layout.
    const QString name = m_transfer->currentText().trimmed();
    c.transfer.name = name.isEmpty() || name == m_transfer->itemText(0) ? std::string() : name.toStdString();
    c.transfer.path = m_transferPath->text().trimmed().toStdString();
    c.transfer.format.clear();
    c.bootstrapResamples = m_bootstrap->value();
    return c;
}

QString ComparisonWizardPage::problem()
{
    return configProblem([this](const RunConfig &base) { checkComparison(compareConfig(base)); });
}

} // namespace pds
