#pragma once

#include "train/job.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QVector>
#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;

namespace pds {

class TrainingRunner;

/// A small live chart of per-epoch curves, drawn with QPainter so it works
/// offscreen: train loss (solid, left axis) and test accuracy (dashed, right
/// axis, 0–100 %) of every model, one colour per model.
class CurveChart : public QWidget {
    Q_OBJECT
public:
    explicit CurveChart(QWidget *parent = nullptr);

    void clear();
    /// Grows the x axis to at least `epochs` epochs.
    void setEpochs(int epochs);
    void addPoint(int model, int epoch, double trainLoss, double testAccuracy);
    /// Points recorded for `model` (0 if none).
    int pointCount(int model) const;
    int modelCount() const { return m_models.size(); }

    QSize sizeHint() const override { return {360, 160}; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    struct Point {
        int epoch;
        double trainLoss;
        double testAccuracy;
    };
    QVector<QVector<Point>> m_models;
    int m_epochs = 1;
};

/// Shows a TrainingRunner's job as it runs: phase, model, epoch and step, a
/// progress bar, speed and ETA, live curves, a Cancel button, and how it ended.
class ProgressPanel : public QWidget {
    Q_OBJECT
public:
    explicit ProgressPanel(QWidget *parent = nullptr);

    /// Follows `runner` (not owned); replaces any runner followed before.
    void setRunner(TrainingRunner *runner);

    CurveChart *chart() const { return m_chart; }
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
    CurveChart *m_chart;
    QPushButton *m_cancel;
    QElapsedTimer m_modelClock; ///< since the current model started, for the study's ETA
    int m_model = -1;
    bool m_cancelling = false;
};

} // namespace pds
