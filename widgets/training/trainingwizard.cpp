// Over 600 lines: the five pages are still built as plain widgets on the
// wizard itself, which shares their fields between config(), setConfig() and
// the checks; one QWizardPage subclass per page would split it (issue 10).

#include "training/trainingwizard.h"

#include "data/catalogue.h"
#include "study/study.h"
#include "train/presets.h"
#include "util/error.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTemporaryFile>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

namespace pds {

/// What the dataset page shows of a dataset: made on a pool thread (QImage,
/// not QPixmap, is safe there), shown on the GUI thread.
struct DatasetPreview {
    struct ClassRow {
        QString name;
        qint64 train = 0;
        qint64 test = 0;
        QVector<QImage> thumbnails;
    };
    QString key;   ///< the dataset choice it belongs to
    QString error; ///< the core's message when the dataset does not load
    QString summary;
    qint64 trainSize = 0;
    QVector<ClassRow> classes;
};

namespace {

constexpr int kThumbnails = 8;
constexpr int kThumbnailSize = 32;
const char *const kFormats[] = {"auto", "idx", "cifar10", "cifar100", "folder"};

std::shared_ptr<DatasetPreview> loadPreview(const DatasetSpec &spec, const QString &key)
{
    auto out = std::make_shared<DatasetPreview>();
    out->key = key;
    try {
        const Dataset d = loadDataset(spec);
        out->trainSize = d.train.size();
        out->summary = QObject::tr("%1: %2 train and %3 test images of %4×%5×%6, %7 classes")
                           .arg(QString::fromStdString(d.name))
                           .arg(d.train.size())
                           .arg(d.test.size())
                           .arg(d.width)
                           .arg(d.height)
                           .arg(d.channels)
                           .arg(d.numClasses());
        out->classes.resize(d.numClasses());
        for (int c = 0; c < d.numClasses(); ++c)
            out->classes[c].name = QString::fromStdString(d.classNames[c]);
        const auto pixels = static_cast<std::size_t>(d.width) * d.height;
        for (std::int64_t i = 0; i < d.train.size(); ++i) {
            auto &row = out->classes[d.train.labels[i]];
            ++row.train;
            if (row.thumbnails.size() >= kThumbnails)
                continue;
            // N×C×H×W bytes to an interleaved image.
            const std::uint8_t *src = d.train.images.data() + i * d.imageSize();
            QImage img(d.width, d.height, d.channels == 1 ? QImage::Format_Grayscale8 : QImage::Format_RGB888);
            for (int y = 0; y < d.height; ++y) {
                uchar *line = img.scanLine(y);
                for (int x = 0; x < d.width; ++x)
                    for (int ch = 0; ch < std::min(d.channels, 3); ++ch)
                        line[x * std::min(d.channels, 3) + ch] = src[ch * pixels + y * d.width + x];
            }
            row.thumbnails.append(img);
        }
        for (std::int64_t i = 0; i < d.test.size(); ++i)
            ++out->classes[d.test.labels[i]].test;
    } catch (const std::exception &e) {
        out->error = QString::fromStdString(e.what());
    }
    return out;
}

/// A wizard page whose Next runs a check and shows its message on the page.
class CheckedPage : public QWizardPage {
public:
    CheckedPage(const QString &title, const QString &subTitle, QWidget *content,
                std::function<QString()> check, std::function<void()> enter = {})
        : m_check(std::move(check)), m_enter(std::move(enter)), m_error(new QLabel(this))
    {
        setTitle(title);
        setSubTitle(subTitle);
        m_error->setObjectName(QStringLiteral("pageError"));
        m_error->setWordWrap(true);
        m_error->setStyleSheet(QStringLiteral("color: #c62828; font-weight: bold;"));
        m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
        m_error->hide();
        auto *layout = new QVBoxLayout(this);
        layout->addWidget(content, 1);
        layout->addWidget(m_error);
    }

    QString error() const { return m_error->text(); }
    void setError(const QString &text)
    {
        m_error->setText(text);
        m_error->setVisible(!text.isEmpty());
    }
    QString check()
    {
        const QString text = m_check();
        setError(text);
        return text;
    }
    bool validatePage() override { return check().isEmpty(); }
    void initializePage() override
    {
        if (m_enter)
            m_enter();
    }

private:
    std::function<QString()> m_check;
    std::function<void()> m_enter;
    QLabel *m_error;
};

QSpinBox *spin(const QString &name, int min, int max, const QString &special = {})
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

/// A combo box listing the names of an enumerated setting, in its mapping's order.
template <typename E> QComboBox *settingCombo(const QString &name)
{
    QStringList items;
    for (const auto &n : settingNames<E>())
        items << QString::fromStdString(n);
    return combo(name, items);
}

/// The setting a combo box made by settingCombo shows.
template <typename E> E comboSetting(const QComboBox *box)
{
    return SettingNames<E>::entries[static_cast<std::size_t>(std::max(0, box->currentIndex()))].first;
}

template <typename E> void selectSetting(QComboBox *box, E value)
{
    box->setCurrentIndex(box->findText(QString::fromLatin1(settingName(value))));
}

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
        return TrainingWizard::DatasetPage;
    case F::Output:
        return TrainingWizard::OutputPage;
    default:
        return TrainingWizard::TrainingPage;
    }
}

} // namespace

TrainingWizard::TrainingWizard(QWidget *parent)
    : QWizard(parent), m_devices(availableDevices()), m_previewTimer(new QTimer(this))
{
    setWindowTitle(tr("New training run"));
    setPage(DatasetPage, new CheckedPage(tr("Dataset"), tr("The images to train on, and how much of them."),
                                         buildDatasetPage(), [this] { return validateDataset(); },
                                         [this] { schedulePreview(); }));
    setPage(ModelPage, new CheckedPage(tr("Model"), tr("The network and the size of its k-NN probes."),
                                       buildModelPage(), [this] { return validateModel(); }));
    setPage(TrainingPage, new CheckedPage(tr("Training"), tr("Optimiser, schedule, regime and device."),
                                          buildTrainingPage(), [this] { return validateTraining(); }));
    setPage(StudyPage,
            new CheckedPage(tr("Study"),
                            tr("Several models on complementary subsets give prediction depth, "
                               "consistency and memorisation per example."),
                            buildStudyPage(), [this] { return validateStudy(); }));
    setPage(OutputPage, new CheckedPage(tr("Output"), tr("Where the run file is written."), buildOutputPage(),
                                        [this] { return validateOutput(); }, [this] {
                                            if (!m_outputEdited)
                                                m_output->setText(defaultOutput());
                                            updateOverwrite();
                                        }));

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

    m_previewTimer->setSingleShot(true);
    m_previewTimer->setInterval(300);
    connect(m_previewTimer, &QTimer::timeout, this, [this] {
        const QString key = datasetKey();
        if (m_preview && m_preview->key == key) {
            // Back to the dataset already shown while another one was loading.
            if (m_pendingKey != key) {
                m_pendingKey = key;
                showPreview(m_preview);
            }
        } else if (m_pendingKey != key) {
            startPreview();
        }
    });
    connect(&m_watcher, &QFutureWatcher<std::shared_ptr<DatasetPreview>>::finished, this, [this] {
        const auto result = m_watcher.result();
        if (result->key == datasetKey() && m_preview != result)
            showPreview(result);
    });

    setConfig(defaultConfig(m_devices));
    m_outputEdited = false;
    resize(720, 620);
}

TrainingWizard::~TrainingWizard() = default;

RunConfig TrainingWizard::defaultConfig(const DeviceInfo &devices)
{
    RunConfig c = studioStudyConfig(devices.cuda);
    c.output = QDir::home().filePath(QStringLiteral("pdepth-runs/fashion-mnist-study.h5")).toStdString();
    return c;
}

// --- pages -----------------------------------------------------------------

QWidget *TrainingWizard::buildDatasetPage()
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

    m_previewLabel = new QLabel;
    m_previewLabel->setObjectName(QStringLiteral("previewStatus"));
    m_previewLabel->setWordWrap(true);
    auto *grid = new QWidget;
    m_previewGrid = new QGridLayout(grid);
    m_previewGrid->setSpacing(2);
    auto *scroll = new QScrollArea;
    scroll->setWidget(grid);
    scroll->setWidgetResizable(true);
    scroll->setMinimumHeight(160);

    auto *layout = new QVBoxLayout(w);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(form);
    layout->addWidget(m_previewLabel);
    layout->addWidget(scroll, 1);

    connect(m_source, &QComboBox::currentIndexChanged, this, [this] {
        updateEnabled();
        schedulePreview();
    });
    connect(m_format, &QComboBox::currentIndexChanged, this, [this] { schedulePreview(); });
    connect(m_path, &QLineEdit::textEdited, this, [this] {
        m_customName.clear();
        schedulePreview();
    });
    connect(m_path, &QLineEdit::textChanged, this, [this] { schedulePreview(); });
    connect(m_noise, &QComboBox::currentIndexChanged, this, [this] { updateEnabled(); });
    connect(m_browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Dataset folder"), m_path->text());
        if (dir.isEmpty())
            return;
        m_customName.clear();
        m_path->setText(dir);
    });
    return w;
}

QWidget *TrainingWizard::buildModelPage()
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
    return w;
}

QWidget *TrainingWizard::buildTrainingPage()
{
    auto *w = new QWidget;
    m_optimizer = settingCombo<Optimizer>(QStringLiteral("optimizer"));
    m_lr = doubleSpin(QStringLiteral("lr"), 0.0, 100.0, 6, 0.01);
    m_schedule = settingCombo<Schedule>(QStringLiteral("schedule"));
    m_warmup = doubleSpin(QStringLiteral("warmup"), 0.0, 100000.0, 2, 0.5);
    m_epochs = spin(QStringLiteral("epochs"), 0, 100000);
    m_batch = spin(QStringLiteral("batchSize"), 0, 1 << 20);
    m_crop = new QCheckBox(tr("random crop"));
    m_crop->setObjectName(QStringLiteral("augmentCrop"));
    m_flip = new QCheckBox(tr("horizontal flip"));
    m_flip->setObjectName(QStringLiteral("augmentFlip"));
    m_regime = settingCombo<Regime>(QStringLiteral("regime"));
    m_regime->setToolTip(tr("llf re-initialises the late layers every generation; seal also lets the "
                            "early layers ascend the loss for a while"));
    m_generations = spin(QStringLiteral("generations"), 0, 1000);
    m_sealFraction = doubleSpin(QStringLiteral("sealFraction"), 0.0, 1.0, 3, 0.05);
    m_sealFactor = doubleSpin(QStringLiteral("sealLrFactor"), -100.0, 100.0, 4, 0.01);
    m_device = settingCombo<DeviceChoice>(QStringLiteral("device"));
    if (!m_devices.cuda)
        if (auto *model = qobject_cast<QStandardItemModel *>(m_device->model()))
            model->item(m_device->findText(QString::fromLatin1(settingName(DeviceChoice::Cuda))))->setEnabled(false);
    m_seed = spin(QStringLiteral("seed"), 0, std::numeric_limits<int>::max());

    auto *augment = new QHBoxLayout;
    augment->addWidget(m_crop);
    augment->addWidget(m_flip);
    augment->addStretch(1);
    auto *device = new QHBoxLayout;
    device->addWidget(m_device);
    device->addWidget(new QLabel(tr("Found: %1").arg(QString::fromStdString(m_devices.description))), 1);
    auto *form = new QFormLayout(w);
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("Optimiser"), m_optimizer);
    form->addRow(tr("Learning rate"), m_lr);
    form->addRow(tr("Schedule"), m_schedule);
    form->addRow(tr("Warm-up epochs"), m_warmup);
    form->addRow(tr("Epochs"), m_epochs);
    form->addRow(tr("Batch size"), m_batch);
    form->addRow(tr("Augmentation"), augment);
    form->addRow(tr("Regime"), m_regime);
    form->addRow(tr("Generations"), m_generations);
    form->addRow(tr("SEAL ascent share"), m_sealFraction);
    form->addRow(tr("SEAL lr factor"), m_sealFactor);
    form->addRow(tr("Device"), device);
    form->addRow(tr("Seed"), m_seed);
    connect(m_regime, &QComboBox::currentIndexChanged, this, [this] { updateEnabled(); });
    return w;
}

QWidget *TrainingWizard::buildStudyPage()
{
    auto *w = new QWidget;
    m_models = spin(QStringLiteral("models"), 0, 100000);
    m_ratio = doubleSpin(QStringLiteral("ratio"), 0.0, 10.0, 3, 0.05);
    m_ratio->setToolTip(tr("Share of the train examples each model trains on; 0.5 pairs complementary halves, "
                           "so every example is held out from half of the models"));
    m_jobs = spin(QStringLiteral("jobs"), 1, 64);
    m_jobs->setToolTip(tr("Train this many models at the same time, each in its own pdepth process, to keep a "
                          "big GPU busy; each model appears in the views when it finishes (no live curves)"));
    m_k = spin(QStringLiteral("k"), 0, 1000000);
    m_probe = new QCheckBox(tr("Compute prediction depth (k-NN probes after training)"));
    m_probe->setObjectName(QStringLiteral("probe"));
    m_embeddings = combo(QStringLiteral("embeddings"), {QStringLiteral("none"), QStringLiteral("all")});
    m_embeddings->setToolTip(tr("Store every probe's embeddings (float16) for the 3-D embedding view"));
    auto *form = new QFormLayout(w);
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("Models"), m_models);
    form->addRow(tr("Split ratio"), m_ratio);
    form->addRow(tr("Models at once"), m_jobs);
    form->addRow(QString(), m_probe);
    form->addRow(tr("k (neighbours)"), m_k);
    form->addRow(tr("Store embeddings"), m_embeddings);
    connect(m_models, &QSpinBox::valueChanged, this, [this] { updateEnabled(); });
    connect(m_probe, &QCheckBox::toggled, this, [this] { updateEnabled(); });
    return w;
}

int TrainingWizard::concurrentMembers() const
{
    return m_models->value() > 1 ? m_jobs->value() : 1;
}

void TrainingWizard::setConcurrentMembers(int members)
{
    m_jobs->setValue(members);
}

QWidget *TrainingWizard::buildOutputPage()
{
    auto *w = new QWidget;
    m_output = new QLineEdit;
    m_output->setObjectName(QStringLiteral("output"));
    auto *browse = new QPushButton(tr("Browse…"));
    m_outputNote = new QLabel;
    m_outputNote->setWordWrap(true);
    m_overwrite = new QCheckBox(tr("Overwrite the existing file"));
    m_overwrite->setObjectName(QStringLiteral("overwrite"));
    m_overwrite->hide();
    auto *row = new QHBoxLayout;
    row->addWidget(m_output, 1);
    row->addWidget(browse);
    auto *form = new QFormLayout(w);
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("Run file"), row);
    form->addRow(QString(), m_outputNote);
    form->addRow(QString(), m_overwrite);
    connect(m_output, &QLineEdit::textEdited, this, [this] { m_outputEdited = true; });
    connect(m_output, &QLineEdit::textChanged, this, [this] { updateOverwrite(); });
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Run file"), m_output->text(),
                                                          tr("Run files (*.h5)"), nullptr,
                                                          QFileDialog::DontConfirmOverwrite);
        if (path.isEmpty())
            return;
        m_outputEdited = true;
        m_output->setText(path);
    });
    return w;
}

// --- configuration ------------------------------------------------------------

bool TrainingWizard::catalogueMode() const
{
    return m_source->currentIndex() < static_cast<int>(datasetCatalogue().size());
}

DatasetSpec TrainingWizard::datasetSpec() const
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

QString TrainingWizard::datasetKey() const
{
    const DatasetSpec s = datasetSpec();
    return QString::fromStdString(s.name + '\n' + s.format + '\n' + s.path);
}

RunConfig TrainingWizard::config() const
{
    RunConfig c = m_base;
    c.dataset = datasetSpec();
    c.limit = m_limit->value();
    c.testLimit = m_testLimit->value();
    c.noise.kind = comboSetting<NoiseSpec::Kind>(m_noise);
    c.noise.fraction = c.noise.kind == NoiseSpec::Kind::None ? 0.0 : m_noiseFraction->value();

    c.model.arch = m_arch->currentText().toStdString();
    c.model.widthMultiplier = m_width->value();
    c.study.maxFeatures = m_maxFeatures->value();

    auto &t = c.train;
    t.optimizer = comboSetting<Optimizer>(m_optimizer);
    t.lr = m_lr->value();
    t.schedule = comboSetting<Schedule>(m_schedule);
    t.warmupEpochs = m_warmup->value();
    t.epochs = m_epochs->value();
    t.batchSize = m_batch->value();
    t.augmentCrop = m_crop->isChecked();
    t.augmentFlip = m_flip->isChecked();
    t.regime = comboSetting<Regime>(m_regime);
    t.generations = t.generational() ? m_generations->value() : 1;
    t.sealFraction = m_sealFraction->value();
    t.sealLrFactor = m_sealFactor->value();
    t.device = comboSetting<DeviceChoice>(m_device);
    t.seed = static_cast<std::uint64_t>(m_seed->value());

    c.study.models = m_models->value();
    // One model trains on everything; a share below 1 needs partners that see the rest.
    c.study.ratio = c.study.models == 1 ? 1.0 : m_ratio->value();
    c.study.member = std::min(c.study.member, std::max(0, c.study.models - 1));
    c.study.probe = c.study.models > 1 || m_probe->isChecked();
    c.study.k = m_k->value();
    c.study.embeddings = m_embeddings->currentText().toStdString();
    c.output = m_output->text().trimmed().toStdString();
    return c;
}

void TrainingWizard::setConfig(const RunConfig &c)
{
    m_base = c;
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

    selectText(m_arch, QString::fromStdString(c.model.arch));
    m_width->setValue(c.model.widthMultiplier);
    m_maxFeatures->setValue(static_cast<int>(std::min<std::int64_t>(c.study.maxFeatures, m_maxFeatures->maximum())));

    const auto &t = c.train;
    selectSetting(m_optimizer, t.optimizer);
    m_lr->setValue(t.lr);
    selectSetting(m_schedule, t.schedule);
    m_warmup->setValue(t.warmupEpochs);
    m_epochs->setValue(t.epochs);
    m_batch->setValue(t.batchSize);
    m_crop->setChecked(t.augmentCrop);
    m_flip->setChecked(t.augmentFlip);
    selectSetting(m_regime, t.regime);
    m_generations->setValue(t.generations);
    m_sealFraction->setValue(t.sealFraction);
    m_sealFactor->setValue(t.sealLrFactor);
    selectSetting(m_device, t.device);
    m_seed->setValue(static_cast<int>(std::min<std::uint64_t>(t.seed, std::numeric_limits<int>::max())));

    m_models->setValue(c.study.models);
    m_ratio->setValue(c.study.ratio);
    m_k->setValue(c.study.k);
    m_probe->setChecked(c.study.probe);
    selectText(m_embeddings, QString::fromStdString(c.study.embeddings));
    m_output->setText(QString::fromStdString(c.output));
    m_outputEdited = true;
    updateEnabled();
    schedulePreview();
}

void TrainingWizard::updateEnabled()
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
    const Regime regime = comboSetting<Regime>(m_regime);
    m_generations->setEnabled(regime != Regime::Standard);
    m_sealFraction->setEnabled(regime == Regime::Seal);
    m_sealFactor->setEnabled(regime == Regime::Seal);
    const bool study = m_models->value() > 1;
    m_ratio->setEnabled(study);
    m_jobs->setEnabled(study);
    m_probe->setEnabled(!study);
    const bool probe = study || m_probe->isChecked();
    m_k->setEnabled(probe);
    m_embeddings->setEnabled(probe);
}

// --- dataset preview -----------------------------------------------------------

void TrainingWizard::schedulePreview()
{
    m_previewTimer->start();
}

void TrainingWizard::startPreview()
{
    m_pendingKey = datasetKey();
    m_previewLabel->setStyleSheet(QString());
    m_previewLabel->setText(tr("Loading…"));
    m_watcher.setFuture(QtConcurrent::run(loadPreview, datasetSpec(), m_pendingKey));
}

const DatasetPreview &TrainingWizard::awaitPreview()
{
    const QString key = datasetKey();
    if (!m_preview || m_preview->key != key) {
        if (m_pendingKey != key)
            startPreview();
        m_previewTimer->stop();
        m_watcher.waitForFinished();
        showPreview(m_watcher.result());
    }
    return *m_preview;
}

void TrainingWizard::showPreview(const std::shared_ptr<DatasetPreview> &preview)
{
    m_preview = preview;
    while (QLayoutItem *item = m_previewGrid->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    if (!preview->error.isEmpty()) {
        m_previewLabel->setStyleSheet(QStringLiteral("color: #c62828;"));
        m_previewLabel->setText(preview->error);
        return;
    }
    m_previewLabel->setStyleSheet(QString());
    m_previewLabel->setText(preview->summary);
    for (int c = 0; c < preview->classes.size(); ++c) {
        const auto &row = preview->classes[c];
        auto *name = new QLabel(tr("%1\n%2 train, %3 test").arg(row.name).arg(row.train).arg(row.test));
        m_previewGrid->addWidget(name, c, 0);
        for (int i = 0; i < row.thumbnails.size(); ++i) {
            auto *thumb = new QLabel;
            thumb->setPixmap(QPixmap::fromImage(row.thumbnails[i].scaled(kThumbnailSize, kThumbnailSize,
                                                                         Qt::KeepAspectRatio,
                                                                         Qt::FastTransformation)));
            m_previewGrid->addWidget(thumb, c, i + 1);
        }
    }
    m_previewGrid->setColumnStretch(kThumbnails + 1, 1);
}

QString TrainingWizard::previewStatus() const
{
    return m_previewLabel->text();
}

int TrainingWizard::previewClassCount() const
{
    return m_preview && m_preview->error.isEmpty() ? m_preview->classes.size() : 0;
}

// --- validation --------------------------------------------------------------

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

QString TrainingWizard::validateDataset()
{
    const QString path = m_path->text().trimmed();
    if (!catalogueMode() && path.isEmpty())
        return tr("Choose the dataset folder.");
    if (!path.isEmpty() && !QFileInfo::exists(path))
        return tr("%1: no such file or folder").arg(path);
    const DatasetPreview &preview = awaitPreview();
    if (!preview.error.isEmpty())
        return preview.error;
    if (comboSetting<NoiseSpec::Kind>(m_noise) == NoiseSpec::Kind::Asymmetric && m_base.noise.classMap.empty())
        return tr("Asymmetric noise needs a class map: load a configuration file that has one.");
    return configError(DatasetPage);
}

QString TrainingWizard::validateModel()
{
    if (!(m_width->value() > 0))
        return tr("The width multiplier must be positive.");
    return configError(ModelPage);
}

QString TrainingWizard::validateTraining()
{
    if (comboSetting<DeviceChoice>(m_device) == DeviceChoice::Cuda && !m_devices.cuda)
        return tr("No CUDA device was found on this machine: choose auto or cpu.");
    return configError(TrainingPage);
}

QString TrainingWizard::validateStudy()
{
    if (const QString e = configError(StudyPage); !e.isEmpty())
        return e;
    const RunConfig c = config();
    if (!c.study.probe || !m_preview || m_preview->key != datasetKey() || !m_preview->error.isEmpty())
        return {};
    // The probes of a model use the examples it trained on as their k-NN support
    // (see memberMask): half of the kept train split for paired halves.
    const std::int64_t n = c.limit > 0 ? std::min<std::int64_t>(c.limit, m_preview->trainSize) : m_preview->trainSize;
    const bool paired = c.study.ratio == 0.5 && c.study.models % 2 == 0;
    const std::int64_t support = c.study.ratio >= 1.0 ? n
                                 : paired             ? n / 2
                                                      : std::llround(c.study.ratio * double(n));
    if (c.study.k >= support)
        return tr("k = %1 is too large: each model trains on %2 examples (ratio %3 of %4), and the k-NN "
                  "probes need more support examples than k.")
            .arg(c.study.k)
            .arg(support)
            .arg(c.study.ratio)
            .arg(n);
    return {};
}

QString TrainingWizard::validateOutput()
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
    return configError(OutputPage);
}

QString TrainingWizard::pageError() const
{
    return pageError(currentId());
}

QString TrainingWizard::pageError(int id) const
{
    const auto *p = dynamic_cast<const CheckedPage *>(page(id));
    return p ? p->error() : QString();
}

QString TrainingWizard::checkPage(int id)
{
    auto *p = dynamic_cast<CheckedPage *>(page(id));
    return p ? p->check() : QString();
}

void TrainingWizard::showError(const QString &text)
{
    if (auto *p = dynamic_cast<CheckedPage *>(currentPage()))
        p->setError(text);
}

QString TrainingWizard::defaultOutput() const
{
    const DatasetSpec s = datasetSpec();
    QString name = QString::fromStdString(s.name);
    if (name.isEmpty())
        name = QFileInfo(QString::fromStdString(s.path)).fileName();
    if (name.isEmpty())
        name = QStringLiteral("dataset");
    const QString kind = m_models->value() > 1 ? QStringLiteral("study") : QStringLiteral("run");
    return QDir::home().filePath(QStringLiteral("pdepth-runs/%1-%2.h5").arg(name, kind));
}

void TrainingWizard::updateOverwrite()
{
    const QString path = m_output->text().trimmed();
    const bool exists = !path.isEmpty() && QFileInfo(path).isFile();
    m_overwrite->setVisible(exists);
    if (!exists)
        m_overwrite->setChecked(false);
    QString note;
    if (exists)
        note = tr("This file exists.");
    if (m_models->value() > 1)
        note += (note.isEmpty() ? QString() : QStringLiteral(" "))
                + tr("Each model is written to its own file in %1; finished models of the same "
                     "configuration are reused when the study is run again.")
                      .arg(QFileInfo(QString::fromStdString(memberPath(path.toStdString(), 0))).path());
    m_outputNote->setText(note);
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
