#include "compare/comparison.h"

#include "compare/statistics.h"
#include "compare/transfer.h"
#include "models/model.h"
#include "store/runformat.h"
#include "store/runreader.h"
#include "store/schema.h"
#include "train/trainer.h"
#include "util/error.h"
#include "util/seeds.h"

#include <chrono>
#include <filesystem>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace pds {

namespace {

const std::string kRegimesKey = "compare.regimes";

std::string regimeName(Regime r) { return settingName(r); }

/// A bootstrap seed for one regime (or pair) and split, so that every interval draws its own stream.
std::uint64_t intervalSeed(std::uint64_t seed, std::uint64_t which, std::uint64_t split)
{
    return seed * seeds::kSpread + which * 2 + split;
}

} // namespace

std::vector<Regime> parseRegimes(const std::string &list)
{
    std::vector<Regime> out;
    std::stringstream s(list);
    std::string name;
    while (std::getline(s, name, ',')) {
        const auto r = settingFromName<Regime>(name);
        if (!r)
            throw ConfigError("--regimes: unknown regime '" + name + "' (regimes: " + settingChoices<Regime>() + ")",
                              kRegimesKey);
        for (Regime seen : out)
            if (seen == *r)
                throw ConfigError("--regimes names " + name + " twice; name each regime once", kRegimesKey);
        out.push_back(*r);
    }
    return out;
}

std::string regimeStudyPath(const std::string &output, Regime regime)
{
    const fs::path out(output);
    return (out.parent_path() / (out.stem().string() + ".regimes") / (regimeName(regime) + ".h5")).string();
}

RunConfig regimeStudyConfig(const CompareConfig &c, Regime regime)
{
    RunConfig r = c.base;
    r.train.regime = regime;
    r.study.probe = true;
    r.study.keepWeights = c.hasTransfer();
    r.output = regimeStudyPath(c.base.output, regime);
    if (regime == Regime::Standard) {
        r.train.epochs = c.base.train.epochs * c.base.train.generations;
        r.train.generations = 1;
    }
    return r;
}

void checkComparison(const CompareConfig &c)
{
    if (c.regimes.size() < 2)
        throw ConfigError("--regimes needs at least two regimes to compare, e.g. standard,llf,seal", kRegimesKey);
    std::set<Regime> seen(c.regimes.begin(), c.regimes.end());
    if (seen.size() != c.regimes.size())
        throw ConfigError("--regimes names a regime twice; name each regime once", kRegimesKey);
    const bool generational = seen.count(Regime::Llf) || seen.count(Regime::Seal);
    if (generational && c.base.train.generations < 2)
        throw ConfigError("--generations must be at least 2 to compare llf or seal (each re-initialises or ascends "
                          "from the second generation on), got "
                              + std::to_string(c.base.train.generations),
                          configFieldKey(ConfigField::Generations));
    if (c.bootstrapResamples < 1)
        throw ConfigError("--bootstrap must be at least 1, got " + std::to_string(c.bootstrapResamples),
                          "compare.bootstrap");
    for (Regime r : c.regimes)
        regimeStudyConfig(c, r).validate();

    const Dataset data = loadDataset(c.base.dataset);
    if (generational) {
        ModelSpec spec = c.base.model;
        spec.inChannels = data.channels;
        spec.height = data.height;
        spec.width = data.width;
        spec.numOutputs = data.numClasses();
        const ModelPtr model = makeModel(spec);
        const std::string stage = c.base.train.splitStage.empty() ? model->defaultSplitStage()
                                                                  : c.base.train.splitStage;
        std::vector<torch::Tensor> early, late;
        try {
            model->splitParameters(stage, early, late);
        } catch (const ConfigError &e) {
            throw ConfigError(std::string("--split-stage: ") + e.what(), configFieldKey(ConfigField::SplitStage));
        }
        if (early.empty())
            throw ConfigError("--split-stage: '" + stage + "' is the model's first stage, which leaves no early "
                              "layers for llf and seal to keep or ascend",
                              configFieldKey(ConfigField::SplitStage));
    }
    if (c.hasTransfer()) {
        const Dataset other = loadDataset(c.transfer);
        if (other.channels != data.channels || other.height != data.height || other.width != data.width) {
            auto shape = [](const Dataset &d) {
                return std::to_string(d.channels) + "×" + std::to_string(d.height) + "×" + std::to_string(d.width);
            };
            throw ConfigError("--transfer: " + other.name + " has " + shape(other) + " images but " + data.name
                                  + " has " + shape(data)
                                  + "; the transfer dataset needs the same image size and channel count",
                              "compare.transfer");
        }
    }
}

CompareJob::CompareJob(CompareConfig config) : m_config(std::move(config)) {}

void CompareJob::setMemberRunner(MemberRunner runner, int concurrent)
{
    m_runner = std::move(runner);
    m_concurrent = concurrent;
}

CompareResult CompareJob::run(JobObserver *observer, const CancelToken &cancel)
{
    const auto t0 = std::chrono::steady_clock::now();
    checkComparison(m_config);
    CompareResult result;
    result.output = m_config.base.output;
    std::vector<std::string> studies;
    for (Regime regime : m_config.regimes) {
        const RunConfig config = regimeStudyConfig(m_config, regime);
        if (observer)
            observer->message("regime " + regimeName(regime) + ": study " + config.output);
        StudyJob job(config);
        if (m_runner)
            job.setMemberRunner(m_runner, m_concurrent);
        const StudyResult r = job.run(observer, cancel);
        result.membersTrained += r.membersTrained;
        result.membersReused += r.membersReused;
        if (r.status != runformat::kStatusComplete) {
            result.status = runformat::kStatusIncomplete;
            result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            return result;
        }
        studies.push_back(config.output);
    }
    if (observer)
        observer->message("comparing " + std::to_string(studies.size()) + " regimes into " + m_config.base.output);
    const Comparison comparison = analyseStudies(m_config, studies, observer, cancel);
    writeComparison(m_config.base.output, comparison, studies);
    result.status = runformat::kStatusComplete;
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return result;
}

namespace {

/// Test accuracy after the last epoch of each generation, [models, generations].
std::vector<double> generationAccuracy(const RunReader &study, int generations, int epochsPerGeneration)
{
    std::vector<double> out;
    for (const auto &m : study.summary().models)
        for (int g = 1; g <= generations; ++g) {
            const auto epoch = static_cast<std::size_t>(g * epochsPerGeneration);
            if (epoch > m.curves.size())
                throw StoreError(study.summary().path + ": " + m.group + " has " + std::to_string(m.curves.size())
                                 + " epochs, fewer than " + std::to_string(generations) + " generations of "
                                 + std::to_string(epochsPerGeneration));
            out.push_back(m.curves[epoch - 1].testAccuracy);
        }
    return out;
}

/// The depth of one split: per example over the members that qualify (those
/// that trained on it for the train split, all for the test split), the
/// histogram over (member, example) pairs and the bootstrap interval.
RegimeDepth splitDepth(const RunReader &study, const std::string &split, int probes, const CompareConfig &c,
                       std::uint64_t seed)
{
    RegimeDepth d;
    const SplitSummary s = study.splitSummary(split);
    d.exampleDepth = split == "train" ? s.depthTrainMean : s.depthValMean;
    d.histogram.assign(static_cast<std::size_t>(probes + 1), 0);
    for (int m = 0; m < static_cast<int>(study.summary().models.size()); ++m) {
        const auto depth = study.predictionDepth(m, split);
        const auto counts = histogram(depth, probes, split == "train" ? study.inTrain(m) : std::vector<std::uint8_t>{});
        for (std::size_t i = 0; i < counts.size(); ++i)
            d.histogram[i] += counts[i];
    }
    d.mean = bootstrapMean(d.exampleDepth, seed, c.bootstrapResamples, c.bootstrapLevel);
    return d;
}

/// Each member's transfer accuracy, from the final checkpoint in its own run
/// file (the study keeps the models' results, not their weights).
std::vector<double> transferAccuracies(const RunReader &study, const std::string &studyPath,
                                       const TransferData &data, torch::Device device, const CancelToken &cancel)
{
    const RunSummary &sum = study.summary();
    const RunConfig config = runConfigFromJson(sum.configJson);
    ModelSpec spec = config.model;
    spec.inChannels = sum.channels;
    spec.height = sum.height;
    spec.width = sum.width;
    spec.numOutputs = static_cast<int>(sum.classNames.size());
    TransferProbeOptions options;
    options.batchSize = config.train.evalBatchSize;
    std::vector<double> out;
    for (int m = 0; m < static_cast<int>(sum.models.size()); ++m) {
        cancel.check();
        const RunReader member(memberPath(studyPath, study.member(m)));
        const std::string bytes = member.checkpoint(0, member.summary().models.at(0).epochsCompleted);
        torch::serialize::InputArchive archive;
        archive.load_from(bytes.data(), bytes.size(), device);
        ModelPtr model = makeModel(spec);
        model->to(device);
        model->load(archive);
        out.push_back(transferAccuracy(*model, data, options, device));
    }
    return out;
}

RegimeResult analyseRegime(const CompareConfig &c, Regime regime, const std::string &studyPath, std::size_t which,
                           const TransferData *transfer, torch::Device device, const CancelToken &cancel)
{
    const RunReader study(studyPath);
    RegimeResult r;
    r.regime = regimeName(regime);
    const fs::path outDir = fs::absolute(c.base.output).parent_path();
    r.studyFile = fs::absolute(studyPath).lexically_relative(outDir).string();
    r.models = static_cast<int>(study.summary().models.size());
    r.generations = c.base.train.generations;
    r.generationAccuracy = generationAccuracy(study, r.generations, c.base.train.epochs);
    r.probeNames = study.summary().models.at(0).probeNames;
    r.probes = static_cast<int>(r.probeNames.size());
    for (int m = 0; m < r.models; ++m) {
        const auto acc = study.probeAccuracy(m, ProbeCurve::ValidationAccuracy);
        if (static_cast<int>(acc.size()) != r.probes)
            throw StoreError(studyPath + ": model " + std::to_string(m) + " has " + std::to_string(acc.size())
                             + " probe accuracies for " + std::to_string(r.probes) + " probes");
        r.probeAccuracy.insert(r.probeAccuracy.end(), acc.begin(), acc.end());
    }
    const int depthMax = study.studyInfo().probes;
    r.train = splitDepth(study, "train", depthMax, c, intervalSeed(c.base.train.seed, which, 0));
    r.test = splitDepth(study, "test", depthMax, c, intervalSeed(c.base.train.seed, which, 1));
    if (transfer) {
        r.transferAccuracy = transferAccuracies(study, studyPath, *transfer, device, cancel);
        meanAndSpread(r.transferAccuracy, r.transferMean, r.transferSpread);
    }
    return r;
}

SplitDifference splitDifference(const RegimeDepth &a, const RegimeDepth &b, const CompareConfig &c,
                                std::uint64_t seed)
{
    SplitDifference d;
    d.depth = differences(a.exampleDepth, b.exampleDepth);
    d.mean = bootstrapMean(d.depth, seed, c.bootstrapResamples, c.bootstrapLevel);
    d.shares = shiftShares(d.depth);
    return d;
}

} // namespace

Comparison analyseStudies(const CompareConfig &c, const std::vector<std::string> &studyPaths,
                          JobObserver *observer, const CancelToken &cancel)
{
    Comparison out;
    out.configJson = toJson(c.base);
    out.generations = c.base.train.generations;
    out.epochsPerGeneration = c.base.train.epochs;
    out.bootstrapResamples = c.bootstrapResamples;
    out.bootstrapLevel = c.bootstrapLevel;
    std::unique_ptr<TransferData> transfer;
    const torch::Device device = resolveDevice(c.base.train.device);
    if (c.hasTransfer()) {
        transfer = std::make_unique<TransferData>(
            loadTransferData(c.transfer, c.transferLimit, c.transferTestLimit, c.base.train.seed));
        out.transferDataset = transfer->data.name;
    }
    for (std::size_t i = 0; i < c.regimes.size(); ++i) {
        cancel.check();
        if (observer)
            observer->message("analysing " + regimeName(c.regimes[i])
                              + (transfer ? " (with the transfer probe on " + transfer->data.name + ")" : ""));
        out.regimes.push_back(analyseRegime(c, c.regimes[i], studyPaths.at(i), i, transfer.get(), device, cancel));
    }
    const std::size_t n = out.regimes.size();
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j) {
            DepthDifference d;
            d.a = out.regimes[i].regime;
            d.b = out.regimes[j].regime;
            const std::uint64_t which = n + i * n + j; // after the regimes' own streams
            d.train = splitDifference(out.regimes[i].train, out.regimes[j].train, c,
                                      intervalSeed(c.base.train.seed, which, 0));
            d.test = splitDifference(out.regimes[i].test, out.regimes[j].test, c,
                                     intervalSeed(c.base.train.seed, which, 1));
            out.differences.push_back(std::move(d));
        }
    return out;
}

} // namespace pds
