#include "training/outputwizardpage.h"

#include "training/datasetwizardpage.h"
#include "training/studywizardpage.h"
#include "training/trainingwizard.h"

#include "study/study.h"
#include "train/config.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTemporaryFile>

namespace pds {

OutputWizardPage::OutputWizardPage(const DatasetWizardPage *dataset, const StudyWizardPage *study, QWidget *parent)
    : CheckedPage(TrainingWizard::OutputPage, tr("Output"), tr("Where the run file is written."), parent),
      m_dataset(dataset), m_study(study)
{
    auto *w = new QWidget;
    m_output = new QLineEdit;
    m_output->setObjectName(QStringLiteral("output"));
    auto *browse = new QPushButton(tr("Browse…"));
    m_note = new QLabel;
    m_note->setWordWrap(true);
    m_overwrite = new QCheckBox(tr("Overwrite the existing file"));
    m_overwrite->setObjectName(QStringLiteral("overwrite"));
    m_overwrite->hide();
    m_runOn = new QComboBox;
    m_runOn->setObjectName(QStringLiteral("runOn"));
    m_runOn->addItems({tr("This machine"), tr("Slurm cluster")});
    m_runOn->setToolTip(tr("A study can also run on a Slurm cluster: one array task per model, then a merge job"));
    auto *row = new QHBoxLayout;
    row->addWidget(m_output, 1);
    row->addWidget(browse);
    auto *form = new QFormLayout(w);
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("Run file"), row);
    form->addRow(QString(), m_note);
    form->addRow(QString(), m_overwrite);
    form->addRow(tr("Run on"), m_runOn);
    setContent(w);
    connect(m_runOn, &QComboBox::currentIndexChanged, this, [this] {
        setFinalPage(!runOnSlurm());
        Q_EMIT completeChanged();
    });
    connect(m_output, &QLineEdit::textEdited, this, [this] { m_edited = true; });
    connect(m_output, &QLineEdit::textChanged, this, [this] { updateOverwrite(); });
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Run file"), m_output->text(),
                                                          tr("Run files (*.h5)"), nullptr,
                                                          QFileDialog::DontConfirmOverwrite);
        if (path.isEmpty())
            return;
        m_edited = true;
        m_output->setText(path);
    });
}

void OutputWizardPage::initializePage()
{
    if (!m_edited)
        m_output->setText(defaultOutput());
    updateOverwrite();
    // Slurm runs studies; a regression run is one model, and a sweep or a
    // comparison is many studies (`--jobs`), on this machine.
    const auto *w = qobject_cast<const TrainingWizard *>(wizard());
    const bool several = w && (w->isSweep() || w->isComparison());
    const bool study = m_study->isStudy() && m_dataset->task() != Task::Regression && !several;
    if (!study)
        m_runOn->setCurrentIndex(0);
    m_runOn->setEnabled(study);
}

bool OutputWizardPage::runOnSlurm() const
{
    return m_runOn->currentIndex() == 1;
}

void OutputWizardPage::setRunOnSlurm(bool slurm)
{
    m_runOn->setCurrentIndex(slurm ? 1 : 0);
}

int OutputWizardPage::nextId() const
{
    return runOnSlurm() ? TrainingWizard::SlurmPage : -1;
}

void OutputWizardPage::applyTo(RunConfig &c) const
{
    c.output = m_output->text().trimmed().toStdString();
}

void OutputWizardPage::setFrom(const RunConfig &c)
{
    m_output->setText(QString::fromStdString(c.output));
    m_edited = true;
}

QString OutputWizardPage::defaultOutput() const
{
    const DatasetSpec s = m_dataset->spec();
    QString name = QString::fromStdString(s.name);
    if (name.isEmpty())
        name = QFileInfo(QString::fromStdString(s.path)).fileName();
    if (name.isEmpty())
        name = QStringLiteral("dataset");
    const auto *w = qobject_cast<const TrainingWizard *>(wizard());
    const QString kind = w && w->isComparison()                  ? QStringLiteral("comparison")
                         : w && w->isSweep()                      ? QStringLiteral("sweep")
                         : m_dataset->task() == Task::Regression ? QStringLiteral("regression")
                         : m_study->isStudy()                     ? QStringLiteral("study")
                                                                  : QStringLiteral("run");
    return QDir::home().filePath(QStringLiteral("pdepth-runs/%1-%2.h5").arg(name, kind));
}

void OutputWizardPage::updateOverwrite()
{
    const QString path = m_output->text().trimmed();
    const bool exists = !path.isEmpty() && QFileInfo(path).isFile();
    m_overwrite->setVisible(exists);
    if (!exists)
        m_overwrite->setChecked(false);
    QString note;
    if (exists)
        note = tr("This file exists.");
    if (m_study->isStudy())
        note += (note.isEmpty() ? QString() : QStringLiteral(" "))
                + tr("Each model is written to its own file in %1; finished models of the same "
                     "configuration are reused when the study is run again.")
                      .arg(QFileInfo(QString::fromStdString(memberPath(path.toStdString(), 0))).path());
    m_note->setText(note);
}

QString OutputWizardPage::problem()
{
    const QString path = m_output->text().trimmed();
    if (path.isEmpty())
        return tr("Choose the file to write.");
    const QFileInfo info(path);
    if (info.isDir())
        return tr("%1 is a folder: give a file name.").arg(path);
    const QString dir = info.absolutePath();
    if (!QDir().mkpath(dir))
        return tr("cannot write to %1: the folder cannot be created").arg(dir);
    QTemporaryFile probe(dir + QStringLiteral("/.pdepth-write-test-XXXXXX"));
    if (!probe.open())
        return tr("cannot write to %1: %2").arg(dir, probe.errorString());
    if (info.exists() && !m_overwrite->isChecked())
        return tr("%1 exists: tick “Overwrite the existing file” to replace it, or choose another name.").arg(path);
    return configProblem();
}

} // namespace pds
