#include "training/trainingrunner.h"

#include "training/eventforwarder.h"

#include "store/runformat.h"
#include "store/schema.h"
#include "study/detachedjob.h"
#include "compare/comparison.h"
#include "sweep/sweepconfig.h"
#include "train/runjob.h"
#include "util/error.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>

#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace pds {

namespace {

/// How often the event log of the followed job is read.
constexpr int kPollMs = 50;

QString absolute(const QString &path)
{
    return QFileInfo(path).absoluteFilePath();
}

std::string readText(const std::string &path)
{
    std::ifstream in(path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

} // namespace

TrainingRunner::TrainingRunner(QObject *parent) : TrainingSignals(parent)
{
    qRegisterMetaType<pds::Progress>();
    m_poll.setInterval(kPollMs);
    connect(&m_poll, &QTimer::timeout, this, &TrainingRunner::poll);
}

TrainingRunner::~TrainingRunner() = default;

QString TrainingRunner::pdepthProgram()
{
    const QString env = qEnvironmentVariable("PDS_PDEPTH");
    return !env.isEmpty() ? env : QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("pdepth"));
}

bool TrainingRunner::refuseWhileRunning(QString *error) const
{
    if (m_running && error)
        *error = tr("a training job is already running (%1)").arg(m_output);
    return m_running;
}

bool TrainingRunner::start(const RunConfig &config, QString *error)
{
    if (refuseWhileRunning(error))
        return false;
    try {
        config.validate();
    } catch (const Error &e) {
        if (error)
            *error = QString::fromStdString(e.what());
        return false;
    }
    const bool study = config.study.models > 1;
    QStringList extra;
    // Always named: the Studio's choice, not pdepth's default for the CPU, sets the members at once.
    if (study)
        extra << QStringLiteral("--jobs") << QString::number(m_concurrentMembers);
    JobHeader header;
    header.kind = study ? "study" : "run";
    header.models = config.study.models;
    header.concurrent = study ? std::min(m_concurrentMembers, config.study.models) : 1;
    return startJob(config, study ? QStringLiteral("study") : QStringLiteral("train"), extra, header, error);
}

QStringList TrainingRunner::sweepArguments(const SweepConfig &sweep)
{
    QStringList sizes;
    for (double size : sweep.sizes)
        sizes << QString::number(size, 'g', 10);
    QStringList args{QStringLiteral("--sizes"), sizes.join(QLatin1Char(','))};
    if (sweep.distill)
        args << QStringLiteral("--distill") << QStringLiteral("--temperature") << QString::number(sweep.temperature, 'g', 10)
             << QStringLiteral("--alpha") << QString::number(sweep.alpha, 'g', 10);
    args << QStringLiteral("--delta") << QString::number(sweep.rule.delta, 'g', 10) << QStringLiteral("--z")
         << QString::number(sweep.rule.z, 'g', 10);
    return args;
}

bool TrainingRunner::startSweep(const SweepConfig &sweep, QString *error)
{
    if (refuseWhileRunning(error))
        return false;
    try {
        sweep.validate();
        sweep.base.validate();
    } catch (const Error &e) {
        if (error)
            *error = QString::fromStdString(e.what());
        return false;
    }
    QStringList extra = sweepArguments(sweep);
    if (m_concurrentMembers > 1)
        extra << QStringLiteral("--jobs") << QString::number(m_concurrentMembers);
    const int sizes = static_cast<int>(sweep.sizes.size());
    JobHeader header;
    header.kind = "sweep";
    // Every size's members, and the distilled students of every size but the largest.
    header.models = sweep.base.study.models * (sizes + (sweep.distill ? sizes - 1 : 0));
    header.concurrent = std::min(m_concurrentMembers, header.models);
    return startJob(sweep.base, QStringLiteral("sweep"), extra, header, error);
}

QStringList TrainingRunner::compareArguments(const CompareConfig &comparison)
{
    QStringList regimes;
    for (Regime r : comparison.regimes)
        regimes << QString::fromLatin1(settingName(r));
    QStringList args{QStringLiteral("--regimes"), regimes.join(QLatin1Char(','))};
    if (!comparison.transfer.name.empty())
        args << QStringLiteral("--transfer") << QString::fromStdString(comparison.transfer.name);
    if (!comparison.transfer.path.empty())
        args << QStringLiteral("--transfer-path") << QString::fromStdString(comparison.transfer.path);
    if (!comparison.transfer.format.empty())
        args << QStringLiteral("--transfer-format") << QString::fromStdString(comparison.transfer.format);
    args << QStringLiteral("--bootstrap") << QString::number(comparison.bootstrapResamples);
    return args;
}

bool TrainingRunner::startComparison(const CompareConfig &comparison, QString *error)
{
    if (refuseWhileRunning(error))
        return false;
    try {
        comparison.base.validate();
        checkComparison(comparison);
    } catch (const Error &e) {
        if (error)
            *error = QString::fromStdString(e.what());
        return false;
    }
    QStringList extra = compareArguments(comparison);
    if (m_concurrentMembers > 1)
        extra << QStringLiteral("--jobs") << QString::number(m_concurrentMembers);
    JobHeader header;
    header.kind = "compare";
    header.models = comparison.base.study.models * static_cast<int>(comparison.regimes.size());
    header.concurrent = std::min(m_concurrentMembers, header.models);
    return startJob(comparison.base, QStringLiteral("compare"), extra, header, error);
}

bool TrainingRunner::startJob(const RunConfig &config, const QString &command, const QStringList &extra,
                              JobHeader header, QString *error)
{
    RunConfig job = config;
    // The job's own process checks it is still the one writing these files by their full names.
    job.output = absolute(QString::fromStdString(config.output)).toStdString();
    const JobFiles files = JobFiles::of(job.output);
    QDir().mkpath(QFileInfo(QString::fromStdString(job.output)).absolutePath());
    {
        std::ofstream out(files.config, std::ios::trunc);
        out << toJson(job) << "\n";
        if (!out.flush()) {
            if (error)
                *error = tr("cannot write the job's configuration to %1").arg(QString::fromStdString(files.config));
            return false;
        }
    }
    const QStringList args = QStringList{command, QStringLiteral("--config"), QString::fromStdString(files.config),
                                         QStringLiteral("-o"), QString::fromStdString(job.output)}
                             + extra;
    header.output = job.output;
    return launch(args, header, error);
}

bool TrainingRunner::resume(const QString &path, QString *error)
{
    if (refuseWhileRunning(error))
        return false;
    const std::string output = RunJob::finalPath(absolute(path).toStdString());
    const auto exists = [](const std::string &p) { return QFileInfo::exists(QString::fromStdString(p)); };
    if (!exists(output) && !exists(output + runformat::kPartialSuffix)) {
        // A study writes its own file only when it merges its members; until
        // then it is continued by running it again (finished members are reused).
        const JobFiles files = JobFiles::of(output);
        // A sweep, too, is continued by running it again from the configuration it keeps beside its members.
        if (exists(sweepConfigPath(output))) {
            try {
                return startSweep(sweepConfigFromJson(readText(sweepConfigPath(output))), error);
            } catch (const Error &e) {
                if (error)
                    *error = tr("%1: %2").arg(QString::fromStdString(sweepConfigPath(output)), QString::fromStdString(e.what()));
                return false;
            }
        }
        if (exists(files.config)) {
            try {
                const RunConfig config = runConfigFromJson(readText(files.config));
                if (config.study.models > 1)
                    return start(config, error);
            } catch (const Error &e) {
                if (error)
                    *error = tr("%1: %2").arg(QString::fromStdString(files.config), QString::fromStdString(e.what()));
                return false;
            }
        }
        if (error)
            *error = tr("%1: no such run file").arg(path);
        return false;
    }
    JobHeader header;
    header.kind = "resume";
    header.output = output;
    return launch({QStringLiteral("resume"), absolute(path)}, header, error);
}

bool TrainingRunner::launch(const QStringList &arguments, const JobHeader &jobHeader, QString *error)
{
    auto fail = [error](const QString &text) {
        if (error)
            *error = text;
        return false;
    };
    const QString pdepth = pdepthProgram();
    if (!QFileInfo(pdepth).isExecutable())
        return fail(tr("cannot start training: no pdepth program at %1 (the Studio runs every job in it; "
                       "install it beside the Studio or set PDS_PDEPTH)")
                        .arg(pdepth));
    const JobFiles files = JobFiles::of(jobHeader.output);
    const QString events = QString::fromStdString(files.events);
    // An older job's log would tell a follower how that one ended.
    QFile::remove(events);

    QProcess process;
    process.setProgram(pdepth);
    process.setArguments(QStringList(arguments) << QStringLiteral("--events") << events);
    process.setWorkingDirectory(QFileInfo(QString::fromStdString(jobHeader.output)).absolutePath());
    process.setStandardInputFile(QProcess::nullDevice());
    process.setStandardOutputFile(QString::fromStdString(files.log), QIODevice::Append);
    process.setStandardErrorFile(QString::fromStdString(files.log), QIODevice::Append);
    // Detached: a process of a new session that is not the Studio's child, so
    // neither the Studio's death nor a signal to its process group reaches it.
    qint64 pid = 0;
    if (!process.startDetached(&pid))
        return fail(tr("cannot start %1: %2").arg(pdepth, process.errorString()));
    JobHeader header = jobHeader;
    header.pid = static_cast<long>(pid);
    try {
        startEventLog(files.events, header);
    } catch (const Error &e) {
        ::kill(static_cast<pid_t>(pid), SIGINT);
        return fail(QString::fromStdString(e.what()));
    }
    follow(header, /*replay=*/false);
    return true;
}

bool TrainingRunner::attach(const QString &path, QString *error)
{
    if (refuseWhileRunning(error))
        return false;
    const std::string output = RunJob::finalPath(absolute(path).toStdString());
    const JobState state = inspectJob(output);
    if (state.kind == JobState::Kind::None) {
        if (error)
            *error = tr("%1: no training job was started for this file").arg(QString::fromStdString(output));
        return false;
    }
    JobHeader header = *state.header;
    header.output = output;
    follow(header, /*replay=*/true);
    return true;
}

void TrainingRunner::follow(const JobHeader &header, bool replay)
{
    m_output = QString::fromStdString(header.output);
    m_pid = header.pid;
    m_study = header.kind == "study" || header.kind == "sweep" || header.kind == "compare";
    m_concurrent = m_study && header.concurrent > 1;
    m_models = std::max(1, header.models);
    m_tail = std::make_unique<EventLogTail>(JobFiles::of(header.output).events);
    m_forwarder = std::make_unique<EventForwarder>(this, m_study, m_models, header.concurrent);
    m_replaying = replay;
    m_forwarder->setReplaying(replay);
    m_running = true;
    Q_EMIT started(m_output);
    m_poll.start();
    if (replay)
        QTimer::singleShot(0, this, &TrainingRunner::poll);
}

void TrainingRunner::poll()
{
    if (!m_running || !m_tail)
        return;
    m_tail->poll(m_forwarder.get());
    if (m_replaying) {
        m_replaying = false;
        m_forwarder->setReplaying(false);
        // Joined late: the views show the newest file once.
        if (!m_tail->end() && !m_forwarder->lastFile().isEmpty())
            Q_EMIT fileUpdated(m_forwarder->lastFile());
    }
    if (m_tail->end())
        return ended(*m_tail->end());
    const std::string events = JobFiles::of(m_output.toStdString()).events;
    if (isJobProcess(m_pid, events))
        return;
    // Gone: it may have written its end just before it exited.
    m_tail->poll(m_forwarder.get());
    if (m_tail->end())
        return ended(*m_tail->end());
    m_poll.stop();
    m_running = false;
    Q_EMIT failed(tr("the training of %1 stopped without finishing: its process (pid %2) is gone, killed or "
                     "crashed. The file keeps every finished epoch; File › Resume continues it (log: %3)")
                      .arg(m_output)
                      .arg(m_pid)
                      .arg(QString::fromStdString(JobFiles::of(m_output.toStdString()).log)));
}

void TrainingRunner::ended(const JobEnd &end)
{
    m_poll.stop();
    // The job is over for the GUI only now, after every earlier signal.
    m_running = false;
    const QString path = QString::fromStdString(end.path);
    switch (end.outcome) {
    case JobEnd::Outcome::Finished:
        Q_EMIT finished(path.isEmpty() ? m_output : path);
        break;
    case JobEnd::Outcome::Cancelled:
        Q_EMIT cancelled(m_study || path.isEmpty() ? m_forwarder->lastFile() : path);
        break;
    case JobEnd::Outcome::Failed: {
        QString text = QString::fromStdString(end.message);
        // Members in processes of their own name themselves in their errors.
        if (m_study && !m_concurrent)
            text = QStringLiteral("model %1 (of %2): %3")
                       .arg(QString::fromStdString(schema::modelName(m_forwarder->member())))
                       .arg(m_models)
                       .arg(text);
        Q_EMIT failed(text);
        break;
    }
    }
}

void TrainingRunner::cancel()
{
    if (!m_running || m_pid <= 0)
        return;
    // Its process group (of the session it was started in); study members
    // have groups of their own and are stopped by the study.
    const pid_t group = ::getpgid(static_cast<pid_t>(m_pid));
    if (group <= 0 || group == ::getpgrp() || ::kill(-group, SIGINT) != 0)
        ::kill(static_cast<pid_t>(m_pid), SIGINT);
}

} // namespace pds
