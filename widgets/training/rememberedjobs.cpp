#include "training/rememberedjobs.h"

#include "study/detachedjob.h"

#include <QSettings>
#include <QStringList>

namespace pds {

namespace {

const QString kJobsKey = QStringLiteral("trainingJobs");

QStringList jobs()
{
    return QSettings().value(kJobsKey).toStringList();
}

void setJobs(const QStringList &list)
{
    QSettings().setValue(kJobsKey, list);
}

} // namespace

void RememberedJobs::add(const QString &output)
{
    QStringList list = jobs();
    list.removeAll(output);
    list.prepend(output);
    setJobs(list);
}

void RememberedJobs::remove(const QString &output)
{
    QStringList list = jobs();
    if (list.removeAll(output) > 0)
        setJobs(list);
}

QString RememberedJobs::next()
{
    QStringList list = jobs();
    QString live, ended;
    for (const QString &output : jobs()) {
        const JobState::Kind kind = inspectJob(output.toStdString()).kind;
        if (kind == JobState::Kind::None)
            list.removeAll(output);
        else if (kind == JobState::Kind::Running && live.isEmpty())
            live = output;
        else if (kind != JobState::Kind::Running && ended.isEmpty())
            ended = output;
    }
    setJobs(list);
    return live.isEmpty() ? ended : live;
}

} // namespace pds
