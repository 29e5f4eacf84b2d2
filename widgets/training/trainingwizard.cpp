#include "training/trainingwizard.h"

#include "training/comparisonwizardpage.h"
#include "training/datasetwizardpage.h"
#include "training/modelwizardpage.h"
#include "training/outputwizardpage.h"
#include "training/regressionwizardpage.h"
#include "training/slurmwizardpage.h"
#include "training/studywizardpage.h"
#include "training/sweepwizardpage.h"
#include "training/trainingwizardpage.h"

#include "compare/comparison.h"
#include "sweep/sweepconfig.h"
#include "train/presets.h"
#include "util/error.h"

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QMessageBox>

#include <algorithm>

namespace pds {

namespace {

/// Which page shows the setting a ConfigError is about.
int pageOf(ConfigField field)
{
    using F = ConfigField;
    switch (field) {
    case F::Models:
    case F::Ratio:
    case F::Member:
    case F::K:
        return TrainingWizard::StudyPage;
    case F::MaxFeatures:
        return TrainingWizard::ModelPage;
    case F::Limit:
    case F::TestLimit:
    case F::NoiseKind:
    case F::NoiseFraction:
    case F::NoiseClassMap:
    case F::NoiseSeed:
    case F::NoiseSigmaMax:
    case F::Task:
    case F::DatasetPath:
        return TrainingWizard::DatasetPage;
    case F::RegressionMethods:
    case F::RegressionFragments:
    case F::RegressionK:
    case F::RegressionJitter:
    case F::RegressionKeep:
        return TrainingWizard::RegressionPage;
    case F::Output:
        return TrainingWizard::OutputPage;
    default:
        return TrainingWizard::TrainingPage;
    }
}

} // namespace

TrainingWizard::TrainingWizard(QWidget *parent, Mode mode) : QWizard(parent)
{
    const DeviceInfo devices = availableDevices();
    setWindowTitle(mode == Mode::Sweep     ? tr("New model-size sweep")
                   : mode == Mode::Compare ? tr("New regime comparison")
                                           : tr("New training run"));
    m_dataset = new DatasetWizardPage;
    m_model = new ModelWizardPage;
    m_training = new TrainingWizardPage(devices);
    m_study = new StudyWizardPage(m_dataset);
    m_output = new OutputWizardPage(m_dataset, m_study);
    m_slurm = new SlurmWizardPage;
    m_regression = new RegressionWizardPage;
    for (CheckedPage *page :
         std::initializer_list<CheckedPage *>{m_dataset, m_model, m_training, m_study, m_output, m_slurm, m_regression})
        setPage(page->pageId(), page);
    connect(m_dataset, &DatasetWizardPage::taskChanged, this, &TrainingWizard::followTask);
    if (mode == Mode::Sweep) {
        m_dataset->setTaskChoice(false);
        m_sweep = new SweepWizardPage;
        setPage(SweepPage, m_sweep);
    } else if (mode == Mode::Compare) {
        m_dataset->setTaskChoice(false);
        m_comparison = new ComparisonWizardPage;
        setPage(ComparisonPage, m_comparison);
    }
    if (mode != Mode::Run) {
        // A sweep or a comparison trains on this machine (`--jobs`); Slurm takes studies only here.
        if (auto *runOn = m_output->findChild<QComboBox *>(QStringLiteral("runOn"))) {
            runOn->setCurrentIndex(0);
            runOn->setEnabled(false);
            runOn->setToolTip(tr("A sweep or a comparison trains on this machine; Slurm runs studies"));
        }
    }

    setOption(QWizard::HaveCustomButton1);
    setOption(QWizard::HaveCustomButton2);
    setButtonText(QWizard::CustomButton1, tr("Save configuration…"));
    setButtonText(QWizard::CustomButton2, tr("Load configuration…"));
    setButtonLayout({QWizard::CustomButton1, QWizard::CustomButton2, QWizard::Stretch, QWizard::BackButton,
                     QWizard::NextButton, QWizard::FinishButton, QWizard::CancelButton});
    connect(this, &QWizard::customButtonClicked, this, [this](int which) {
        if (which == QWizard::CustomButton1)
            saveClicked();
        else if (which == QWizard::CustomButton2)
            loadClicked();
    });

    RunConfig initial = defaultConfig(devices);
    if (m_comparison) {
        // Every regime is set on the Regimes page; seal here keeps its generations and ascent fields at hand.
        initial.train.regime = Regime::Seal;
        initial.train.generations = std::max(initial.train.generations, 3);
    }
    setConfig(initial);
    if (auto *regime = m_training->findChild<QComboBox *>(QStringLiteral("regime")); regime && m_comparison) {
        regime->setEnabled(false);
        regime->setToolTip(tr("A comparison trains every regime chosen on the Regimes page"));
    }
    m_output->useDefaultOutput();
    resize(720, 620);
}

TrainingWizard::~TrainingWizard() = default;

RunConfig TrainingWizard::defaultConfig(const DeviceInfo &devices)
{
    RunConfig c = studioStudyConfig(devices.cuda);
    c.output = QDir::home().filePath(QStringLiteral("pdepth-runs/fashion-mnist-study.h5")).toStdString();
    return c;
}

// --- configuration ------------------------------------------------------------

RunConfig TrainingWizard::config() const
{
    RunConfig c = m_base;
    m_dataset->applyTo(c);
    m_model->applyTo(c);
    m_training->applyTo(c);
    m_study->applyTo(c);
    m_output->applyTo(c);
    if (c.task == Task::Regression)
        m_regression->applyTo(c);
    else
        c.regression = RegressionConfig{};
    return c;
}

void TrainingWizard::setConfig(const RunConfig &c)
{
    m_base = c;
    m_dataset->setFrom(c);
    m_model->setFrom(c);
    m_training->setFrom(c);
    m_study->setFrom(c);
    m_output->setFrom(c);
    m_regression->setFrom(c);
    followTask();
}

void TrainingWizard::followTask()
{
    const bool regression = m_dataset->task() == Task::Regression;
    for (const char *name : {"regime", "generations", "sealFraction", "sealLrFactor"})
        if (auto *field = m_training->findChild<QWidget *>(QLatin1String(name)))
            if (auto *form = qobject_cast<QFormLayout *>(field->parentWidget()->layout()))
                form->setRowVisible(field, !regression);
    // Regression runs train in float32 whatever the setting.
    if (auto *amp = m_training->findChild<QWidget *>(QStringLiteral("mixedPrecision")))
        amp->setVisible(!regression);
    // A sweep or a comparison keeps Slurm off whatever the task (see the constructor).
    if (m_sweep || m_comparison)
        return;
    if (auto *runOn = m_output->findChild<QComboBox *>(QStringLiteral("runOn"))) {
        if (regression)
            runOn->setCurrentIndex(0);
        runOn->setEnabled(!regression);
        runOn->setToolTip(regression ? tr("A regression run trains on this machine; Slurm runs studies") : QString());
    }
}

SweepConfig TrainingWizard::sweepConfig() const
{
    return m_sweep ? m_sweep->sweepConfig(config()) : SweepConfig{};
}

CompareConfig TrainingWizard::compareConfig() const
{
    return m_comparison ? m_comparison->compareConfig(config()) : CompareConfig{};
}

int TrainingWizard::nextId() const
{
    // A sweep or a comparison runs on this machine: Study, its own page, Output, and Finish there.
    const int own = m_sweep ? SweepPage : m_comparison ? ComparisonPage : -1;
    if (own >= 0 && currentId() == StudyPage)
        return own;
    if (own >= 0 && currentId() == own)
        return OutputPage;
    if (own >= 0 && currentId() == OutputPage)
        return -1;
    if (m_dataset->task() == Task::Regression) {
        if (currentId() == TrainingPage)
            return RegressionPage;
        if (currentId() == RegressionPage)
            return OutputPage;
        if (currentId() == OutputPage)
            return -1;
    }
    // The pages after Slurm are other modes' (sweep, regression).
    if (currentId() == SlurmPage)
        return -1;
    return QWizard::nextId();
}

int TrainingWizard::concurrentMembers() const
{
    return m_study->concurrentMembers();
}

void TrainingWizard::setConcurrentMembers(int members)
{
    m_study->setConcurrentMembers(members);
}

bool TrainingWizard::runOnSlurm() const
{
    return m_dataset->task() != Task::Regression && m_output->runOnSlurm();
}

void TrainingWizard::setRunOnSlurm(bool slurm)
{
    m_output->setRunOnSlurm(slurm);
}

SlurmOptions TrainingWizard::slurmOptions() const
{
    return m_slurm->options();
}

void TrainingWizard::setSlurmOptions(const SlurmOptions &options)
{
    m_slurm->setOptions(options);
}

const SlurmSubmission &TrainingWizard::slurmSubmission() const
{
    return m_slurm->submission();
}

QString TrainingWizard::previewStatus() const
{
    return m_dataset->previewStatus();
}

int TrainingWizard::previewClassCount() const
{
    return m_dataset->previewClassCount();
}

// --- checks ---------------------------------------------------------------------

QString TrainingWizard::configError(int id) const
{
    try {
        config().validate();
    } catch (const ConfigError &e) {
        if (pageOf(configField(e)) <= id)
            return QString::fromStdString(e.what());
    }
    return {};
}

QString TrainingWizard::pageError() const
{
    return pageError(currentId());
}

QString TrainingWizard::pageError(int id) const
{
    const auto *p = qobject_cast<const CheckedPage *>(page(id));
    return p ? p->error() : QString();
}

QString TrainingWizard::checkPage(int id)
{
    auto *p = qobject_cast<CheckedPage *>(page(id));
    return p ? p->check() : QString();
}

void TrainingWizard::showError(const QString &text)
{
    if (auto *p = qobject_cast<CheckedPage *>(currentPage()))
        p->setError(text);
}

// --- save and load ------------------------------------------------------------

bool TrainingWizard::saveConfiguration(const QString &path, QString *error) const
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
        if (error)
            *error = tr("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    file.write(QByteArray::fromStdString(toJson(config()) + "\n"));
    if (!file.flush()) {
        if (error)
            *error = tr("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

bool TrainingWizard::loadConfiguration(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        if (error)
            *error = tr("cannot read %1: %2").arg(path, file.errorString());
        return false;
    }
    try {
        setConfig(runConfigFromJson(file.readAll().toStdString()));
    } catch (const Error &e) {
        if (error)
            *error = tr("%1: %2").arg(path, QString::fromStdString(e.what()));
        return false;
    }
    return true;
}

void TrainingWizard::saveClicked()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Save configuration"), QString(),
                                                      tr("Configurations (*.json)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!saveConfiguration(path, &error)) {
        showError(error);
        QMessageBox::warning(this, tr("Save configuration"), error);
    }
}

void TrainingWizard::loadClicked()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Load configuration"), QString(),
                                                      tr("Configurations (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    QString error;
    if (loadConfiguration(path, &error))
        showError(QString());
    else {
        showError(error);
        QMessageBox::warning(this, tr("Load configuration"), error);
    }
}

} // namespace pds
