#pragma once

#include "data/dataset.h"
#include "data/transforms.h"
#include "models/model.h"
#include "store/runwriter.h"
#include "train/config.h"
#include "train/dynamics.h"
#include "train/epochrecorder.h"
#include "train/job.h"

#include <torch/torch.h>

#include <chrono>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

namespace pds {

/// Picks the device a config asks for; auto prefers CUDA. Throws
/// ConfigError when CUDA is asked for and none is present.
torch::Device resolveDevice(DeviceChoice choice);

/// Whether a model of `arch` trains channels-last under the configured
/// memory format. Auto picks it for every conv model: on the CPU (oneDNN)
/// it trained each of them faster (docs/benchmarks.md), and it is the layout
/// cuDNN's tensor-core convolutions work in.
bool useChannelsLast(const TrainConfig &config, const std::string &arch);

/// A split held on the device once: normalised images and given labels.
struct DeviceSplit {
    torch::Tensor images; ///< float32 [N, C, H, W], normalised
    torch::Tensor labels; ///< int64 [N]
    std::int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
};

/// Uploads a split to `device` as one tensor, normalised per channel.
DeviceSplit uploadSplit(const Split &split, int channels, int height, int width,
                        const ChannelStats &stats, torch::Device device);

/// The float32 logits [M, K] of `model` (eval mode, no gradients) on the
/// examples `indices` of `split` (int64 on the device), or on all of them in
/// order when `indices` is undefined. Undefined when there are none.
torch::Tensor evaluateLogits(ProbedModelImpl &model, const DeviceSplit &split, const torch::Tensor &indices,
                             int batchSize, bool mixedPrecision);

/// Trains one model and records per-example dynamics every epoch: those of
/// the examples it trains on from the training forward pass (or an eval pass,
/// as configured), those of the held-out examples at the epochs the held-out
/// schedule evaluates.
class Trainer {
public:
    /// Receives each finished epoch with a checkpoint of the state after it
    /// (model, optimiser; serialised LibTorch archive) from which training
    /// resumes to the same result.
    using EpochSink = std::function<void(const EpochCurve &, const EpochRecord &train,
                                         const EpochRecord &test, const std::string &checkpoint)>;

    /// Where an interrupted run stands: the epochs already recorded and the
    /// checkpoint written with the last of them.
    struct ResumeState {
        std::vector<EpochRecord> trainHistory, testHistory;
        std::string checkpoint;
        int epochsDone() const { return static_cast<int>(trainHistory.size()); }
    };

    struct Result {
        ExampleScores trainScores, testScores;
        std::vector<float> trainLogits, testLogits; ///< after the last epoch, [N, K]
        double seconds = 0.0;
        double examplesPerSecond = 0.0; ///< training steps only
        EpochCurve last;
    };

    Trainer(TrainConfig config, torch::Device device);

    /// The loss of a training batch from its logits (float32), given labels and
    /// the batch's indices into the train split; replaces cross-entropy
    /// (distillation sets one).
    using LossFunction = std::function<torch::Tensor(const torch::Tensor &logits, const torch::Tensor &labels,
                                                     const torch::Tensor &batch)>;
    void setLoss(LossFunction loss) { m_loss = std::move(loss); }

    /// The float32 logits of every train- and test-split example, in order,
    /// from the trained model in eval mode: evaluateLogits() over each split,
    /// or a pass that computes more from the same forward (the probe stage's
    /// embeddings), so the last epoch needs no evaluation pass of its own.
    using FinalPass = std::function<std::pair<torch::Tensor, torch::Tensor>(ProbedModelImpl &model)>;
    void setFinalPass(FinalPass pass) { m_finalPass = std::move(pass); }

    /// Trains on the examples `trainIndices` of `train`; records the dynamics
    /// of `train` and `test` as configured and hands each epoch to `sink`;
    /// after the last epoch evaluates every example.
    /// Throws CancelledError when `cancel` is set, DivergenceError on a
    /// non-finite loss.
    Result train(ProbedModelImpl &model, const DeviceSplit &train, const DeviceSplit &test,
                 const std::vector<std::int64_t> &trainIndices, const EpochSink &sink,
                 JobObserver *observer, const CancelToken &cancel, int modelIndex = 0,
                 int modelCount = 1, const ResumeState *resume = nullptr);

private:
    using Clock = std::chrono::steady_clock;
    struct Session;
    struct EpochTotals;

    /// Derived sizes, parameter groups and the state to resume from.
    void prepare(Session &s) const;
    /// One generation (the whole run when the regime is standard): LLF's
    /// re-initialisation, a fresh optimiser, then its epochs.
    void trainGeneration(Session &s, int gen);
    std::unique_ptr<torch::optim::Optimizer> makeOptimizer(Session &s) const;
    /// The training steps of one epoch, reporting progress as they go.
    EpochTotals trainEpoch(Session &s, torch::optim::Optimizer &opt, int gen, int genEpoch, Progress &prog,
                           Clock::time_point epochStart);
    /// One optimiser step on the training examples `batch` (indices on the device).
    void trainStep(Session &s, torch::optim::Optimizer &opt, const torch::Tensor &batch, EpochTotals &totals);
    /// Evaluates both splits after an epoch and hands the epoch to the sink and the observer.
    void evaluateEpoch(Session &s, torch::optim::Optimizer &opt, const EpochTotals &totals,
                       Clock::time_point epochStart);
    /// The per-example scores over every recorded epoch.
    Result finish(Session &s) const;
    torch::Tensor augment(const torch::Tensor &x) const;

    TrainConfig m_config;
    torch::Device m_device;
    LossFunction m_loss;
    FinalPass m_finalPass;
};

} // namespace pds
