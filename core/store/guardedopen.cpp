#include "store/guardedopen.h"

#include "util/error.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <set>
#include <tuple>

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace pds {

namespace {

std::mutex g_mutex;
std::string g_checker;      ///< set by setCheckerExecutable
double g_timeLimit = 10.0;  ///< seconds
/// Files that passed, by absolute path, size and modification time.
std::set<std::tuple<std::string, std::int64_t, std::int64_t>> g_verified;

std::vector<std::string> splitTabs(const std::string &line)
{
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        const auto tab = line.find('\t', start);
        parts.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
        if (tab == std::string::npos)
            return parts;
        start = tab + 1;
    }
}

/// Reads the child's records as they come, so the last object survives a crash.
class RecordReader {
public:
    RecordReader(ChildCheck &out, const std::string &path) : m_out(out), m_path(path) {}
    void feed(const char *data, std::size_t n)
    {
        m_pending.append(data, n);
        std::size_t nl;
        while ((nl = m_pending.find('\n')) != std::string::npos) {
            line(m_pending.substr(0, nl));
            m_pending.erase(0, nl + 1);
        }
    }
    /// Lines that were not records (e.g. a message of the C library before a crash).
    const std::string &other() const { return m_other; }

private:
    void line(const std::string &text)
    {
        namespace cp = checkprotocol;
        const auto parts = splitTabs(text);
        if (parts.size() == 2 && parts[0] == cp::kReading)
            m_out.lastObject = parts[1];
        else if (parts.size() == 3 && parts[0] == cp::kProblem)
            m_out.problems.push_back({m_path, parts[1], parts[2]});
        else if (parts.size() == 2 && parts[0] == cp::kNote)
            m_out.notes.push_back(parts[1]);
        else if (!text.empty() && m_other.size() < 2000)
            m_other += (m_other.empty() ? "" : "; ") + text;
    }

    ChildCheck &m_out;
    std::string m_path;
    std::string m_pending, m_other;
};

std::string signalName(int sig)
{
    const char *d = strsignal(sig);
    return "signal " + std::to_string(sig) + (d ? std::string(", ") + d : std::string());
}

/// In the child between fork and exec: only async-signal-safe calls.
[[noreturn]] void execChecker(int outFd, const std::vector<char *> &argv)
{
    ::dup2(outFd, STDOUT_FILENO);
    ::dup2(outFd, STDERR_FILENO);
    // A crash should end the child quickly, without writing a core file.
    const struct rlimit noCore = {0, 0};
    ::setrlimit(RLIMIT_CORE, &noCore);
    ::execv(argv[0], argv.data());
    ::_exit(127);
}

} // namespace

std::string checkerExecutable()
{
    {
        std::lock_guard<std::mutex> lock(g_mutex);
        if (!g_checker.empty())
            return g_checker;
    }
    if (const char *env = std::getenv("PDEPTH_CHECK"); env && *env)
        return env;
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (ec)
        return {};
    const fs::path beside = self.parent_path() / "pdepth-check";
    return ::access(beside.c_str(), X_OK) == 0 ? beside.string() : std::string();
}

void setCheckerExecutable(const std::string &path)
{
    std::lock_guard<std::mutex> lock(g_mutex);
    g_checker = path;
}

void setCheckTimeLimit(double seconds)
{
    std::lock_guard<std::mutex> lock(g_mutex);
    g_timeLimit = seconds;
}

ChildCheck checkInChildProcess(const std::string &path, bool quick, double timeLimitSeconds)
{
    ChildCheck r;
    const std::string exe = checkerExecutable();
    if (exe.empty() || ::access(exe.c_str(), X_OK) != 0) {
        r.message = "no pdepth-check program beside this one to check " + path + " with";
        return r;
    }
    std::vector<std::string> args = {exe, "--machine"};
    if (quick)
        args.push_back("--quick");
    args.push_back("--");
    args.push_back(path);
    std::vector<char *> argv;
    for (auto &a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);

    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        r.message = std::string("cannot start the check of ") + path + ": " + std::strerror(errno);
        return r;
    }
    const pid_t pid = ::fork();
    if (pid == 0)
        execChecker(fds[1], argv);
    ::close(fds[1]);
    if (pid < 0) {
        ::close(fds[0]);
        r.message = std::string("cannot start the check of ") + path + ": " + std::strerror(errno);
        return r;
    }

    RecordReader reader(r, path);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeLimitSeconds);
    bool timedOut = false;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now()).count();
        if (left <= 0) {
            timedOut = true;
            break;
        }
        pollfd p{fds[0], POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000)));
        if (ready < 0 && errno != EINTR)
            break;
        if (ready <= 0)
            continue;
        char buf[4096];
        const ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; // the child closed its end: it has exited
        reader.feed(buf, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    if (timedOut)
        ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    const std::string name = fs::path(path).filename().string();
    const std::string where = r.lastObject.empty() ? std::string() : " reading " + r.lastObject;
    if (timedOut) {
        r.outcome = ChildCheck::Outcome::TimedOut;
        char limit[32];
        std::snprintf(limit, sizeof limit, "%g", timeLimitSeconds);
        r.message = name + " is damaged: the HDF5 library did not finish" + where + " within " + limit + " s";
    } else if (WIFSIGNALED(status)) {
        r.outcome = ChildCheck::Outcome::Crashed;
        r.message = name + " is damaged: the HDF5 library crashed" + where + " (" + signalName(WTERMSIG(status)) + ")";
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        r.outcome = ChildCheck::Outcome::Passed;
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == 1 && !r.problems.empty()) {
        r.outcome = ChildCheck::Outcome::Problems;
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == 1) {
        // Exit status 1 without a record: the checker failed on its own (e.g. out of memory).
        r.outcome = ChildCheck::Outcome::Crashed;
        r.message = name + " is damaged: checking it failed" + where
                    + (reader.other().empty() ? std::string() : " (" + reader.other() + ")");
    } else {
        r.outcome = ChildCheck::Outcome::Unavailable;
        r.message = "cannot run " + exe + " to check " + path + " (exit status "
                    + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")";
    }
    return r;
}

std::string verifyBeforeOpening(const std::string &path)
{
    std::error_code ec;
    const std::string absolute = fs::absolute(path, ec).lexically_normal().string();
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return {}; // the reader says clearly that the file is missing
    const auto key = std::make_tuple(absolute, static_cast<std::int64_t>(st.st_size),
                                     static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec);
    double limit = 0;
    {
        std::lock_guard<std::mutex> lock(g_mutex);
        if (g_verified.count(key))
            return {};
        limit = g_timeLimit;
    }
    const ChildCheck c = checkInChildProcess(path, /*quick=*/true, limit);
    switch (c.outcome) {
    case ChildCheck::Outcome::Passed: {
        std::lock_guard<std::mutex> lock(g_mutex);
        g_verified.insert(key);
        return {};
    }
    case ChildCheck::Outcome::Unavailable:
        return path + " was opened without the crash guard (" + c.message +
               "): a damaged file could end this program; run pdepth check on it";
    case ChildCheck::Outcome::Problems: {
        const FileProblem &p = c.problems.front();
        std::string message = path + ": " + (p.object == "/" ? "" : p.object + ": ") + p.what;
        if (c.problems.size() > 1)
            message += " (and " + std::to_string(c.problems.size() - 1) + " more problems; see pdepth check)";
        throw StoreError(message);
    }
    case ChildCheck::Outcome::Crashed:
    case ChildCheck::Outcome::TimedOut:
        throw StoreError(c.message);
    }
    return {};
}

} // namespace pds
