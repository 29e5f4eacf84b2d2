#include "training/trainingrunner.h"

#include "store/runformat.h"
#include "train/runjob.h"
#include "util/error.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <filesystem>

namespace pds {

namespace {

bool fileExists(const std::string &path)
{
    std::error_code ec;
    return std::filesystem::exists(path, ec);
}

} // namespace

TrainingRunner::TrainingRunner(QObject *parent) : TrainingSignals(parent), m_worker(new TrainingWorker)
{
    qRegisterMetaType<pds::Progress>();
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &TrainingWorker::progress, this, &TrainingRunner::progress);
    connect(m_worker, &TrainingWorker::epochFinished, this, &TrainingRunner::epochFinished);
    connect(m_worker, &TrainingWorker::fileUpdated, this, &TrainingRunner::fileUpdated);
    connect(m_worker, &TrainingWorker::message, this, &TrainingRunner::message);
    // The job is over for the GUI only when its last signal arrives here, so
    // isRunning() stays true until every earlier signal has been delivered.
    connect(m_worker, &TrainingWorker::finished, this, [this](const QString &path) {
        jobEnded();
        Q_EMIT finished(path);
    });
    connect(m_worker, &TrainingWorker::cancelled, this, [this](const QString &path) {
        jobEnded();
        Q_EMIT cancelled(path);
    });
    connect(m_worker, &TrainingWorker::failed, this, [this](const QString &text) {
        jobEnded();
        Q_EMIT failed(text);
    });
    m_thread.setObjectName(QStringLiteral("pds-training"));
    m_thread.start();
}

TrainingRunner::~TrainingRunner()
{
    cancel();
    m_thread.quit();
    m_thread.wait();
}

bool TrainingRunner::start(const RunConfig &config, QString *error)
{
    try {
        config.validate();
    } catch (const Error &e) {
        if (error)
            *error = QString::fromStdString(e.what());
        return false;
    }
    TrainingJob job;
    job.kind = config.study.models > 1 ? TrainingJob::Kind::Study : TrainingJob::Kind::Run;
    job.config = config;
    if (job.kind == TrainingJob::Kind::Study && m_concurrentMembers > 1) {
        const QString env = qEnvironmentVariable("PDS_PDEPTH");
        const QString pdepth =
            !env.isEmpty() ? env : QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("pdepth"));
        if (!QFileInfo(pdepth).isExecutable()) {
            if (error)
                *error = tr("cannot train models at once: no pdepth program at %1").arg(pdepth);
            return false;
        }
        job.concurrentMembers = m_concurrentMembers;
        job.memberExecutable = pdepth.toStdString();
    }
    return launch(std::move(job), QString::fromStdString(config.output), error);
}

bool TrainingRunner::resume(const QString &path, QString *error)
{
    const std::string output = RunJob::finalPath(path.toStdString());
    if (!fileExists(output) && !fileExists(output + runformat::kPartialSuffix)) {
        if (error)
            *error = tr("%1: no such run file").arg(path);
        return false;
    }
    TrainingJob job;
    job.kind = TrainingJob::Kind::Resume;
    job.path = path;
    return launch(std::move(job), QString::fromStdString(output), error);
}

bool TrainingRunner::launch(TrainingJob job, const QString &output, QString *error)
{
    if (m_running) {
        if (error)
            *error = tr("a training job is already running (%1)").arg(m_output);
        return false;
    }
    m_cancel = std::make_shared<CancelToken>();
    job.cancel = m_cancel;
    m_output = output;
    m_running = true;
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, job = std::move(job)] { worker->execute(job); }, Qt::QueuedConnection);
    Q_EMIT started(output);
    return true;
}

void TrainingRunner::cancel()
{
    if (m_cancel)
        m_cancel->cancel();
}

void TrainingRunner::jobEnded()
{
    m_running = false;
}

} // namespace pds
