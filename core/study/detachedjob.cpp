#include "study/detachedjob.h"

#include "util/error.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <vector>

namespace fs = std::filesystem;

namespace pds {

namespace {

std::string readAll(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

bool samePath(const std::string &a, const std::string &b)
{
    std::error_code ea, eb;
    const fs::path ca = fs::weakly_canonical(a, ea), cb = fs::weakly_canonical(b, eb);
    return !ea && !eb && ca == cb;
}

} // namespace

JobFiles JobFiles::of(const std::string &output)
{
    return {output, output + ".config.json", output + ".events", output + ".log"};
}

std::unique_ptr<EventWriter> openEventLog(const std::string &path, JobObserver *inner)
{
    // Close-on-exec: the members a study starts report through their own pipes.
    const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        throw Error(path + ": cannot open the job's event log: " + std::strerror(errno));
    return std::make_unique<EventWriter>(inner, fd, EventScope::Everything, /*ownsFd=*/true);
}

void startEventLog(const std::string &path, const JobHeader &header)
{
    std::ofstream out(path, std::ios::binary | std::ios::app);
    out << encodeHeader(header);
    if (!out.flush())
        throw Error(path + ": cannot write the job's event log");
}

bool isJobProcess(long pid, const std::string &eventsPath)
{
    if (pid <= 0 || (::kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM))
        return false;
    const std::string proc = "/proc/" + std::to_string(pid);
    // A zombie has exited: it only waits for its parent to collect its status.
    const std::string stat = readAll(proc + "/stat");
    const auto paren = stat.rfind(')');
    if (paren == std::string::npos || paren + 2 >= stat.size() || stat[paren + 2] == 'Z')
        return false;
    const std::string cmdline = readAll(proc + "/cmdline");
    std::vector<std::string> args;
    for (std::size_t start = 0; start < cmdline.size();) {
        const std::size_t end = std::min(cmdline.find('\0', start), cmdline.size());
        args.push_back(cmdline.substr(start, end - start));
        start = end + 1;
    }
    if (std::find(args.begin(), args.end(), eventsPath) != args.end())
        return true;
    // The same log named another way (through a link, or relative to the job's folder).
    return std::any_of(args.begin(), args.end(), [&](const std::string &a) { return samePath(a, eventsPath); });
}

bool EventLogTail::poll(JobObserver *observer)
{
    if (!m_in.is_open()) {
        m_in.open(m_path, std::ios::binary);
        if (!m_in.is_open())
            return false;
    }
    char buffer[16384];
    for (;;) {
        m_in.read(buffer, sizeof buffer);
        const std::streamsize n = m_in.gcount();
        if (n > 0)
            m_decoder.feed(buffer, static_cast<std::size_t>(n), observer);
        if (!m_in) {
            // At the end for now: clear the state so that the next poll reads what the job adds.
            m_in.clear();
            return true;
        }
    }
}

JobState inspectJob(const std::string &output)
{
    const JobFiles files = JobFiles::of(output);
    JobState state;
    EventLogTail tail(files.events);
    if (!tail.poll(nullptr) || !tail.header())
        return state;
    state.header = tail.header();
    state.end = tail.end();
    if (state.end)
        state.kind = JobState::Kind::Ended;
    else if (isJobProcess(state.header->pid, files.events))
        state.kind = JobState::Kind::Running;
    else
        state.kind = tail.poll(nullptr) && tail.end() ? JobState::Kind::Ended : JobState::Kind::Died;
    if (!state.end)
        state.end = tail.end();
    return state;
}

} // namespace pds
