#include "regressioncommand.h"

#include "progressprinter.h"
#include "regression/regressionjob.h"
#include "store/regressionwriter.h"
#include "store/runformat.h"
#include "study/eventchannel.h"
#include "util/error.h"

#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <ostream>
#include <sstream>

namespace pds {

void addRegressionOptions(CLI::App *train, RunConfig &config, RegressionOptions &o)
{
    o.task = settingName(config.task);
    std::string methods;
    for (const auto m : config.regression.methods)
        methods += (methods.empty() ? "" : ",") + std::string(settingName(m));
    o.select = methods;
    auto &r = config.regression;
    train->add_option("--task", o.task, "What to learn: " + settingChoices<Task>())->capture_default_str();
    train->add_option("--select", o.select,
                      "Regression: the regressors to train, comma-separated: " + settingChoices<SelectMethod>())
        ->capture_default_str();
    train->add_option("--fragments", r.fragments, "Regression (confrag): fragments of the target range, even")
        ->capture_default_str();
    train->add_option("--select-k", r.k, "Regression (confrag): neighbours of the feature-space vote")->capture_default_str();
    train->add_option("--jitter", r.jitter, "Regression (confrag): share of the target values each expert epoch sees")
        ->capture_default_str();
    train->add_option("--keep", r.keep, "Regression (small-loss): share of examples kept (0 = 1 - noise fraction)")
        ->capture_default_str();
    train->add_option("--sigma-max", config.noise.sigmaMax, "Regression: largest sigma of --noise gaussian")
        ->capture_default_str();
}

void finishRegressionOptions(const RegressionOptions &o, RunConfig &config)
{
    config.task = parseSetting<Task>(o.task, "--task", configFieldKey(ConfigField::Task));
    std::vector<SelectMethod> methods;
    std::stringstream ss(o.select);
    std::string name;
    while (std::getline(ss, name, ','))
        methods.push_back(parseSetting<SelectMethod>(name, "--select", configFieldKey(ConfigField::RegressionMethods)));
    config.regression.methods = methods;
}

namespace {

/// The final row of each method: its last epoch's selection and ERR, its final errors.
void printResults(const RegressionReader &reader, std::ostream &out)
{
    char line[160];
    std::snprintf(line, sizeof line, "%-11s %7s %9s %9s %9s %9s %9s\n", "method", "epochs", "selected", "ERR", "MAE",
                  "RMSE", "MRAE");
    out << line;
    for (const auto &name : reader.methods()) {
        const auto m = reader.method(name);
        char mrae[32] = "-", selected[32] = "-", err[32] = "-";
        if (!std::isnan(m.mrae))
            std::snprintf(mrae, sizeof mrae, "%.1f%%", m.mrae);
        if (!m.curves.empty()) {
            std::snprintf(selected, sizeof selected, "%.1f%%", m.curves.back().selectionRate * 100);
            std::snprintf(err, sizeof err, "%.3f", m.curves.back().err);
        }
        std::snprintf(line, sizeof line, "%-11s %7d %9s %9s %9.3f %9.3f %9s\n", name.c_str(), m.epochsCompleted,
                      selected, err, m.mae, m.rmse, mrae);
        out << line;
    }
}

/// Reports how a regression job ended and returns the exit code.
int reportRegression(const JobResult &r, EventWriter *events)
{
    if (r.status == runformat::kStatusIncomplete) {
        std::cerr << "pdepth: " << r.message << "\n";
        if (events)
            events->ended({JobEnd::Outcome::Cancelled, r.outputPath, r.message});
        return 130;
    }
    if (events)
        events->ended({JobEnd::Outcome::Finished, r.outputPath, {}});
    printResults(RegressionReader(r.outputPath), std::cout);
    std::cout << "run file: " << r.outputPath << "\n";
    return 0;
}

/// The printer, or the event log wrapping it.
JobObserver *observerFor(ProgressPrinter &printer, EventWriter *events)
{
    if (!events)
        return &printer;
    events->setInner(&printer);
    return events;
}

} // namespace

int runRegression(const RunConfig &config, const CancelToken &cancel, EventWriter *events)
{
    ProgressPrinter printer(stderr);
    RegressionJob job(config);
    return reportRegression(job.run(observerFor(printer, events), cancel), events);
}

int resumeRegression(const std::string &path, const CancelToken &cancel, EventWriter *events)
{
    ProgressPrinter printer(stderr);
    return reportRegression(RegressionJob::resume(path, observerFor(printer, events), cancel), events);
}

void printRegressionInfo(const std::string &path, std::ostream &out)
{
    const RegressionReader reader(path);
    const RunConfig config = runConfigFromJson(reader.configJson());
    out << "regression run file " << path << "\n";
    out << "status: " << reader.status();
    const std::string message = reader.statusMessage();
    if (!message.empty())
        out << " (" << message << ")";
    out << "\n";
    if (reader.status() != runformat::kStatusComplete)
        out << "the run did not finish; `pdepth resume " << path << "` continues it after its last complete epoch\n";
    out << "dataset: " << config.dataset.name << ", noise " << settingName(config.noise.kind);
    if (config.noise.kind == NoiseSpec::Kind::Gaussian)
        out << " sigma_max " << config.noise.sigmaMax;
    else if (config.noise.kind != NoiseSpec::Kind::None)
        out << " " << config.noise.fraction;
    out << ", model " << config.model.arch << ", " << config.train.epochs << " epochs, seed " << config.train.seed << "\n";
    printResults(reader, out);
    if (const auto depth = reader.expertDepth()) {
        const std::size_t n = depth->experts ? depth->depth.size() / std::size_t(depth->experts) : 0;
        out << "prediction depth of the experts (k = " << depth->k << ", " << depth->probeNames.size()
            << " probes, fragment labels):\n";
        for (int e = 0; e < depth->experts; ++e) {
            std::vector<int> histogram(depth->probeNames.size() + 1, 0);
            double sum = 0.0;
            for (std::size_t i = 0; i < n; ++i) {
                const int d = depth->depth[std::size_t(e) * n + i];
                sum += d;
                if (d >= 0 && std::size_t(d) < histogram.size())
                    ++histogram[std::size_t(d)];
            }
            char line[64];
            std::snprintf(line, sizeof line, "  expert %d: mean depth %.2f, examples per depth", e, n ? sum / double(n) : 0.0);
            out << line;
            for (const int h : histogram)
                out << " " << h;
            out << "\n";
        }
    }
}

} // namespace pds
