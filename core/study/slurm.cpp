#include "study/slurm.h"

#include "store/runformat.h"
#include "store/runreader.h"
#include "store/schema.h"
#include "study/study.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

extern char **environ;

namespace fs = std::filesystem;

namespace pds {

namespace {

/// `text` quoted for a POSIX shell.
std::string shellQuote(const std::string &text)
{
    std::string q = "'";
    for (char c : text)
        q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

fs::path membersDir(const std::string &output)
{
    return fs::path(memberPath(output, 0)).parent_path();
}

/// The file in which a submission keeps its job ids for `pdepth status`.
fs::path stateFile(const std::string &output)
{
    return membersDir(output) / "slurm.json";
}

/// What a finished command printed and how it exited.
struct CommandResult {
    int status = -1; ///< exit status; -1 when it could not run or died of a signal
    std::string out, err;
};

std::string readAll(const fs::path &path)
{
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// Runs `args` (the program looked up on PATH) with stdin closed, its stdout
/// and stderr caught.
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
        const fs::path candidate = fs::path(dir.empty() ? "." : dir) / program;
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

void writeText(const fs::path &path, const std::string &text)
{
    std::ofstream f(path, std::ios::trunc);
    f << text;
    if (!f.flush())
        throw StoreError(path.string() + ": cannot write (is the output folder writable?)");
}

/// Submits through `sbatch --parsable` and returns the job id; a refusal
/// becomes an Error with sbatch's own words.
std::string sbatch(const std::vector<std::string> &args, const std::string &what)
{
    std::vector<std::string> command{"sbatch"};
    command.insert(command.end(), args.begin(), args.end());
    const CommandResult r = runCommand(command);
    const std::string id = trim(r.out.substr(0, r.out.find(';')));
    if (r.status != 0 || id.empty())
        throw Error("sbatch refused the " + what + ": " +
                    (trim(r.err).empty() ? "exit status " + std::to_string(r.status) : trim(r.err)));
    return id;
}

std::vector<std::string> commonArgs(const SlurmOptions &o, const std::string &jobName, const fs::path &log)
{
    std::vector<std::string> a{"--parsable", "--job-name=" + jobName, "--output=" + log.string(),
                               "--open-mode=append"};
    if (!o.partition.empty())
        a.push_back("--partition=" + o.partition);
    if (!o.time.empty())
        a.push_back("--time=" + o.time);
    return a;
}

std::string jobName(const std::string &output)
{
    return "pdepth-" + fs::path(output).stem().string();
}

/// The states of `job`'s tasks and of itself from the scheduler: squeue
/// (which keeps finished jobs for a while) and sacct where accounting runs.
std::vector<SlurmJobState> schedulerStates(const std::string &jobs)
{
    std::vector<SlurmJobState> states;
    if (onPath("sacct")) {
        const CommandResult r =
            runCommand({"sacct", "--parsable2", "--noheader", "--format=JobID,State", "-j", jobs});
        if (r.status == 0)
            states = parseSlurmJobStates(r.out);
    }
    if (onPath("squeue")) {
        // One job at a time: squeue refuses the whole list when one job of it
        // has left its memory. It knows the newest state (sacct lags behind),
        // so its lines come last and win.
        std::istringstream ids(jobs);
        std::string id;
        while (std::getline(ids, id, ',')) {
            const CommandResult r = runCommand({"squeue", "--noheader", "-r", "--states=all", "-o", "%i|%T", "-j", id});
            if (r.status == 0)
                for (SlurmJobState &s : parseSlurmJobStates(r.out))
                    states.push_back(std::move(s));
        }
    }
    return states;
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

bool finishedRun(const std::string &path)
{
    try {
        return fs::exists(path) && RunReader(path).summary().status == runformat::kStatusComplete;
    } catch (const StoreError &) {
        return false;
    }
}

std::vector<std::string> lastLines(const fs::path &path, std::size_t n)
{
    std::ifstream in(path);
    std::deque<std::string> lines;
    std::string line;
    while (std::getline(in, line)) {
        lines.push_back(line);
        if (lines.size() > n)
            lines.pop_front();
    }
    return {lines.begin(), lines.end()};
}

} // namespace

std::string slurmArraySpec(const std::vector<int> &members, int atOnce)
{
    std::string spec;
    for (std::size_t i = 0; i < members.size();) {
        std::size_t j = i;
        while (j + 1 < members.size() && members[j + 1] == members[j] + 1)
            ++j;
        if (!spec.empty())
            spec += ",";
        spec += std::to_string(members[i]);
        if (j > i)
            spec += "-" + std::to_string(members[j]);
        i = j + 1;
    }
    if (atOnce > 0)
        spec += "%" + std::to_string(atOnce);
    return spec;
}

std::string slurmMemberScript(const std::string &executable, const std::string &output)
{
    const std::string exe = shellQuote(executable), dir = shellQuote(membersDir(output).string());
    return "#!/bin/bash\n"
           "# A member task of the study " + output + ", written by pdepth study --slurm.\n"
           "# Task N trains member N; a task restarted by Slurm (or submitted again)\n"
           "# continues the member's interrupted run file.\n"
           "set -u\n"
           "member=\"$(printf 'm%03d' \"$SLURM_ARRAY_TASK_ID\")\"\n"
           "dir=" + dir + "\n"
           "echo \"pdepth: Slurm job ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} on $(hostname), "
           "restart ${SLURM_RESTART_COUNT:-0}\"\n"
           "if [ -e \"$dir/$member.h5.part\" ] || [ -e \"$dir/$member.h5\" ]; then\n"
           "  " + exe + " resume \"$dir/$member.h5\"\n"
           "  status=$?\n"
           "  # Continued to the end, or stopped by a signal: done. Otherwise the\n"
           "  # .part file had nothing to continue and the member trains afresh.\n"
           "  if [ $status -eq 0 ] || [ $status -gt 128 ]; then exit $status; fi\n"
           "fi\n"
           "exec " + exe + " train --config \"$dir/$member.json\" -o \"$dir/$member.h5\"\n";
}

std::string slurmMergeScript(const std::string &executable, const std::string &output, int members)
{
    std::string script = "#!/bin/bash\n"
                         "# Merges the members of the study " + output + ", written by pdepth study --slurm.\n"
                         "exec " + shellQuote(executable) + " merge -o " + shellQuote(output);
    for (int m = 0; m < members; ++m)
        script += " " + shellQuote(memberPath(output, m));
    return script + "\n";
}

std::vector<std::string> slurmMemberArgs(const SlurmOptions &options, const std::string &output,
                                         const std::vector<int> &members, const std::string &script)
{
    std::vector<std::string> a = commonArgs(options, jobName(output), membersDir(output) / "m%3a.log");
    a.push_back("--array=" + slurmArraySpec(members, options.atOnce));
    a.push_back("--requeue");
    if (!options.gres.empty())
        a.push_back("--gres=" + options.gres);
    if (options.cpus > 0)
        a.push_back("--cpus-per-task=" + std::to_string(options.cpus));
    a.insert(a.end(), options.extraArgs.begin(), options.extraArgs.end());
    a.push_back(script);
    return a;
}

std::vector<std::string> slurmMergeArgs(const SlurmOptions &options, const std::string &output,
                                        const std::string &arrayJob, const std::string &script)
{
    std::vector<std::string> a = commonArgs(options, jobName(output) + "-merge", membersDir(output) / "merge.log");
    if (!arrayJob.empty()) {
        a.push_back("--dependency=afterok:" + arrayJob);
        a.push_back("--kill-on-invalid-dep=yes");
    }
    a.insert(a.end(), options.extraArgs.begin(), options.extraArgs.end());
    a.push_back(script);
    return a;
}

SlurmSubmission submitStudyToSlurm(RunConfig config, const SlurmOptions &options, const std::string &executable)
{
    config.study.probe = true;
    if (options.cpus > 0 && config.train.threads == 0)
        config.train.threads = options.cpus;
    config.validate();
    if (!onPath("sbatch"))
        throw Error("sbatch not found on PATH: --slurm submits the study through Slurm; run it on a login node "
                    "of a Slurm cluster (or start one here with scripts/slurm-local.sh)");
    config.output = fs::absolute(config.output).lexically_normal().string();
    const fs::path dir = membersDir(config.output);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw StoreError(dir.string() + ": cannot create the members folder: " + ec.message());

    const fs::path state = stateFile(config.output);
    if (fs::exists(state)) {
        // A second submission while the first still runs would train the same
        // members twice into the same files.
        const auto previous = nlohmann::json::parse(readAll(state), nullptr, false);
        if (previous.is_object() && previous.contains("array_job") && previous.contains("merge_job")) {
            const std::string jobs = previous["array_job"].get<std::string>() + "," +
                                     previous["merge_job"].get<std::string>();
            for (const SlurmJobState &s : schedulerStates(jobs))
                if (isPending(s.state) || isRunning(s.state))
                    throw Error(config.output + ": jobs of an earlier submission are still queued or running (" +
                                jobs + "); see pdepth status " + config.output + ", or scancel them first");
        }
    }

    SlurmSubmission sub;
    sub.stateFile = state.string();
    const int s = config.study.models;
    for (int m = 0; m < s; ++m) {
        const RunConfig member = studyMemberConfig(config, m);
        const MemberLeft left = memberLeft(member);
        if (left == MemberLeft::Finished) {
            ++sub.reused;
            continue;
        }
        if (left == MemberLeft::Nothing) {
            // Leftovers of another configuration: the task must train afresh,
            // not continue them (a local study overwrites them the same way).
            fs::remove(member.output, ec);
            fs::remove(member.output + runformat::kPartialSuffix, ec);
        }
        sub.members.push_back(m);
        writeText(fs::path(member.output).replace_extension(".json"), toJson(member) + "\n");
    }
    const fs::path memberScript = dir / "slurm-member.sh", mergeScript = dir / "slurm-merge.sh";
    writeText(memberScript, slurmMemberScript(executable, config.output));
    writeText(mergeScript, slurmMergeScript(executable, config.output, s));
    fs::permissions(memberScript, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add, ec);
    fs::permissions(mergeScript, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add, ec);

    if (!sub.members.empty())
        sub.arrayJob = sbatch(slurmMemberArgs(options, config.output, sub.members, memberScript.string()),
                              "member array");
    try {
        sub.mergeJob = sbatch(slurmMergeArgs(options, config.output, sub.arrayJob, mergeScript.string()), "merge job");
    } catch (const Error &) {
        if (!sub.arrayJob.empty())
            runCommand({"scancel", sub.arrayJob});
        throw;
    }
    nlohmann::json j;
    j["study"] = config.output;
    j["members"] = s;
    j["submitted"] = sub.members;
    j["array_job"] = sub.arrayJob;
    j["merge_job"] = sub.mergeJob;
    writeText(state, j.dump(2) + "\n");
    return sub;
}

std::vector<SlurmJobState> parseSlurmJobStates(const std::string &text)
{
    std::vector<SlurmJobState> states;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        const std::size_t bar = line.find('|');
        if (bar == std::string::npos)
            continue;
        const std::string id = trim(line.substr(0, bar));
        std::string state = line.substr(bar + 1);
        state = trim(state.substr(0, state.find('|')));
        state = state.substr(0, state.find(' '));
        if (id.empty() || state.empty() || id.find('.') != std::string::npos)
            continue;
        const std::size_t under = id.find('_');
        const std::string job = id.substr(0, under);
        if (job.find_first_not_of("0123456789") != std::string::npos)
            continue;
        if (under == std::string::npos) {
            states.push_back({job, -1, state});
            continue;
        }
        std::string tasks = id.substr(under + 1);
        if (!tasks.empty() && tasks.front() == '[') {
            const std::size_t close = tasks.find(']');
            if (close == std::string::npos)
                continue;
            tasks = tasks.substr(1, close - 1);
        }
        tasks = tasks.substr(0, tasks.find('%'));
        std::istringstream parts(tasks);
        std::string part;
        while (std::getline(parts, part, ',')) {
            const std::size_t dash = part.find('-');
            try {
                const int first = std::stoi(part.substr(0, dash));
                const int last = dash == std::string::npos ? first : std::stoi(part.substr(dash + 1));
                for (int t = first; t <= last; ++t)
                    states.push_back({job, t, state});
            } catch (const std::exception &) {
                // Not a task list: the line is not one of ours.
            }
        }
    }
    return states;
}

std::string slurmStudyStatus(const std::string &outputArg)
{
    const std::string output = fs::absolute(outputArg).lexically_normal().string();
    const fs::path state = stateFile(output);
    if (!fs::exists(state))
        throw Error(output + ": no Slurm submission found (" + state.string() +
                    " is missing); submit the study with pdepth study --slurm -o " + output);
    const auto j = nlohmann::json::parse(readAll(state), nullptr, false);
    if (!j.is_object() || !j.contains("members") || !j.contains("array_job") || !j.contains("merge_job"))
        throw StoreError(state.string() + ": not a Slurm submission record of pdepth");
    const int s = j["members"].get<int>();
    const std::string arrayJob = j["array_job"].get<std::string>(), mergeJob = j["merge_job"].get<std::string>();
    std::map<int, std::string> taskState;
    std::string mergeState = "unknown to the scheduler";
    const std::string jobs = arrayJob.empty() ? mergeJob : arrayJob + "," + mergeJob;
    for (const SlurmJobState &st : schedulerStates(jobs)) {
        if (st.job == arrayJob && st.task >= 0)
            taskState[st.task] = st.state;
        else if (st.job == mergeJob)
            mergeState = st.state;
    }

    int counts[5] = {0, 0, 0, 0, 0};
    const char *names[5] = {"finished", "running", "pending", "failed", "not submitted"};
    std::ostringstream rows, failures;
    for (int m = 0; m < s; ++m) {
        const std::string path = memberPath(output, m);
        int kind = 4;
        std::string detail;
        const auto it = taskState.find(m);
        const std::string job = arrayJob + "_" + std::to_string(m);
        if (finishedRun(path)) {
            kind = 0;
        } else if (it != taskState.end()) {
            detail = "job " + job + ": " + it->second;
            kind = isPending(it->second) ? 2 : isRunning(it->second) ? 1 : 3;
        } else if (fs::exists(path + runformat::kPartialSuffix) || fs::exists(path)) {
            kind = 3;
            detail = "stopped before its end; not known to the scheduler";
        }
        if (kind == 3) {
            const fs::path log = fs::path(path).replace_extension(".log");
            failures << schema::modelName(m) << " (" << detail << "), last lines of " << log.string() << ":\n";
            for (const std::string &line : lastLines(log, 8))
                failures << "  " << line << "\n";
        }
        ++counts[kind];
        rows << "  " << schema::modelName(m) << "  " << names[kind] << (detail.empty() ? "" : "  (" + detail + ")")
             << "\n";
    }
    std::ostringstream out;
    out << output << ": " << s << " members:";
    for (int k = 0; k < 5; ++k)
        if (counts[k] > 0 || k < 4)
            out << (k ? ", " : " ") << counts[k] << " " << names[k];
    out << "\n" << rows.str();
    const bool merged = finishedRun(output);
    out << "merge job " << mergeJob << ": " << mergeState << (merged ? " (study file written)" : "") << "\n";
    if (!failures.str().empty())
        out << failures.str();
    return out.str();
}

} // namespace pds
