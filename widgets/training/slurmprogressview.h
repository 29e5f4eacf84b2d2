#pragma once

#include "study/slurm.h"

#include <QFutureWatcher>
#include <QString>
#include <QTimer>
#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;

namespace pds {

/// The Slurm dock: follows a study (or any batch) submitted to Slurm through
/// its slurm.json, as `pdepth status` does: each member pending, running,
/// finished or failed, the merge job, where those states come from, and the
/// last log lines of a failed task. The status is read with slurmStatus() on
/// a worker thread (it runs squeue and sacct and opens the member files)
/// every few seconds; when the merge has written the study, studyMerged()
/// is emitted once and the view stops polling.
class SlurmProgressView : public QWidget {
    Q_OBJECT
public:
    explicit SlurmProgressView(QWidget *parent = nullptr);
    ~SlurmProgressView() override;

    /// Follows the submission recorded in `stateFile` (a batch's slurm.json),
    /// replacing the one followed before, and reads its status now.
    void follow(const QString &stateFile);
    QString stateFile() const { return m_stateFile; }
    /// Milliseconds between two reads of the status (10 s by default).
    void setRefreshInterval(int ms) { m_timer.setInterval(ms); }
    /// Reads the status again (on a worker thread) unless a read is under way.
    void refresh();

    /// The headline: the study and how many members are in each state, or why
    /// the status cannot be read.
    QString stateText() const;
    /// "finished", "running", "pending", "failed" or "not submitted" of member `m`.
    QString memberState(int member) const;
    /// The merge job's line.
    QString mergeText() const;
    /// Where the states come from (says when sacct is not available).
    QString sourceText() const;
    /// The last log lines of each failed task.
    QString failuresText() const;

Q_SIGNALS:
    /// A status read has been shown.
    void refreshed();
    /// The merge job has written the study file `path`.
    void studyMerged(const QString &path);

private:
    /// What a read on the worker thread brings back.
    struct Reading {
        SlurmStatus status;
        QString error;
        int generation = 0; ///< of the follow() it was read for
    };
    void display(const Reading &reading);

    QString m_stateFile;
    QTimer m_timer;
    QFutureWatcher<Reading> m_watcher;
    int m_generation = 0; ///< counts follow() calls, so a read for an earlier study is dropped
    bool m_announced = false;
    QLabel *m_headline;
    QTableWidget *m_members;
    QLabel *m_merge;
    QLabel *m_source;
    QPlainTextEdit *m_failures;
    QPushButton *m_open;
    QString m_result;
};

} // namespace pds
