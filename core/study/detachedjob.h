#pragma once

// A detached job: a run or study the Studio starts as a `pdepth` process in a
// session of its own, so that it trains on when the Studio dies. Everything
// another process needs to follow it lies beside its output file.

#include "study/eventchannel.h"

#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <string>

namespace pds {

/// The files of the detached job that writes `output`.
struct JobFiles {
    std::string output;
    std::string config; ///< `<output>.config.json`: the configuration it trains
    std::string events; ///< `<output>.events`: its append-only event log
    std::string log;    ///< `<output>.log`: its output for people
    static JobFiles of(const std::string &output);
};

/// Opens `path` for appending events (`pdepth … --events FILE`) and returns a
/// writer that records every event of `inner`'s job there. Throws Error
/// naming the file when it cannot be opened.
std::unique_ptr<EventWriter> openEventLog(const std::string &path, JobObserver *inner);

/// Appends a job's header to its event log: written by the process that
/// started the job, which removed any older log before and knows the pid
/// before the job writes anything. Throws Error naming the file when it
/// cannot be written.
void startEventLog(const std::string &path, const JobHeader &header);

/// Whether `pid` is a live process (not a zombie) whose command line names
/// `eventsPath`: the job that writes that log, not a process that reused its pid.
bool isJobProcess(long pid, const std::string &eventsPath);

/// Reads an event log as it grows: each poll passes the records written since
/// the last one on to the observer.
class EventLogTail {
public:
    explicit EventLogTail(std::string path) : m_path(std::move(path)) {}
    /// Reads what is new; false when the log cannot be read (yet).
    bool poll(JobObserver *observer);
    const std::optional<JobHeader> &header() const { return m_decoder.header(); }
    const std::optional<JobEnd> &end() const { return m_decoder.end(); }

private:
    std::string m_path;
    std::ifstream m_in;
    EventDecoder m_decoder;
};

/// Where the detached job writing `output` stands, from its log and process.
struct JobState {
    enum class Kind {
        None,    ///< no log beside the output
        Running, ///< its process is alive
        Ended,   ///< it recorded how it ended
        Died     ///< its process is gone without saying how it ended (killed, crashed)
    };
    Kind kind = Kind::None;
    std::optional<JobHeader> header;
    std::optional<JobEnd> end;
};
JobState inspectJob(const std::string &output);

} // namespace pds
