#include "sweepcommand.h"

#include "progressprinter.h"
#include "slurmoptions.h"

#include "store/guardedopen.h"
#include "store/runformat.h"
#include "store/sweepfile.h"
#include "study/eventchannel.h"
#include "study/memberprocess.h"
#include "sweep/sweep.h"
#include "sweep/sweepslurm.h"
#include "util/error.h"

#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

namespace pds::cli {

namespace {

std::vector<double> parseSizes(const std::string &text)
{
    std::vector<double> sizes;
    std::stringstream ss(text);
    std::string token;
    while (std::getline(ss, token, ',')) {
        std::size_t used = 0;
        double v = 0;
        try {
            v = std::stod(token, &used);
        } catch (const std::exception &) {
            used = 0;
        }
        if (used == 0 || used != token.size())
            throw ConfigError("--sizes: '" + token + "' is not a number (expected e.g. --sizes 4,8,16,32)");
        sizes.push_back(v);
    }
    return sizes;
}

/// Members in processes of their own print their epochs through their logs.
class SweepMembersPrinter : public ProgressPrinter {
public:
    using ProgressPrinter::ProgressPrinter;
    void epochFinished(int, const EpochCurve &) override {}
};

double mean(const std::vector<double> &v)
{
    double s = 0;
    for (double x : v)
        s += x;
    return v.empty() ? std::nan("") : s / double(v.size());
}

double meanFinite(const std::vector<float> &v)
{
    double s = 0;
    std::size_t n = 0;
    for (float x : v)
        if (std::isfinite(x)) {
            s += x;
            ++n;
        }
    return n ? s / double(n) : std::nan("");
}

void printSizes(const SweepData &d)
{
    std::printf("\n%-10s %-10s %9s %9s %8s %8s %8s\n", "size", "arch", "test acc", "train acc", "P_in", "P_out",
                "mem");
    for (const auto &s : d.sizes)
        std::printf("%-10g %-10s %8.2f%% %8.2f%% %8.3f %8.3f %8.3f\n", s.size, s.arch.c_str(),
                    100 * mean(s.plain.testAccuracy), 100 * mean(s.plain.trainAccuracy), meanFinite(s.plain.pIn),
                    meanFinite(s.plain.pOut), meanFinite(s.plain.mem));
}

void printTrajectories(const SweepData &d)
{
    std::printf("\ntrajectory shares (delta %g, z %g)\n", d.delta, d.z);
    for (std::size_t t = 0; t < d.trajectoryNames.size(); ++t)
        std::printf("  %-13s %6.2f%%\n", d.trajectoryNames[t].c_str(), 100 * d.typeShares[t]);
    std::printf("by delta    ");
    for (const auto &name : d.trajectoryNames)
        std::printf(" %13s", name.c_str());
    std::printf("\n");
    for (std::size_t i = 0; i < d.deltaGrid.size(); ++i) {
        std::printf("  %-9g ", d.deltaGrid[i]);
        for (double share : d.sharesByDelta[i])
            std::printf(" %12.2f%%", 100 * share);
        std::printf("\n");
    }
}

void printProxies(const SweepData &d)
{
    std::printf("\n%-18s", "Spearman with mem");
    for (const auto &s : d.sizes)
        std::printf(" %9g", s.size);
    std::printf(" %10s\n", "agreement");
    for (std::size_t p = 0; p < d.proxyNames.size(); ++p) {
        std::printf("  %-16s", d.proxyNames[p].c_str());
        for (const auto &s : d.sizes)
            std::printf(" %9.3f", s.spearman[p]);
        std::printf(" %9.2f%%\n", 100 * d.agreement[p]);
    }
}

void printDistillation(const SweepData &d)
{
    if (!d.distill)
        return;
    std::printf("\ndistilled from size %g (T %g, alpha %g): plain → distilled\n", d.sizes.back().size,
                d.temperature, d.alpha);
    for (const auto &s : d.sizes) {
        if (!s.hasDistilled)
            continue;
        std::printf("size %g: test acc %.2f%% → %.2f%%, mem %.3f → %.3f, P_in %.3f → %.3f, P_out %.3f → %.3f\n",
                    s.size, 100 * mean(s.plain.testAccuracy), 100 * mean(s.distilled.testAccuracy),
                    meanFinite(s.plain.mem), meanFinite(s.distilled.mem), meanFinite(s.plain.pIn),
                    meanFinite(s.distilled.pIn), meanFinite(s.plain.pOut), meanFinite(s.distilled.pOut));
        for (std::size_t t = 0; t < d.trajectoryNames.size(); ++t)
            if (s.byType.count[t] > 0)
                std::printf("  %-13s %6lld examples: mem %.3f → %.3f\n", d.trajectoryNames[t].c_str(),
                            static_cast<long long>(s.byType.count[t]), s.byType.memPlain[t],
                            s.byType.memDistilled[t]);
    }
}

} // namespace

void addSweepOptions(CLI::App *cmd, SweepOptions &o)
{
    cmd->add_option("--sizes", o.sizes,
                    "Model sizes, strictly increasing: cnn base widths (4,8,16,32,64), mlp hidden units, depths of "
                    "--model resnet (8,14,20,32,44,56), or width multipliers of other models (0.25,0.5,1,2)")
        ->required();
    cmd->add_option("-j,--jobs", o.jobs,
                    "Members to train at once, each in its own pdepth process (CPU threads are shared out among them)")
        ->capture_default_str()
        ->check(CLI::Range(1, 1024));
    cmd->add_flag("--distill", o.distill,
                  "Also train students of every smaller size distilled from the largest size's member of the same subset");
    cmd->add_option("--temperature", o.temperature, "Distillation temperature T")->capture_default_str();
    cmd->add_option("--alpha", o.alpha, "Weight of the distillation term (0 = plain training)")->capture_default_str();
    cmd->add_option("--delta", o.delta, "Trajectory rule: the margin a change of mem must exceed")->capture_default_str();
    cmd->add_option("--z", o.z, "Trajectory rule: the standard errors a change of mem must exceed")->capture_default_str();
}

namespace {

/// The sweep the options ask for, validated; saved or printed when asked.
/// Returns false after a dry run.
bool prepareSweep(const RunConfig &base, const SweepOptions &o, const std::string &saveConfig, bool dryRun,
                  SweepConfig &config)
{
    config.base = base;
    config.base.study.probe = true;
    config.sizes = parseSizes(o.sizes);
    config.distill = o.distill;
    config.temperature = o.temperature;
    config.alpha = o.alpha;
    config.rule.delta = o.delta;
    config.rule.z = o.z;
    config.validate();
    if (!saveConfig.empty()) {
        std::ofstream out(saveConfig);
        out << toJson(config) << "\n";
        if (!out)
            throw ConfigError(saveConfig + ": cannot write configuration file");
    }
    if (dryRun)
        std::cout << toJson(config) << "\n";
    return !dryRun;
}

} // namespace

int submitSweep(const RunConfig &base, const SweepOptions &o, const std::string &saveConfig, bool dryRun,
                const SlurmOptions &slurm, const std::vector<std::string> &mergeCommand)
{
    SweepConfig config;
    if (!prepareSweep(base, o, saveConfig, dryRun, config))
        return 0;
    printSlurmSubmission(submitSweepToSlurm(config, slurm, mergeCommand, selfExecutable()), config.base.output);
    return 0;
}

int runSweep(const RunConfig &base, const SweepOptions &o, const std::string &saveConfig, bool dryRun,
             const CancelToken &cancel, void (*onStart)(), EventWriter *events)
{
    SweepConfig config;
    if (!prepareSweep(base, o, saveConfig, dryRun, config))
        return 0;
    SweepJob job(config);
    onStart();
    ProgressPrinter printer(stderr);
    SweepMembersPrinter membersPrinter(stderr);
    if (o.jobs > 1)
        job.setMemberRunner(childProcessRunner(selfExecutable()), o.jobs);
    JobObserver *observer = o.jobs > 1 ? static_cast<JobObserver *>(&membersPrinter) : &printer;
    if (events) {
        events->setInner(observer);
        observer = events;
    }
    const SweepResult r = job.run(observer, cancel);
    if (r.status != runformat::kStatusComplete) {
        if (events)
            events->ended({JobEnd::Outcome::Cancelled, {}, "sweep interrupted; finished members are kept and reused when it runs again"});
        std::cerr << "pdepth: sweep interrupted; finished members are kept and reused when it runs again\n";
        return 130;
    }
    std::printf("sweep finished in %s: %d members trained, %d reused\nsweep file: %s\n",
                formatDuration(r.seconds).c_str(), r.membersTrained, r.membersReused, r.output.c_str());
    if (events)
        events->ended({JobEnd::Outcome::Finished, r.output, {}});
    return 0;
}

bool isCheckedSweepFile(const std::string &path)
{
    try {
        const std::string unguarded = verifyBeforeOpening(path);
        if (!unguarded.empty() && isSweepFile(path))
            std::fprintf(stderr, "note: %s\n", unguarded.c_str());
    } catch (const StoreError &e) {
        // The checker knows run, sweep and comparison files; it names a file of another format so.
        if (std::string(e.what()).find("not a Prediction Depth Studio run file") == std::string::npos)
            throw;
    }
    return isSweepFile(path);
}

void printSweepInfo(const std::string &path)
{
    const SweepReader reader(path);
    const SweepData &d = reader.data();
    std::printf("file        %s\nstatus      %s\nformat      sweep, created %s\n", path.c_str(),
                reader.status().c_str(), reader.created().c_str());
    std::printf("sweep       %s by %s, %zu sizes, %d members per size, ratio %g, %zu examples\n", d.model.c_str(),
                d.axis.c_str(), d.sizes.size(), d.members, d.ratio, d.labels.size());
    printSizes(d);
    printTrajectories(d);
    printProxies(d);
    printDistillation(d);
}

} // namespace pds::cli
