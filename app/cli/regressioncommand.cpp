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

int runRegression(const RunConfig &config, const CancelToken &cancel, EventWriter *events)
{
    ProgressPrinter printer(stderr);
    JobObserver *observer = &printer;
    if (events) {
        events->setInner(&printer);
        observer = events;
    }
    RegressionJob job(config);
    const JobResult r = job.run(observer, cancel);
    if (r.status == runformat::kStatusIncomplete) {
        std::cerr << "pdepth: " << r.message << "\n";
        if (events)
            events->ended({JobEnd::Outcome::Cancelled, r.outputPath, r.message});
        return 130;
    }
    if (events)
        events->ended({JobEnd::Outcome::Finished, r.outputPath, {}});
    const RegressionReader reader(r.outputPath);
    std::printf("%-11s %9s %9s %9s %9s %9s\n", "method", "selected", "ERR", "MAE", "RMSE", "MRAE");
    for (const auto &name : reader.methods()) {
        const auto m = reader.method(name);
        const auto &last = m.curves.back();
        char mrae[32] = "-";
        if (!std::isnan(m.mrae))
            std::snprintf(mrae, sizeof mrae, "%.1f%%", m.mrae);
        std::printf("%-11s %8.1f%% %9.3f %9.3f %9.3f %9s\n", name.c_str(), last.selectionRate * 100, last.err, m.mae,
                    m.rmse, mrae);
    }
    std::printf("run file: %s\n", r.outputPath.c_str());
    return 0;
}

} // namespace pds
