#include "training/slurmprogressview.h"

#include "store/schema.h"
#include "util/error.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace pds {

namespace {

QColor stateColour(SlurmTaskState state)
{
    switch (state) {
    case SlurmTaskState::Finished:
        return QColor(0x2e, 0x7d, 0x32);
    case SlurmTaskState::Running:
        return QColor(0x15, 0x65, 0xc0);
    case SlurmTaskState::Failed:
        return QColor(0xc6, 0x28, 0x28);
    case SlurmTaskState::Pending:
    case SlurmTaskState::NotSubmitted:
        break;
    }
    return QColor(0x61, 0x61, 0x61);
}

QString why(const SlurmTaskStatus &t)
{
    QStringList parts;
    if (!t.scheduler.empty())
        parts << QString::fromStdString(t.scheduler);
    if (!t.detail.empty())
        parts << QString::fromStdString(t.detail);
    return parts.join(QStringLiteral("; "));
}

} // namespace

SlurmProgressView::SlurmProgressView(QWidget *parent) : QWidget(parent)
{
    m_headline = new QLabel(tr("No Slurm study followed. Choose “Run on: Slurm cluster” in the New study wizard, "
                               "or Follow… the slurm.json beside the members of a study submitted earlier."));
    m_headline->setObjectName(QStringLiteral("slurmHeadline"));
    m_headline->setWordWrap(true);
    QFont bold = m_headline->font();
    bold.setBold(true);
    m_headline->setFont(bold);
    m_members = new QTableWidget(0, 4);
    m_members->setObjectName(QStringLiteral("slurmMembers"));
    m_members->setHorizontalHeaderLabels({tr("Member"), tr("State"), tr("Job"), tr("Scheduler")});
    m_members->horizontalHeader()->setStretchLastSection(true);
    m_members->verticalHeader()->hide();
    m_members->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_members->setSelectionMode(QAbstractItemView::NoSelection);
    m_merge = new QLabel;
    m_merge->setObjectName(QStringLiteral("slurmMerge"));
    m_merge->setWordWrap(true);
    m_source = new QLabel;
    m_source->setObjectName(QStringLiteral("slurmSource"));
    m_source->setWordWrap(true);
    m_failures = new QPlainTextEdit;
    m_failures->setObjectName(QStringLiteral("slurmFailures"));
    m_failures->setReadOnly(true);
    m_failures->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_failures->setPlaceholderText(tr("The last log lines of a failed task appear here."));
    m_failures->setMaximumHeight(160);
    auto *choose = new QPushButton(tr("Follow…"));
    choose->setToolTip(tr("Follow a study submitted to Slurm earlier (by the Studio or pdepth study --slurm)"));
    auto *again = new QPushButton(tr("Refresh"));
    m_open = new QPushButton(tr("Open study"));
    m_open->setEnabled(false);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(choose);
    buttons->addStretch(1);
    buttons->addWidget(again);
    buttons->addWidget(m_open);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_headline);
    layout->addWidget(m_members, 1);
    layout->addWidget(m_merge);
    layout->addWidget(m_source);
    layout->addWidget(m_failures);
    layout->addLayout(buttons);

    m_timer.setInterval(10000);
    connect(&m_timer, &QTimer::timeout, this, &SlurmProgressView::refresh);
    connect(again, &QPushButton::clicked, this, &SlurmProgressView::refresh);
    connect(choose, &QPushButton::clicked, this, [this] {
        const QString study = QFileDialog::getOpenFileName(this, tr("Follow a study on Slurm"), QString(),
                                                           tr("Slurm submissions (slurm.json);;All files (*)"));
        if (!study.isEmpty())
            follow(study);
    });
    connect(m_open, &QPushButton::clicked, this, [this] { Q_EMIT studyMerged(m_result); });
    connect(&m_watcher, &QFutureWatcher<Reading>::finished, this, [this] {
        const Reading reading = m_watcher.result();
        if (reading.generation == m_generation)
            display(reading);
        else
            refresh();
    });
}

SlurmProgressView::~SlurmProgressView()
{
    m_watcher.waitForFinished();
}

void SlurmProgressView::follow(const QString &stateFile)
{
    m_stateFile = stateFile;
    ++m_generation;
    m_announced = false;
    m_result.clear();
    m_open->setEnabled(false);
    m_members->setRowCount(0);
    m_failures->clear();
    m_headline->setText(tr("Reading %1…").arg(stateFile));
    m_timer.start();
    refresh();
}

void SlurmProgressView::refresh()
{
    if (m_stateFile.isEmpty() || m_watcher.isRunning())
        return;
    const std::string file = m_stateFile.toStdString();
    m_watcher.setFuture(QtConcurrent::run([file, generation = m_generation] {
        Reading r;
        r.generation = generation;
        try {
            r.status = slurmStatus(file);
        } catch (const std::exception &e) {
            r.error = QString::fromStdString(e.what());
        }
        return r;
    }));
}

void SlurmProgressView::display(const Reading &reading)
{
    if (!reading.error.isEmpty()) {
        m_headline->setText(tr("Cannot read the Slurm study: %1").arg(reading.error));
        Q_EMIT refreshed();
        return;
    }
    const SlurmStatus &s = reading.status;
    m_result = QString::fromStdString(s.result);
    QStringList counts;
    for (SlurmTaskState k : {SlurmTaskState::Finished, SlurmTaskState::Running, SlurmTaskState::Pending,
                             SlurmTaskState::Failed, SlurmTaskState::NotSubmitted})
        if (s.count(k) > 0)
            counts << QStringLiteral("%1 %2").arg(s.count(k)).arg(QString::fromLatin1(slurmTaskStateName(k)));
    m_headline->setText(tr("%1 on Slurm, %2 members: %3")
                            .arg(QFileInfo(m_result).fileName())
                            .arg(s.members.size())
                            .arg(counts.join(QStringLiteral(", "))));
    m_members->setRowCount(static_cast<int>(s.members.size()));
    for (std::size_t i = 0; i < s.members.size(); ++i) {
        const SlurmTaskStatus &t = s.members[i];
        const int row = static_cast<int>(i);
        auto *state = new QTableWidgetItem(QString::fromLatin1(slurmTaskStateName(t.state)));
        state->setForeground(stateColour(t.state));
        m_members->setItem(row, 0, new QTableWidgetItem(QString::fromStdString(schema::modelName(t.member))));
        m_members->setItem(row, 1, state);
        m_members->setItem(row, 2, new QTableWidgetItem(QString::fromStdString(t.job)));
        m_members->setItem(row, 3, new QTableWidgetItem(why(t)));
        m_members->item(row, 3)->setToolTip(QString::fromStdString(t.output));
    }
    m_merge->setText(tr("Merge job %1: %2%3")
                         .arg(QString::fromStdString(s.mergeJob), QString::fromLatin1(slurmTaskStateName(s.merge.state)),
                              why(s.merge).isEmpty() ? QString() : QStringLiteral(" (%1)").arg(why(s.merge))));
    m_source->setText(s.accounting
                          ? tr("States from sacct, squeue and the member files.")
                          : tr("States from squeue and the member files only (%1): a job that has left squeue "
                               "is judged from its files.")
                                .arg(QString::fromStdString(s.accountingNote)));
    QStringList failures;
    auto addFailure = [&failures](const QString &name, const SlurmTaskStatus &t) {
        if (t.state != SlurmTaskState::Failed || (t.member < 0 && t.lastLines.empty()))
            return;
        failures << tr("%1 failed (%2), last lines of %3:").arg(name, why(t), QString::fromStdString(t.log));
        for (const std::string &line : t.lastLines)
            failures << QStringLiteral("  ") + QString::fromStdString(line);
        if (t.lastLines.empty())
            failures << tr("  (the log is empty or missing)");
    };
    for (const SlurmTaskStatus &t : s.members)
        addFailure(QString::fromStdString(schema::modelName(t.member)), t);
    addFailure(tr("merge job"), s.merge);
    m_failures->setPlainText(failures.join(QLatin1Char('\n')));
    m_open->setEnabled(s.merged);
    Q_EMIT refreshed();
    if (s.merged && !m_announced) {
        m_announced = true;
        m_timer.stop();
        Q_EMIT studyMerged(m_result);
    }
}

QString SlurmProgressView::stateText() const
{
    return m_headline->text();
}

QString SlurmProgressView::memberState(int member) const
{
    const QTableWidgetItem *item = member < m_members->rowCount() ? m_members->item(member, 1) : nullptr;
    return item ? item->text() : QString();
}

QString SlurmProgressView::mergeText() const
{
    return m_merge->text();
}

QString SlurmProgressView::sourceText() const
{
    return m_source->text();
}

QString SlurmProgressView::failuresText() const
{
    return m_failures->toPlainText();
}

} // namespace pds
