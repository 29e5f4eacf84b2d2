#include "regression/regressionjob.h"

#include "data/catalogue.h"
#include "data/targetdataset.h"
#include "data/transforms.h"
#include "models/model.h"
#include "regression/experts.h"
#include "regression/regressor.h"
#include "regression/selection.h"
#include "regression/targetnoise.h"
#include "store/partfile.h"
#include "store/regressionwriter.h"
#include "store/runformat.h"
#include "train/checkpoint.h"
#include "train/devices.h"
#include "train/trainer.h"
#include "util/error.h"
#include "util/seeds.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <numeric>
#include <optional>

namespace pds {

namespace {

using Clock = std::chrono::steady_clock;

/// The regressor's key in a method's checkpoint archive (the experts add theirs).
constexpr const char *kRegressorKey = "regressor";

double secondsSince(Clock::time_point t0)
{
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

/// The rotation benchmark of a catalogue dataset, or a target folder (format csv).
TargetDataset loadRegressionData(const RunConfig &c)
{
    if (c.dataset.format == "csv") {
        if (c.dataset.path.empty())
            throw ConfigError("a target folder (format csv) needs its path", configFieldKey(ConfigField::DatasetPath));
        return loadTargetFolder(c.dataset.path);
    }
    // The benchmark is fixed (seed 0) so that runs of different seeds see the same images and angles.
    return rotationBenchmark(loadDataset(c.dataset), c.limit, c.testLimit, 0);
}

TargetNoise targetNoise(const NoiseSpec &n)
{
    TargetNoise t;
    t.kind = n.kind == NoiseSpec::Kind::Symmetric  ? TargetNoise::Kind::Symmetric
             : n.kind == NoiseSpec::Kind::Gaussian ? TargetNoise::Kind::Gaussian
                                                   : TargetNoise::Kind::None;
    t.fraction = n.fraction;
    t.sigmaMax = n.sigmaMax;
    t.seed = n.seed;
    return t;
}

Split imagesOnly(const TargetSplit &s)
{
    Split out;
    out.images = s.images;
    out.labels.assign(static_cast<std::size_t>(s.size()), 0);
    return out;
}

/// The small-loss keep rate of epoch `epoch` (0-based): Co-teaching's ramp from
/// everything down to `keep` over the first min(10, E/2) epochs.
double smallLossKeep(double keep, int epoch, int epochs)
{
    const double ramp = std::max(1.0, std::min(10.0, epochs / 2.0));
    return 1.0 - (1.0 - keep) * std::min(1.0, epoch / ramp);
}

/// Everything the methods share: data on the device, standardised targets, the fragments.
struct Setup {
    TargetDataset data;
    torch::Device device{torch::kCPU};
    torch::Tensor train, test;           ///< normalised images
    torch::Tensor noisyStd, cleanStd;    ///< standardised train targets
    double mean = 0.0, std = 1.0;
    std::int64_t noisyCount = 0;
    ModelSpec spec;
    std::optional<Fragmentation> fragments;
    std::vector<std::pair<int, int>> pairs;
    std::vector<std::int32_t> fragmentOfExample;
    ChannelStats stats;
};

struct MethodResult {
    std::vector<float> testPrediction;
    double mae = 0.0, rmse = 0.0;
};

class Runner {
public:
    Runner(const RunConfig &c, Setup &s, RegressionWriter &w, JobObserver *o, const CancelToken &cancel)
        : m_c(c), m_s(s), m_w(w), m_observer(o), m_cancel(cancel)
    {
    }
    MethodResult run(SelectMethod method, int index);

private:
    /// MAE and RMSE of the regressor on the clean test targets.
    MethodResult evaluate(EpochLearner &regressor);
    std::vector<std::uint8_t> smallLossMask(EpochLearner &regressor, int epoch);

    const RunConfig &m_c;
    Setup &m_s;
    RegressionWriter &m_w;
    JobObserver *m_observer;
    const CancelToken &m_cancel;
};

MethodResult Runner::evaluate(EpochLearner &regressor)
{
    MethodResult r;
    const auto pred = (regressor.outputs(m_s.test).squeeze(1).cpu().to(torch::kFloat64) * m_s.std + m_s.mean).contiguous();
    const double *values = pred.data_ptr<double>();
    const auto &clean = m_s.data.test.cleanTargets;
    double abs = 0.0, sq = 0.0;
    for (std::size_t i = 0; i < clean.size(); ++i) {
        const double p = values[i];
        r.testPrediction.push_back(static_cast<float>(p));
        abs += std::abs(p - clean[i]);
        sq += (p - clean[i]) * (p - clean[i]);
    }
    const double n = double(clean.size());
    r.mae = clean.empty() ? std::numeric_limits<double>::quiet_NaN() : abs / n;
    r.rmse = clean.empty() ? std::numeric_limits<double>::quiet_NaN() : std::sqrt(sq / n);
    return r;
}

std::vector<std::uint8_t> Runner::smallLossMask(EpochLearner &regressor, int epoch)
{
    const auto pred = regressor.outputs(m_s.train).squeeze(1);
    const auto loss = (pred - m_s.noisyStd).pow(2).cpu().contiguous();
    const std::vector<float> losses(loss.data_ptr<float>(), loss.data_ptr<float>() + loss.numel());
    double keep = m_c.regression.keep;
    if (keep == 0.0)
        keep = 1.0 - (m_c.noise.kind == NoiseSpec::Kind::Symmetric ? m_c.noise.fraction : 0.0);
    return smallLossSelection(losses, smallLossKeep(keep, epoch, m_c.train.epochs));
}

MethodResult Runner::run(SelectMethod method, int index)
{
    const std::string name = settingName(method);
    const int epochs = m_c.train.epochs;
    const auto n = m_s.data.train.size();
    const RegressionMethodState before = m_w.methodState(name);
    if (before.complete) {
        MethodResult stored;
        stored.mae = before.mae;
        return stored;
    }
    m_w.beginMethod(name, epochs);
    torch::manual_seed(m_c.train.seed);
    ModelSpec spec = m_s.spec;
    spec.numOutputs = 1;
    auto model = makeModel(spec);
    model->to(m_s.device);
    EpochLearner regressor(model, m_c.train, EpochLearner::Loss::Mse);
    std::optional<ConFragExperts> experts;
    if (method == SelectMethod::ConFrag)
        experts.emplace(m_s.spec, m_c.train, m_c.regression, *m_s.fragments, m_s.pairs, m_s.data.train.targets, m_s.device);
    if (!before.checkpoint.empty()) {
        torch::serialize::InputArchive archive;
        archive.load_from(before.checkpoint.data(), before.checkpoint.size(), m_s.device);
        regressor.load(archive, kRegressorKey);
        if (experts)
            experts->load(archive);
        if (m_observer)
            m_observer->message("resuming " + name + " after epoch " + std::to_string(before.epochs));
    }
    const auto &targets = method == SelectMethod::Clean ? m_s.cleanStd : m_s.noisyStd;
    for (int e = before.epochs; e < epochs; ++e) {
        const auto t0 = Clock::now();
        if (m_observer) {
            Progress p;
            p.phase = JobPhase::Training;
            p.model = index;
            p.models = static_cast<int>(m_c.regression.methods.size());
            p.epoch = e + 1;
            p.epochs = epochs;
            m_observer->progress(p);
        }
        // Every random stream is drawn afresh from the seed and the epoch, so a
        // run resumed after any epoch draws exactly what an uninterrupted one would.
        torch::manual_seed(m_c.train.seed * seeds::kEpochStride + std::uint64_t(e));
        Rng order(m_c.train.seed * seeds::kSpread + seeds::kShuffle + std::uint64_t(e));
        Rng jitter(m_c.train.seed * seeds::kSpread + seeds::kJitter + std::uint64_t(e));
        std::vector<std::uint8_t> mask(static_cast<std::size_t>(n), 1);
        std::optional<Selection> selection;
        if (experts) {
            experts->trainEpoch(m_s.train, e, jitter, m_cancel);
            selection = experts->select(m_s.train, m_c.train.seed * seeds::kSpread ^ seeds::kSelection ^ std::uint64_t(e));
            mask = selection->selected;
        } else if (method == SelectMethod::SmallLoss) {
            mask = smallLossMask(regressor, e);
        }
        std::vector<std::int64_t> indices;
        for (std::int64_t i = 0; i < n; ++i)
            if (mask[static_cast<std::size_t>(i)])
                indices.push_back(i);
        RegressionEpoch row;
        row.epoch = e + 1;
        row.trainLoss = regressor.trainEpoch(m_s.train, targets, indices, e, order, m_cancel);
        const MethodResult now = evaluate(regressor);
        row.selectionRate = selectionRate(mask);
        const auto &noisy = m_s.data.train.targets, &clean = m_s.data.train.cleanTargets;
        row.err = method == SelectMethod::Clean ? std::numeric_limits<double>::quiet_NaN()
                                                : errorResidualRatio(noisy, clean, mask);
        row.errSum = method == SelectMethod::Clean ? std::numeric_limits<double>::quiet_NaN()
                                                   : errorResidualSum(noisy, clean, mask);
        row.mae = now.mae;
        row.rmse = now.rmse;
        row.seconds = secondsSince(t0);
        auto archive = newArchive();
        regressor.save(archive, kRegressorKey);
        if (experts)
            experts->save(archive);
        m_w.appendEpoch(name, row, mask, selection ? &selection->pPred : nullptr, selection ? &selection->pKnn : nullptr,
                        archiveBytes(archive));
        if (m_observer) {
            char line[256];
            std::snprintf(line, sizeof line, "%s epoch %d/%d: selected %.1f%%, ERR %.3f, test MAE %.3f, %.1f s",
                          name.c_str(), e + 1, epochs, row.selectionRate * 100, row.err, row.mae, row.seconds);
            m_observer->message(line);
        }
    }
    if (experts && m_c.study.probe && !before.hasExpertDepth) {
        if (m_observer)
            m_observer->message("probing the experts' layers (prediction depth, k = " + std::to_string(m_c.study.k) + ")");
        m_w.writeExpertDepth(experts->predictionDepth(m_s.train, m_c.study.k, m_c.study.maxFeatures, m_cancel));
    }
    // The final result comes from the regressor after the last epoch, whether
    // trained here or restored from the checkpoint.
    const MethodResult last = evaluate(regressor);
    m_w.finishMethod(name, last.testPrediction, last.mae, last.rmse);
    return last;
}

/// Loads and uploads the data, adds the noise and fragments the noisy targets;
/// every check that can fail on the data happens here, before a file is written.
Setup prepare(const RunConfig &c, JobObserver *observer)
{
    Setup s;
    s.device = resolveDevice(c.train.device);
    setComputeThreads(c.train.threads);
    s.data = loadRegressionData(c);
    if (s.data.train.size() < 2)
        throw DatasetError(s.data.source, "a regression run needs at least two train examples");
    s.data.train.targets = noisyTargets(s.data.train.cleanTargets, targetNoise(c.noise));
    for (std::int64_t i = 0; i < s.data.train.size(); ++i)
        s.noisyCount += s.data.train.targets[std::size_t(i)] != s.data.train.cleanTargets[std::size_t(i)];
    const auto &y = s.data.train.targets;
    s.mean = std::accumulate(y.begin(), y.end(), 0.0) / double(y.size());
    double var = 0.0;
    for (const float v : y)
        var += (v - s.mean) * (v - s.mean);
    s.std = std::max(1e-6, std::sqrt(var / double(y.size())));
    const bool confrag = std::find(c.regression.methods.begin(), c.regression.methods.end(), SelectMethod::ConFrag)
                         != c.regression.methods.end();
    if (confrag) {
        s.fragments = fragmentValues(distinctValues(y), c.regression.fragments);
        s.pairs = pairFragments(*s.fragments);
        for (const float v : y)
            s.fragmentOfExample.push_back(s.fragments->fragmentOf(v));
        requireNeighbours(s.fragmentOfExample, s.pairs, c.regression.k);
    }
    const bool smallLoss = std::find(c.regression.methods.begin(), c.regression.methods.end(), SelectMethod::SmallLoss)
                           != c.regression.methods.end();
    if (smallLoss && c.regression.keep == 0.0 && c.noise.kind == NoiseSpec::Kind::Gaussian)
        throw ConfigError("small-loss selection under Gaussian noise needs its keep rate (regression.keep, --keep)",
                          configFieldKey(ConfigField::RegressionKeep));
    const Split trainImages = imagesOnly(s.data.train), testImages = imagesOnly(s.data.test);
    s.stats = channelStats(trainImages, s.data.channels, s.data.height, s.data.width);
    s.train = uploadSplit(trainImages, s.data.channels, s.data.height, s.data.width, s.stats, s.device).images;
    s.test = uploadSplit(testImages, s.data.channels, s.data.height, s.data.width, s.stats, s.device).images;
    auto standardise = [&](const std::vector<float> &v) {
        return ((torch::tensor(v, torch::kFloat32) - float(s.mean)) / float(s.std)).to(s.device);
    };
    s.noisyStd = standardise(s.data.train.targets);
    s.cleanStd = standardise(s.data.train.cleanTargets);
    s.spec = c.model;
    s.spec.inChannels = s.data.channels;
    s.spec.height = s.data.height;
    s.spec.width = s.data.width;
    if (observer)
        observer->message("dataset " + s.data.name + ": " + std::to_string(s.data.train.size()) + " train, "
                          + std::to_string(s.data.test.size()) + " test, " + std::to_string(s.noisyCount)
                          + " noisy targets");
    return s;
}

} // namespace

RegressionJob::RegressionJob(RunConfig config) : m_config(std::move(config)) {}

JobResult RegressionJob::run(JobObserver *observer, const CancelToken &cancel)
{
    return execute(observer, cancel, false);
}

JobResult RegressionJob::resume(const std::string &path, JobObserver *observer, const CancelToken &cancel)
{
    const std::string output = RunJob::finalPath(path);
    const std::string partial = output + runformat::kPartialSuffix;
    std::error_code ec;
    const std::string source = std::filesystem::exists(partial, ec) ? partial : output;
    std::string status, configJson;
    bool hasDataset = false;
    {
        // Read and closed before the writer loads the file: HDF5 opens a file once per process.
        const RegressionReader previous(source);
        status = previous.status();
        configJson = previous.configJson();
        hasDataset = previous.hasDataset();
    }
    if (status == runformat::kStatusComplete) {
        if (source != partial)
            throw ConfigError(output + ": the regression run is already complete; nothing to resume");
        // Stopped between the last write and the rename: only the rename is left.
        partfile::moveIntoPlace(partial, output);
        JobResult done;
        done.status = runformat::kStatusComplete;
        done.outputPath = output;
        done.device = "-";
        return done;
    }
    if (configJson.empty())
        throw StoreError(source + ": the run stopped before its configuration was written; start it again");
    RunConfig config = runConfigFromJson(configJson);
    config.output = output;
    RegressionJob job(config);
    // Stopped before the dataset was stored: nothing was trained, so it simply starts.
    return job.execute(observer, cancel, hasDataset);
}

JobResult RegressionJob::execute(JobObserver *observer, const CancelToken &cancel, bool resuming)
{
    const auto t0 = Clock::now();
    m_config.validate();
    Setup s = prepare(m_config, observer);
    std::optional<RegressionWriter> writer;
    if (resuming) {
        std::error_code ec;
        const std::string partial = m_config.output + runformat::kPartialSuffix;
        {
            const RegressionReader previous(std::filesystem::exists(partial, ec) ? partial : m_config.output);
            if (previous.targets("train", true) != s.data.train.cleanTargets
                || previous.targets("train", false) != s.data.train.targets
                || previous.targets("test", true) != s.data.test.cleanTargets)
                throw StoreError(m_config.output + ": the dataset or its noisy targets differ from the ones the run "
                                                   "started on; it cannot be resumed");
        }
        writer.emplace(m_config.output, RegressionWriter::Reopen{});
    } else {
        writer.emplace(m_config.output, toJson(m_config));
        writer->writeDataset(s.data, s.stats, s.mean, s.std, s.noisyCount);
    }
    JobResult result;
    result.outputPath = m_config.output;
    result.device = s.device.str();
    if (s.fragments)
        writer->writeFragments(*s.fragments, s.pairs, s.fragmentOfExample);
    Runner runner(m_config, s, *writer, observer, cancel);
    std::vector<std::pair<std::string, MethodResult>> done;
    try {
        for (std::size_t m = 0; m < m_config.regression.methods.size(); ++m) {
            const auto method = m_config.regression.methods[m];
            done.emplace_back(settingName(method), runner.run(method, static_cast<int>(m)));
        }
    } catch (const CancelledError &) {
        writer->finish(runformat::kStatusIncomplete, "cancelled");
        result.status = runformat::kStatusIncomplete;
        result.message = "interrupted; the run file keeps the epochs finished so far (pdepth resume " + m_config.output
                         + " continues it)";
        result.seconds = secondsSince(t0);
        return result;
    } catch (const std::exception &e) {
        writer->finish(runformat::kStatusFailed, e.what());
        throw;
    }
    for (const auto &[name, r] : done)
        if (name == settingName(SelectMethod::Clean))
            for (const auto &[other, o] : done)
                writer->setMrae(other, mrae(o.mae, r.mae));
    writer->finish(runformat::kStatusComplete);
    result.status = runformat::kStatusComplete;
    result.seconds = secondsSince(t0);
    return result;
}

} // namespace pds
