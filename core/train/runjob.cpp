#include "train/runjob.h"

#include "data/catalogue.h"
#include "data/transforms.h"
#include "store/runformat.h"
#include "store/runreader.h"
#include "store/runwriter.h"
#include "train/devices.h"
#include "train/trainer.h"
#include "probe/probestage.h"
#include "study/members.h"
#include "sweep/distillation.h"
#include "util/autocast.h"
#include "util/error.h"
#include "util/seeds.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <sstream>

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
    // Peeked at, and closed, before the writer loads the file: HDF5 opens a file once per process.
    const RunFileState state = RunReader::peek(source);
    if (state.status == runformat::kStatusComplete) {
        if (source != partial)
            throw ConfigError(output + ": the run is already complete; nothing to resume");
        // Stopped between the last write and the rename: only the rename is left.
        std::filesystem::rename(partial, output, ec);
        if (ec)
            throw StoreError("cannot move " + partial + " to " + output + ": " + ec.message());
        return alreadyComplete(output);
    }
    if (!state.hasConfig)
        throw StoreError(source + ": the run stopped before its configuration was written; start it again");
    RunConfig config = runConfigFromJson(state.configJson);
    if (state.modelStarted && state.modelStatus == runformat::kStatusComplete) {
        // Stopped after the model was stored but before the file was closed.
        RunWriter(output, RunWriter::Reopen{}).finish(runformat::kStatusComplete);
        return alreadyComplete(output);
    }
    config.output = output;
    RunJob job(config);
    // Stopped before the first model began: nothing was done, so it simply starts.
    return job.execute(observer, cancel, state.modelStarted);
}

namespace {

/// The data, model and device of a run, ready to train.
struct RunSetup {
    Dataset data;
    ChannelStats stats;
    std::int64_t noisy = 0;
    ModelSpec spec;
    std::uint64_t seed = 0;
    ModelPtr model;
    torch::Device device{torch::kCPU};
    std::string deviceName;
};

/// What an interrupted run already recorded.
struct ResumePoint {
    Trainer::ResumeState training;
    std::vector<LayerRows> probeLayers; ///< per probe layer; empty rows where it is still to do
};

using Say = std::function<void(const std::string &)>;

/// Loads the dataset (subset, noise, normalisation) and builds the model on its device.
RunSetup prepareRun(const RunConfig &c, JobObserver *observer, const Say &say)
{
    RunSetup run;
    run.device = resolveDevice(c.train.device);
    setComputeThreads(c.train.threads);
    const int threads = at::get_num_threads();

    if (observer) {
        Progress p;
        p.phase = JobPhase::Loading;
        p.model = c.study.member;
        p.models = c.study.models;
        observer->progress(p);
    }
    Dataset &data = run.data;
    data = loadDataset(c.dataset);
    if (c.limit > 0 && c.limit < data.train.size())
        data.train = selectExamples(data.train,
                                    stratifiedSubset(data.train.labels, data.numClasses(), c.limit, c.train.seed),
                                    data.imageSize());
    if (c.testLimit > 0 && c.testLimit < data.test.size())
        data.test = selectExamples(data.test,
                                   stratifiedSubset(data.test.labels, data.numClasses(), c.testLimit,
                                                    c.train.seed + seeds::kTestSubset),
                                   data.imageSize());
    NoiseSpec noise = c.noise;
    // A class map may name only the classes that move; the others keep their label.
    for (auto i = noise.classMap.size(); noise.kind == NoiseSpec::Kind::Asymmetric
                                         && i < static_cast<std::size_t>(data.numClasses()); ++i)
        noise.classMap.push_back(static_cast<int>(i));
    run.noisy = injectNoise(data.train, data.numClasses(), noise);
    run.stats = channelStats(data.train, data.channels, data.height, data.width);
    say("dataset " + data.name + ": " + std::to_string(data.train.size()) + " train, "
        + std::to_string(data.test.size()) + " test, " + std::to_string(data.numClasses())
        + " classes" + (run.noisy ? ", " + std::to_string(run.noisy) + " noisy labels" : ""));

    ModelSpec &spec = run.spec;
    spec = c.model;
    spec.inChannels = data.channels;
    spec.height = data.height;
    spec.width = data.width;
    spec.numOutputs = data.numClasses();
    run.seed = memberSeed(c.train.seed, c.study.member);
    torch::manual_seed(run.seed);
    run.model = makeModel(spec);
    run.model->to(run.device);
    run.model->setChannelsLast(useChannelsLast(c.train, spec.arch));
    if (run.device.is_cuda())
        at::globalContext().setBenchmarkCuDNN(c.train.cudnnBenchmark);
    if (!c.train.splitStage.empty()) {
        std::vector<torch::Tensor> early, late;
        run.model->splitParameters(c.train.splitStage, early, late); // an unknown stage fails here, not mid-run
    }
    run.deviceName = run.device.is_cuda() ? "cuda" : "cpu (" + std::to_string(threads) + " threads)";
    if (run.model->channelsLast())
        run.deviceName += ", channels-last";
    if (mixedPrecisionUsed(c.train.mixedPrecision, run.device))
        run.deviceName += ", bf16 autocast";
    say("model " + spec.arch + " on " + run.deviceName);
    return run;
}

/// Reads what an interrupted run recorded, before the writer takes the file over.
ResumePoint readResumePoint(const RunConfig &c, const RunSetup &run, const Say &say)
{
    std::error_code ec;
    const std::string partial = c.output + runformat::kPartialSuffix;
    RunReader previous(std::filesystem::exists(partial, ec) ? partial : c.output);
    if (previous.labels("train") != run.data.train.labels || previous.labels("test") != run.data.test.labels)
        throw StoreError(c.output + ": the dataset differs from the one the run started on; "
                                    "it cannot be resumed");
    ResumePoint from;
    StoredTraining stored = previous.storedTraining(0);
    from.training.trainHistory = std::move(stored.trainHistory);
    from.training.testHistory = std::move(stored.testHistory);
    from.training.checkpoint = std::move(stored.checkpoint);
    say("resuming " + c.output + " after epoch " + std::to_string(stored.epochs));
    int reused = 0;
    for (auto &layer : previous.finishedProbeLayers(0, static_cast<int>(run.model->probeNames().size()))) {
        reused += layer.finished ? 1 : 0;
        from.probeLayers.push_back({std::move(layer.train), std::move(layer.test)});
    }
    if (reused > 0)
        say("reusing " + std::to_string(reused) + " probe layers finished before the interruption");
    return from;
}

/// The static facts of the run's model, as the run file records them.
ModelInfo modelInfo(const RunConfig &c, const RunSetup &run)
{
    ModelInfo info;
    info.arch = run.spec.arch;
    info.seed = run.seed;
    info.epochsPlanned = c.train.totalEpochs();
    info.device = run.deviceName;
    info.probeNames = run.model->probeNames();
    info.inTrain = memberMask(run.data.train.labels, run.data.numClasses(), c.study, c.train.seed);
    info.dynamicsSource = settingName(c.train.dynamics);
    for (int e = 1; e <= info.epochsPlanned; ++e)
        if (c.train.evaluatesHeldOut(e))
            info.heldOutEpochs.push_back(e);
    return info;
}

/// Has `trainer` learn from the teacher's final train-split logits as well as
/// the labels (RunConfig::distill).
void distilFrom(const RunConfig &c, const RunSetup &run, const ModelInfo &info, Trainer &trainer, const Say &say)
{
    const torch::Tensor teacher = sweep::loadTeacherLogits(c.distill.teacher, run.data.train.labels, info.inTrain,
                                                           run.data.numClasses())
                                      .to(run.device);
    const double t = c.distill.temperature, alpha = c.distill.alpha;
    trainer.setLoss([teacher, t, alpha](const torch::Tensor &logits, const torch::Tensor &y, const torch::Tensor &batch) {
        return sweep::distillationLoss(logits, teacher.index_select(0, batch), y, t, alpha);
    });
    say("distilling from " + c.distill.teacher + " (T = " + std::to_string(t) + ", alpha = " + std::to_string(alpha)
        + ")");
}

/// The probe stage's settings of a run.
ProbeOptions probeOptions(const RunConfig &c)
{
    ProbeOptions po;
    po.k = c.study.k;
    po.maxFeatures = c.study.maxFeatures;
    po.batchSize = c.train.evalBatchSize;
    po.mixedPrecision = c.train.mixedPrecision;
    po.dtype = c.study.embeddingsDtype;
    return po;
}

/// The probe stage: k-NN probes at every layer, embeddings kept as configured,
/// each finished layer stored so an interruption loses little; writes the
/// results. The embeddings come from `ready` when the last epoch's pass made them.
ProbeResults probeModel(const RunConfig &c, RunSetup &run, const DeviceSplit &trainSplit,
                        const DeviceSplit &testSplit, const ModelInfo &info, const Trainer::Result &trained,
                        const std::vector<LayerRows> &layersDone, ProbeEmbeddings &ready, RunWriter &writer,
                        JobObserver *observer, const CancelToken &cancel, const Say &say)
{
    const ProbeOptions po = probeOptions(c);
    const auto keep = embeddingSelection(c.study.embeddings, run.model->probeNames());
    EmbeddingSink sink;
    if (!keep.empty())
        sink = [&](const std::string &probe, const std::string &split, const torch::Tensor &e) {
            if (!keep.count(probe))
                return;
            if (po.dtype == EmbeddingsDtype::Float32) {
                auto values = e.to(torch::kCPU, torch::kFloat32).contiguous();
                writer.writeEmbedding(0, probe, split, values.data_ptr<float>(), values.size(0), values.size(1));
                return;
            }
            auto half = e.to(torch::kCPU, torch::kHalf).contiguous();
            writer.writeEmbedding(0, probe, split, reinterpret_cast<const std::uint16_t *>(half.data_ptr<at::Half>()),
                                  half.size(0), half.size(1));
        };
    say("probing " + std::to_string(run.model->probeNames().size()) + " layers with k = " + std::to_string(po.k));
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
    ProbeResults probes = runProbes(*run.model, trainSplit, testSplit, info.inTrain, trained.trainScores.finalPred,
                                    trained.testScores.finalPred, run.data.numClasses(), po, cancel,
                                    observer ? &memberObserver : nullptr, sink, layersDone, layerSink,
                                    ready.perProbe.empty() ? nullptr : &ready);
    writer.writeProbes(0, probes, po.k, po.maxFeatures, settingName(po.dtype));
    return probes;
}

} // namespace

JobResult RunJob::execute(JobObserver *observer, const CancelToken &cancel, bool resuming)
{
    const auto t0 = std::chrono::steady_clock::now();
    auto &c = m_config;
    c.validate();
    const Say say = [&](const std::string &m) {
        if (observer)
            observer->message(m);
    };

    RunSetup run = prepareRun(c, observer, say);
    ResumePoint from;
    if (resuming)
        from = readResumePoint(c, run, say);

    // The run file is created before any training so a bad output path costs nothing.
    std::unique_ptr<RunWriter> writerPtr = resuming ? std::make_unique<RunWriter>(c.output, RunWriter::Reopen{})
                                                    : std::make_unique<RunWriter>(c.output, toJson(c));
    RunWriter &writer = *writerPtr;
    JobResult result;
    result.outputPath = c.output;
    result.device = run.deviceName;
    try {
        if (!resuming)
            writer.writeHeader(toJson(c), run.data, run.stats, run.noisy);
        const ModelInfo info = modelInfo(c, run);
        if (!resuming) {
            writer.beginModel(0, info);
            writer.setMember(0, c.study.member);
        }

        const Dataset &data = run.data;
        const DeviceSplit trainSplit = uploadSplit(data.train, data.channels, data.height, data.width, run.stats, run.device);
        const DeviceSplit testSplit = uploadSplit(data.test, data.channels, data.height, data.width, run.stats, run.device);
        std::vector<std::int64_t> indices;
        for (std::size_t i = 0; i < info.inTrain.size(); ++i)
            if (info.inTrain[i])
                indices.push_back(static_cast<std::int64_t>(i));

        TrainConfig trainConfig = c.train;
        trainConfig.seed = run.seed;
        Trainer trainer(trainConfig, run.device);
        if (c.distill.enabled())
            distilFrom(c, run, info, trainer, say);
        // The last epoch's evaluation and the probe stage's embeddings come from one forward pass.
        ProbeEmbeddings ready;
        if (c.study.probe)
            trainer.setFinalPass([&](ProbedModelImpl &model) {
                ready = embedSplits(model, trainSplit, testSplit, probeOptions(c));
                return std::make_pair(ready.trainLogits, ready.testLogits);
            });
        auto sink = [&](const EpochCurve &curve, const EpochRecord &tr, const EpochRecord &te,
                        const std::string &checkpoint) {
            writer.appendEpoch(0, curve, tr, te, checkpoint);
            if (observer)
                observer->fileCommitted(c.study.member, writer.partialPath());
        };
        const Trainer::Result r = trainer.train(*run.model, trainSplit, testSplit, indices, sink, observer, cancel,
                                                c.study.member, c.study.models, resuming ? &from.training : nullptr);
        if (c.study.probe) {
            const ProbeResults probes = probeModel(c, run, trainSplit, testSplit, info, r, from.probeLayers, ready,
                                                   writer, observer, cancel, say);
            result.embedSeconds = probes.embedSeconds;
            result.probeSeconds = probes.probeSeconds;
        }
        writer.finishModel(0, r.trainScores, r.testScores, r.trainLogits, r.testLogits,
                           data.numClasses(), runformat::kStatusComplete, r.seconds, c.study.keepWeights);
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
