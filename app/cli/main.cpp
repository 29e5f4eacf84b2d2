// pdepth: the command-line front end of Prediction Depth Studio.

#include "comparecommand.h"
#include "progressprinter.h"
#include "regressioncommand.h"
#include "slurmoptions.h"
#include "sweepcommand.h"

#include "compare/compareslurm.h"
#include "store/comparefile.h"
#include "store/guardedopen.h"
#include "store/regressionwriter.h"
#include "store/runformat.h"
#include "store/runreader.h"
#include "store/schema.h"
#include "store/sweepfile.h"
#include "study/detachedjob.h"
#include "study/memberprocess.h"
#include "study/slurm.h"
#include "study/study.h"
#include "train/presets.h"
#include "train/runjob.h"
#include "train/trainer.h"
#include "util/allocator.h"
#include "util/error.h"
#include "version.h"

#include <CLI/CLI.hpp>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include <unistd.h>

namespace {

/// Exit codes scripts can rely on (also listed in `pdepth --help`).
enum ExitCode {
    kOk = 0,
    kFailed = 1,    ///< bad data, unreadable or unwritable files, other runtime errors
    kUsage = 2,     ///< bad command line or configuration
    kDiverged = 3,  ///< training produced a non-finite loss
    kCancelled = 130 ///< interrupted (Ctrl-C); the run file is kept, marked incomplete
};

pds::CancelToken g_cancel;

extern "C" void onInterrupt(int)
{
    g_cancel.cancel();
    // A second Ctrl-C ends the process at once.
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
}

extern "C" void onStudyParentDied(int)
{
    g_cancel.cancel();
}

/// From here on Ctrl-C, SIGTERM and (in a study's member process) the study's
/// death cancel the job cleanly.
void handleInterrupts()
{
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    pds::stopWithStudyParent(onStudyParentDied);
}

/// Finds `--name value` or `--name=value` before the subcommand options are bound.
std::string scanOption(int argc, char **argv, const std::string &name)
{
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == name && i + 1 < argc)
            return argv[i + 1];
        if (a.rfind(name + "=", 0) == 0)
            return a.substr(name.size() + 1);
    }
    return {};
}

/// The defaults of `pdepth train`: a preset by name; without one (auto) a
/// quick CPU budget, or the full dataset and a ResNet-18 when a GPU is there.
pds::RunConfig presetConfig(const std::string &presetName, const std::string &deviceName)
{
    const pds::DeviceChoice device =
        deviceName.empty() ? pds::DeviceChoice::Auto
                           : pds::parseSetting<pds::DeviceChoice>(deviceName, "device",
                                                                  pds::configFieldKey(pds::ConfigField::Device));
    const auto preset =
        presetName.empty() ? std::optional(pds::Preset::Auto) : pds::settingFromName<pds::Preset>(presetName);
    if (!preset)
        throw pds::ConfigError("unknown preset '" + presetName + "' (expected " + pds::settingChoices<pds::Preset>()
                               + ")");
    const bool gpu = *preset == pds::Preset::Auto && device != pds::DeviceChoice::Cpu
                     && pds::resolveDevice(device).is_cuda();
    pds::RunConfig c = pds::presetConfig(*preset, gpu);
    c.train.device = device;
    return c;
}

/// A string option for an enumerated setting, read by its name and mapped
/// after parsing; `value` starts as the setting's current name, and the help
/// lists the valid names unless `help` says more.
template <typename E>
void addSettingOption(CLI::App *cmd, const std::string &flag, std::string &value, E current, std::string help = {})
{
    value = pds::settingName(current);
    cmd->add_option(flag, value, help.empty() ? pds::settingChoices<E>() : help)->capture_default_str();
}

std::string readTextFile(const std::string &path)
{
    std::ifstream in(path);
    if (!in)
        throw pds::ConfigError(path + ": cannot read configuration file");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::vector<int> parseClassMap(const std::string &text, int &error)
{
    // "from:to,from:to" – classes not named map to themselves (filled in later).
    std::vector<int> pairs;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
        const auto colon = item.find(':');
        if (colon == std::string::npos) {
            error = 1;
            return {};
        }
        pairs.push_back(std::stoi(item.substr(0, colon)));
        pairs.push_back(std::stoi(item.substr(colon + 1)));
    }
    return pairs;
}

void printInfo(const pds::RunReader &run)
{
    const auto &s = run.summary();
    std::cout << "file        " << s.path << "\n"
              << "status      " << s.status << (s.statusMessage.empty() ? "" : " (" + s.statusMessage + ")") << "\n"
              << "format      v" << s.formatVersion << ", written by pdepth " << s.softwareVersion << "\n"
              << "created     " << s.created << (s.finished.empty() ? "" : ", finished " + s.finished) << "\n"
              << "dataset     " << s.datasetName << " (" << s.datasetFormat << ", " << s.datasetSource << ")\n"
              << "images      " << s.channels << "×" << s.height << "×" << s.width << ", "
              << s.classNames.size() << " classes\n"
              << "examples    " << s.trainSize << " train, " << s.testSize << " test, "
              << s.noisyLabels << " noisy labels\n"
              << "models      " << s.models.size() << "\n";
    for (const auto &w : run.warnings())
        std::cout << "note        " << w.message << "\n";
    for (const auto &m : s.models) {
        std::cout << "  model " << pds::schema::modelName(m.index) << ": " << m.arch << ", seed " << m.seed << ", " << m.device
                  << ", " << m.status << ", epochs " << m.epochsCompleted << "/" << m.epochsPlanned;
        if (m.trainSeconds > 0)
            std::cout << ", " << pds::formatDuration(m.trainSeconds);
        std::cout << "\n    probes: ";
        for (std::size_t i = 0; i < m.probeNames.size(); ++i)
            std::cout << (i ? ", " : "") << m.probeNames[i];
        std::cout << "\n";
        if (!m.curves.empty()) {
            std::printf("    %5s %9s %10s %9s %10s %9s\n", "epoch", "lr", "train loss", "train acc",
                        "test loss", "test acc");
            for (const auto &c : m.curves)
                std::printf("    %5d %9.4g %10.4f %8.2f%% %10.4f %8.2f%%\n", c.epoch, c.lr, c.trainLoss,
                            c.trainAccuracy * 100, c.testLoss, c.testAccuracy * 100);
        }
    }
}

/// Options shared by `train` and `study`, bound to one configuration.
struct RunOptions {
    pds::RunConfig cfg;
    std::string preset, configFile, saveConfig, noiseMap, augment;
    /// Enumerated settings by name, mapped to the configuration after parsing.
    std::string noiseKind, optimizer, schedule, memoryFormat, device, regime, embeddingsDtype;
    std::string dynamics, evalEvery;
    bool dryRun = false, noAmp = false;
};

void addRunOptions(CLI::App *cmd, RunOptions &o)
{
    auto &cfg = o.cfg;
    auto &preset = o.preset;
    auto &configFile = o.configFile;
    auto &saveConfig = o.saveConfig;
    auto &noiseKind = o.noiseKind;
    auto &noiseMap = o.noiseMap;
    auto &augment = o.augment;
    auto &dryRun = o.dryRun;
    auto &noAmp = o.noAmp;
    cmd->add_option("--preset", preset, "Defaults to start from: auto (cpu-quick without a GPU, gpu-full with one), cpu-quick, gpu-full");
    cmd->add_option("--config", configFile, "Read the configuration from a JSON file (options given here override it)");
    cmd->add_option("--save-config", saveConfig, "Write the final configuration as JSON");
    cmd->add_flag("--dry-run", dryRun, "Print the configuration and exit");
    cmd->add_option("-o,--output", cfg.output, "Run file to write")->capture_default_str();
    cmd->add_option("--dataset", cfg.dataset.name, "Catalogue name: fashion-mnist, mnist, cifar10, cifar100")->capture_default_str();
    cmd->add_option("--data-path", cfg.dataset.path, "Dataset folder (IDX, CIFAR binary or image folder)");
    cmd->add_option("--format", cfg.dataset.format, "idx, cifar10, cifar100 or folder (default: from name or folder)");
    cmd->add_option("--classes", cfg.dataset.classes, "Class count of a custom IDX dataset (0 = from its labels, which must leave no class empty)")->capture_default_str();
    cmd->add_option("--limit", cfg.limit, "Train examples to keep, stratified (0 = all)")->capture_default_str();
    cmd->add_option("--test-limit", cfg.testLimit, "Test examples to keep, stratified (0 = all)")->capture_default_str();
    addSettingOption(cmd, "--noise", noiseKind, cfg.noise.kind,
                     "Label noise: " + pds::settingChoices<pds::NoiseSpec::Kind>());
    cmd->add_option("--noise-fraction", cfg.noise.fraction, "Fraction of labels to change")->capture_default_str();
    cmd->add_option("--noise-map", noiseMap, "Asymmetric noise as from:to pairs, e.g. 0:6,2:4");
    cmd->add_option("--noise-seed", cfg.noise.seed, "Seed of the label noise")->capture_default_str();
    cmd->add_option("--model", cfg.model.arch, "mlp, cnn, resnet18 or vgg16")->capture_default_str();
    cmd->add_option("--width", cfg.model.widthMultiplier, "Width multiplier")->capture_default_str();
    cmd->add_option("--cnn-k", cfg.model.cnnBaseWidth, "Base width k of the 4-conv cnn")->capture_default_str();
    cmd->add_option("--mlp-layers", cfg.model.mlpHiddenLayers, "Hidden layers of the mlp")->capture_default_str();
    cmd->add_option("--mlp-units", cfg.model.mlpHiddenUnits, "Units per hidden layer of the mlp")->capture_default_str();
    addSettingOption(cmd, "--optimizer", o.optimizer, cfg.train.optimizer);
    cmd->add_option("--lr", cfg.train.lr, "Peak learning rate")->capture_default_str();
    cmd->add_option("--momentum", cfg.train.momentum, "SGD momentum")->capture_default_str();
    cmd->add_option("--weight-decay", cfg.train.weightDecay, "Weight decay")->capture_default_str();
    addSettingOption(cmd, "--schedule", o.schedule, cfg.train.schedule);
    cmd->add_option("--warmup", cfg.train.warmupEpochs, "Linear warm-up epochs")->capture_default_str();
    cmd->add_option("--step-every", cfg.train.stepEvery, "Step schedule: epochs between decays")->capture_default_str();
    cmd->add_option("--step-gamma", cfg.train.stepGamma, "Step schedule: decay factor")->capture_default_str();
    cmd->add_option("--epochs", cfg.train.epochs, "Epochs (per generation for llf/seal)")->capture_default_str();
    cmd->add_option("--batch", cfg.train.batchSize, "Training batch size")->capture_default_str();
    cmd->add_option("--eval-batch", cfg.train.evalBatchSize, "Evaluation batch size")->capture_default_str();
    cmd->add_option("--augment", augment, "Augmentation on the device: crop, flip or crop,flip");
    cmd->add_option("--crop-padding", cfg.train.cropPadding, "Padding of the random crop")->capture_default_str();
    cmd->add_flag("--no-amp", noAmp,
                  "Train and probe in float32 (default: bf16 autocast on CUDA and on CPUs with bf16 matrix units)");
    addSettingOption(cmd, "--memory-format", o.memoryFormat, cfg.train.memoryFormat,
                     "Conv layout: auto (channels-last for conv models), channels_last or contiguous");
    cmd->add_flag("!--no-cudnn-benchmark", cfg.train.cudnnBenchmark,
                  "Use cuDNN's heuristic algorithm choice instead of timing the run's shapes once");
    addSettingOption(cmd, "--device", o.device, cfg.train.device);
    cmd->add_option("--threads", cfg.train.threads, "CPU threads (0 = all cores)")->capture_default_str();
    cmd->add_option("--seed", cfg.train.seed, "Seed of initialisation, order and augmentation")->capture_default_str();
    addSettingOption(cmd, "--regime", o.regime, cfg.train.regime);
    cmd->add_option("--generations", cfg.train.generations, "Generations for llf/seal")->capture_default_str();
    cmd->add_option("--split-stage", cfg.train.splitStage, "First late stage for llf/seal (default: per model, e.g. layer3)");
    cmd->add_option("--seal-factor", cfg.train.sealLrFactor, "SEAL: early-layer lr as a multiple of the scheduled lr")->capture_default_str();
    cmd->add_option("--seal-fraction", cfg.train.sealFraction, "SEAL: share of each generation spent ascending")->capture_default_str();
    cmd->add_option("--el2n-epoch", cfg.train.el2nEpoch, "Epoch whose EL2N is kept (0 = last)")->capture_default_str();
    addSettingOption(cmd, "--dynamics", o.dynamics, cfg.train.dynamics,
                     "Dynamics of trained-on examples from the training pass (train_pass) or an eval pass per epoch (eval_pass)");
    o.evalEvery = pds::evalEveryName(cfg.train.evalEvery);
    cmd->add_option("--eval-every", o.evalEvery,
                    "Evaluate held-out examples every N epochs, all, end, or auto (about 4 times); the last epoch always")
        ->capture_default_str();

    cmd->add_flag("--probe", cfg.study.probe, "Run the k-NN probes and compute prediction depth after training");
    cmd->add_option("--models", cfg.study.models, "Models in the study (ensemble size)")->capture_default_str();
    cmd->add_option("--ratio", cfg.study.ratio, "Share of the train split each model trains on (0.5 pairs halves)")->capture_default_str();
    cmd->add_option("--member", cfg.study.member, "Which model of the study this run trains (0-based; for job arrays)")->capture_default_str();
    cmd->add_option("--k", cfg.study.k, "Neighbours of the k-NN probes")->capture_default_str();
    cmd->add_option("--max-features", cfg.study.maxFeatures, "Pool probes down to at most this many features")->capture_default_str();
    cmd->add_option("--embeddings", cfg.study.embeddings, "Embeddings to store: none, all, or probe names (comma-separated)")->capture_default_str();
    addSettingOption(cmd, "--embeddings-dtype", o.embeddingsDtype, cfg.study.embeddingsDtype,
                     "Precision the probes compute in and embeddings are stored in: float16 or float32");
}

/// Applies the options that need interpretation after parsing.
void finishRunOptions(CLI::App *cmd, RunOptions &o)
{
    auto &cfg = o.cfg;
    // A folder given without a catalogue name is not the default dataset moved
    // elsewhere: its layout decides the format and its name names the dataset.
    if (cmd->count("--data-path") && !cmd->count("--dataset") && o.configFile.empty())
        cfg.dataset.name.clear();
    if (!o.augment.empty()) {
        cfg.train.augmentCrop = o.augment.find("crop") != std::string::npos;
        cfg.train.augmentFlip = o.augment.find("flip") != std::string::npos;
        if (!cfg.train.augmentCrop && !cfg.train.augmentFlip)
            throw pds::ConfigError("--augment must name crop, flip or both, got '" + o.augment + "'");
    }
    if (o.noAmp)
        cfg.train.mixedPrecision = false;
    using pds::ConfigField;
    auto key = [](ConfigField f) { return pds::configFieldKey(f); };
    cfg.noise.kind = pds::parseSetting<pds::NoiseSpec::Kind>(o.noiseKind, "--noise", key(ConfigField::NoiseKind));
    if (!o.noiseMap.empty()) {
        int bad = 0;
        std::vector<int> pairs;
        try {
            pairs = parseClassMap(o.noiseMap, bad);
        } catch (const std::exception &) {
            bad = 1;
        }
        if (bad)
            throw pds::ConfigError("--noise-map must look like 0:6,2:4, got '" + o.noiseMap + "'",
                                   key(ConfigField::NoiseClassMap));
        // Classes not named keep their label; the run pads the map to the dataset's class count.
        int maxClass = 0;
        for (int v : pairs)
            maxClass = std::max(maxClass, v);
        cfg.noise.classMap.resize(static_cast<std::size_t>(maxClass + 1));
        for (std::size_t i = 0; i < cfg.noise.classMap.size(); ++i)
            cfg.noise.classMap[i] = static_cast<int>(i);
        for (std::size_t i = 0; i + 1 < pairs.size(); i += 2)
            cfg.noise.classMap[static_cast<std::size_t>(pairs[i])] = pairs[i + 1];
    }
    cfg.train.optimizer = pds::parseSetting<pds::Optimizer>(o.optimizer, "optimizer", key(ConfigField::Optimizer));
    cfg.train.schedule = pds::parseSetting<pds::Schedule>(o.schedule, "schedule", key(ConfigField::Schedule));
    cfg.train.memoryFormat =
        pds::parseSetting<pds::MemoryFormat>(o.memoryFormat, "memory format", key(ConfigField::MemoryFormat));
    cfg.train.device = pds::parseSetting<pds::DeviceChoice>(o.device, "device", key(ConfigField::Device));
    cfg.train.regime = pds::parseSetting<pds::Regime>(o.regime, "regime", key(ConfigField::Regime));
    cfg.train.dynamics = pds::parseSetting<pds::DynamicsSource>(o.dynamics, "--dynamics", key(ConfigField::Dynamics));
    cfg.train.evalEvery = pds::parseEvalEvery(o.evalEvery);
    cfg.study.embeddingsDtype = pds::parseSetting<pds::EmbeddingsDtype>(o.embeddingsDtype, "embeddings dtype",
                                                                      key(ConfigField::EmbeddingsDtype));
}

/// Validates, saves the configuration if asked, prints it for a dry run, and
/// routes Ctrl-C to the job. Returns false when nothing is to be run.
bool prepare(const pds::RunConfig &config, const std::string &saveConfig, bool dryRun)
{
    config.validate();
    if (!saveConfig.empty()) {
        std::ofstream out(saveConfig);
        if (!out)
            throw pds::ConfigError(saveConfig + ": cannot write configuration file");
        out << pds::toJson(config) << "\n";
    }
    if (dryRun) {
        std::cout << pds::toJson(config) << "\n";
        return false;
    }
    handleInterrupts();
    return true;
}

/// Records how the job ended in its event log (`--events`), if it keeps one.
void recordEnd(pds::EventWriter *events, pds::JobEnd::Outcome outcome, const std::string &path,
               const std::string &message = {})
{
    if (events)
        events->ended({outcome, path, message});
}

/// The observer a job reports to: `inner`, and through it the event log if there is one.
pds::JobObserver *observedBy(pds::JobObserver *inner, pds::EventWriter *events)
{
    if (!events)
        return inner;
    events->setInner(inner);
    return events;
}

/// Ends a run or resume that stopped short: its file is kept, marked incomplete.
int runInterrupted(const pds::JobResult &r, pds::EventWriter *events)
{
    std::cerr << "pdepth: " << r.message << "\n";
    recordEnd(events, pds::JobEnd::Outcome::Cancelled, r.outputPath, r.message);
    return kCancelled;
}

int runTrain(pds::RunConfig config, const std::string &saveConfig, bool dryRun, pds::EventWriter *events)
{
    if (!prepare(config, saveConfig, dryRun))
        return kOk;
    pds::ProgressPrinter printer(stderr);
    const auto observer = pds::reportToStudyParent(&printer);
    pds::RunJob job(config);
    const pds::JobResult r = job.run(observedBy(observer.get(), events), g_cancel);
    if (r.status == pds::runformat::kStatusIncomplete)
        return runInterrupted(r, events);
    recordEnd(events, pds::JobEnd::Outcome::Finished, r.outputPath);
    std::printf("finished in %s on %s: test accuracy %.2f%%, train accuracy %.2f%%, %.0f examples/s\n"
                "run file: %s\n",
                pds::formatDuration(r.seconds).c_str(), r.device.c_str(), r.finalTestAccuracy * 100,
                r.finalTrainAccuracy * 100, r.trainExamplesPerSecond, r.outputPath.c_str());
    return kOk;
}

/// Prints a study whose members run in processes of their own: each member's
/// epoch lines come passed on from its log, so its typed epoch events would
/// print them twice.
class MembersInProcessesPrinter : public pds::ProgressPrinter {
public:
    using pds::ProgressPrinter::ProgressPrinter;
    void epochFinished(int, const pds::EpochCurve &) override {}
};

int runStudy(pds::RunConfig config, const std::string &saveConfig, bool dryRun, int jobs, pds::EventWriter *events)
{
    config.study.probe = true;
    if (!prepare(config, saveConfig, dryRun))
        return kOk;
    pds::ProgressPrinter printer(stderr);
    MembersInProcessesPrinter membersPrinter(stderr);
    if (jobs == 0)
        jobs = pds::autoStudyJobs(config);
    pds::StudyJob job(config);
    if (jobs > 1)
        job.setMemberRunner(pds::childProcessRunner(pds::selfExecutable()), jobs);
    const pds::StudyResult r =
        job.run(observedBy(jobs > 1 ? &membersPrinter : &printer, events), g_cancel);
    if (r.status != pds::runformat::kStatusComplete) {
        const std::string text = "study interrupted; finished members are kept and reused when it runs again";
        std::cerr << "pdepth: " << text << "\n";
        recordEnd(events, pds::JobEnd::Outcome::Cancelled, {}, text);
        return kCancelled;
    }
    recordEnd(events, pds::JobEnd::Outcome::Finished, r.output);
    std::printf("study finished in %s: %d members trained, %d reused (training %s, embedding %s, probing %s)\n"
                "study file: %s\n",
                pds::formatDuration(r.seconds).c_str(), r.membersTrained, r.membersReused,
                pds::formatDuration(r.trainSeconds).c_str(), pds::formatDuration(r.embedSeconds).c_str(),
                pds::formatDuration(r.probeSeconds).c_str(), r.output.c_str());
    return kOk;
}

/// How long a complete check of `file` may take before the child counts as
/// hung: reading every chunk of a good file runs at well over 20 MB/s here
/// (9.4 MB in 0.25 s), so this leaves a wide margin while a damaged file that
/// sends HDF5 into a loop is reported within half a minute, not an hour.
double fullCheckSeconds(const std::string &file)
{
    std::error_code ec;
    const auto bytes = std::filesystem::file_size(file, ec);
    return 30.0 + (ec ? 0.0 : static_cast<double>(bytes) / 20e6);
}

/// Checks each file completely in a pdepth-check child (so a crash of the
/// HDF5 library is reported, not suffered), then loads it as a run; prints
/// each problem as "file: object: what".
int runCheck(const std::vector<std::string> &files, bool quick)
{
    bool allOk = true;
    for (const auto &file : files) {
        pds::ChildCheck c = pds::checkInChildProcess(file, quick, quick ? 10.0 : fullCheckSeconds(file));
        if (c.outcome == pds::ChildCheck::Outcome::Unavailable) {
            std::cerr << "pdepth: " << c.message << "; checking in this process\n";
            const pds::FileCheck here = pds::checkRunFile(file, quick);
            c.outcome = here.ok() ? pds::ChildCheck::Outcome::Passed : pds::ChildCheck::Outcome::Problems;
            c.problems = here.problems;
            c.notes = here.notes;
        }
        for (const auto &note : c.notes)
            std::cout << file << ": note: " << note << "\n";
        if (c.outcome == pds::ChildCheck::Outcome::Crashed || c.outcome == pds::ChildCheck::Outcome::TimedOut)
            c.problems.push_back({file, c.lastObject.empty() ? "/" : c.lastObject, c.message});
        if (c.outcome == pds::ChildCheck::Outcome::Passed) {
            try {
                if (pds::isRegressionFile(file))
                    pds::loadRegressionRun(file);
                else if (pds::isSweepFile(file))
                    pds::SweepReader sweep(file);
                else if (pds::isComparisonFile(file))
                    (void)pds::readComparison(file);
                else
                    pds::RunReader run(file);
            } catch (const std::exception &e) {
                c.problems.push_back({file, "/", e.what()});
            }
        }
        for (const auto &p : c.problems)
            std::cout << file << ": " << p.object << ": " << p.what << "\n";
        if (c.problems.empty())
            std::cout << file << ": ok" << (quick ? " (structure, attributes and digest)" : " (every dataset read)")
                      << "\n";
        allOk = allOk && c.problems.empty();
    }
    return allOk ? kOk : kFailed;
}

/// Checks `path` in a child process before this one reads it (see
/// verifyBeforeOpening); says on stderr when no check could run.
void guardOpen(const std::string &path)
{
    const std::string unguarded = pds::verifyBeforeOpening(path);
    if (!unguarded.empty())
        std::fprintf(stderr, "note: %s\n", unguarded.c_str());
}

/// A RunReader of a file checked first in a child process.
pds::RunReader openChecked(const std::string &path)
{
    guardOpen(path);
    return pds::RunReader(path);
}

/// `pdepth study --slurm`: submits the members as one job array and the merge
/// after it, and says how to follow them.
int submitStudy(pds::RunConfig config, const std::string &saveConfig, bool dryRun, const pds::SlurmOptions &options)
{
    config.study.probe = true;
    if (!prepare(config, saveConfig, dryRun))
        return kOk;
    pds::cli::printSlurmSubmission(pds::submitStudyToSlurm(config, options, pds::selfExecutable()), config.output);
    return kOk;
}

} // namespace

int main(int argc, char **argv)
{
    pds::keepFreedMemory();
    CLI::App app{"pdepth: train image classifiers and record how hard every example is.\n"
                 "Exit codes: 0 success, 1 failure (bad data or files), 2 bad usage or configuration,\n"
                 "3 training diverged, 130 interrupted (run file kept, marked incomplete)."};
    app.set_version_flag("--version", std::string("pdepth ") + pds::version());
    // At most one command; a missing one is reported after parsing, because CLI11
    // checks the requirement first and would answer a misspelled command or an
    // unknown option with "A subcommand is required".
    app.require_subcommand(0, 1);

    // --- train / study ---------------------------------------------------------
    auto *train = app.add_subcommand("train", "Train a model and write a run file (HDF5)");
    auto *study = app.add_subcommand("study", "Train an ensemble with k-NN probes; write per-example depth, memorisation and groups");
    RunOptions trainOpts, studyOpts;
    try {
        const std::string preset = scanOption(argc, argv, "--preset");
        const std::string configFile = scanOption(argc, argv, "--config");
        pds::RunConfig base = configFile.empty() ? presetConfig(preset, scanOption(argc, argv, "--device"))
                                                 : pds::runConfigFromJson(readTextFile(configFile));
        trainOpts.cfg = base;
        studyOpts.cfg = base;
        if (configFile.empty()) {
            studyOpts.cfg.study.models = 8;
            studyOpts.cfg.study.ratio = 0.5;
            studyOpts.cfg.output = "study.h5";
        }
    } catch (const pds::Error &e) {
        std::cerr << "pdepth: " << e.what() << "\n";
        return kUsage;
    }
    addRunOptions(train, trainOpts);
    pds::RegressionOptions regressionOpts;
    pds::addRegressionOptions(train, trainOpts.cfg, regressionOpts);
    addRunOptions(study, studyOpts);
    auto *sweepCmd = app.add_subcommand("sweep", "Train an ensemble at each of several model sizes (optionally distilled); write per-example memorisation and trajectories across sizes");
    RunOptions sweepOpts{studyOpts};
    sweepOpts.cfg.study.models = 16;
    sweepOpts.cfg.study.ratio = 0.7;
    sweepOpts.cfg.output = "sweep.h5";
    pds::cli::SweepOptions sweepArgs;
    addRunOptions(sweepCmd, sweepOpts);
    pds::cli::addSweepOptions(sweepCmd, sweepArgs);
    int jobs = 1;
    study->add_option("-j,--jobs", jobs,
                      "Members to train at once, each in its own pdepth process (CPU threads are shared out among "
                      "them); default: one single-threaded member per core on the CPU when --threads is not given, "
                      "else 1")
        ->check(CLI::Range(1, 1024));
    pds::cli::SlurmFlags studySlurm, sweepSlurm, compareSlurm;
    pds::cli::addSlurmOptions(study, studySlurm);
    pds::cli::addSlurmOptions(sweepCmd, sweepSlurm);

    auto *compare = app.add_subcommand(
        "compare", "Run regimes side by side (standard, llf, seal): one study each on the same members and epochs");
    RunOptions compareOpts;
    compareOpts.cfg = studyOpts.cfg;
    if (scanOption(argc, argv, "--config").empty()) {
        compareOpts.cfg.output = "comparison.h5";
        compareOpts.cfg.train.generations = 3;
    }
    addRunOptions(compare, compareOpts);
    pds::cli::CompareOptions compareExtra;
    pds::cli::addCompareOptions(compare, compareExtra);
    pds::cli::addSlurmOptions(compare, compareSlurm);

    auto *status = app.add_subcommand("status", "Show the members of a study, sweep or comparison submitted with --slurm: pending, running, finished, failed");
    std::string statusPath;
    status->add_option("file", statusPath, "Study, sweep or comparison file (its -o)")->required();
    bool statusJson = false;
    status->add_flag("--json", statusJson, "Print the status as one JSON object (for scripts and the Studio)");

    auto *resume = app.add_subcommand("resume", "Continue an interrupted run from its last completed epoch");
    std::string resumePath;
    resume->add_option("file", resumePath, "Run file (or its .part file)")->required();
    // The Studio follows the jobs it starts through this log, also after it was closed.
    std::string eventsPath;
    for (CLI::App *cmd : {train, study, resume, sweepCmd, compare})
        cmd->add_option("--events", eventsPath,
                        "Append the job's progress as typed events (JSON lines), then how it ended, to this file");

    auto *merge = app.add_subcommand("merge", "Merge finished member run files into one study file");
    std::vector<std::string> mergeInputs;
    std::string mergeOutput;
    merge->add_option("members", mergeInputs, "Member run files (each trained with --probe and its own --member)")->required();
    merge->add_option("-o,--output", mergeOutput, "Study file to write")->required();

    // --- info / export -------------------------------------------------------
    auto *info = app.add_subcommand("info", "Summarise a run file");
    std::string infoPath;
    info->add_option("file", infoPath, "Run file")->required();
    auto *exportCmd = app.add_subcommand("export", "Export per-example scores");
    std::string exportPath, csvPath;
    exportCmd->add_option("file", exportPath, "Run file")->required();
    exportCmd->add_option("--csv", csvPath, "CSV file to write (one row per example)")->required();
    auto *checkCmd = app.add_subcommand("check", "Verify run files completely: checksums, digest, every dataset (exit 1 if any is damaged)");
    std::vector<std::string> checkPaths;
    bool checkQuick = false;
    checkCmd->add_option("files", checkPaths, "Run files")->required();
    checkCmd->add_flag("--quick", checkQuick, "Check structure, attributes and digest only; read no stored data");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        return app.exit(e) == 0 ? kOk : kUsage;
    }
    if (app.get_subcommands().empty()) {
        std::cerr << "pdepth: name a command: train, study, sweep, compare, resume, merge, status, info, export or check (see pdepth --help)\n";
        return kUsage;
    }

    std::unique_ptr<pds::EventWriter> events;
    auto failed = [&](const std::exception &e, int code) {
        std::cerr << "pdepth: " << e.what() << "\n";
        recordEnd(events.get(), pds::JobEnd::Outcome::Failed, {}, e.what());
        return code;
    };
    try {
        if (!eventsPath.empty())
            events = pds::openEventLog(eventsPath, nullptr);
        if (*train) {
            finishRunOptions(train, trainOpts);
            pds::finishRegressionOptions(regressionOpts, trainOpts.cfg);
            if (trainOpts.cfg.task == pds::Task::Regression)
                return prepare(trainOpts.cfg, trainOpts.saveConfig, trainOpts.dryRun)
                           ? pds::runRegression(trainOpts.cfg, g_cancel, events.get())
                           : kOk;
            return runTrain(trainOpts.cfg, trainOpts.saveConfig, trainOpts.dryRun, events.get());
        }
        if (*study) {
            finishRunOptions(study, studyOpts);
            if (studySlurm.submit) {
                pds::cli::refuseJobsWithSlurm(study);
                return submitStudy(studyOpts.cfg, studyOpts.saveConfig, studyOpts.dryRun, studySlurm.options);
            }
            return runStudy(studyOpts.cfg, studyOpts.saveConfig, studyOpts.dryRun,
                            study->count("--jobs") > 0 ? jobs : 0, events.get());
        }
        if (*sweepCmd) {
            finishRunOptions(sweepCmd, sweepOpts);
            if (sweepSlurm.submit) {
                pds::cli::refuseJobsWithSlurm(sweepCmd);
                return pds::cli::submitSweep(sweepOpts.cfg, sweepArgs, sweepOpts.saveConfig, sweepOpts.dryRun,
                                             sweepSlurm.options, pds::cli::commandWithoutSlurm(argc, argv, pds::selfExecutable()));
            }
            return pds::cli::runSweep(sweepOpts.cfg, sweepArgs, sweepOpts.saveConfig, sweepOpts.dryRun, g_cancel,
                                      handleInterrupts, events.get());
        }
        if (*compare) {
            finishRunOptions(compare, compareOpts);
            if (compareSlurm.submit)
                pds::cli::refuseJobsWithSlurm(compare);
            const pds::CompareConfig cc = pds::cli::compareConfig(compare, compareOpts.cfg, compareExtra);
            if (!prepare(cc.base, compareOpts.saveConfig, compareOpts.dryRun))
                return kOk;
            if (compareSlurm.submit) {
                pds::cli::printSlurmSubmission(
                    pds::submitComparisonToSlurm(cc, compareSlurm.options,
                                                 pds::cli::commandWithoutSlurm(argc, argv, pds::selfExecutable()),
                                                 pds::selfExecutable()),
                    cc.base.output);
                return kOk;
            }
            pds::ProgressPrinter printer(stderr);
            MembersInProcessesPrinter membersPrinter(stderr);
            pds::JobObserver *observer = observedBy(compareExtra.jobs > 1 ? &membersPrinter : &printer, events.get());
            // The Studio follows the comparison through its event log until it ends.
            const bool done = pds::cli::runCompare(cc, compareExtra.jobs, observer, g_cancel);
            recordEnd(events.get(), done ? pds::JobEnd::Outcome::Finished : pds::JobEnd::Outcome::Cancelled,
                      done ? cc.base.output : std::string(),
                      done ? std::string() : "comparison interrupted; finished members are kept and reused when it runs again");
            return done ? kOk : kCancelled;
        }
        if (*resume) {
            handleInterrupts();
            pds::ProgressPrinter printer(stderr);
            const auto observer = pds::reportToStudyParent(&printer);
            {
                // resume reads the .part file when there is one, like RunJob::resume.
                const std::string part = resumePath + pds::runformat::kPartialSuffix;
                const std::string source = ::access(part.c_str(), F_OK) == 0 ? part : resumePath;
                guardOpen(source);
                if (pds::isRegressionFile(source))
                    return pds::resumeRegression(resumePath, g_cancel, events.get());
            }
            const pds::JobResult r =
                pds::RunJob::resume(resumePath, observedBy(observer.get(), events.get()), g_cancel);
            if (r.status == pds::runformat::kStatusIncomplete)
                return runInterrupted(r, events.get());
            recordEnd(events.get(), pds::JobEnd::Outcome::Finished, r.outputPath);
            std::printf("finished in %s on %s: test accuracy %.2f%%\nrun file: %s\n",
                        pds::formatDuration(r.seconds).c_str(), r.device.c_str(), r.finalTestAccuracy * 100,
                        r.outputPath.c_str());
            return kOk;
        }
        if (*merge) {
            for (const auto &member : mergeInputs)
                guardOpen(member);
            pds::mergeStudy(mergeInputs, mergeOutput);
            pds::RunReader run(mergeOutput);
            printInfo(run);
            return kOk;
        }
        if (*status) {
            const pds::SlurmStatus st = pds::slurmStudyState(statusPath);
            std::cout << (statusJson ? pds::slurmStatusJson(st) : pds::formatSlurmStatus(st));
            return kOk;
        }
        if (*info && pds::cli::isCheckedSweepFile(infoPath)) {
            pds::cli::printSweepInfo(infoPath);
            return kOk;
        }
        if (*info) {
            if (pds::isComparisonFile(infoPath)) {
                pds::cli::printComparison(infoPath, std::cout);
                return kOk;
            }
            guardOpen(infoPath);
            if (pds::isRegressionFile(infoPath)) {
                pds::printRegressionInfo(infoPath, std::cout);
                return kOk;
            }
            printInfo(openChecked(infoPath));
            return kOk;
        }
        if (*checkCmd)
            return runCheck(checkPaths, checkQuick);
        if (*exportCmd && pds::cli::isCheckedSweepFile(exportPath)) {
            pds::exportSweepCsv(pds::SweepReader(exportPath), csvPath);
            std::cout << "wrote " << csvPath << "\n";
            return kOk;
        }
        if (*exportCmd) {
            pds::exportCsv(openChecked(exportPath), csvPath);
            std::cout << "wrote " << csvPath << "\n";
            return kOk;
        }
    } catch (const pds::CancelledError &) {
        // Stopped before a study member ended: its last committed epoch is kept.
        std::cerr << "pdepth: interrupted\n";
        recordEnd(events.get(), pds::JobEnd::Outcome::Cancelled, {});
        return kCancelled;
    } catch (const pds::ConfigError &e) {
        return failed(e, kUsage);
    } catch (const pds::DivergenceError &e) {
        return failed(e, kDiverged);
    } catch (const std::exception &e) {
        return failed(e, kFailed);
    }
    return kOk;
}
