#include "training/eventforwarder.h"

#include "training/trainingsignals.h"

#include "store/runwriter.h"

namespace pds {

EventForwarder::EventForwarder(TrainingSignals *target, bool study, int models, int concurrent)
    : m_target(target), m_study(study), m_concurrent(study && concurrent > 1), m_models(models)
{
}

void EventForwarder::progress(const Progress &p)
{
    Progress q = p;
    // Reports from outside a study's trainer carry no member index.
    if (m_study && q.models != m_models) {
        q.model = m_member;
        q.models = m_models;
    }
    if (m_throttle.pass(q))
        Q_EMIT m_target->progress(q);
}

void EventForwarder::epochFinished(int model, const EpochCurve &c)
{
    Q_EMIT m_target->epochFinished(model, c.epoch, c.trainLoss, c.trainAccuracy, c.testLoss, c.testAccuracy);
}

void EventForwarder::fileCommitted(int, const std::string &path)
{
    m_lastFile = path;
    if (!m_concurrent)
        fileUpdated(path);
}

void EventForwarder::memberStarted(const MemberEvent &e)
{
    if (!m_concurrent)
        m_member = e.member;
}

void EventForwarder::memberFinished(const MemberEvent &e)
{
    m_lastFile = e.path;
    // A stopped member's file is announced by the cancellation.
    if (e.outcome != MemberEvent::Outcome::Stopped)
        fileUpdated(e.path);
}

void EventForwarder::message(const std::string &text)
{
    Q_EMIT m_target->message(QString::fromStdString(text));
}

void EventForwarder::fileUpdated(const std::string &path)
{
    if (!m_replaying)
        Q_EMIT m_target->fileUpdated(QString::fromStdString(path));
}

} // namespace pds
