#include "train/runjob.h"

#include "data/catalogue.h"
#include "data/transforms.h"
#include "store/runformat.h"
#include "store/h5file.h"
#include "store/runreader.h"
#include "store/runwriter.h"
#include "train/trainer.h"
#include "probe/probestage.h"
#include "study/members.h"
#include "util/error.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

namespace pds {
namespace {

/// Stamps the probe stage's progress with the study member it belongs to.
class MemberObserver : public JobObserver {
public:
    MemberObserver(JobObserver *inner, int member, int members) : m_inner(inner), m_member(member), m_members(members) {}
    void progress(const Progress &p) override
    {
        Progress stamped = p;
        stamped.model = m_member;
        stamped.models = m_members;
        m_inner->progress(stamped);
    }
    void epochFinished(int model, const EpochCurve &curve) override { m_inner->epochFinished(model, curve); }
    void probeLayerFinished(int, int layer, int layers) override { m_inner->probeLayerFinished(m_member, layer, layers); }
    void message(const std::string &text) override { m_inner->message(text); }

private:
    JobObserver *m_inner;
    int m_member, m_members;
};

/// What resuming a run returns when nothing was left to train.
JobResult alreadyComplete(const std::string &output)
{
    JobResult done;
    done.status = runformat::kStatusComplete;
    done.outputPath = output;
    done.device = "-";
    return done;
}

} // namespace

std::set<std::string> embeddingSelection(const std::string &spec, const std::vector<std::string> &probes)
{
    std::set<std::string> keep;
    if (spec.empty() || spec == "none")
        return keep;
    if (spec == "all")
        return {probes.begin(), probes.end()};
    std::stringstream ss(spec);
    std::string name;
    while (std::getline(ss, name, ',')) {
        if (std::find(probes.begin(), probes.end(), name) == probes.end()) {
            std::string known;
            for (const auto &p : probes)
                known += (known.empty() ? "" : ", ") + p;
            throw ConfigError("embeddings: the model has no probe '" + name + "' (probes: " + known + ")");
        }
        keep.insert(name);
    }
    return keep;
}

RunJob::RunJob(RunConfig config) : m_config(std::move(config)) {}

JobResult RunJob::run(JobObserver *observer, const CancelToken &cancel)
{
    return execute(observer, cancel, false);
}

std::string RunJob::finalPath(const std::string &path)
{
    const std::string suffix = runformat::kPartialSuffix;
    if (path.size() > suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0)
        return path.substr(0, path.size() - suffix.size());
    return path;
}

JobResult RunJob::resume(const std::string &path, JobObserver *observer, const CancelToken &cancel)
{
    const std::string output = finalPath(path);
    const std::string partial = output + runformat::kPartialSuffix;
    std::error_code ec;
    const std::string source = std::filesystem::exists(partial, ec) ? partial : output;
    RunConfig config;
    bool startAfresh = false, modelDone = false;
    {
        // Read with the plain HDF5 layer (a run stopped early may hold only its
        // configuration) and closed before the writer loads the file: HDF5 opens
        // a file once per process.
        h5::Handle file = h5::openFile(source, false);
        if (!h5::hasAttr(file, "format") || h5::readAttrString(file, "format") != runformat::kFormatName)
            throw StoreError(source + ": not a Prediction Depth Studio run file");
        if (h5::readAttrString(file, "status") == runformat::kStatusComplete) {
            if (source != partial)
                throw ConfigError(output + ": the run is already complete; nothing to resume");
            // Stopped between the last write and the rename: only the rename is left.
            file.reset();
            std::filesystem::rename(partial, output, ec);
            if (ec)
                throw StoreError("cannot move " + partial + " to " + output + ": " + ec.message());
            return alreadyComplete(output);
        }
        if (!h5::hasAttr(file, "config"))
            throw StoreError(source + ": the run stopped before its configuration was written; start it again");
        config = runConfigFromJson(h5::readAttrString(file, "config"));
        startAfresh = !h5::exists(file, "models/m000/curves");
        modelDone = !startAfresh && h5::readAttrString(h5::openGroup(file, "models/m000"), "status")
                                        == runformat::kStatusComplete;
    }
    if (modelDone) {
        // Stopped after the model was stored but before the file was closed.
        RunWriter(output, RunWriter::Reopen{}).finish(runformat::kStatusComplete);
        return alreadyComplete(output);
    }
    config.output = output;
    RunJob job(config);
    // Stopped before the first model began: nothing was done, so it simply starts.
    return job.execute(observer, cancel, !startAfresh);
}

JobResult RunJob::execute(JobObserver *observer, const CancelToken &cancel, bool resuming)
{
    const auto t0 = std::chrono::steady_clock::now();
    auto &c = m_config;
    c.validate();
    auto say = [&](const std::string &m) {
        if (observer)
            observer->message(m);
    };

    const torch::Device device = resolveDevice(c.train.device);
    const int threads = c.train.threads > 0
                            ? c.train.threads
                            : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    at::set_num_threads(threads);

    if (observer) {
        Progress p;
        p.phase = JobPhase::Loading;
        p.model = c.study.member;
        p.models = c.study.models;
        observer->progress(p);
    }
    Dataset data = loadDataset(c.dataset);
    if (c.limit > 0 && c.limit < data.train.size())
        data.train = selectExamples(data.train,
                                    stratifiedSubset(data.train.labels, data.numClasses(), c.limit, c.train.seed),
                                    data.imageSize());
    if (c.testLimit > 0 && c.testLimit < data.test.size())
        data.test = selectExamples(data.test,
                                   stratifiedSubset(data.test.labels, data.numClasses(), c.testLimit, c.train.seed + 1),
                                   data.imageSize());
    NoiseSpec noise = c.noise;
    // A class map may name only the classes that move; the others keep their label.
    for (auto i = noise.classMap.size(); noise.kind == NoiseSpec::Kind::Asymmetric
                                         && i < static_cast<std::size_t>(data.numClasses()); ++i)
        noise.classMap.push_back(static_cast<int>(i));
    const std::int64_t noisy = injectNoise(data.train, data.numClasses(), noise);
    const ChannelStats stats = channelStats(data.train, data.channels, data.height, data.width);
    say("dataset " + data.name + ": " + std::to_string(data.train.size()) + " train, "
        + std::to_string(data.test.size()) + " test, " + std::to_string(data.numClasses())
        + " classes" + (noisy ? ", " + std::to_string(noisy) + " noisy labels" : ""));

    ModelSpec spec = c.model;
    spec.inChannels = data.channels;
    spec.height = data.height;
    spec.width = data.width;
    spec.numOutputs = data.numClasses();
    const std::uint64_t seed = memberSeed(c.train.seed, c.study.member);
    torch::manual_seed(seed);
    ModelPtr model = makeModel(spec);
    model->to(device);
    model->setChannelsLast(useChannelsLast(c.train, spec.arch));
    if (device.is_cuda())
        at::globalContext().setBenchmarkCuDNN(c.train.cudnnBenchmark);
    if (!c.train.splitStage.empty()) {
        std::vector<torch::Tensor> early, late;
        model->splitParameters(c.train.splitStage, early, late); // an unknown stage fails here, not mid-run
    }
    std::string deviceName = device.is_cuda() ? "cuda" : "cpu (" + std::to_string(threads) + " threads)";
    if (model->channelsLast())
        deviceName += ", channels-last";
    say("model " + spec.arch + " on " + deviceName);

    // What an interrupted run already recorded, read before the writer takes it over.
    Trainer::ResumeState resumeState;
    std::vector<LayerRows> probeLayersDone;
    if (resuming) {
        std::error_code ec;
        const std::string partial = c.output + runformat::kPartialSuffix;
        RunReader previous(std::filesystem::exists(partial, ec) ? partial : c.output);
        if (previous.labels("train") != data.train.labels || previous.labels("test") != data.test.labels)
            throw StoreError(c.output + ": the dataset differs from the one the run started on; "
                                        "it cannot be resumed");
        const int done = previous.summary().models.front().epochsCompleted;
        for (int e = 0; e < done; ++e)
            for (const auto *split : {"train", "test"}) {
                EpochRecord r;
                auto pred = previous.dynamicsRow(0, split, "pred", e);
                r.pred.assign(pred.begin(), pred.end());
                r.probGiven = previous.dynamicsRow(0, split, "prob_given", e);
                r.margin = previous.dynamicsRow(0, split, "margin", e);
                r.loss = previous.dynamicsRow(0, split, "loss", e);
                r.el2n = previous.dynamicsRow(0, split, "el2n", e);
                (std::string(split) == "train" ? resumeState.trainHistory : resumeState.testHistory)
                    .push_back(std::move(r));
            }
        if (done > 0)
            resumeState.checkpoint = previous.checkpoint(0, done);
        say("resuming " + c.output + " after epoch " + std::to_string(done));
        // Probe layers an interrupted probe stage finished.
        const std::string layers = previous.summary().models.front().group + "/" + runformat::kProbesPartial + "/";
        int reused = 0;
        for (std::size_t l = 0; l < model->probeNames().size(); ++l) {
            const std::string suffix = "_" + std::to_string(l);
            LayerRows rows;
            if (previous.has(layers + "knn_pred_train" + suffix) && previous.has(layers + "knn_pred_test" + suffix)) {
                rows.train = previous.readInts(layers + "knn_pred_train" + suffix);
                rows.test = previous.readInts(layers + "knn_pred_test" + suffix);
                ++reused;
            }
            probeLayersDone.push_back(std::move(rows));
        }
        if (reused > 0)
            say("reusing " + std::to_string(reused) + " probe layers finished before the interruption");
    }

    // The run file is created before any training so a bad output path costs nothing.
    std::unique_ptr<RunWriter> writerPtr = resuming ? std::make_unique<RunWriter>(c.output, RunWriter::Reopen{})
                                                    : std::make_unique<RunWriter>(c.output, toJson(c));
    RunWriter &writer = *writerPtr;
    JobResult result;
    result.outputPath = c.output;
    result.device = deviceName;
    try {
        if (!resuming)
            writer.writeHeader(toJson(c), data, stats, noisy);
        ModelInfo info;
        info.arch = spec.arch;
        info.seed = seed;
        info.epochsPlanned = c.train.totalEpochs();
        info.device = deviceName;
        info.probeNames = model->probeNames();
        info.inTrain = memberMask(data.train.labels, data.numClasses(), c.study, c.train.seed);
        if (!resuming) {
            writer.beginModel(0, info);
            writer.setModelAttr(0, "member", c.study.member);
        }

        const DeviceSplit trainSplit = uploadSplit(data.train, data.channels, data.height, data.width, stats, device);
        const DeviceSplit testSplit = uploadSplit(data.test, data.channels, data.height, data.width, stats, device);
        std::vector<std::int64_t> indices;
        for (std::size_t i = 0; i < info.inTrain.size(); ++i)
            if (info.inTrain[i])
                indices.push_back(static_cast<std::int64_t>(i));

        TrainConfig trainConfig = c.train;
        trainConfig.seed = seed;
        Trainer trainer(trainConfig, device);
        auto sink = [&](const EpochCurve &curve, const EpochRecord &tr, const EpochRecord &te,
                        const std::string &checkpoint) {
            writer.appendEpoch(0, curve, tr, te, checkpoint);
            if (observer)
                observer->fileCommitted(c.study.member, writer.path() + runformat::kPartialSuffix);
        };
        Trainer::Result r = trainer.train(*model, trainSplit, testSplit, indices, sink, observer, cancel,
                                          c.study.member, c.study.models, resuming ? &resumeState : nullptr);
        if (c.study.probe) {
            ProbeOptions po;
            po.k = c.study.k;
            po.maxFeatures = c.study.maxFeatures;
            po.batchSize = c.train.evalBatchSize;
            po.mixedPrecision = c.train.mixedPrecision;
            const auto keep = embeddingSelection(c.study.embeddings, model->probeNames());
            EmbeddingSink sink;
            if (!keep.empty())
                sink = [&](const std::string &probe, const std::string &split, const torch::Tensor &e) {
                    if (!keep.count(probe))
                        return;
                    auto half = e.to(torch::kCPU, torch::kHalf).contiguous();
                    writer.writeEmbedding(0, probe, split,
                                          reinterpret_cast<const std::uint16_t *>(half.data_ptr<at::Half>()),
                                          half.size(0), half.size(1));
                };
            say("probing " + std::to_string(model->probeNames().size()) + " layers with k = " + std::to_string(po.k));
            MemberObserver memberObserver(observer, c.study.member, c.study.models);
            // Each finished layer is kept in the file; it reaches the disk when a few
            // seconds of work would otherwise be lost (a commit rewrites the whole file).
            auto lastCommit = std::chrono::steady_clock::now();
            auto layerSink = [&](int layer, const LayerRows &rows) {
                const auto now = std::chrono::steady_clock::now();
                const bool commitNow = now - lastCommit > std::chrono::seconds(5);
                writer.writeProbeLayer(0, layer, rows.train, rows.test, commitNow);
                if (commitNow)
                    lastCommit = now;
            };
            ProbeResults probes = runProbes(*model, trainSplit, testSplit, info.inTrain,
                                            r.trainScores.finalPred, r.testScores.finalPred, data.numClasses(),
                                            po, cancel, observer ? &memberObserver : nullptr, sink,
                                            probeLayersDone, layerSink);
            writer.writeProbes(0, probes, po.k, po.maxFeatures);
            result.embedSeconds = probes.embedSeconds;
            result.probeSeconds = probes.probeSeconds;
        }
        writer.finishModel(0, r.trainScores, r.testScores, r.trainLogits, r.testLogits,
                           data.numClasses(), runformat::kStatusComplete, r.seconds);
        result.trainSeconds = r.seconds;
        writer.finish(runformat::kStatusComplete);
        result.status = runformat::kStatusComplete;
        result.trainExamplesPerSecond = r.examplesPerSecond;
        result.finalTestAccuracy = r.last.testAccuracy;
        result.finalTrainAccuracy = r.last.evalTrainAccuracy;
    } catch (const CancelledError &) {
        writer.markModel(0, runformat::kStatusIncomplete, "cancelled");
        writer.finish(runformat::kStatusIncomplete, "cancelled by the user");
        result.status = runformat::kStatusIncomplete;
        result.message = "cancelled; completed epochs are kept in " + c.output;
    } catch (const std::exception &e) {
        writer.markModel(0, runformat::kStatusFailed, e.what());
        writer.finish(runformat::kStatusFailed, e.what());
        throw;
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return result;
}

} // namespace pds
