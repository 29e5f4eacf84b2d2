#include "training/slurmwizardpage.h"

#include "training/trainingrunner.h"
#include "training/trainingwizard.h"
#include "training/wizardfields.h"

#include "util/error.h"

#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QStandardPaths>

#include <utility>

namespace pds {

namespace {

QLineEdit *line(const QString &name, const QString &placeholder)
{
    auto *e = new QLineEdit;
    e->setObjectName(name);
    e->setPlaceholderText(placeholder);
    return e;
}

} // namespace

SlurmWizardPage::SlurmWizardPage(QWidget *parent)
    : CheckedPage(TrainingWizard::SlurmPage, tr("Slurm"),
                  tr("Each model trains as one task of a Slurm job array; a merge job after them writes the "
                     "study. Empty fields leave the choice to the cluster."),
                  parent)
{
    auto *w = new QWidget;
    m_partition = line(QStringLiteral("slurmPartition"), tr("the cluster's default"));
    m_time = line(QStringLiteral("slurmTime"), tr("e.g. 2:00:00"));
    m_time->setToolTip(tr("Time limit of each member task: minutes, HH:MM:SS or D-HH:MM:SS. A task stopped by "
                          "it continues from its last finished epoch when the study is submitted again"));
    m_gres = line(QStringLiteral("slurmGres"), tr("e.g. gpu:1"));
    m_cpus = spin(QStringLiteral("slurmCpus"), 0, 4096, tr("cluster default"));
    m_cpus->setToolTip(tr("CPUs of each member task; a member on the CPU trains with this many threads"));
    m_atOnce = spin(QStringLiteral("slurmAtOnce"), 0, 100000, tr("no limit"));
    m_args = line(QStringLiteral("slurmArgs"), tr("e.g. --account=lab --qos=normal"));
    m_args->setToolTip(tr("Further sbatch options for both jobs, each as --option=value, separated by spaces"));
    m_note = new QLabel;
    m_note->setWordWrap(true);
    auto *form = new QFormLayout(w);
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("Partition"), m_partition);
    form->addRow(tr("Time limit per model"), m_time);
    form->addRow(tr("Generic resources"), m_gres);
    form->addRow(tr("CPUs per model"), m_cpus);
    form->addRow(tr("Models at once"), m_atOnce);
    form->addRow(tr("Extra sbatch arguments"), m_args);
    form->addRow(QString(), m_note);
    setContent(w);
    setFinalPage(true);
}

SlurmOptions SlurmWizardPage::options() const
{
    SlurmOptions o;
    o.partition = m_partition->text().trimmed().toStdString();
    o.time = m_time->text().trimmed().toStdString();
    o.gres = m_gres->text().trimmed().toStdString();
    o.cpus = m_cpus->value();
    o.atOnce = m_atOnce->value();
    for (const QString &arg : m_args->text().split(QLatin1Char(' '), Qt::SkipEmptyParts))
        o.extraArgs.push_back(arg.toStdString());
    return o;
}

void SlurmWizardPage::setOptions(const SlurmOptions &o)
{
    m_partition->setText(QString::fromStdString(o.partition));
    m_time->setText(QString::fromStdString(o.time));
    m_gres->setText(QString::fromStdString(o.gres));
    m_cpus->setValue(o.cpus);
    m_atOnce->setValue(o.atOnce);
    QStringList args;
    for (const std::string &a : o.extraArgs)
        args << QString::fromStdString(a);
    m_args->setText(args.join(QLatin1Char(' ')));
}

void SlurmWizardPage::initializePage()
{
    m_note->setText(tr("The tasks run %1 and write beside the study file, so both must be reachable at the same "
                       "paths on the cluster's nodes. The Studio follows the jobs in its Slurm dock; "
                       "pdepth status shows the same.")
                        .arg(TrainingRunner::pdepthProgram()));
}

QString SlurmWizardPage::problem()
{
    try {
        validateSlurmOptions(options());
    } catch (const ConfigError &e) {
        const std::pair<const char *, QWidget *> fields[] = {{"slurm.partition", m_partition}, {"slurm.time", m_time},
                                                             {"slurm.gres", m_gres},           {"slurm.cpus", m_cpus},
                                                             {"slurm.at_once", m_atOnce},      {"slurm.args", m_args}};
        for (const auto &[key, widget] : fields)
            if (e.field() == key)
                widget->setFocus();
        return QString::fromStdString(e.what());
    }
    const QString config = configProblem();
    if (!config.isEmpty())
        return config;
    if (QStandardPaths::findExecutable(QStringLiteral("sbatch")).isEmpty())
        return tr("sbatch is not on PATH: the Studio submits to Slurm from a login node of the cluster (or from a "
                  "machine running scripts/slurm-local.sh). Choose “This machine” on the Output page to train here.");
    return {};
}

bool SlurmWizardPage::validatePage()
{
    if (!check().isEmpty())
        return false;
    const TrainingWizard *w = trainingWizard();
    if (!w)
        return false;
    try {
        m_submission = submitStudyToSlurm(w->config(), options(), TrainingRunner::pdepthProgram().toStdString());
    } catch (const Error &e) {
        setError(tr("Not submitted: %1").arg(QString::fromStdString(e.what())));
        return false;
    }
    return true;
}

} // namespace pds
