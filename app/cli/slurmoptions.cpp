#include "slurmoptions.h"

#include "util/error.h"

#include <CLI/CLI.hpp>

#include <cstdio>

namespace pds::cli {

void addSlurmOptions(CLI::App *cmd, SlurmFlags &flags)
{
    SlurmOptions &o = flags.options;
    auto *on = cmd->add_flag("--slurm", flags.submit,
                             "Submit the members to Slurm as job arrays, and the merge as a job after them");
    cmd->add_option("--slurm-partition", o.partition, "Slurm partition of the jobs")->needs(on);
    cmd->add_option("--slurm-time", o.time, "Time limit of each member task, e.g. 2:00:00")->needs(on);
    cmd->add_option("--slurm-gres", o.gres, "Generic resources of each member task, e.g. gpu:1")->needs(on);
    cmd->add_option("--slurm-cpus", o.cpus, "CPUs of each member task (and its CPU threads)")
        ->needs(on)
        ->check(CLI::Range(1, 4096));
    cmd->add_option("--slurm-at-once", o.atOnce, "Most members running at once (0 = no limit)")
        ->needs(on)
        ->check(CLI::Range(0, 100000));
    cmd->add_option("--slurm-arg", o.extraArgs, "Extra sbatch argument, e.g. --slurm-arg=--account=lab (repeatable)")
        ->needs(on)
        ->allow_extra_args(false);
}

void refuseJobsWithSlurm(const CLI::App *cmd)
{
    if (cmd->count("--jobs") > 0)
        throw ConfigError("--jobs trains members on this machine; with --slurm Slurm runs them "
                          "(limit how many at once with --slurm-at-once)");
}

std::vector<std::string> commandWithoutSlurm(int argc, char **argv, const std::string &executable)
{
    std::vector<std::string> command{executable};
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--slurm" || arg == "--dry-run")
            continue;
        const bool withValue = arg.rfind("--slurm-", 0) == 0 || arg == "--save-config" || arg == "--events" ||
                               arg.rfind("--save-config=", 0) == 0 || arg.rfind("--events=", 0) == 0;
        if (withValue) {
            if (arg.find('=') == std::string::npos)
                ++i;
            continue;
        }
        command.push_back(arg);
    }
    return command;
}

void printSlurmSubmission(const SlurmSubmission &sub, const std::string &output)
{
    if (sub.arrayJob.empty() && sub.laterJob.empty())
        std::printf("all %d members are finished; ", sub.reused);
    else
        std::printf("submitted %zu members as job array %s%s%s (%d finished members reused); ", sub.members.size(),
                    sub.arrayJob.empty() ? sub.laterJob.c_str() : sub.arrayJob.c_str(),
                    sub.arrayJob.empty() || sub.laterJob.empty() ? "" : " and after it ",
                    sub.arrayJob.empty() ? "" : sub.laterJob.c_str(), sub.reused);
    std::printf("merge job %s\nfollow it with: pdepth status %s\n", sub.mergeJob.c_str(), output.c_str());
}

} // namespace pds::cli
