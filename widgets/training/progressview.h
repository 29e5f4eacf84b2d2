#pragma once

#include "train/job.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;

namespace pds {

class LiveCurves;
class TrainingRunner;

/// The Training dock: shows a TrainingRunner's job as it runs: phase, model,
/// epoch and step, a progress bar, speed and ETA, live curves, a Cancel
/// button, and how it ended.
class ProgressView : public QWidget {
    Q_OBJECT
public:
    explicit ProgressView(QWidget *parent = nullptr);

    /// Follows `runner` (not owned); replaces any runner followed before.
    void setRunner(TrainingRunner *runner);

    LiveCurves *curves() const { return m_curves; }
    /// The headline: what runs now, or how the job ended.
    QString stateText() const;
    /// The details line under it (step, speed, ETA, or the file / error message).
    QString detailText() const;
    /// Overall progress in per mille.
    int progressValue() const;

private:
    void onStarted(const QString &output);
    void onProgress(const Progress &p);
    void onEpochFinished(int model, int epoch, double trainLoss, double trainAccuracy, double testLoss,
                         double testAccuracy);
    void onEnded(const QString &state, const QString &detail, bool error);

    QPointer<TrainingRunner> m_runner;
    QLabel *m_state;
    QLabel *m_detail;
    QProgressBar *m_bar;
    LiveCurves *m_curves;
    QPushButton *m_cancel;
    QElapsedTimer m_modelClock; ///< since the current model started, for the study's ETA
    int m_model = -1;
    bool m_cancelling = false;
};

} // namespace pds
