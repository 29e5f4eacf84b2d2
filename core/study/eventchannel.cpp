#include "study/eventchannel.h"

#include "store/runwriter.h"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cerrno>
#include <limits>

namespace pds {

namespace {

// The kinds of record and their keys, named here alone.
constexpr const char *kHeaderEvent = "job";
constexpr const char *kProgressEvent = "progress";
constexpr const char *kEpochEvent = "epoch";
constexpr const char *kProbeLayerEvent = "probe_layer";
constexpr const char *kCommittedEvent = "committed";
constexpr const char *kMemberStartedEvent = "member_started";
constexpr const char *kMemberFinishedEvent = "member_finished";
constexpr const char *kMessageEvent = "message";
constexpr const char *kEndedEvent = "ended";

nlohmann::json curveJson(const EpochCurve &c)
{
    return {{"epoch", c.epoch},
            {"lr", c.lr},
            {"train_loss", c.trainLoss},
            {"train_accuracy", c.trainAccuracy},
            {"eval_train_loss", c.evalTrainLoss},
            {"eval_train_accuracy", c.evalTrainAccuracy},
            {"test_loss", c.testLoss},
            {"test_accuracy", c.testAccuracy},
            {"seconds", c.seconds}};
}

/// A number of an event; JSON has no NaN, so a NaN was written as null (an
/// epoch whose held-out examples were not evaluated has NaN test metrics).
double numberOrNaN(const nlohmann::json &j, const char *key)
{
    const auto &v = j.at(key);
    return v.is_null() ? std::numeric_limits<double>::quiet_NaN() : v.get<double>();
}

EpochCurve curveFromJson(const nlohmann::json &j)
{
    EpochCurve c;
    c.epoch = j.at("epoch").get<int>();
    c.lr = numberOrNaN(j, "lr");
    c.trainLoss = numberOrNaN(j, "train_loss");
    c.trainAccuracy = numberOrNaN(j, "train_accuracy");
    c.evalTrainLoss = numberOrNaN(j, "eval_train_loss");
    c.evalTrainAccuracy = numberOrNaN(j, "eval_train_accuracy");
    c.testLoss = numberOrNaN(j, "test_loss");
    c.testAccuracy = numberOrNaN(j, "test_accuracy");
    c.seconds = numberOrNaN(j, "seconds");
    return c;
}

nlohmann::json progressJson(const Progress &p)
{
    return {{"event", kProgressEvent}, {"phase", phaseName(p.phase)}, {"model", p.model},
            {"models", p.models},      {"epoch", p.epoch},               {"epochs", p.epochs},
            {"step", p.step},          {"steps", p.steps},               {"loss", p.loss},
            {"accuracy", p.accuracy},  {"examples_per_second", p.examplesPerSecond},
            {"eta_seconds", p.etaSeconds}};
}

Progress progressFromJson(const nlohmann::json &j)
{
    Progress p;
    const std::string phase = j.at("phase").get<std::string>();
    for (JobPhase candidate : {JobPhase::Loading, JobPhase::Training, JobPhase::Evaluating, JobPhase::Embedding,
                               JobPhase::Probing})
        if (phase == phaseName(candidate))
            p.phase = candidate;
    p.model = j.at("model").get<int>();
    p.models = j.at("models").get<int>();
    p.epoch = j.at("epoch").get<int>();
    p.epochs = j.at("epochs").get<int>();
    p.step = j.at("step").get<long long>();
    p.steps = j.at("steps").get<long long>();
    p.loss = numberOrNaN(j, "loss");
    p.accuracy = numberOrNaN(j, "accuracy");
    p.examplesPerSecond = numberOrNaN(j, "examples_per_second");
    p.etaSeconds = numberOrNaN(j, "eta_seconds");
    return p;
}

const char *outcomeName(MemberEvent::Outcome o)
{
    switch (o) {
    case MemberEvent::Outcome::Trained: return "trained";
    case MemberEvent::Outcome::Reused: return "reused";
    case MemberEvent::Outcome::Stopped: return "stopped";
    }
    return "";
}

const char *outcomeName(JobEnd::Outcome o)
{
    switch (o) {
    case JobEnd::Outcome::Finished: return "finished";
    case JobEnd::Outcome::Cancelled: return "cancelled";
    case JobEnd::Outcome::Failed: return "failed";
    }
    return "";
}

nlohmann::json memberJson(const char *kind, const MemberEvent &e)
{
    return {{"event", kind},          {"member", e.member},   {"members", e.members},
            {"path", e.path},         {"resuming", e.resuming}, {"outcome", outcomeName(e.outcome)}};
}

MemberEvent memberFromJson(const nlohmann::json &j)
{
    MemberEvent e;
    e.member = j.at("member").get<int>();
    e.members = j.at("members").get<int>();
    e.path = j.at("path").get<std::string>();
    e.resuming = j.at("resuming").get<bool>();
    const std::string outcome = j.at("outcome").get<std::string>();
    for (auto o : {MemberEvent::Outcome::Trained, MemberEvent::Outcome::Reused, MemberEvent::Outcome::Stopped})
        if (outcome == outcomeName(o))
            e.outcome = o;
    return e;
}

/// One record as text; text that is not UTF-8 (a path, an error from a
/// library) is written with replacement characters rather than lost.
std::string line(const nlohmann::json &record)
{
    return record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace

bool ProgressThrottle::pass(const Progress &p)
{
    const auto now = std::chrono::steady_clock::now();
    const bool milestone = p.phase != m_lastPhase || p.model != m_lastModel || (p.steps > 0 && p.step == p.steps);
    if (!milestone && now - m_last < m_interval)
        return false;
    m_last = now;
    m_lastPhase = p.phase;
    m_lastModel = p.model;
    return true;
}

EventWriter::EventWriter(JobObserver *inner, int fd, EventScope scope, bool ownsFd)
    : m_inner(inner), m_fd(fd), m_scope(scope), m_ownsFd(ownsFd)
{
}

EventWriter::~EventWriter()
{
    if (m_ownsFd && m_fd >= 0)
        ::close(m_fd);
}

void EventWriter::progress(const Progress &p)
{
    if (m_scope == EventScope::Everything && m_throttle.pass(p))
        send(line(progressJson(p)));
    if (m_inner)
        m_inner->progress(p);
}

void EventWriter::epochFinished(int model, const EpochCurve &curve)
{
    send(line(nlohmann::json{{"event", kEpochEvent}, {"model", model}, {"curve", curveJson(curve)}}));
    if (m_inner)
        m_inner->epochFinished(model, curve);
}

void EventWriter::probeLayerFinished(int model, int layer, int layers)
{
    send(line(nlohmann::json{{"event", kProbeLayerEvent}, {"model", model}, {"layer", layer}, {"layers", layers}}));
    if (m_inner)
        m_inner->probeLayerFinished(model, layer, layers);
}

void EventWriter::fileCommitted(int model, const std::string &path)
{
    send(line(nlohmann::json{{"event", kCommittedEvent}, {"model", model}, {"path", path}}));
    if (m_inner)
        m_inner->fileCommitted(model, path);
}

void EventWriter::memberStarted(const MemberEvent &e)
{
    if (m_scope == EventScope::Everything)
        send(line(memberJson(kMemberStartedEvent, e)));
    if (m_inner)
        m_inner->memberStarted(e);
}

void EventWriter::memberFinished(const MemberEvent &e)
{
    if (m_scope == EventScope::Everything)
        send(line(memberJson(kMemberFinishedEvent, e)));
    if (m_inner)
        m_inner->memberFinished(e);
}

void EventWriter::message(const std::string &text)
{
    if (m_scope == EventScope::Everything)
        send(line(nlohmann::json{{"event", kMessageEvent}, {"text", text}}));
    if (m_inner)
        m_inner->message(text);
}

void EventWriter::ended(const JobEnd &end)
{
    send(line(nlohmann::json{{"event", kEndedEvent},
                        {"outcome", outcomeName(end.outcome)},
                        {"path", end.path},
                        {"message", end.message}}));
}

void EventWriter::send(const std::string &record)
{
    if (m_fd < 0)
        return;
    const std::string text = record + "\n";
    for (std::size_t sent = 0; sent < text.size();) {
        const ssize_t n = ::write(m_fd, text.data() + sent, text.size() - sent);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            // The reader is gone (or the disk full); the job finishes on its own.
            m_fd = -1;
            return;
        }
        sent += static_cast<std::size_t>(n);
    }
}

void EventDecoder::feed(const char *data, std::size_t size, JobObserver *observer)
{
    m_pending.append(data, size);
    for (auto end = m_pending.find('\n'); end != std::string::npos; end = m_pending.find('\n')) {
        const std::string line = m_pending.substr(0, end);
        m_pending.erase(0, end + 1);
        dispatch(line, observer);
    }
}

void EventDecoder::dispatch(const std::string &line, JobObserver *observer)
{
    try {
        const auto j = nlohmann::json::parse(line);
        const std::string kind = j.at("event").get<std::string>();
        if (kind == kHeaderEvent) {
            JobHeader h;
            h.pid = j.at("pid").get<long>();
            h.kind = j.at("kind").get<std::string>();
            h.output = j.at("output").get<std::string>();
            h.models = j.at("models").get<int>();
            h.concurrent = j.at("concurrent").get<int>();
            m_header = h;
        } else if (kind == kEndedEvent) {
            JobEnd e;
            const std::string outcome = j.at("outcome").get<std::string>();
            for (auto o : {JobEnd::Outcome::Finished, JobEnd::Outcome::Cancelled, JobEnd::Outcome::Failed})
                if (outcome == outcomeName(o))
                    e.outcome = o;
            e.path = j.at("path").get<std::string>();
            e.message = j.at("message").get<std::string>();
            m_end = e;
        } else if (!observer) {
            return;
        } else if (kind == kProgressEvent) {
            observer->progress(progressFromJson(j));
        } else if (kind == kEpochEvent) {
            observer->epochFinished(j.at("model").get<int>(), curveFromJson(j.at("curve")));
        } else if (kind == kProbeLayerEvent) {
            observer->probeLayerFinished(j.at("model").get<int>(), j.at("layer").get<int>(),
                                         j.at("layers").get<int>());
        } else if (kind == kCommittedEvent) {
            observer->fileCommitted(j.at("model").get<int>(), j.at("path").get<std::string>());
        } else if (kind == kMemberStartedEvent) {
            observer->memberStarted(memberFromJson(j));
        } else if (kind == kMemberFinishedEvent) {
            observer->memberFinished(memberFromJson(j));
        } else if (kind == kMessageEvent) {
            observer->message(j.at("text").get<std::string>());
        }
    } catch (const nlohmann::json::exception &) {
        // A malformed line (a writer of another version, or one cut short by
        // a crash) carries nothing to pass on.
    }
}

std::string encodeHeader(const JobHeader &h)
{
    return line({{"event", kHeaderEvent}, {"pid", h.pid},       {"kind", h.kind},
                 {"output", h.output},  {"models", h.models}, {"concurrent", h.concurrent}})
           + "\n";
}

} // namespace pds
