#include "study/memberprocess.h"

#include "study/eventchannel.h"

#include "store/runformat.h"
#include "store/runreader.h"
#include "store/runwriter.h"
#include "store/schema.h"
#include "util/error.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

extern char **environ;

namespace fs = std::filesystem;

namespace pds {

namespace {

constexpr const char *kParentVariable = "PDS_STUDY_PARENT";
/// Names the file descriptor on which a member process sends its events.
constexpr const char *kEventsVariable = "PDS_MEMBER_EVENTS";
/// The descriptor number the events pipe gets in the member process.
constexpr int kEventsFd = 3;

/// The study process's side of a member's events pipe: reads what the
/// member sends and passes it on, typed, as it arrives.
class EventReader {
public:
    explicit EventReader(int fd) : m_fd(fd) {}
    EventReader(const EventReader &) = delete;
    EventReader &operator=(const EventReader &) = delete;
    ~EventReader()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }

    void relay(JobObserver *observer)
    {
        char buffer[4096];
        for (;;) {
            const ssize_t n = m_fd < 0 ? 0 : ::read(m_fd, buffer, sizeof buffer);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            m_decoder.feed(buffer, static_cast<std::size_t>(n), observer);
        }
    }

private:
    int m_fd;
    EventDecoder m_decoder;
};

std::string lastLine(const std::string &path)
{
    std::ifstream in(path);
    std::string line, last;
    while (std::getline(in, line)) {
        // Progress bars rewrite one line with carriage returns; keep its end.
        const auto cr = line.find_last_of('\r');
        if (cr != std::string::npos)
            line = line.substr(cr + 1);
        if (!line.empty())
            last = line;
    }
    return last;
}

/// Passes on the lines a member writes to its log about its progress
/// (epochs, probing), as they appear: the study's own output and the Studio
/// then follow members that run in processes of their own.
class LogFollower {
public:
    LogFollower(const std::string &path, std::uintmax_t start) : m_in(path)
    {
        m_in.seekg(static_cast<std::streamoff>(start));
    }

    void relay(JobObserver *observer, const std::string &member)
    {
        if (!m_in.is_open())
            return;
        std::string line;
        while (std::getline(m_in, line)) {
            if (m_in.eof()) {
                // A line still being written: keep it until its end arrives.
                m_pending += line;
                break;
            }
            line = m_pending + line;
            m_pending.clear();
            if (observer && (line.find(" epoch ") != std::string::npos || line.rfind("probing", 0) == 0))
                observer->message(member + ": " + line);
        }
        m_in.clear();
    }

private:
    std::ifstream m_in;
    std::string m_pending;
};

/// Starts `args` with stdout and stderr appended to `logPath`, in a process
/// group of its own, with `eventsFd` as its descriptor kEventsFd.
pid_t spawn(const std::vector<std::string> &args, const std::string &logPath, int eventsFd)
{
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, eventsFd, kEventsFd);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, logPath.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    std::vector<char *> argv;
    for (const auto &a : args)
        argv.push_back(const_cast<char *>(a.c_str()));
    argv.push_back(nullptr);
    // The child learns who its parent is, to stop when the parent dies, and
    // where to send its events.
    const std::string parent = std::string(kParentVariable) + "=" + std::to_string(getpid());
    const std::string events = std::string(kEventsVariable) + "=" + std::to_string(kEventsFd);
    auto named = [](const char *entry, const char *variable) {
        return std::strncmp(entry, variable, std::strlen(variable)) == 0;
    };
    std::vector<char *> env;
    for (char **e = environ; *e; ++e)
        if (!named(*e, kParentVariable) && !named(*e, kEventsVariable))
            env.push_back(*e);
    env.push_back(const_cast<char *>(parent.c_str()));
    env.push_back(const_cast<char *>(events.c_str()));
    env.push_back(nullptr);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), env.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0)
        throw Error("cannot start " + args[0] + ": " + std::strerror(rc));
    return pid;
}

JobResult runChild(const std::string &executable, const RunConfig &member, bool resume,
                   JobObserver *observer, const CancelToken &cancel)
{
    const fs::path out(member.output);
    const std::string configPath = fs::path(out).replace_extension(".json").string();
    const std::string logPath = fs::path(out).replace_extension(".log").string();
    const std::string name = "member " + schema::modelName(member.study.member);
    {
        std::ofstream config(configPath, std::ios::trunc);
        config << toJson(member) << "\n";
        if (!config.flush())
            throw StoreError(configPath + ": cannot write the member's configuration");
    }
    const std::vector<std::string> args =
        resume ? std::vector<std::string>{executable, "resume", member.output}
               : std::vector<std::string>{executable, "train", "--config", configPath, "-o", member.output};
    const auto t0 = std::chrono::steady_clock::now();
    std::error_code ec;
    const auto logStart = fs::exists(logPath, ec) ? fs::file_size(logPath, ec) : 0;
    // The events pipe: close-on-exec, so that members started at the same
    // time by other threads do not inherit it, and the read end never blocks.
    int pipeFds[2];
    if (pipe2(pipeFds, O_CLOEXEC) != 0)
        throw Error(name + ": cannot open its event channel: " + std::strerror(errno));
    EventReader events(pipeFds[0]);
    if (pipeFds[1] == kEventsFd) {
        // dup2 onto itself would keep close-on-exec set.
        const int moved = fcntl(pipeFds[1], F_DUPFD_CLOEXEC, kEventsFd + 1);
        ::close(pipeFds[1]);
        pipeFds[1] = moved;
    }
    fcntl(pipeFds[0], F_SETFL, fcntl(pipeFds[0], F_GETFL) | O_NONBLOCK);
    pid_t pid = 0;
    try {
        pid = spawn(args, logPath, pipeFds[1]);
    } catch (...) {
        ::close(pipeFds[1]);
        throw;
    }
    // Only the child writes: its end of the pipe closes when it exits.
    ::close(pipeFds[1]);
    LogFollower follower(logPath, ec ? 0 : logStart);

    bool interrupted = false;
    int status = 0;
    for (;;) {
        const pid_t r = waitpid(pid, &status, WNOHANG);
        events.relay(observer);
        follower.relay(observer, name);
        if (r == pid)
            break;
        if (r < 0 && errno != EINTR)
            throw Error(name + ": lost track of its process: " + std::strerror(errno));
        if (cancel.cancelled() && !interrupted) {
            kill(pid, SIGINT);
            interrupted = true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }

    JobResult result;
    result.outputPath = member.output;
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (code == 130 || (interrupted && code != 0)) {
        result.status = runformat::kStatusIncomplete;
        result.message = name + " was interrupted; its run file is kept (" + logPath + ")";
        return result;
    }
    if (code != 0) {
        const std::string how = WIFSIGNALED(status)
                                    ? "was killed by signal " + std::to_string(WTERMSIG(status))
                                    : "failed with exit status " + std::to_string(code);
        const std::string last = lastLine(logPath);
        throw Error(name + " " + how + (last.empty() ? "" : ": " + last) + " (log: " + logPath + ")");
    }
    RunReader run(member.output);
    if (run.summary().models.empty())
        throw StoreError(member.output + ": the member finished but its run file holds no model");
    const auto &model = run.summary().models.front();
    result.status = run.summary().status;
    result.trainSeconds = model.trainSeconds;
    if (run.hasProbes(0)) {
        const ProbeSummary probes = run.probeSummary(0);
        result.embedSeconds = probes.embedSeconds;
        result.probeSeconds = probes.probeSeconds;
    }
    if (observer)
        observer->message(name + " finished in " + std::to_string(int(result.seconds + 0.5)) + " s (log: "
                          + logPath + ")");
    return result;
}

} // namespace

MemberRunner childProcessRunner(const std::string &executable)
{
    return [executable](const RunConfig &member, bool resume, JobObserver *observer, const CancelToken &cancel) {
        return runChild(executable, member, resume, observer, cancel);
    };
}

std::unique_ptr<JobObserver> reportToStudyParent(JobObserver *inner)
{
    int fd = -1;
    if (const char *events = std::getenv(kEventsVariable)) {
        fd = std::atoi(events);
        // A study process that dies closes the pipe; writing then must not end the member.
        std::signal(SIGPIPE, SIG_IGN);
    }
    return std::make_unique<EventWriter>(inner, fd, EventScope::MemberToStudy);
}

void stopWithStudyParent(void (*cancel)(int))
{
    const char *parent = std::getenv(kParentVariable);
    if (!parent)
        return;
    // SIGHUP, not SIGTERM: the kernel sends the death signal again each time
    // a thread of the dying parent exits, and a second SIGTERM would end the
    // member at once instead of letting it close its run file.
    std::signal(SIGHUP, cancel);
    prctl(PR_SET_PDEATHSIG, SIGHUP);
    if (std::to_string(getppid()) != parent)
        std::raise(SIGHUP); // the parent died before the line above
}

std::string selfExecutable()
{
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (ec)
        throw Error("cannot find this program's own path (/proc/self/exe): " + ec.message());
    return self.string();
}

} // namespace pds
