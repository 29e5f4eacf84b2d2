#include "study/slurm.h"

#include "store/runformat.h"
#include "study/slurmshell.h"
#include "study/study.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>

namespace fs = std::filesystem;

namespace pds {

using namespace slurmshell;

namespace {

/// `text` quoted for a POSIX shell.
std::string shellQuote(const std::string &text)
{
    std::string q = "'";
    for (char c : text)
        q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

fs::path stateFileIn(const std::string &folder)
{
    return fs::path(folder) / "slurm.json";
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

std::vector<std::string> commonArgs(const SlurmOptions &o, const SlurmBatch &b, const std::string &jobName,
                                    const std::string &log)
{
    std::vector<std::string> a{"--parsable", "--job-name=" + jobName, "--chdir=" + b.workDir, "--output=" + log,
                               "--open-mode=append"};
    if (!o.partition.empty())
        a.push_back("--partition=" + o.partition);
    if (!o.time.empty())
        a.push_back("--time=" + o.time);
    return a;
}

/// Refuses a second submission into `folder` while jobs of the first are
/// queued or running: they would train the same members into the same files.
void refuseWhileQueued(const std::string &folder, const std::string &what)
{
    const fs::path state = stateFileIn(folder);
    if (!fs::exists(state))
        return;
    const auto previous = nlohmann::json::parse(readAll(state.string()), nullptr, false);
    if (!previous.is_object() || !previous.contains("array_job") || !previous.contains("merge_job"))
        return;
    std::string jobs;
    for (const char *key : {"array_job", "later_job"})
        if (!previous.value(key, std::string()).empty())
            jobs += previous[key].get<std::string>() + ",";
    jobs += previous["merge_job"].get<std::string>();
    for (const SlurmJobState &s : askScheduler(jobs).states)
        if (isPending(s.state) || isRunning(s.state))
            throw Error(what + ": jobs of an earlier submission are still queued or running (" + jobs +
                        "); see pdepth status " + what + ", or scancel them first");
}

void requireSbatch()
{
    if (!onPath("sbatch"))
        throw Error("sbatch not found on PATH: --slurm submits through Slurm; run it on a login node "
                    "of a Slurm cluster (or start one here with scripts/slurm-local.sh)");
}

/// Options pdepth gives sbatch itself, which an extra argument may not change.
bool setByPdepth(const std::string &arg)
{
    for (const char *opt : {"--array", "--dependency", "--output", "--error", "--job-name", "--parsable", "--chdir",
                            "--open-mode", "--wrap", "--kill-on-invalid-dep"}) {
        const std::string o(opt);
        if (arg == o || arg.rfind(o + "=", 0) == 0)
            return true;
    }
    for (const char *opt : {"-a", "-d", "-o", "-e", "-J", "-D"})
        if (arg.rfind(opt, 0) == 0)
            return true;
    return false;
}

/// Starts a job once every task of `after` ("812", "812:813") succeeded, and
/// cancels it when one failed (its dependency can no longer be met).
void appendDependency(std::vector<std::string> &args, const std::string &after)
{
    if (after.empty())
        return;
    args.push_back("--dependency=afterok:" + after);
    args.push_back("--kill-on-invalid-dep=yes");
}

std::string absoluteIn(const std::string &dir, const std::string &path)
{
    return (fs::path(dir) / path).lexically_normal().string();
}

} // namespace

void validateSlurmOptions(const SlurmOptions &o)
{
    static const std::regex partition("[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*");
    static const std::regex time("[0-9]+(:[0-9]{1,2}){0,2}|[0-9]+-[0-9]{1,2}(:[0-9]{1,2}){0,2}|"
                                 "UNLIMITED|INFINITE|unlimited|infinite");
    static const std::regex gres("[A-Za-z0-9_]+(:[A-Za-z0-9_.-]+)*(,[A-Za-z0-9_]+(:[A-Za-z0-9_.-]+)*)*");
    if (!o.partition.empty() && !std::regex_match(o.partition, partition))
        throw ConfigError("Slurm partition '" + o.partition + "' is not a partition name (letters, digits, . _ -; "
                          "several separated by commas)", "slurm.partition");
    if (!o.time.empty() && !std::regex_match(o.time, time))
        throw ConfigError("Slurm time limit '" + o.time + "' is not one Slurm reads: minutes, MM:SS, HH:MM:SS, "
                          "D-HH, D-HH:MM or D-HH:MM:SS",
                          "slurm.time");
    if (!o.gres.empty() && !std::regex_match(o.gres, gres))
        throw ConfigError("Slurm gres '" + o.gres + "' is not of the form name[:type]:count, e.g. gpu:1 or gpu:a100:2",
                          "slurm.gres");
    if (o.cpus < 0)
        throw ConfigError("Slurm CPUs per member must be 0 (the cluster's default) or more, not " +
                              std::to_string(o.cpus), "slurm.cpus");
    if (o.atOnce < 0)
        throw ConfigError("the most members at once must be 0 (no limit) or more, not " + std::to_string(o.atOnce),
                          "slurm.at_once");
    for (const std::string &arg : o.extraArgs) {
        if (arg.empty() || arg[0] != '-' || arg.find_first_of(" \t\n") != std::string::npos)
            throw ConfigError("extra sbatch argument '" + arg + "': give each option with its value as "
                              "--option=value, e.g. --account=lab", "slurm.args");
        if (setByPdepth(arg))
            throw ConfigError("extra sbatch argument '" + arg + "': pdepth sets this option itself (the array, "
                              "the merge's dependency, the logs and the working directory)", "slurm.args");
    }
}

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

std::string slurmMemberScript(const std::string &executable, const SlurmBatch &batch)
{
    const std::string exe = shellQuote(executable);
    std::string script = "#!/bin/bash\n"
                         "# The member tasks of " + batch.description + ", written by pdepth --slurm.\n"
                         "# Task N trains member N; a task restarted by Slurm (or submitted again)\n"
                         "# continues the member's interrupted run file.\n"
                         "set -u\n"
                         "case \"$SLURM_ARRAY_TASK_ID\" in\n";
    for (std::size_t m = 0; m < batch.members.size(); ++m)
        script += "  " + std::to_string(m) + ") config=" + shellQuote(batch.members[m].config) +
                  "; output=" + shellQuote(batch.members[m].output) + " ;;\n";
    script += "  *) echo \"pdepth: no member $SLURM_ARRAY_TASK_ID in this batch\" >&2; exit 2 ;;\n"
              "esac\n"
              "echo \"pdepth: Slurm job ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} on $(hostname), "
              "restart ${SLURM_RESTART_COUNT:-0}\"\n"
              "if [ -e \"$output.part\" ] || [ -e \"$output\" ]; then\n"
              "  " + exe + " resume \"$output\"\n"
              "  status=$?\n"
              "  # Continued to the end, or stopped by a signal: done. Otherwise the\n"
              "  # .part file had nothing to continue and the member trains afresh.\n"
              "  if [ $status -eq 0 ] || [ $status -gt 128 ]; then exit $status; fi\n"
              "fi\n"
              "exec " + exe + " train --config \"$config\" -o \"$output\"\n";
    return script;
}

std::string slurmMergeScript(const SlurmBatch &batch)
{
    std::string script = "#!/bin/bash\n"
                         "# Merges the members of " + batch.description + ", written by pdepth --slurm.\n"
                         "exec";
    for (const std::string &arg : batch.mergeCommand)
        script += " " + shellQuote(arg);
    return script + "\n";
}

std::string slurmMemberLog(const std::string &folder, int member)
{
    char name[32];
    std::snprintf(name, sizeof name, "m%03d.log", member);
    return (fs::path(folder) / name).string();
}

std::vector<std::string> slurmMemberArgs(const SlurmOptions &options, const SlurmBatch &batch,
                                         const std::vector<int> &members, const std::string &script,
                                         const std::string &after)
{
    std::vector<std::string> a =
        commonArgs(options, batch, batch.name, (fs::path(batch.folder) / "m%3a.log").string());
    a.push_back("--array=" + slurmArraySpec(members, options.atOnce));
    a.push_back("--requeue");
    appendDependency(a, after);
    if (!options.gres.empty())
        a.push_back("--gres=" + options.gres);
    if (options.cpus > 0)
        a.push_back("--cpus-per-task=" + std::to_string(options.cpus));
    a.insert(a.end(), options.extraArgs.begin(), options.extraArgs.end());
    a.push_back(script);
    return a;
}

std::vector<std::string> slurmMergeArgs(const SlurmOptions &options, const SlurmBatch &batch,
                                        const std::string &arrayJob, const std::string &script)
{
    std::vector<std::string> a =
        commonArgs(options, batch, batch.name + "-merge", (fs::path(batch.folder) / "merge.log").string());
    appendDependency(a, arrayJob);
    a.insert(a.end(), options.extraArgs.begin(), options.extraArgs.end());
    a.push_back(script);
    return a;
}

SlurmSubmission submitToSlurm(const SlurmBatch &batch, const SlurmOptions &options, const std::string &executable)
{
    validateSlurmOptions(options);
    requireSbatch();
    std::error_code ec;
    fs::create_directories(batch.folder, ec);
    if (ec)
        throw StoreError(batch.folder + ": cannot create the folder of the Slurm jobs: " + ec.message());
    refuseWhileQueued(batch.folder, absoluteIn(batch.workDir, batch.result));

    const fs::path folder(batch.folder);
    const fs::path memberScript = folder / "slurm-member.sh", mergeScript = folder / "slurm-merge.sh";
    writeText(memberScript, slurmMemberScript(executable, batch));
    writeText(mergeScript, slurmMergeScript(batch));
    fs::permissions(memberScript, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add, ec);
    fs::permissions(mergeScript, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add, ec);

    SlurmSubmission sub;
    sub.members = batch.submit;
    sub.reused = static_cast<int>(batch.members.size() - batch.submit.size());
    sub.stateFile = stateFileIn(batch.folder).string();
    std::vector<int> first, later;
    for (int m : batch.submit)
        (std::binary_search(batch.later.begin(), batch.later.end(), m) ? later : first).push_back(m);
    if (!first.empty())
        sub.arrayJob = sbatch(slurmMemberArgs(options, batch, first, memberScript.string()), "member array");
    std::string after = sub.arrayJob;
    try {
        if (!later.empty()) {
            sub.laterJob = sbatch(slurmMemberArgs(options, batch, later, memberScript.string(), sub.arrayJob),
                                  "second member array");
            after += (after.empty() ? "" : ":") + sub.laterJob;
        }
        sub.mergeJob = sbatch(slurmMergeArgs(options, batch, after, mergeScript.string()), "merge job");
    } catch (const Error &) {
        for (const std::string &job : {sub.arrayJob, sub.laterJob})
            if (!job.empty())
                runCommand({"scancel", job});
        throw;
    }
    nlohmann::json j;
    j["description"] = batch.description;
    j["result"] = absoluteIn(batch.workDir, batch.result);
    j["work_dir"] = batch.workDir;
    j["members"] = nlohmann::json::array();
    for (std::size_t m = 0; m < batch.members.size(); ++m)
        j["members"].push_back({{"output", absoluteIn(batch.workDir, batch.members[m].output)},
                                {"log", slurmMemberLog(batch.folder, static_cast<int>(m))}});
    j["submitted"] = sub.members;
    j["array_job"] = sub.arrayJob;
    j["later"] = later;
    j["later_job"] = sub.laterJob;
    j["merge_job"] = sub.mergeJob;
    j["merge_log"] = (folder / "merge.log").string();
    writeText(sub.stateFile, j.dump(2) + "\n");
    return sub;
}

std::string slurmStudyStateFile(const std::string &output)
{
    return stateFileIn(fs::absolute(fs::path(memberPath(output, 0)).parent_path()).lexically_normal().string())
        .string();
}

SlurmBatch slurmBatchFor(const std::string &output, const std::string &what, const SlurmOptions &options)
{
    validateSlurmOptions(options);
    requireSbatch();
    SlurmBatch batch;
    batch.workDir = fs::current_path().string();
    batch.folder = fs::path(slurmStudyStateFile(output)).parent_path().string();
    batch.name = "pdepth-" + fs::path(output).stem().string();
    batch.result = output;
    batch.description = what + " " + absoluteIn(batch.workDir, output);
    std::error_code ec;
    fs::create_directories(batch.folder, ec);
    if (ec)
        throw StoreError(batch.folder + ": cannot create the members folder: " + ec.message());
    refuseWhileQueued(batch.folder, batch.result);
    return batch;
}

void addSlurmMember(SlurmBatch &batch, const RunConfig &member, bool later)
{
    const int m = static_cast<int>(batch.members.size());
    const std::string json = fs::path(member.output).replace_extension(".json").string();
    batch.members.push_back({json, member.output});
    const MemberLeft left = memberLeft(member);
    if (left == MemberLeft::Finished)
        return;
    if (left == MemberLeft::Nothing) {
        // Leftovers of another configuration: the task must train afresh,
        // not continue them (a local run overwrites them the same way).
        std::error_code ec;
        fs::remove(member.output, ec);
        fs::remove(member.output + runformat::kPartialSuffix, ec);
    }
    batch.submit.push_back(m);
    if (later)
        batch.later.push_back(m);
    std::error_code ec;
    if (fs::path(json).has_parent_path())
        fs::create_directories(fs::path(json).parent_path(), ec);
    writeText(json, toJson(member) + "\n");
}

SlurmSubmission submitStudyToSlurm(RunConfig config, const SlurmOptions &options, const std::string &executable)
{
    config.study.probe = true;
    if (options.cpus > 0 && config.train.threads == 0)
        config.train.threads = options.cpus;
    config.validate();
    SlurmBatch batch = slurmBatchFor(config.output, "the study", options);
    batch.mergeCommand = {executable, "merge", "-o", config.output};
    for (int m = 0; m < config.study.models; ++m) {
        const RunConfig member = studyMemberConfig(config, m);
        batch.mergeCommand.push_back(member.output);
        addSlurmMember(batch, member);
    }
    return submitToSlurm(batch, options, executable);
}

} // namespace pds
