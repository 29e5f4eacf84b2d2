#pragma once

#include "train/job.h"

#include <QMetaType>
#include <QObject>
#include <QString>

Q_DECLARE_METATYPE(pds::Progress)

namespace pds {

/// The signals of a training job: TrainingRunner emits them on the GUI
/// thread, the EventForwarder on its behalf as the job's events arrive.
class TrainingSignals : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

Q_SIGNALS:
    void progress(const pds::Progress &progress);
    void epochFinished(int model, int epoch, double trainLoss, double trainAccuracy, double testLoss,
                       double testAccuracy);
    /// The file now holding the newest state (a `.part` file while training), for live reloading.
    void fileUpdated(const QString &path);
    void message(const QString &text);
    /// The job completed; `path` is the finished run or study file.
    void finished(const QString &path);
    /// The job was cancelled; `path` is the file left behind (valid, status incomplete).
    void cancelled(const QString &path);
    /// The job failed; `message` says why (bad data, divergence, unwritable output ...).
    void failed(const QString &message);
};

} // namespace pds
