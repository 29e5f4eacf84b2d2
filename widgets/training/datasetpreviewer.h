#pragma once

// The dataset page's preview: DatasetPreviewer loads a dataset in the
// background and shows it; DatasetPreview is what it loads.

#include "data/catalogue.h"

#include <QFutureWatcher>
#include <QImage>
#include <QString>
#include <QVector>
#include <QWidget>

#include <functional>
#include <memory>

class QGridLayout;
class QLabel;
class QTimer;

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

/// A headline and a grid of every class with its counts and a few thumbnails,
/// of whichever dataset `current` names. schedule() after a change of choice
/// loads it on a pool thread once the choice has settled for a moment.
class DatasetPreviewer : public QWidget {
    Q_OBJECT
public:
    explicit DatasetPreviewer(std::function<DatasetSpec()> current, QWidget *parent = nullptr);
    ~DatasetPreviewer() override;

    /// Loads the current choice shortly, unless it is shown or loading already.
    void schedule();
    /// The preview of the current choice, loading it first if needed.
    const DatasetPreview &await();
    /// The preview shown if it is of the current choice, else nullptr.
    const DatasetPreview *shown() const;

    /// The headline: "Loading…", a summary of the dataset, or its error.
    QString status() const;
    /// Classes shown (0 until the preview has loaded, or when it failed).
    int classCount() const;

private:
    QString currentKey() const;
    void start();
    void display(const std::shared_ptr<DatasetPreview> &preview);

    std::function<DatasetSpec()> m_current;
    QLabel *m_label;
    QGridLayout *m_grid;
    QTimer *m_timer;
    QFutureWatcher<std::shared_ptr<DatasetPreview>> m_watcher;
    QString m_pendingKey;
    std::shared_ptr<DatasetPreview> m_preview;
};

} // namespace pds
