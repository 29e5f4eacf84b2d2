#include "train/runjob.h"

#include "data/catalogue.h"
#include "data/transforms.h"
#include "store/runformat.h"
#include "store/runwriter.h"
#include "train/trainer.h"
#include "util/error.h"

#include <chrono>
#include <thread>

namespace pds {

RunJob::RunJob(RunConfig config) : m_config(std::move(config)) {}

JobResult RunJob::run(JobObserver *observer, const CancelToken &cancel)
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
        p.phase = "loading";
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
    torch::manual_seed(c.train.seed);
    ModelPtr model = makeModel(spec);
    model->to(device);
    if (!c.train.splitStage.empty()) {
        std::vector<torch::Tensor> early, late;
        model->splitParameters(c.train.splitStage, early, late); // an unknown stage fails here, not mid-run
    }
    std::string deviceName = device.is_cuda() ? "cuda" : "cpu (" + std::to_string(threads) + " threads)";
    say("model " + spec.arch + " on " + deviceName);

    // The run file is created before any training so a bad output path costs nothing.
    RunWriter writer(c.output);
    JobResult result;
    result.outputPath = c.output;
    result.device = deviceName;
    try {
        writer.writeHeader(toJson(c), data, stats, noisy);
        ModelInfo info;
        info.arch = spec.arch;
        info.seed = c.train.seed;
        info.epochsPlanned = c.train.totalEpochs();
        info.device = deviceName;
        info.probeNames = model->probeNames();
        info.inTrain.assign(static_cast<std::size_t>(data.train.size()), 1);
        writer.beginModel(0, info);

        const DeviceSplit trainSplit = uploadSplit(data.train, data.channels, data.height, data.width, stats, device);
        const DeviceSplit testSplit = uploadSplit(data.test, data.channels, data.height, data.width, stats, device);
        std::vector<std::int64_t> indices(static_cast<std::size_t>(data.train.size()));
        for (std::size_t i = 0; i < indices.size(); ++i)
            indices[i] = static_cast<std::int64_t>(i);

        Trainer trainer(c.train, device);
        auto sink = [&](const EpochCurve &curve, const EpochRecord &tr, const EpochRecord &te) {
            writer.appendEpoch(0, curve, tr, te);
        };
        Trainer::Result r = trainer.train(*model, trainSplit, testSplit, indices, sink, observer, cancel);
        writer.finishModel(0, r.trainScores, r.testScores, r.trainLogits, r.testLogits,
                           data.numClasses(), runformat::kStatusComplete, r.seconds);
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
