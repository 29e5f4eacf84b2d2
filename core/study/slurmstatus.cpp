#include "study/slurm.h"

#include "store/runformat.h"
#include "store/comparefile.h"
#include "store/runreader.h"
#include "store/schema.h"
#include "store/sweepfile.h"
#include "study/slurmshell.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace fs = std::filesystem;

namespace pds {

using namespace slurmshell;

namespace {

bool finishedRun(const std::string &path)
{
    try {
        return fs::exists(path) && RunReader(path).summary().status == runformat::kStatusComplete;
    } catch (const StoreError &) {
        return false;
    }
}

/// Whether the merge's file is complete: a study, sweep or comparison file.
bool finishedResult(const std::string &path)
{
    if (!fs::exists(path))
        return false;
    try {
        if (isSweepFile(path))
            return SweepReader(path).status() == runformat::kStatusComplete;
        if (isComparisonFile(path))
            return true; // written in one go, once every regime was merged
    } catch (const StoreError &) {
        return false;
    }
    return finishedRun(path);
}

std::vector<std::string> lastLines(const std::string &path, std::size_t n)
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

/// Where a submitted task stands when its file is not complete: from the
/// scheduler's state if it knows one, else from its files.
void judge(SlurmTaskStatus &t, const SlurmStatus &s, bool partialFiles)
{
    if (!t.scheduler.empty()) {
        if (isPending(t.scheduler)) {
            t.state = SlurmTaskState::Pending;
        } else if (isRunning(t.scheduler)) {
            t.state = SlurmTaskState::Running;
        } else {
            t.state = SlurmTaskState::Failed;
            t.detail = t.scheduler == "COMPLETED" ? "the job ended without completing its file" : "";
        }
        return;
    }
    // Neither squeue nor sacct knows the job: it ended a while ago. Whether
    // it failed, timed out or was cancelled only accounting could say.
    t.state = SlurmTaskState::Failed;
    t.detail = partialFiles ? "stopped before its end" : "ended without writing its file";
    t.detail += s.accounting ? "; unknown to the scheduler"
                             : "; its end state is unknown: the job has left squeue and sacct is not available";
}

nlohmann::json taskJson(const SlurmTaskStatus &t)
{
    nlohmann::json j{{"state", slurmTaskStateName(t.state)}, {"output", t.output}, {"log", t.log}, {"job", t.job},
                     {"scheduler", t.scheduler}, {"detail", t.detail}, {"last_lines", t.lastLines}};
    if (t.member >= 0)
        j["member"] = t.member;
    return j;
}

std::string taskLine(const std::string &name, const SlurmTaskStatus &t)
{
    std::string line = "  " + name + "  " + slurmTaskStateName(t.state);
    std::string why = t.job.empty() ? "" : "job " + t.job;
    if (!t.scheduler.empty())
        why += ": " + t.scheduler;
    if (!t.detail.empty())
        why += (why.empty() ? "" : "; ") + t.detail;
    return line + (why.empty() ? "" : "  (" + why + ")") + "\n";
}

} // namespace

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

const char *slurmTaskStateName(SlurmTaskState state)
{
    switch (state) {
    case SlurmTaskState::Finished:
        return "finished";
    case SlurmTaskState::Running:
        return "running";
    case SlurmTaskState::Pending:
        return "pending";
    case SlurmTaskState::Failed:
        return "failed";
    case SlurmTaskState::NotSubmitted:
        break;
    }
    return "not submitted";
}

int SlurmStatus::count(SlurmTaskState state) const
{
    int n = 0;
    for (const SlurmTaskStatus &m : members)
        n += m.state == state ? 1 : 0;
    return n;
}

SlurmStatus slurmStatus(const std::string &stateFile)
{
    SlurmStatus s;
    std::string laterJob; // the second array (distilled students), if any
    s.stateFile = fs::absolute(stateFile).lexically_normal().string();
    if (!fs::exists(s.stateFile))
        throw Error(s.stateFile + ": no Slurm submission recorded here");
    const auto j = nlohmann::json::parse(readAll(s.stateFile), nullptr, false);
    if (!j.is_object() || !j.contains("members") || !j["members"].is_array() || !j.contains("array_job") ||
        !j.contains("merge_job") || !j.contains("result"))
        throw StoreError(s.stateFile + ": not a Slurm submission record of this pdepth (submit again to renew it)");
    try {
        s.result = j["result"].get<std::string>();
        s.arrayJob = j["array_job"].get<std::string>();
        s.mergeJob = j["merge_job"].get<std::string>();
        laterJob = j.value("later_job", std::string());
        std::vector<bool> submitted(j["members"].size(), false), later(j["members"].size(), false);
        for (const auto &m : j["submitted"])
            if (m.get<int>() >= 0 && m.get<int>() < static_cast<int>(submitted.size()))
                submitted[static_cast<std::size_t>(m.get<int>())] = true;
        for (const auto &m : j.value("later", nlohmann::json::array()))
            if (m.get<int>() >= 0 && m.get<int>() < static_cast<int>(later.size()))
                later[static_cast<std::size_t>(m.get<int>())] = true;
        for (std::size_t m = 0; m < j["members"].size(); ++m) {
            SlurmTaskStatus t;
            t.member = static_cast<int>(m);
            t.output = j["members"][m]["output"].get<std::string>();
            t.log = j["members"][m]["log"].get<std::string>();
            if (submitted[m])
                t.job = (later[m] ? laterJob : s.arrayJob) + "_" + std::to_string(m);
            s.members.push_back(std::move(t));
        }
        s.merge.output = s.result;
        s.merge.log = j.value("merge_log", std::string());
        s.merge.job = s.mergeJob;
    } catch (const nlohmann::json::exception &e) {
        throw StoreError(s.stateFile + ": not a Slurm submission record of this pdepth: " + e.what());
    }

    std::string jobs;
    for (const std::string &job : {s.arrayJob, laterJob})
        jobs += job.empty() ? "" : job + ",";
    const SchedulerAnswer answer = askScheduler(jobs + s.mergeJob);
    s.accounting = answer.accounting;
    s.accountingNote = answer.accountingNote;
    for (const SlurmJobState &st : answer.states) {
        if ((st.job == s.arrayJob || (st.job == laterJob && !laterJob.empty())) && st.task >= 0 &&
            st.task < static_cast<int>(s.members.size()))
            s.members[static_cast<std::size_t>(st.task)].scheduler = st.state;
        else if (st.job == s.mergeJob && st.task < 0)
            s.merge.scheduler = st.state;
    }

    for (SlurmTaskStatus &t : s.members) {
        if (finishedRun(t.output)) {
            t.state = SlurmTaskState::Finished;
        } else if (t.job.empty()) {
            t.state = SlurmTaskState::NotSubmitted;
            t.scheduler.clear();
        } else {
            judge(t, s, fs::exists(t.output + runformat::kPartialSuffix) || fs::exists(t.output));
        }
        if (t.state == SlurmTaskState::Failed)
            t.lastLines = lastLines(t.log, 8);
    }
    s.merged = finishedResult(s.result);
    if (s.merged) {
        s.merge.state = SlurmTaskState::Finished;
    } else {
        judge(s.merge, s, false);
        // Slurm cancels the merge when a member fails (its afterok can no
        // longer be met); it never ran, so it has no log to show.
        if (s.merge.state == SlurmTaskState::Failed && s.merge.scheduler == "CANCELLED" &&
            s.count(SlurmTaskState::Failed) > 0)
            s.merge.detail = "a member failed, so the merge was cancelled";
        else if (s.merge.state == SlurmTaskState::Failed)
            s.merge.lastLines = lastLines(s.merge.log, 8);
    }
    return s;
}

std::string formatSlurmStatus(const SlurmStatus &s)
{
    std::ostringstream out;
    out << s.result << ": " << s.members.size() << " members:";
    for (SlurmTaskState k : {SlurmTaskState::Finished, SlurmTaskState::Running, SlurmTaskState::Pending,
                             SlurmTaskState::Failed, SlurmTaskState::NotSubmitted})
        if (s.count(k) > 0 || k != SlurmTaskState::NotSubmitted)
            out << (k == SlurmTaskState::Finished ? " " : ", ") << s.count(k) << " " << slurmTaskStateName(k);
    out << "\n";
    for (const SlurmTaskStatus &t : s.members)
        out << taskLine(schema::modelName(t.member), t);
    out << "merge job " << s.mergeJob << ": " << slurmTaskStateName(s.merge.state)
        << (s.merge.scheduler.empty() ? "" : " (" + s.merge.scheduler + ")")
        << (s.merged ? ", " + s.result + " written" : "") << (s.merge.detail.empty() ? "" : "; " + s.merge.detail)
        << "\n";
    if (!s.accounting)
        out << "states from squeue and the member files only (" << s.accountingNote
            << "); a job that has left squeue is judged from its files\n";
    auto failure = [&out](const std::string &name, const SlurmTaskStatus &t) {
        if (t.state != SlurmTaskState::Failed || (t.member < 0 && t.lastLines.empty()))
            return;
        out << name << " failed, last lines of " << t.log << ":\n";
        for (const std::string &line : t.lastLines)
            out << "  " << line << "\n";
        if (t.lastLines.empty())
            out << "  (the log is empty or missing)\n";
    };
    for (const SlurmTaskStatus &t : s.members)
        failure(schema::modelName(t.member), t);
    failure("merge job", s.merge);
    return out.str();
}

std::string slurmStatusJson(const SlurmStatus &s)
{
    nlohmann::json j;
    j["result"] = s.result;
    j["state_file"] = s.stateFile;
    j["array_job"] = s.arrayJob;
    j["merge_job"] = s.mergeJob;
    j["merged"] = s.merged;
    j["accounting"] = s.accounting;
    j["accounting_note"] = s.accountingNote;
    for (SlurmTaskState k : {SlurmTaskState::Finished, SlurmTaskState::Running, SlurmTaskState::Pending,
                             SlurmTaskState::Failed, SlurmTaskState::NotSubmitted})
        j["counts"][slurmTaskStateName(k)] = s.count(k);
    j["members"] = nlohmann::json::array();
    for (const SlurmTaskStatus &t : s.members)
        j["members"].push_back(taskJson(t));
    j["merge"] = taskJson(s.merge);
    return j.dump(2) + "\n";
}

SlurmStatus slurmStudyState(const std::string &outputArg)
{
    const std::string output = fs::absolute(outputArg).lexically_normal().string();
    const std::string state = slurmStudyStateFile(output);
    if (!fs::exists(state))
        throw Error(output + ": no Slurm submission found (" + state +
                    " is missing); submit the study with pdepth study --slurm -o " + output);
    return slurmStatus(state);
}

} // namespace pds
