#include "study/slurmshell.h"

#include "util/error.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

extern char **environ;

namespace pds::slurmshell {

std::string readAll(const std::string &path)
{
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

CommandResult runCommand(const std::vector<std::string> &args)
{
    CommandResult result;
    char errTemplate[] = "/tmp/pdepth-slurm-XXXXXX";
    const int errFd = mkstemp(errTemplate);
    if (errFd < 0)
        throw Error(std::string("cannot create a temporary file for ") + args[0] + ": " + std::strerror(errno));
    ::close(errFd);
    int pipeFds[2];
    if (pipe2(pipeFds, O_CLOEXEC) != 0) {
        ::unlink(errTemplate);
        throw Error(std::string("cannot run ") + args[0] + ": " + std::strerror(errno));
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, pipeFds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, errTemplate, O_WRONLY | O_TRUNC, 0);
    std::vector<char *> argv;
    for (const std::string &a : args)
        argv.push_back(const_cast<char *>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipeFds[1]);
    if (rc == 0) {
        char buffer[4096];
        for (;;) {
            const ssize_t n = ::read(pipeFds[0], buffer, sizeof buffer);
            if (n > 0)
                result.out.append(buffer, static_cast<std::size_t>(n));
            else if (n == 0 || errno != EINTR)
                break;
        }
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        result.err = readAll(errTemplate);
    } else {
        result.err = std::string("cannot run ") + args[0] + ": " + std::strerror(rc);
    }
    ::close(pipeFds[0]);
    ::unlink(errTemplate);
    return result;
}

bool onPath(const std::string &program)
{
    const char *path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "");
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        const std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + program;
        if (::access(candidate.c_str(), X_OK) == 0)
            return true;
    }
    return false;
}

std::string trim(std::string s)
{
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.pop_back();
    std::size_t b = 0;
    while (b < s.size() && std::isspace(static_cast<unsigned char>(s[b])))
        ++b;
    return s.substr(b);
}

SchedulerAnswer askScheduler(const std::string &jobs)
{
    SchedulerAnswer answer;
    if (!onPath("sacct")) {
        answer.accountingNote = "sacct is not on PATH";
    } else {
        const CommandResult r =
            runCommand({"sacct", "--parsable2", "--noheader", "--format=JobID,State", "-j", jobs});
        answer.accounting = r.status == 0;
        if (answer.accounting)
            answer.states = parseSlurmJobStates(r.out);
        else
            answer.accountingNote = trim(r.err).empty() ? "sacct failed with exit status " + std::to_string(r.status)
                                                        : trim(r.err.substr(0, r.err.find('\n')));
    }
    if (onPath("squeue")) {
        // One job at a time: squeue refuses the whole list when one job of it
        // has left its memory. It knows the newest state (sacct lags behind),
        // so its lines come last and win.
        std::istringstream ids(jobs);
        std::string id;
        while (std::getline(ids, id, ',')) {
            if (id.empty())
                continue;
            const CommandResult r = runCommand({"squeue", "--noheader", "-r", "--states=all", "-o", "%i|%T", "-j", id});
            if (r.status == 0)
                for (SlurmJobState &s : parseSlurmJobStates(r.out))
                    answer.states.push_back(std::move(s));
        }
    }
    return answer;
}

bool isPending(const std::string &s)
{
    return s == "PENDING" || s == "REQUEUED" || s == "REQUEUE_HOLD" || s == "REQUEUE_FED" || s == "RESV_DEL_HOLD";
}

bool isRunning(const std::string &s)
{
    return s == "RUNNING" || s == "CONFIGURING" || s == "COMPLETING" || s == "SUSPENDED" || s == "RESIZING" ||
           s == "SIGNALING" || s == "STAGE_OUT";
}

} // namespace pds::slurmshell
