#pragma once

#include "data/catalogue.h"
#include "data/transforms.h"
#include "models/modelspec.h"
#include "train/settings.h"

#include <cstdint>
#include <string>
#include <vector>

namespace pds {

/// Optimiser, schedule, regime and device of one training run.
struct TrainConfig {
    Optimizer optimizer = Optimizer::Sgd;
    double lr = 0.05;
    double momentum = 0.9;
    double weightDecay = 5e-4;
    Schedule schedule = Schedule::Cosine;
    double warmupEpochs = 0.0;       ///< linear warm-up from 0, then the schedule
    int stepEvery = 10;              ///< step schedule: epochs between decays
    double stepGamma = 0.1;          ///< step schedule: decay factor
    int epochs = 10;                 ///< per generation
    int batchSize = 128;
    int evalBatchSize = 256; ///< small batches stay in cache on the CPU; the GPU preset uses 4096
    bool augmentCrop = false;
    int cropPadding = 4;
    bool augmentFlip = false;
    bool mixedPrecision = true; ///< bf16 autocast on CUDA and on CPUs with bf16 matrix units (mixedPrecisionUsed)
    /// Layout of conv weights and inputs: auto (channels-last for conv
    /// models, NCHW for the mlp), channels_last or contiguous.
    MemoryFormat memoryFormat = MemoryFormat::Auto;
    /// Let cuDNN time its convolution algorithms for the run's fixed shapes
    /// and keep the fastest; off gives cuDNN's heuristic choice. CUDA only.
    bool cudnnBenchmark = true;
    DeviceChoice device = DeviceChoice::Auto;
    int threads = 0;             ///< CPU threads; 0 = all cores
    std::uint64_t seed = 0;

    Regime regime = Regime::Standard;
    int generations = 1;             ///< llf / seal: generations of `epochs` epochs
    std::string splitStage;          ///< llf / seal: first late stage; empty = model default
    double sealLrFactor = -0.01;     ///< seal: early-layer lr = factor × scheduled lr
    double sealFraction = 0.25;      ///< seal: share of each generation that ascends

    int el2nEpoch = 0; ///< epoch (1-based) whose EL2N score is kept; 0 = the last

    DynamicsSource dynamics = DynamicsSource::TrainPass;
    /// Epochs between evaluations of the held-out examples (the rest of the
    /// train split and the test split): kEvalEveryAuto, kEvalEveryEnd or N >= 1.
    /// The last epoch is always evaluated.
    int evalEvery = kEvalEveryAuto;
    static constexpr int kEvalEveryAuto = 0; ///< about four evaluations spread over the run
    static constexpr int kEvalEveryEnd = -1; ///< the last epoch only

    /// Whether the run trains in generations (llf, seal).
    bool generational() const { return regime != Regime::Standard; }
    int totalEpochs() const { return epochs * (generational() ? generations : 1); }
    /// Whether the held-out examples are evaluated after `epoch` (1-based).
    bool evaluatesHeldOut(int epoch) const;
};

/// `--eval-every` as written (auto, all, end or a number of epochs) to the
/// value of TrainConfig::evalEvery; throws ConfigError for anything else.
int parseEvalEvery(const std::string &text);
/// TrainConfig::evalEvery as `--eval-every` writes it.
std::string evalEveryName(int evalEvery);

/// The ensemble a run belongs to and the k-NN probe stage after training.
/// A study is S independent runs (members) that differ only in `member`;
/// each trains on its own subset of the train split and writes its own file.
struct StudyConfig {
    int models = 1;     ///< ensemble size S
    double ratio = 1.0; ///< share of the train split each member trains on; 0.5 pairs complementary halves
    int member = 0;     ///< which member this run is (0-based); also offsets the seed
    bool probe = false; ///< run the k-NN probes (prediction depth) after training
    int k = 30;
    std::int64_t maxFeatures = 4096;  ///< probes larger than this are pooled down
    std::string embeddings = "none";  ///< none, all, or comma-separated probe names to store
    bool keepWeights = false;         ///< keep the final weights (the last checkpoint) in the run file
    /// Precision of the embeddings the probes compute from and the run stores.
    EmbeddingsDtype embeddingsDtype = EmbeddingsDtype::Float16;
};

/// Knowledge distillation: the run trains on (1−α)·CE + α·T²·KL(teacher ‖
/// student) at temperature T against the final train-split logits of the
/// teacher's run file (docs/difficulty.md). Off when `teacher` is empty; only
/// then is the section left out of the JSON.
struct DistillConfig {
    std::string teacher;      ///< the teacher's run file
    double temperature = 4.0; ///< T
    double alpha = 0.9;       ///< weight of the distillation term
    bool enabled() const { return !teacher.empty(); }
};

/// Noisy-label regression (task regression, docs/regression.md): the
/// regressors to train and ConFrag's settings.
struct RegressionConfig {
    std::vector<SelectMethod> methods = {SelectMethod::ConFrag}; ///< each trains its own regressor
    int fragments = 4;     ///< F, even
    int k = 3;             ///< neighbours of the feature-space vote
    double jitter = 0.95;  ///< share of the distinct target values each expert epoch sees
    double keep = 0.0;     ///< small-loss: share of examples kept; 0 = 1 − the noise fraction
};

/// Everything a `pdepth train` run needs; saved as JSON in the run file.
struct RunConfig {
    Task task = Task::Classification;
    RegressionConfig regression;
    DatasetSpec dataset;
    std::int64_t limit = 0;     ///< train examples kept (stratified); 0 = all
    std::int64_t testLimit = 0; ///< test examples kept (stratified); 0 = all
    NoiseSpec noise;
    ModelSpec model;
    TrainConfig train;
    StudyConfig study;
    DistillConfig distill;
    std::string output = "run.h5";

    /// Throws ConfigError naming the first bad value.
    void validate() const;
};

/// The settings of a RunConfig, for errors that name the one they are about.
enum class ConfigField {
    None,
    DatasetName, DatasetFormat, DatasetPath, DatasetClasses, Limit, TestLimit,
    NoiseKind, NoiseFraction, NoiseClassMap, NoiseSeed,
    Arch, WidthMultiplier, CnnBaseWidth, MlpHiddenLayers, MlpHiddenUnits,
    Optimizer, Lr, Momentum, WeightDecay, Schedule, WarmupEpochs, StepEvery, StepGamma, Epochs, BatchSize,
    EvalBatchSize, AugmentCrop, CropPadding, AugmentFlip, MixedPrecision, MemoryFormat, CudnnBenchmark, Device,
    Threads, Seed, Regime, Generations, SplitStage, SealLrFactor, SealFraction, El2nEpoch,
    Models, Ratio, Member, Probe, K, MaxFeatures, Embeddings, EmbeddingsDtype,
    Dynamics, EvalEvery,
    Output,
    DistillTeacher, DistillTemperature, DistillAlpha,
    NoiseSigmaMax, Task, RegressionMethods, RegressionFragments, RegressionK, RegressionJitter, RegressionKeep
};

/// Throws ConfigError when an option belongs to the other task (a
/// classification-only option in a regression run, or the reverse) or a
/// regression setting is out of range (core/regression/regressionconfig.cpp).
void validateTaskOptions(const RunConfig &config);

/// The field's key in the JSON configuration without the leading "config."
/// ("train.lr", "output"); what ConfigError::field() holds. Empty for None.
std::string configFieldKey(ConfigField field);
/// The field a ConfigError::field() key names; None for an empty or unknown key.
ConfigField configFieldFromKey(const std::string &key);
/// The field a ConfigError is about.
inline ConfigField configField(const ConfigError &error) { return configFieldFromKey(error.field()); }

/// JSON round trip. Reading rejects unknown keys and wrong types with a
/// ConfigError that names the key; absent keys keep their defaults.
std::string toJson(const RunConfig &config, int indent = 2);
RunConfig runConfigFromJson(const std::string &json);

} // namespace pds
