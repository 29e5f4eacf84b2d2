#include "train/trainer.h"

#include "train/optimizers.h"
#include "train/schedule.h"
#include "util/autocast.h"
#include "util/error.h"
#include "util/seeds.h"

#include <chrono>
#include <cmath>
#include <sstream>

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

void evaluateSplit(ProbedModelImpl &model, const DeviceSplit &split, int batchSize,
                   bool mixedPrecision, EpochRecord &record, std::vector<float> *logitsOut)
{
    torch::NoGradGuard noGrad;
    model.eval();
    const auto n = split.size();
    record.resize(static_cast<std::size_t>(n));
    if (n == 0) {
        if (logitsOut)
            logitsOut->clear();
        return;
    }
    const bool cuda = split.images.is_cuda();
    AutocastScope autocast(cuda && mixedPrecision);
    std::vector<torch::Tensor> preds, probs, margins, losses, el2ns, logitParts;
    for (std::int64_t start = 0; start < n; start += batchSize) {
        const auto end = std::min<std::int64_t>(n, start + batchSize);
        auto x = split.images.slice(0, start, end);
        auto y = split.labels.slice(0, start, end);
        auto logits = model.run(x, false).logits.to(torch::kFloat32);
        auto logp = torch::log_softmax(logits, 1);
        auto lpGiven = logp.gather(1, y.unsqueeze(1)).squeeze(1);
        auto p = logp.exp();
        auto givenLogit = logits.gather(1, y.unsqueeze(1)).squeeze(1);
        auto others = logits.scatter(1, y.unsqueeze(1), -std::numeric_limits<float>::infinity());
        auto pGiven = lpGiven.exp();
        // ‖p − e_y‖² = Σp² − 2p_y + 1
        auto el2n = (p.pow(2).sum(1) - 2 * pGiven + 1).clamp_min(0).sqrt();
        preds.push_back(logits.argmax(1).to(torch::kInt32));
        probs.push_back(pGiven);
        margins.push_back(givenLogit - std::get<0>(others.max(1)));
        losses.push_back(-lpGiven);
        el2ns.push_back(el2n);
        if (logitsOut)
            logitParts.push_back(logits);
    }
    auto copy = [](std::vector<torch::Tensor> &parts, auto &dst) {
        using T = typename std::decay_t<decltype(dst)>::value_type;
        auto all = torch::cat(parts).cpu().contiguous();
        std::memcpy(dst.data(), all.template data_ptr<T>(), dst.size() * sizeof(T));
    };
    copy(preds, record.pred);
    copy(probs, record.probGiven);
    copy(margins, record.margin);
    copy(losses, record.loss);
    copy(el2ns, record.el2n);
    if (logitsOut) {
        auto all = torch::cat(logitParts).cpu().contiguous();
        logitsOut->assign(all.data_ptr<float>(), all.data_ptr<float>() + all.numel());
    }
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
        AutocastScope autocast(m_device.is_cuda() && m_config.mixedPrecision);
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
    s.examplesSeen += size;
}

namespace {

double meanOf(const std::vector<float> &v)
{
    double s = 0;
    for (float x : v)
        s += x;
    return v.empty() ? 0.0 : s / double(v.size());
}

double accuracyOf(const EpochRecord &r, const DeviceSplit &s)
{
    if (r.size() == 0)
        return 0.0;
    auto labels = s.labels.cpu();
    const auto *l = labels.data_ptr<std::int64_t>();
    std::int64_t hits = 0;
    for (std::size_t i = 0; i < r.size(); ++i)
        hits += r.pred[i] == l[i];
    return double(hits) / double(r.size());
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

/// The model and optimiser state after an epoch, as one LibTorch archive.
std::string checkpoint(ProbedModelImpl &model, torch::optim::Optimizer &opt)
{
    torch::serialize::OutputArchive archive(std::make_shared<torch::jit::CompilationUnit>());
    torch::serialize::OutputArchive optArchive(std::make_shared<torch::jit::CompilationUnit>());
    model.save(archive);
    opt.save(optArchive);
    archive.write("optimizer", optArchive);
    std::ostringstream bytes;
    archive.save_to(bytes);
    return bytes.str();
}

} // namespace

void Trainer::evaluateEpoch(Session &s, torch::optim::Optimizer &opt, const EpochTotals &totals,
                            Clock::time_point epochStart)
{
    const auto &c = m_config;
    const bool finalEpoch = s.epoch + 1 == s.totalEpochs;
    EpochRecord trainRec, testRec;
    evaluateSplit(s.model, s.train, c.evalBatchSize, c.mixedPrecision, trainRec,
                  finalEpoch ? &s.result.trainLogits : nullptr);
    evaluateSplit(s.model, s.test, c.evalBatchSize, c.mixedPrecision, testRec,
                  finalEpoch ? &s.result.testLogits : nullptr);

    EpochCurve curve;
    curve.epoch = s.epoch + 1;
    curve.lr = totals.lastLr;
    curve.trainLoss = totals.lossSum.item<double>() / double(s.nTrain);
    curve.trainAccuracy = totals.correct.item<double>() / double(s.nTrain);
    curve.evalTrainLoss = meanOf(trainRec.loss);
    curve.evalTrainAccuracy = accuracyOf(trainRec, s.train);
    curve.testLoss = meanOf(testRec.loss);
    curve.testAccuracy = accuracyOf(testRec, s.test);
    curve.seconds = secondsSince(epochStart);
    if (s.sink)
        s.sink(curve, trainRec, testRec, checkpoint(s.model, opt));
    if (s.observer)
        s.observer->epochFinished(s.modelIndex, curve);
    s.result.last = curve;
    s.trainHistory.push_back(std::move(trainRec));
    s.testHistory.push_back(std::move(testRec));
}

Trainer::Result Trainer::finish(Session &s) const
{
    const auto &c = m_config;
    if (s.startEpoch == s.totalEpochs && s.startEpoch > 0) {
        // Resumed after the last epoch (e.g. stopped while probing): the logits come from the checkpoint.
        EpochRecord trainRec, testRec;
        evaluateSplit(s.model, s.train, c.evalBatchSize, c.mixedPrecision, trainRec, &s.result.trainLogits);
        evaluateSplit(s.model, s.test, c.evalBatchSize, c.mixedPrecision, testRec, &s.result.testLogits);
    }
    Result &result = s.result;
    result.trainScores = computeScores(s.trainHistory, hostLabels(s.train), c.el2nEpoch);
    if (s.test.size() > 0)
        result.testScores = computeScores(s.testHistory, hostLabels(s.test), c.el2nEpoch);
    result.seconds = secondsSince(s.t0);
    result.examplesPerSecond = s.trainSeconds > 0 ? s.examplesSeen / s.trainSeconds : 0.0;
    return std::move(result);
}

} // namespace pds
