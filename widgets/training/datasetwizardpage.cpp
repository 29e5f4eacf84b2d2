#include "training/datasetwizardpage.h"

#include "training/datasetpreviewer.h"
#include "training/trainingwizard.h"
#include "training/wizardfields.h"

#include "data/catalogue.h"
#include "train/config.h"

#include <QComboBox>
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

} // namespace

DatasetWizardPage::DatasetWizardPage(QWidget *parent)
    : CheckedPage(TrainingWizard::DatasetPage, tr("Dataset"), tr("The images to train on, and how much of them."),
                  parent)
{
    auto *w = new QWidget;
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
    m_noise = settingCombo<NoiseSpec::Kind>(QStringLiteral("noise"));
    m_noise->setToolTip(tr("Asymmetric noise needs a class map; load it from a configuration file"));
    m_noiseFraction = doubleSpin(QStringLiteral("noiseFraction"), 0.0, 1.0, 3, 0.05);
    m_preview = new DatasetPreviewer([this] { return spec(); });

    auto *pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(m_browse);
    auto *noiseRow = new QHBoxLayout;
    noiseRow->addWidget(m_noise);
    noiseRow->addWidget(new QLabel(tr("fraction")));
    noiseRow->addWidget(m_noiseFraction);
    noiseRow->addStretch(1);
    auto *form = new QFormLayout;
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
    c.dataset = spec();
    c.limit = m_limit->value();
    c.testLimit = m_testLimit->value();
    c.noise.kind = comboSetting<NoiseSpec::Kind>(m_noise);
    c.noise.fraction = c.noise.kind == NoiseSpec::Kind::None ? 0.0 : m_noiseFraction->value();
}

void DatasetWizardPage::setFrom(const RunConfig &c)
{
    m_hasClassMap = !c.noise.classMap.empty();
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
    m_noiseFraction->setEnabled(comboSetting<NoiseSpec::Kind>(m_noise) != NoiseSpec::Kind::None);
}

QString DatasetWizardPage::problem()
{
    const QString path = m_path->text().trimmed();
    if (!catalogueMode() && path.isEmpty())
        return tr("Choose the dataset folder.");
    if (!path.isEmpty() && !QFileInfo::exists(path))
        return tr("%1: no such file or folder").arg(path);
    const DatasetPreview &preview = m_preview->await();
    if (!preview.error.isEmpty())
        return preview.error;
    if (comboSetting<NoiseSpec::Kind>(m_noise) == NoiseSpec::Kind::Asymmetric && !m_hasClassMap)
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

