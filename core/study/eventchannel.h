#pragma once

// The typed event channel between a job in one process and whoever follows it
// from another: a member process and its study (over a pipe), or a detached
// job and the Studio (through an append-only log file, see detachedjob.h).
// One JSON object per line; only eventchannel.cpp knows the kinds and keys.

#include "train/job.h"

#include <chrono>
#include <optional>
#include <string>

namespace pds {

/// How a job ended, as the last record of its event log.
struct JobEnd {
    enum class Outcome { Finished, Cancelled, Failed };
    Outcome outcome = Outcome::Finished;
    std::string path;    ///< the finished file, or the one left behind (may be empty)
    std::string message; ///< why it failed or stopped
};

/// The first record of a detached job's event log: which process writes it
/// and what it trains.
struct JobHeader {
    long pid = 0;
    std::string kind;   ///< "run", "study" or "resume"
    std::string output; ///< the file the job writes when it completes
    int models = 1;
    int concurrent = 1; ///< study members trained at once, each in its own process
};

/// Which events a writer sends: a member process tells its study only what
/// the study cannot know itself; a job's log holds everything.
enum class EventScope { MemberToStudy, Everything };

/// Lets through the progress reports a follower needs: a change of phase or
/// model, the end of an epoch, and otherwise one per `interval`.
class ProgressThrottle {
public:
    explicit ProgressThrottle(std::chrono::milliseconds interval = std::chrono::milliseconds(50))
        : m_interval(interval)
    {
    }
    bool pass(const Progress &p);

private:
    std::chrono::milliseconds m_interval;
    std::optional<JobPhase> m_lastPhase;
    int m_lastModel = -1;
    std::chrono::steady_clock::time_point m_last;
};

/// Passes every call on to `inner` and writes the events of its scope to the
/// file descriptor `fd` (a pipe or a file opened for appending), one line per
/// event written at once. A descriptor that fails (the reader died) is
/// dropped; the job goes on.
class EventWriter : public JobObserver {
public:
    EventWriter(JobObserver *inner, int fd, EventScope scope, bool ownsFd = false);
    EventWriter(const EventWriter &) = delete;
    EventWriter &operator=(const EventWriter &) = delete;
    ~EventWriter() override;
    /// The observer every call is passed on to.
    void setInner(JobObserver *inner) { m_inner = inner; }

    void progress(const Progress &p) override;
    void epochFinished(int model, const EpochCurve &curve) override;
    void probeLayerFinished(int model, int layer, int layers) override;
    void fileCommitted(int model, const std::string &path) override;
    void memberStarted(const MemberEvent &e) override;
    void memberFinished(const MemberEvent &e) override;
    void message(const std::string &text) override;
    /// Records how the job ended: the log's last record.
    void ended(const JobEnd &end);

private:
    void send(const std::string &line);

    JobObserver *m_inner;
    int m_fd;
    EventScope m_scope;
    bool m_ownsFd;
    ProgressThrottle m_throttle;
};

/// Turns the lines of an event channel back into typed calls: feed it bytes
/// as they arrive; each complete line is passed on to the observer, and the
/// header and end records are kept.
class EventDecoder {
public:
    void feed(const char *data, std::size_t size, JobObserver *observer);
    const std::optional<JobHeader> &header() const { return m_header; }
    const std::optional<JobEnd> &end() const { return m_end; }

private:
    void dispatch(const std::string &line, JobObserver *observer);

    std::string m_pending;
    std::optional<JobHeader> m_header;
    std::optional<JobEnd> m_end;
};

/// The header record as a line of the channel.
std::string encodeHeader(const JobHeader &header);

} // namespace pds
