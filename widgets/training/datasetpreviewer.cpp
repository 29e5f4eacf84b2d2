#include "training/datasetpreviewer.h"

#include <QGridLayout>
#include <QLabel>
#include <QPixmap>
#include <QScrollArea>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cstdint>

namespace pds {

namespace {

constexpr int kThumbnails = 8;
constexpr int kThumbnailSize = 32;

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

} // namespace

DatasetPreviewer::DatasetPreviewer(std::function<DatasetSpec()> current, QWidget *parent)
    : QWidget(parent), m_current(std::move(current)), m_label(new QLabel), m_timer(new QTimer(this))
{
    m_label->setObjectName(QStringLiteral("previewStatus"));
    m_label->setWordWrap(true);
    auto *grid = new QWidget;
    m_grid = new QGridLayout(grid);
    m_grid->setSpacing(2);
    auto *scroll = new QScrollArea;
    scroll->setWidget(grid);
    scroll->setWidgetResizable(true);
    scroll->setMinimumHeight(160);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_label);
    layout->addWidget(scroll, 1);

    m_timer->setSingleShot(true);
    m_timer->setInterval(300);
    connect(m_timer, &QTimer::timeout, this, [this] {
        const QString key = currentKey();
        if (m_preview && m_preview->key == key) {
            // Back to the dataset already shown while another one was loading.
            if (m_pendingKey != key) {
                m_pendingKey = key;
                display(m_preview);
            }
        } else if (m_pendingKey != key) {
            start();
        }
    });
    connect(&m_watcher, &QFutureWatcher<std::shared_ptr<DatasetPreview>>::finished, this, [this] {
        const auto result = m_watcher.result();
        if (result->key == currentKey() && m_preview != result)
            display(result);
    });
}

DatasetPreviewer::~DatasetPreviewer() = default;

QString DatasetPreviewer::currentKey() const
{
    const DatasetSpec s = m_current();
    return QString::fromStdString(s.name + '\n' + s.format + '\n' + s.path);
}

void DatasetPreviewer::schedule()
{
    m_timer->start();
}

void DatasetPreviewer::start()
{
    m_pendingKey = currentKey();
    m_label->setStyleSheet(QString());
    m_label->setText(tr("Loading…"));
    m_watcher.setFuture(QtConcurrent::run(loadPreview, m_current(), m_pendingKey));
}

const DatasetPreview &DatasetPreviewer::await()
{
    const QString key = currentKey();
    if (!m_preview || m_preview->key != key) {
        if (m_pendingKey != key)
            start();
        m_timer->stop();
        m_watcher.waitForFinished();
        display(m_watcher.result());
    }
    return *m_preview;
}

const DatasetPreview *DatasetPreviewer::shown() const
{
    return m_preview && m_preview->key == currentKey() ? m_preview.get() : nullptr;
}

void DatasetPreviewer::display(const std::shared_ptr<DatasetPreview> &preview)
{
    m_preview = preview;
    while (QLayoutItem *item = m_grid->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    if (!preview->error.isEmpty()) {
        m_label->setStyleSheet(QStringLiteral("color: #c62828;"));
        m_label->setText(preview->error);
        return;
    }
    m_label->setStyleSheet(QString());
    m_label->setText(preview->summary);
    for (int c = 0; c < preview->classes.size(); ++c) {
        const auto &row = preview->classes[c];
        auto *name = new QLabel(tr("%1\n%2 train, %3 test").arg(row.name).arg(row.train).arg(row.test));
        m_grid->addWidget(name, c, 0);
        for (int i = 0; i < row.thumbnails.size(); ++i) {
            auto *thumb = new QLabel;
            thumb->setPixmap(QPixmap::fromImage(row.thumbnails[i].scaled(kThumbnailSize, kThumbnailSize,
                                                                         Qt::KeepAspectRatio,
                                                                         Qt::FastTransformation)));
            m_grid->addWidget(thumb, c, i + 1);
        }
    }
    m_grid->setColumnStretch(kThumbnails + 1, 1);
}

QString DatasetPreviewer::status() const
{
    return m_label->text();
}

int DatasetPreviewer::classCount() const
{
    return m_preview && m_preview->error.isEmpty() ? m_preview->classes.size() : 0;
}

} // namespace pds
