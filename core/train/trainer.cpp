#include "train/trainer.h"

#include "train/checkpoint.h"
#include "train/optimizers.h"
#include "train/schedule.h"
#include "util/autocast.h"
#include "util/error.h"
#include "util/seeds.h"

#include <chrono>
#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <tuple>

namespace pds {

void CancelToken::check() const
{
    if (cancelled())
        throw CancelledError();
}

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0)
{
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

void setGroup(torch::optim::Optimizer &opt, std::size_t group, double lr, double weightDecay)
{
    auto &options = opt.param_groups()[group].options();
    if (auto *sgd = dynamic_cast<torch::optim::SGDOptions *>(&options)) {
        sgd->lr(lr);
        sgd->weight_decay(weightDecay);
    } else if (auto *adam = dynamic_cast<torch::optim::AdamOptions *>(&options)) {
        adam->lr(lr);
        adam->weight_decay(weightDecay);
    }
}

} // namespace

torch::Device resolveDevice(DeviceChoice choice)
{
    const bool haveCuda = torch::cuda::is_available();
    switch (choice) {
    case DeviceChoice::Cuda:
        if (!haveCuda)
            throw ConfigError("device 'cuda' was asked for but no CUDA GPU is available "
                              "(this LibTorch build or machine has none); use --device cpu or auto",
                              configFieldKey(ConfigField::Device));
        return torch::Device(torch::kCUDA, 0);
    case DeviceChoice::Cpu:
        return torch::Device(torch::kCPU);
    case DeviceChoice::Auto:
        break;
    }
    return haveCuda ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
}

bool useChannelsLast(const TrainConfig &config, const std::string &arch)
{
    if (config.memoryFormat == MemoryFormat::Auto)
        return arch != "mlp";
    return config.memoryFormat == MemoryFormat::ChannelsLast;
}

DeviceSplit uploadSplit(const Split &split, int channels, int height, int width,
                        const ChannelStats &stats, torch::Device device)
{
    DeviceSplit d;
    const auto n = split.size();
    // The uint8 images travel once (4× smaller than float) and are normalised on the device.
    auto bytes = torch::from_blob(const_cast<std::uint8_t *>(split.images.data()),
                                  {n, channels, height, width}, torch::kUInt8)
                     .to(device);
    auto mean = torch::tensor(stats.mean).view({1, channels, 1, 1}).to(device);
    auto std = torch::tensor(stats.std).view({1, channels, 1, 1}).to(device);
    d.images = (bytes.to(torch::kFloat32).div_(255.0f) - mean).div_(std).contiguous();
    d.labels = torch::from_blob(const_cast<std::int32_t *>(split.labels.data()), {n}, torch::kInt32)
                   .to(device)
                   .to(torch::kInt64);
    return d;
}

torch::Tensor evaluateLogits(ProbedModelImpl &model, const DeviceSplit &split, const torch::Tensor &indices,
                             int batchSize, bool mixedPrecision)
{
    torch::NoGradGuard noGrad;
    model.eval();
    const auto n = indices.defined() ? indices.size(0) : split.size();
    if (n == 0)
        return {};
    AutocastScope autocast(split.images.device(), mixedPrecision);
    std::vector<torch::Tensor> parts;
    for (std::int64_t start = 0; start < n; start += batchSize) {
        const auto end = std::min<std::int64_t>(n, start + batchSize);
        auto x = indices.defined() ? split.images.index_select(0, indices.slice(0, start, end))
                                   : split.images.slice(0, start, end);
        parts.push_back(model.run(x, false).logits.to(torch::kFloat32));
    }
    return torch::cat(parts);
}

Trainer::Trainer(TrainConfig config, torch::Device device)
    : m_config(std::move(config)), m_device(device)
{
}

torch::Tensor Trainer::augment(const torch::Tensor &x) const
{
    torch::Tensor out = x;
    const auto b = x.size(0), h = x.size(2), w = x.size(3);
    if (m_config.augmentCrop && m_config.cropPadding > 0) {
        // Batched random crop: pad once, then gather a shifted window per example.
        const int p = m_config.cropPadding;
        auto padded = torch::constant_pad_nd(x, {p, p, p, p}, 0);
        auto opts = torch::TensorOptions().dtype(torch::kLong).device(x.device());
        auto dy = torch::randint(0, 2 * p + 1, {b, 1}, opts);
        auto dx = torch::randint(0, 2 * p + 1, {b, 1}, opts);
        auto rows = (torch::arange(h, opts).unsqueeze(0) + dy); // [B, H]
        auto cols = (torch::arange(w, opts).unsqueeze(0) + dx); // [B, W]
        const auto c = x.size(1);
        auto rowIdx = rows.view({b, 1, h, 1}).expand({b, c, h, w + 2 * p});
        out = padded.gather(2, rowIdx);
        auto colIdx = cols.view({b, 1, 1, w}).expand({b, c, h, w});
        out = out.gather(3, colIdx);
    }
    if (m_config.augmentFlip) {
        auto flip = torch::rand({b, 1, 1, 1}, x.options()) < 0.5;
        out = torch::where(flip, out.flip({3}), out);
    }
    return out;
}

/// The state of one Trainer::train call, shared by its steps.
struct Trainer::Session {
    ProbedModelImpl &model;
    const DeviceSplit &train;
    const DeviceSplit &test;
    const std::vector<std::int64_t> &trainIndices;
    const EpochSink &sink;
    JobObserver *observer;
    const CancelToken &cancel;
    int modelIndex, modelCount;
    const ResumeState *resume;

    bool generational = false;
    std::string stage;          ///< first late stage (llf / seal)
    std::int64_t nTrain = 0;
    std::int64_t stepsPerEpoch = 0;
    int totalEpochs = 0;
    int ascendEpochs = 0;       ///< seal: epochs of each generation whose early layers ascend
    int startEpoch = 0;         ///< epochs an interrupted run already recorded
    int epoch = 0;              ///< 0-based, within the whole run
    std::vector<torch::Tensor> early, late;
    std::vector<EpochRecord> trainHistory, testHistory;
    std::unique_ptr<EpochRecorder> trainRecord, testRecord; ///< the current epoch's
    torch::Tensor inTrainIndices, heldOutIndices;           ///< into `train`, on the device
    torch::serialize::InputArchive resumeArchive;
    Clock::time_point t0;
    double trainSeconds = 0.0;
    std::int64_t examplesSeen = 0;
    Result result;
};

/// Sums of one epoch's training steps, on the device until read.
struct Trainer::EpochTotals {
    torch::Tensor lossSum;
    torch::Tensor correct;
    double lastLr = 0.0;
};

Trainer::Result Trainer::train(ProbedModelImpl &model, const DeviceSplit &train,
                               const DeviceSplit &test, const std::vector<std::int64_t> &trainIndices,
                               const EpochSink &sink, JobObserver *observer,
                               const CancelToken &cancel, int modelIndex, int modelCount,
                               const ResumeState *resume)
{
    Session s{model, train, test, trainIndices, sink, observer, cancel, modelIndex, modelCount, resume};
    prepare(s);
    const int generations = s.generational ? m_config.generations : 1;
    for (int gen = s.startEpoch / m_config.epochs; gen < generations; ++gen)
        trainGeneration(s, gen);
    return finish(s);
}

void Trainer::prepare(Session &s) const
{
    const auto &c = m_config;
    s.totalEpochs = c.totalEpochs();
    s.generational = c.generational();
    s.stage = c.splitStage.empty() ? s.model.defaultSplitStage() : c.splitStage;
    s.nTrain = static_cast<std::int64_t>(s.trainIndices.size());
    if (s.nTrain == 0)
        throw ConfigError("the model has no training examples");
    s.stepsPerEpoch = (s.nTrain + c.batchSize - 1) / c.batchSize;
    s.ascendEpochs = std::max(1, static_cast<int>(std::lround(c.sealFraction * c.epochs)));
    s.model.splitParameters(s.generational ? s.stage : s.model.stageNames().front(), s.early, s.late);
    s.trainRecord = std::make_unique<EpochRecorder>(s.train.size(), m_device);
    s.testRecord = std::make_unique<EpochRecorder>(s.test.size(), m_device);
    std::vector<std::uint8_t> inTrain(static_cast<std::size_t>(s.train.size()), 0);
    for (auto i : s.trainIndices)
        inTrain.at(static_cast<std::size_t>(i)) = 1;
    std::vector<std::int64_t> heldOut;
    for (std::size_t i = 0; i < inTrain.size(); ++i)
        if (!inTrain[i])
            heldOut.push_back(static_cast<std::int64_t>(i));
    auto onDevice = [&](std::vector<std::int64_t> v) {
        return torch::tensor(v, torch::kLong).to(m_device);
    };
    s.inTrainIndices = onDevice(s.trainIndices);
    s.heldOutIndices = onDevice(heldOut);

    s.startEpoch = s.resume ? s.resume->epochsDone() : 0;
    if (s.resume) {
        if (s.startEpoch > s.totalEpochs)
            throw Error("the run to resume has more epochs than its configuration plans");
        s.trainHistory = s.resume->trainHistory;
        s.testHistory = s.resume->testHistory;
    }
    s.t0 = Clock::now();
    s.epoch = s.startEpoch;
    if (s.resume && s.startEpoch > 0) {
        s.resumeArchive.load_from(s.resume->checkpoint.data(), s.resume->checkpoint.size(), m_device);
        s.model.load(s.resumeArchive);
        // Loading adopts the checkpoint's layout; the run's own layout wins.
        s.model.setChannelsLast(s.model.channelsLast());
    }
}

void Trainer::trainGeneration(Session &s, int gen)
{
    const auto &c = m_config;
    const int firstGenEpoch = gen == s.startEpoch / c.epochs ? s.startEpoch % c.epochs : 0;
    if (gen > 0 && c.regime == Regime::Llf && firstGenEpoch == 0) {
        // Seeded per generation, so a resumed run re-draws the same weights.
        torch::manual_seed(c.seed * seeds::kEpochStride + seeds::kLlf + std::uint64_t(gen));
        s.model.reinitialiseFrom(s.stage);
    }
    // A fresh optimiser each generation: the schedule restarts and no
    // momentum carries over into re-initialised weights.
    std::unique_ptr<torch::optim::Optimizer> opt = makeOptimizer(s);
    if (s.resume && s.startEpoch > 0 && s.epoch == s.startEpoch && firstGenEpoch > 0) {
        // Mid-generation the optimiser's state (momentum, Adam moments) carries on too.
        torch::serialize::InputArchive optArchive;
        s.resumeArchive.read("optimizer", optArchive);
        opt->load(optArchive);
    }
    for (int genEpoch = firstGenEpoch; genEpoch < c.epochs; ++genEpoch, ++s.epoch) {
        // SEAL's reference code rebuilds the optimiser when the ascent ends, so
        // no momentum gathered while ascending pushes the early layers on.
        if (c.regime == Regime::Seal && gen > 0 && genEpoch == s.ascendEpochs)
            opt = makeOptimizer(s);
        const auto epochStart = Clock::now();
        Progress prog;
        prog.phase = JobPhase::Training;
        prog.model = s.modelIndex;
        prog.models = s.modelCount;
        prog.epoch = s.epoch + 1;
        prog.epochs = s.totalEpochs;
        prog.steps = s.stepsPerEpoch;
        const EpochTotals totals = trainEpoch(s, *opt, gen, genEpoch, prog, epochStart);
        s.trainSeconds += secondsSince(epochStart);
        if (s.observer) {
            prog.phase = JobPhase::Evaluating;
            s.observer->progress(prog);
        }
        s.cancel.check();
        evaluateEpoch(s, *opt, totals, epochStart);
    }
}

std::unique_ptr<torch::optim::Optimizer> Trainer::makeOptimizer(Session &s) const
{
    const auto &c = m_config;
    std::vector<torch::optim::OptimizerParamGroup> groups;
    if (!s.early.empty())
        groups.emplace_back(s.early);
    groups.emplace_back(s.late);
    switch (c.optimizer) {
    case Optimizer::Adam:
        return std::make_unique<MultiTensorAdam>(groups,
                                                 torch::optim::AdamOptions(c.lr).weight_decay(c.weightDecay));
    case Optimizer::Sgd:
        break;
    }
    return std::make_unique<MultiTensorSGD>(
        groups, torch::optim::SGDOptions(c.lr).momentum(c.momentum).weight_decay(c.weightDecay));
}

Trainer::EpochTotals Trainer::trainEpoch(Session &s, torch::optim::Optimizer &opt, int gen, int genEpoch,
                                         Progress &prog, Clock::time_point epochStart)
{
    const auto &c = m_config;
    const bool cuda = m_device.is_cuda();
    s.model.train();
    // Order and augmentation are seeded per epoch, so a run resumed at any
    // epoch draws exactly what an uninterrupted run would.
    torch::manual_seed(c.seed * seeds::kEpochStride + std::uint64_t(s.epoch));
    Rng rng(c.seed * seeds::kSpread + seeds::kShuffle + std::uint64_t(s.epoch));
    std::vector<std::int64_t> order = s.trainIndices;
    rng.shuffle(order);
    auto orderTensor = torch::from_blob(order.data(), {s.nTrain}, torch::kLong).to(m_device);
    EpochTotals totals;
    totals.lossSum = torch::zeros({}, torch::TensorOptions().device(m_device));
    totals.correct = torch::zeros({}, torch::TensorOptions().dtype(torch::kLong).device(m_device));
    const bool ascending = c.regime == Regime::Seal && gen > 0 && genEpoch < s.ascendEpochs;
    auto lastReport = Clock::now();

    for (std::int64_t step = 0; step < s.stepsPerEpoch; ++step) {
        s.cancel.check();
        const double lr = scheduledLr(c, genEpoch + double(step) / s.stepsPerEpoch);
        totals.lastLr = lr;
        for (std::size_t g = 0; g < opt.param_groups().size(); ++g) {
            const bool isEarly = !s.early.empty() && g == 0;
            if (isEarly && ascending)
                setGroup(opt, g, c.sealLrFactor * lr, 0.0);
            else
                setGroup(opt, g, lr, c.weightDecay);
        }
        const auto start = step * c.batchSize;
        const auto end = std::min<std::int64_t>(s.nTrain, start + c.batchSize);
        trainStep(s, opt, orderTensor.slice(0, start, end), totals);

        // Reading the loss forces a device sync, so on CUDA it is read only now and then.
        const bool last = step + 1 == s.stepsPerEpoch;
        if (!cuda || last || step % 25 == 0) {
            const double seen = double(end);
            const double meanLoss = totals.lossSum.item<double>() / seen;
            if (!std::isfinite(meanLoss))
                throw DivergenceError("training diverged: the loss became "
                                      + std::string(std::isnan(meanLoss) ? "NaN" : "infinite") + " in epoch "
                                      + std::to_string(s.epoch + 1) + ", step " + std::to_string(step + 1)
                                      + " (learning rate " + std::to_string(lr) + "); try a lower learning rate");
            if (s.observer && (last || secondsSince(lastReport) > 0.25)) {
                lastReport = Clock::now();
                const double elapsed = s.trainSeconds + secondsSince(epochStart);
                prog.step = step + 1;
                prog.loss = meanLoss;
                prog.accuracy = totals.correct.item<double>() / seen;
                prog.examplesPerSecond = elapsed > 0 ? s.examplesSeen / elapsed : 0.0;
                const double doneEpochs = s.epoch + double(step + 1) / s.stepsPerEpoch;
                prog.etaSeconds = secondsSince(s.t0) / doneEpochs * (s.totalEpochs - doneEpochs);
                s.observer->progress(prog);
            }
        }
    }
    return totals;
}

void Trainer::trainStep(Session &s, torch::optim::Optimizer &opt, const torch::Tensor &batch, EpochTotals &totals)
{
    auto x = augment(s.train.images.index_select(0, batch));
    auto y = s.train.labels.index_select(0, batch);
    torch::Tensor logits;
    {
        AutocastScope autocast(m_device, m_config.mixedPrecision);
        logits = s.model.run(x, false).logits;
    }
    auto loss = m_loss ? m_loss(logits.to(torch::kFloat32), y, batch)
                       : torch::nn::functional::cross_entropy(logits.to(torch::kFloat32), y);
    clearGradients(opt);
    loss.backward();
    opt.step();
    const auto size = batch.size(0);
    totals.lossSum += loss.detach() * double(size);
    totals.correct += logits.detach().argmax(1).eq(y).sum();
    if (m_config.dynamics == DynamicsSource::TrainPass)
        s.trainRecord->add(batch, logits, y);
    s.examplesSeen += size;
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// The mean over the examples the epoch recorded; NaN when it recorded none.
double meanOf(const EpochRecord &r, const std::vector<float> &v)
{
    double s = 0;
    std::size_t n = 0;
    for (std::size_t i = 0; i < v.size(); ++i)
        if (r.recorded(i)) {
            s += v[i];
            ++n;
        }
    return n ? s / double(n) : kNaN;
}

double accuracyOf(const EpochRecord &r, const std::vector<std::int32_t> &labels)
{
    std::int64_t hits = 0, n = 0;
    for (std::size_t i = 0; i < r.size(); ++i)
        if (r.recorded(i)) {
            hits += r.pred[i] == labels[i];
            ++n;
        }
    return n ? double(hits) / double(n) : kNaN;
}

std::vector<std::int32_t> hostLabels(const DeviceSplit &s)
{
    std::vector<std::int32_t> out(static_cast<std::size_t>(s.size()));
    if (s.size() == 0)
        return out;
    auto l = s.labels.to(torch::kInt32).cpu().contiguous();
    std::memcpy(out.data(), l.data_ptr<std::int32_t>(), out.size() * sizeof(std::int32_t));
    return out;
}

std::vector<float> hostFloats(const torch::Tensor &t)
{
    if (!t.defined())
        return {};
    auto host = t.to(torch::kCPU, torch::kFloat32).contiguous();
    return {host.data_ptr<float>(), host.data_ptr<float>() + host.numel()};
}

/// The model and optimiser state after an epoch, as one LibTorch archive.
std::string checkpoint(ProbedModelImpl &model, torch::optim::Optimizer &opt)
{
    auto archive = newArchive();
    writeLearnerState(archive, model, opt);
    return archiveBytes(archive);
}

} // namespace

void Trainer::evaluateEpoch(Session &s, torch::optim::Optimizer &opt, const EpochTotals &totals,
                            Clock::time_point epochStart)
{
    const auto &c = m_config;
    const bool finalEpoch = s.epoch + 1 == s.totalEpochs;
    const bool heldOut = c.evaluatesHeldOut(s.epoch + 1);
    const bool trainPass = c.dynamics == DynamicsSource::TrainPass;
    torch::Tensor finalTrain, finalTest;
    if (finalEpoch && m_finalPass)
        std::tie(finalTrain, finalTest) = m_finalPass(s.model);
    auto logitsOf = [&](const DeviceSplit &split, const torch::Tensor &indices) {
        const torch::Tensor &ready = &split == &s.train ? finalTrain : finalTest;
        if (ready.defined() && !indices.defined())
            return ready;
        return evaluateLogits(s.model, split, indices, c.evalBatchSize, c.mixedPrecision);
    };
    // The train split's examples evaluated now: every one after the last
    // epoch (its logits are kept), else those the dynamics need.
    if (finalEpoch || (heldOut && !trainPass)) {
        const auto logits = logitsOf(s.train, {});
        const torch::Tensor recorded =
            trainPass ? s.heldOutIndices : torch::arange(s.train.size(), s.heldOutIndices.options());
        if (recorded.numel() > 0)
            s.trainRecord->add(recorded, logits.index_select(0, recorded), s.train.labels.index_select(0, recorded));
        if (finalEpoch)
            s.result.trainLogits = hostFloats(logits);
    } else if (!trainPass || heldOut) {
        // Eval-mode dynamics of the examples trained on, or the held-out examples when due.
        const torch::Tensor &indices = trainPass ? s.heldOutIndices : s.inTrainIndices;
        if (indices.numel() > 0)
            s.trainRecord->add(indices, logitsOf(s.train, indices), s.train.labels.index_select(0, indices));
    }
    if (heldOut && s.test.size() > 0) {
        const auto logits = logitsOf(s.test, {});
        s.testRecord->add(torch::arange(s.test.size(), s.heldOutIndices.options()), logits, s.test.labels);
        if (finalEpoch)
            s.result.testLogits = hostFloats(logits);
    }
    EpochRecord trainRec = s.trainRecord->take(), testRec = s.testRecord->take();

    EpochCurve curve;
    curve.epoch = s.epoch + 1;
    curve.lr = totals.lastLr;
    curve.trainLoss = totals.lossSum.item<double>() / double(s.nTrain);
    curve.trainAccuracy = totals.correct.item<double>() / double(s.nTrain);
    curve.evalTrainLoss = meanOf(trainRec, trainRec.loss);
    curve.evalTrainAccuracy = accuracyOf(trainRec, hostLabels(s.train));
    curve.testLoss = meanOf(testRec, testRec.loss);
    curve.testAccuracy = accuracyOf(testRec, hostLabels(s.test));
    curve.seconds = secondsSince(epochStart);
    if (s.sink)
        s.sink(curve, trainRec, testRec, checkpoint(s.model, opt));
    if (s.observer)
        s.observer->epochFinished(s.modelIndex, curve);
    s.result.last = curve;
    s.trainHistory.push_back(std::move(trainRec));
    s.testHistory.push_back(std::move(testRec));
}

namespace {

/// The class each example's final logits [N, K] (row-major) predict.
std::vector<std::int32_t> argmaxRows(const std::vector<float> &logits, std::size_t n)
{
    std::vector<std::int32_t> out(n, EpochRecord::kUnrecorded);
    const std::size_t k = n ? logits.size() / n : 0;
    for (std::size_t i = 0; i < n && k > 0; ++i) {
        const float *row = logits.data() + i * k;
        out[i] = static_cast<std::int32_t>(std::max_element(row, row + k) - row);
    }
    return out;
}

} // namespace

Trainer::Result Trainer::finish(Session &s) const
{
    const auto &c = m_config;
    if (s.startEpoch == s.totalEpochs && s.startEpoch > 0) {
        // Resumed after the last epoch (e.g. stopped while probing): the logits come from the checkpoint.
        s.result.trainLogits = hostFloats(evaluateLogits(s.model, s.train, {}, c.evalBatchSize, c.mixedPrecision));
        s.result.testLogits = hostFloats(evaluateLogits(s.model, s.test, {}, c.evalBatchSize, c.mixedPrecision));
    }
    Result &result = s.result;
    result.trainScores = computeScores(s.trainHistory, hostLabels(s.train), c.el2nEpoch);
    if (s.test.size() > 0)
        result.testScores = computeScores(s.testHistory, hostLabels(s.test), c.el2nEpoch);
    // The final prediction is the trained model's, in eval mode, whatever the
    // dynamics were recorded from.
    if (!result.trainLogits.empty())
        result.trainScores.finalPred = argmaxRows(result.trainLogits, result.trainScores.finalPred.size());
    if (!result.testLogits.empty())
        result.testScores.finalPred = argmaxRows(result.testLogits, result.testScores.finalPred.size());
    result.seconds = secondsSince(s.t0);
    result.examplesPerSecond = s.trainSeconds > 0 ? s.examplesSeen / s.trainSeconds : 0.0;
    return std::move(result);
}

} // namespace pds
