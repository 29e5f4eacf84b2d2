#include "training/datasetwizardpage.h"

#include "training/datasetpreviewer.h"
#include "training/trainingwizard.h"
#include "training/wizardfields.h"

#include "data/catalogue.h"
#include "train/config.h"

#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <limits>

namespace pds {

namespace {

const char *const kFormats[] = {"auto", "idx", "cifar10", "cifar100", "folder"};
/// A regression run's own folder format: images listed with their targets in train.csv (docs/regression.md).
const char *const kTargetFormat = "csv";

/// The noise kinds a task takes: Gaussian target noise is for regression, class maps for classification.
bool noiseFits(NoiseSpec::Kind kind, Task task)
{
    return task == Task::Regression ? kind != NoiseSpec::Kind::Asymmetric : kind != NoiseSpec::Kind::Gaussian;
}

NoiseSpec::Kind noiseKind(const QComboBox *box)
{
    return settingFromName<NoiseSpec::Kind>(box->currentText().toStdString()).value_or(NoiseSpec::Kind::None);
}

} // namespace

DatasetWizardPage::DatasetWizardPage(QWidget *parent)
    : CheckedPage(TrainingWizard::DatasetPage, tr("Dataset"), tr("The images to train on, and how much of them."),
                  parent)
{
    auto *w = new QWidget;
    m_task = settingCombo<Task>(QStringLiteral("task"));
    m_task->setToolTip(tr("Regression learns a rotation angle (or a CSV folder's targets) and selects the examples whose targets look clean"));
    QStringList sources;
    for (const auto &e : datasetCatalogue())
        sources << QString::fromStdString(e.name);
    sources << tr("Folder…");
    m_source = combo(QStringLiteral("datasetSource"), sources);
    m_path = new QLineEdit;
    m_path->setObjectName(QStringLiteral("datasetPath"));
    m_browse = new QPushButton(tr("Browse…"));
    m_format = combo(QStringLiteral("datasetFormat"), {});
    for (const char *f : kFormats)
        m_format->addItem(QString::fromLatin1(f));
    m_limit = spin(QStringLiteral("limit"), 0, std::numeric_limits<int>::max(), tr("all"));
    m_limit->setToolTip(tr("Train examples kept, the same share of every class (0 = all)"));
    m_testLimit = spin(QStringLiteral("testLimit"), 0, std::numeric_limits<int>::max(), tr("all"));
    m_noise = combo(QStringLiteral("noise"), {});
    m_noiseFraction = doubleSpin(QStringLiteral("noiseFraction"), 0.0, 1.0, 3, 0.05);
    m_sigmaMax = spin(QStringLiteral("sigmaMax"), 1, 1000);
    m_sigmaMax->setPrefix(tr("σ_max "));
    m_sigmaMax->setToolTip(tr("Gaussian target noise: each target value gets a σ drawn from 1 … σ_max"));
    fillTaskChoices();
    m_preview = new DatasetPreviewer([this] { return spec(); });

    auto *pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(m_browse);
    auto *noiseRow = new QHBoxLayout;
    noiseRow->addWidget(m_noise);
    noiseRow->addWidget(new QLabel(tr("fraction")));
    noiseRow->addWidget(m_noiseFraction);
    noiseRow->addWidget(m_sigmaMax);
    noiseRow->addStretch(1);
    auto *form = new QFormLayout;
    form->addRow(tr("Task"), m_task);
    form->addRow(tr("Dataset"), m_source);
    form->addRow(tr("Location"), pathRow);
    form->addRow(tr("Format"), m_format);
    form->addRow(tr("Train examples"), m_limit);
    form->addRow(tr("Test examples"), m_testLimit);
    form->addRow(tr("Label noise"), noiseRow);

    auto *layout = new QVBoxLayout(w);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(form);
    layout->addWidget(m_preview, 1);
    setContent(w);

    connect(m_task, &QComboBox::currentIndexChanged, this, [this] {
        fillTaskChoices();
        updateEnabled();
        m_preview->schedule();
        Q_EMIT taskChanged();
    });
    connect(m_source, &QComboBox::currentIndexChanged, this, [this] {
        updateEnabled();
        m_preview->schedule();
    });
    connect(m_format, &QComboBox::currentIndexChanged, m_preview, &DatasetPreviewer::schedule);
    connect(m_path, &QLineEdit::textEdited, this, [this] {
        m_customName.clear();
        m_preview->schedule();
    });
    connect(m_path, &QLineEdit::textChanged, m_preview, &DatasetPreviewer::schedule);
    connect(m_noise, &QComboBox::currentIndexChanged, this, [this] { updateEnabled(); });
    connect(m_browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Dataset folder"), m_path->text());
        if (dir.isEmpty())
            return;
        m_customName.clear();
        m_path->setText(dir);
    });
}

Task DatasetWizardPage::task() const
{
    return comboSetting<Task>(m_task);
}

void DatasetWizardPage::setTaskChoice(bool offered)
{
    if (!offered)
        selectSetting(m_task, Task::Classification);
    m_task->setEnabled(offered);
}

bool DatasetWizardPage::targetFolder() const
{
    return task() == Task::Regression && !catalogueMode() && m_format->currentText() == QLatin1String(kTargetFormat);
}

void DatasetWizardPage::fillTaskChoices()
{
    const Task t = task();
    const QString noise = m_noise->currentText(), format = m_format->currentText();
    m_noise->clear();
    for (const auto &[kind, name] : SettingNames<NoiseSpec::Kind>::entries)
        if (noiseFits(kind, t))
            m_noise->addItem(QString::fromLatin1(name));
    m_noise->setCurrentIndex(std::max(0, m_noise->findText(noise)));
    m_noise->setToolTip(t == Task::Regression ? tr("Symmetric: a share p of each target value moves to another value; "
                                                   "Gaussian: round(N(t, σ)) with σ up to σ_max")
                                              : tr("Asymmetric noise needs a class map; load it from a configuration file"));
    const int csv = m_format->findText(QLatin1String(kTargetFormat));
    if (t == Task::Regression && csv < 0)
        m_format->addItem(QLatin1String(kTargetFormat));
    else if (t != Task::Regression && csv >= 0)
        m_format->removeItem(csv);
    m_format->setCurrentIndex(std::max(0, m_format->findText(format)));
}

void DatasetWizardPage::initializePage()
{
    m_preview->schedule();
}

bool DatasetWizardPage::catalogueMode() const
{
    return m_source->currentIndex() < static_cast<int>(datasetCatalogue().size());
}

DatasetSpec DatasetWizardPage::spec() const
{
    DatasetSpec s;
    s.path = m_path->text().trimmed().toStdString();
    if (catalogueMode()) {
        s.name = datasetCatalogue()[static_cast<std::size_t>(m_source->currentIndex())].name;
    } else {
        // As in the CLI: a folder without a catalogue name is named after itself.
        s.name = m_customName.toStdString();
        s.format = m_format->currentIndex() == 0 ? std::string() : m_format->currentText().toStdString();
    }
    return s;
}

void DatasetWizardPage::applyTo(RunConfig &c) const
{
    c.task = task();
    c.dataset = spec();
    c.limit = m_limit->value();
    c.testLimit = m_testLimit->value();
    c.noise.kind = noiseKind(m_noise);
    const bool gaussian = c.noise.kind == NoiseSpec::Kind::Gaussian;
    c.noise.fraction = c.noise.kind == NoiseSpec::Kind::None || gaussian ? 0.0 : m_noiseFraction->value();
    c.noise.sigmaMax = gaussian ? m_sigmaMax->value() : 0;
}

void DatasetWizardPage::setFrom(const RunConfig &c)
{
    m_hasClassMap = !c.noise.classMap.empty();
    selectSetting(m_task, c.task);
    fillTaskChoices();
    const auto &catalogue = datasetCatalogue();
    int source = static_cast<int>(catalogue.size());
    for (std::size_t i = 0; i < catalogue.size(); ++i)
        if (catalogue[i].name == c.dataset.name && (c.dataset.format.empty() || c.dataset.format == catalogue[i].format))
            source = static_cast<int>(i);
    m_source->setCurrentIndex(source);
    m_customName = source < static_cast<int>(catalogue.size()) ? QString() : QString::fromStdString(c.dataset.name);
    m_path->setText(QString::fromStdString(c.dataset.path));
    selectText(m_format, c.dataset.format.empty() ? QStringLiteral("auto") : QString::fromStdString(c.dataset.format));
    m_limit->setValue(static_cast<int>(std::min<std::int64_t>(c.limit, std::numeric_limits<int>::max())));
    m_testLimit->setValue(static_cast<int>(std::min<std::int64_t>(c.testLimit, std::numeric_limits<int>::max())));
    selectSetting(m_noise, c.noise.kind);
    m_noiseFraction->setValue(c.noise.fraction);
    m_sigmaMax->setValue(std::max(1, c.noise.sigmaMax));
    updateEnabled();
    m_preview->schedule();
}

void DatasetWizardPage::updateEnabled()
{
    const bool catalogue = catalogueMode();
    m_format->setEnabled(!catalogue);
    if (catalogue) {
        const auto &e = datasetCatalogue()[static_cast<std::size_t>(m_source->currentIndex())];
        m_path->setPlaceholderText(e.defaultPath.empty() ? tr("no default location: choose the folder")
                                                         : QString::fromStdString(e.defaultPath));
    } else {
        m_path->setPlaceholderText(tr("folder with IDX files, CIFAR binaries or one subfolder per class"));
    }
    const NoiseSpec::Kind kind = noiseKind(m_noise);
    m_noiseFraction->setEnabled(kind != NoiseSpec::Kind::None && kind != NoiseSpec::Kind::Gaussian);
    m_sigmaMax->setVisible(kind == NoiseSpec::Kind::Gaussian);
}

QString DatasetWizardPage::problem()
{
    const QString path = m_path->text().trimmed();
    if (!catalogueMode() && path.isEmpty())
        return tr("Choose the dataset folder.");
    if (!path.isEmpty() && !QFileInfo::exists(path))
        return tr("%1: no such file or folder").arg(path);
    // A target folder is read by the run itself, which names a bad CSV row by file and line.
    if (targetFolder()) {
        if (!QFileInfo::exists(QDir(path).filePath(QStringLiteral("train.csv"))))
            return tr("%1: no train.csv (rows file,target) in the target folder").arg(path);
        return configProblem();
    }
    const DatasetPreview &preview = m_preview->await();
    if (!preview.error.isEmpty())
        return preview.error;
    if (noiseKind(m_noise) == NoiseSpec::Kind::Asymmetric && !m_hasClassMap)
        return tr("Asymmetric noise needs a class map: load a configuration file that has one.");
    return configProblem();
}

std::optional<qint64> DatasetWizardPage::loadedTrainSize() const
{
    const DatasetPreview *p = m_preview->shown();
    if (!p || !p->error.isEmpty())
        return std::nullopt;
    return p->trainSize;
}

QString DatasetWizardPage::previewStatus() const
{
    return m_preview->status();
}

int DatasetWizardPage::previewClassCount() const
{
    return m_preview->classCount();
}

} // namespace pds

