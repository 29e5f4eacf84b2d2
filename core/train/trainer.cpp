#include "train/trainer.h"

#include "train/optimizers.h"
#include "train/schedule.h"
#include "util/autocast.h"
#include "util/error.h"


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

torch::Device resolveDevice(const std::string &name)
{
    const bool haveCuda = torch::cuda::is_available();
    if (name == "cuda") {
        if (!haveCuda)
            throw ConfigError("device 'cuda' was asked for but no CUDA GPU is available "
                              "(this LibTorch build or machine has none); use --device cpu or auto");
        return torch::Device(torch::kCUDA, 0);
    }
    if (name == "cpu")
        return torch::Device(torch::kCPU);
    if (name == "auto")
        return haveCuda ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
    throw ConfigError("device must be auto, cpu or cuda, got '" + name + "'");
}

bool useChannelsLast(const TrainConfig &config, const std::string &arch)
{
    if (config.memoryFormat == "auto")
        return arch != "mlp";
    return config.memoryFormat == "channels_last";
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

Trainer::Result Trainer::train(ProbedModelImpl &model, const DeviceSplit &train,
                               const DeviceSplit &test, const std::vector<std::int64_t> &trainIndices,
                               const EpochSink &sink, JobObserver *observer,
                               const CancelToken &cancel, int modelIndex, int modelCount,
                               const ResumeState *resume)
{
    const auto &c = m_config;
    const bool cuda = m_device.is_cuda();
    const bool amp = cuda && c.mixedPrecision;
    const int totalEpochs = c.totalEpochs();
    const bool generational = c.regime != "standard";
    const int generations = generational ? c.generations : 1;
    const std::string stage = c.splitStage.empty() ? model.defaultSplitStage() : c.splitStage;
    const auto nTrain = static_cast<std::int64_t>(trainIndices.size());
    if (nTrain == 0)
        throw ConfigError("the model has no training examples");
    const std::int64_t stepsPerEpoch = (nTrain + c.batchSize - 1) / c.batchSize;
    const int ascendEpochs =
        std::max(1, static_cast<int>(std::lround(c.sealFraction * c.epochs)));

    std::vector<torch::Tensor> early, late;
    model.splitParameters(generational ? stage : model.stageNames().front(), early, late);

    std::vector<EpochRecord> trainHistory, testHistory;
    const int startEpoch = resume ? resume->epochsDone() : 0;
    if (resume) {
        if (startEpoch > totalEpochs)
            throw Error("the run to resume has more epochs than its configuration plans");
        trainHistory = resume->trainHistory;
        testHistory = resume->testHistory;
    }
    Result result;
    const auto t0 = Clock::now();
    double trainSeconds = 0.0;
    std::int64_t examplesSeen = 0;
    int epoch = startEpoch;
    torch::serialize::InputArchive resumeArchive;
    if (resume && startEpoch > 0) {
        resumeArchive.load_from(resume->checkpoint.data(), resume->checkpoint.size(), m_device);
        model.load(resumeArchive);
        // Loading adopts the checkpoint's layout; the run's own layout wins.
        model.setChannelsLast(model.channelsLast());
    }

    for (int gen = startEpoch / c.epochs; gen < generations; ++gen) {
        const int firstGenEpoch = gen == startEpoch / c.epochs ? startEpoch % c.epochs : 0;
        if (gen > 0 && c.regime == "llf" && firstGenEpoch == 0) {
            // Seeded per generation, so a resumed run re-draws the same weights.
            torch::manual_seed(c.seed * 1000003ULL + 0x6c6c66ULL + std::uint64_t(gen));
            model.reinitialiseFrom(stage);
        }
        // A fresh optimiser each generation: the schedule restarts and no
        // momentum carries over into re-initialised weights.
        std::vector<torch::optim::OptimizerParamGroup> groups;
        if (!early.empty())
            groups.emplace_back(early);
        groups.emplace_back(late);
        std::unique_ptr<torch::optim::Optimizer> opt;
        if (c.optimizer == "adam")
            opt = std::make_unique<MultiTensorAdam>(
                groups, torch::optim::AdamOptions(c.lr).weight_decay(c.weightDecay));
        else
            opt = std::make_unique<MultiTensorSGD>(
                groups, torch::optim::SGDOptions(c.lr).momentum(c.momentum).weight_decay(c.weightDecay));

        if (resume && startEpoch > 0 && epoch == startEpoch && firstGenEpoch > 0) {
            // Mid-generation the optimiser's state (momentum, Adam moments) carries on too.
            torch::serialize::InputArchive optArchive;
            resumeArchive.read("optimizer", optArchive);
            opt->load(optArchive);
        }

        for (int genEpoch = firstGenEpoch; genEpoch < c.epochs; ++genEpoch, ++epoch) {
            const auto epochStart = Clock::now();
            model.train();
            // Order and augmentation are seeded per epoch, so a run resumed at any
            // epoch draws exactly what an uninterrupted run would.
            torch::manual_seed(c.seed * 1000003ULL + std::uint64_t(epoch));
            Rng rng(c.seed * 0x9e3779b97f4a7c15ULL + 0x747261696eULL + std::uint64_t(epoch));
            std::vector<std::int64_t> order = trainIndices;
            rng.shuffle(order);
            auto orderTensor =
                torch::from_blob(order.data(), {nTrain}, torch::kLong).to(m_device);
            auto lossSum = torch::zeros({}, torch::TensorOptions().device(m_device));
            auto correct = torch::zeros({}, torch::TensorOptions().dtype(torch::kLong).device(m_device));
            const bool ascending = c.regime == "seal" && gen > 0 && genEpoch < ascendEpochs;
            double lastLr = 0.0;
            Progress prog;
            prog.phase = "training";
            prog.model = modelIndex;
            prog.models = modelCount;
            prog.epoch = epoch + 1;
            prog.epochs = totalEpochs;
            prog.steps = stepsPerEpoch;
            auto lastReport = Clock::now();

            for (std::int64_t step = 0; step < stepsPerEpoch; ++step) {
                cancel.check();
                const double lr = scheduledLr(c, genEpoch + double(step) / stepsPerEpoch);
                lastLr = lr;
                for (std::size_t g = 0; g < opt->param_groups().size(); ++g) {
                    const bool isEarly = !early.empty() && g == 0;
                    if (isEarly && ascending)
                        setGroup(*opt, g, c.sealLrFactor * lr, 0.0);
                    else
                        setGroup(*opt, g, lr, c.weightDecay);
                }
                const auto start = step * c.batchSize;
                const auto end = std::min<std::int64_t>(nTrain, start + c.batchSize);
                auto idx = orderTensor.slice(0, start, end);
                auto x = augment(train.images.index_select(0, idx));
                auto y = train.labels.index_select(0, idx);
                torch::Tensor logits;
                {
                    AutocastScope autocast(amp);
                    logits = model.run(x, false).logits;
                }
                auto loss = torch::nn::functional::cross_entropy(logits.to(torch::kFloat32), y);
                clearGradients(*opt);
                loss.backward();
                opt->step();
                lossSum += loss.detach() * double(end - start);
                correct += logits.detach().argmax(1).eq(y).sum();
                examplesSeen += end - start;

                // Reading the loss forces a device sync, so on CUDA it is read only now and then.
                const bool last = step + 1 == stepsPerEpoch;
                if (!cuda || last || step % 25 == 0) {
                    const double seen = double(end);
                    const double meanLoss = lossSum.item<double>() / seen;
                    if (!std::isfinite(meanLoss))
                        throw DivergenceError(
                            "training diverged: the loss became " + std::string(std::isnan(meanLoss) ? "NaN" : "infinite")
                            + " in epoch " + std::to_string(epoch + 1) + ", step " + std::to_string(step + 1)
                            + " (learning rate " + std::to_string(lr) + "); try a lower learning rate");
                    if (observer && (last || secondsSince(lastReport) > 0.25)) {
                        lastReport = Clock::now();
                        const double elapsed = trainSeconds + secondsSince(epochStart);
                        prog.step = step + 1;
                        prog.loss = meanLoss;
                        prog.accuracy = correct.item<double>() / seen;
                        prog.examplesPerSecond = elapsed > 0 ? examplesSeen / elapsed : 0.0;
                        const double doneEpochs = epoch + double(step + 1) / stepsPerEpoch;
                        prog.etaSeconds = secondsSince(t0) / doneEpochs * (totalEpochs - doneEpochs);
                        observer->progress(prog);
                    }
                }
            }
            trainSeconds += secondsSince(epochStart);

            if (observer) {
                prog.phase = "evaluating";
                observer->progress(prog);
            }
            cancel.check();
            const bool finalEpoch = epoch + 1 == totalEpochs;
            EpochRecord trainRec, testRec;
            evaluateSplit(model, train, c.evalBatchSize, c.mixedPrecision, trainRec,
                          finalEpoch ? &result.trainLogits : nullptr);
            evaluateSplit(model, test, c.evalBatchSize, c.mixedPrecision, testRec,
                          finalEpoch ? &result.testLogits : nullptr);

            EpochCurve curve;
            curve.epoch = epoch + 1;
            curve.lr = lastLr;
            curve.trainLoss = lossSum.item<double>() / double(nTrain);
            curve.trainAccuracy = correct.item<double>() / double(nTrain);
            auto meanOf = [](const std::vector<float> &v) {
                double s = 0;
                for (float x : v)
                    s += x;
                return v.empty() ? 0.0 : s / double(v.size());
            };
            auto accuracyOf = [](const EpochRecord &r, const DeviceSplit &s) {
                if (r.size() == 0)
                    return 0.0;
                auto labels = s.labels.cpu();
                const auto *l = labels.data_ptr<std::int64_t>();
                std::int64_t hits = 0;
                for (std::size_t i = 0; i < r.size(); ++i)
                    hits += r.pred[i] == l[i];
                return double(hits) / double(r.size());
            };
            curve.evalTrainLoss = meanOf(trainRec.loss);
            curve.evalTrainAccuracy = accuracyOf(trainRec, train);
            curve.testLoss = meanOf(testRec.loss);
            curve.testAccuracy = accuracyOf(testRec, test);
            curve.seconds = secondsSince(epochStart);
            if (sink) {
                torch::serialize::OutputArchive archive(std::make_shared<torch::jit::CompilationUnit>());
                torch::serialize::OutputArchive optArchive(std::make_shared<torch::jit::CompilationUnit>());
                model.save(archive);
                opt->save(optArchive);
                archive.write("optimizer", optArchive);
                std::ostringstream bytes;
                archive.save_to(bytes);
                sink(curve, trainRec, testRec, bytes.str());
            }
            if (observer)
                observer->epochFinished(modelIndex, curve);
            result.last = curve;
            trainHistory.push_back(std::move(trainRec));
            testHistory.push_back(std::move(testRec));
        }
    }

    if (startEpoch == totalEpochs && startEpoch > 0) {
        // Resumed after the last epoch (e.g. stopped while probing): the logits come from the checkpoint.
        EpochRecord trainRec, testRec;
        evaluateSplit(model, train, c.evalBatchSize, c.mixedPrecision, trainRec, &result.trainLogits);
        evaluateSplit(model, test, c.evalBatchSize, c.mixedPrecision, testRec, &result.testLogits);
    }

    auto hostLabels = [](const DeviceSplit &s) {
        std::vector<std::int32_t> out(static_cast<std::size_t>(s.size()));
        if (s.size() == 0)
            return out;
        auto l = s.labels.to(torch::kInt32).cpu().contiguous();
        std::memcpy(out.data(), l.data_ptr<std::int32_t>(), out.size() * sizeof(std::int32_t));
        return out;
    };
    result.trainScores = computeScores(trainHistory, hostLabels(train), c.el2nEpoch);
    if (test.size() > 0)
        result.testScores = computeScores(testHistory, hostLabels(test), c.el2nEpoch);
    result.seconds = secondsSince(t0);
    result.examplesPerSecond = trainSeconds > 0 ? examplesSeen / trainSeconds : 0.0;
    return result;
}

} // namespace pds
