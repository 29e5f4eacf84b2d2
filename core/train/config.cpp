#include "train/config.h"

#include "util/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <type_traits>
#include <vector>

using nlohmann::json;

namespace pds {

namespace {

constexpr std::pair<ConfigField, const char *> kFieldKeys[] = {
    {ConfigField::DatasetName, "dataset.name"},
    {ConfigField::DatasetFormat, "dataset.format"},
    {ConfigField::DatasetPath, "dataset.path"},
    {ConfigField::DatasetClasses, "dataset.classes"},
    {ConfigField::Limit, "dataset.limit"},
    {ConfigField::TestLimit, "dataset.test_limit"},
    {ConfigField::NoiseKind, "noise.kind"},
    {ConfigField::NoiseFraction, "noise.fraction"},
    {ConfigField::NoiseClassMap, "noise.class_map"},
    {ConfigField::NoiseSeed, "noise.seed"},
    {ConfigField::NoiseSigmaMax, "noise.sigma_max"},
    {ConfigField::Arch, "model.arch"},
    {ConfigField::WidthMultiplier, "model.width_multiplier"},
    {ConfigField::CnnBaseWidth, "model.cnn_base_width"},
    {ConfigField::MlpHiddenLayers, "model.mlp_hidden_layers"},
    {ConfigField::MlpHiddenUnits, "model.mlp_hidden_units"},
    {ConfigField::Optimizer, "train.optimizer"},
    {ConfigField::Lr, "train.lr"},
    {ConfigField::Momentum, "train.momentum"},
    {ConfigField::WeightDecay, "train.weight_decay"},
    {ConfigField::Schedule, "train.schedule"},
    {ConfigField::WarmupEpochs, "train.warmup_epochs"},
    {ConfigField::StepEvery, "train.step_every"},
    {ConfigField::StepGamma, "train.step_gamma"},
    {ConfigField::Epochs, "train.epochs"},
    {ConfigField::BatchSize, "train.batch_size"},
    {ConfigField::EvalBatchSize, "train.eval_batch_size"},
    {ConfigField::AugmentCrop, "train.augment_crop"},
    {ConfigField::CropPadding, "train.crop_padding"},
    {ConfigField::AugmentFlip, "train.augment_flip"},
    {ConfigField::MixedPrecision, "train.mixed_precision"},
    {ConfigField::MemoryFormat, "train.memory_format"},
    {ConfigField::CudnnBenchmark, "train.cudnn_benchmark"},
    {ConfigField::Device, "train.device"},
    {ConfigField::Threads, "train.threads"},
    {ConfigField::Seed, "train.seed"},
    {ConfigField::Regime, "train.regime"},
    {ConfigField::Generations, "train.generations"},
    {ConfigField::SplitStage, "train.split_stage"},
    {ConfigField::SealLrFactor, "train.seal_lr_factor"},
    {ConfigField::SealFraction, "train.seal_fraction"},
    {ConfigField::El2nEpoch, "train.el2n_epoch"},
    {ConfigField::Models, "study.models"},
    {ConfigField::Ratio, "study.ratio"},
    {ConfigField::Member, "study.member"},
    {ConfigField::Probe, "study.probe"},
    {ConfigField::K, "study.k"},
    {ConfigField::MaxFeatures, "study.max_features"},
    {ConfigField::Embeddings, "study.embeddings"},
    {ConfigField::Dynamics, "train.dynamics"},
    {ConfigField::EvalEvery, "train.eval_every"},
    {ConfigField::EmbeddingsDtype, "study.embeddings_dtype"},
    {ConfigField::Output, "output"},
    {ConfigField::DistillTeacher, "distill.teacher"},
    {ConfigField::DistillTemperature, "distill.temperature"},
    {ConfigField::DistillAlpha, "distill.alpha"},
    {ConfigField::Task, "task"},
    {ConfigField::RegressionMethods, "regression.methods"},
    {ConfigField::RegressionFragments, "regression.fragments"},
    {ConfigField::RegressionK, "regression.k"},
    {ConfigField::RegressionJitter, "regression.jitter"},
    {ConfigField::RegressionKeep, "regression.keep"},
};

/// The ConfigError field key of a reader path such as "config.train.lr".
std::string fieldOfPath(const std::string &path)
{
    const std::string root = "config.";
    return path.rfind(root, 0) == 0 ? path.substr(root.size()) : std::string();
}

template <typename T> struct IsVector : std::false_type {};
template <typename U> struct IsVector<std::vector<U>> : std::true_type {};

template <typename T> constexpr bool kIsInteger = std::is_integral_v<T> && !std::is_same_v<T, bool>;

/// True when `v` is a whole number that T holds exactly.
template <typename T> bool holdsInteger(const json &v)
{
    if (!v.is_number_integer())
        return false;
    if (v.is_number_unsigned())
        return v.get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<T>::max());
    const auto x = v.get<std::int64_t>();
    return x >= 0 ? static_cast<std::uint64_t>(x) <= static_cast<std::uint64_t>(std::numeric_limits<T>::max())
                  : std::is_signed_v<T> && x >= static_cast<std::int64_t>(std::numeric_limits<T>::min());
}

template <typename T> std::string integerRange()
{
    return std::to_string(std::numeric_limits<T>::min()) + ".." + std::to_string(std::numeric_limits<T>::max());
}

/// nlohmann converts numbers silently (2.5 → 2, −1 → 2⁶⁴−1); in a configuration
/// such a value is a mistake, so integer fields take only whole numbers in range.
template <typename T> void checkIntegers(const json &v, const std::string &key)
{
    if constexpr (kIsInteger<T>) {
        if (v.is_number() && !holdsInteger<T>(v))
            throw ConfigError("'" + key + "' must be a whole number in " + integerRange<T>() + ", got "
                                  + v.dump(),
                              fieldOfPath(key));
    } else if constexpr (IsVector<T>::value) {
        using U = typename T::value_type;
        if constexpr (kIsInteger<U>) {
            if (v.is_array())
                for (const auto &e : v)
                    if (e.is_number() && !holdsInteger<U>(e))
                        throw ConfigError("'" + key + "' must hold whole numbers in " + integerRange<U>()
                                              + ", got " + v.dump(),
                                          fieldOfPath(key));
        }
    }
}

/// Reads the keys of one JSON object into fields, refusing keys it does not know.
class ObjectReader {
public:
    ObjectReader(const json &j, std::string where) : m_j(j), m_where(std::move(where))
    {
        if (!j.is_object())
            throw ConfigError(m_where + " must be a JSON object");
    }
    ~ObjectReader() noexcept(false)
    {
        if (std::uncaught_exceptions())
            return;
        for (auto it = m_j.begin(); it != m_j.end(); ++it)
            if (!m_seen.count(it.key()))
                throw ConfigError("unknown key '" + path(it.key()) + "'");
    }
    template <typename T> void get(const char *key, T &out)
    {
        m_seen.insert(key);
        auto it = m_j.find(key);
        if (it == m_j.end())
            return;
        checkIntegers<T>(*it, path(key));
        try {
            out = it->template get<T>();
        } catch (const json::exception &) {
            throw ConfigError("'" + path(key) + "' has the wrong type (" + it->type_name() + ")",
                              fieldOfPath(path(key)));
        }
    }
    /// Reads an enumerated setting by its name; `label` starts the message
    /// that names the valid values when the name is unknown.
    template <typename E> void getSetting(const char *key, E &out, const std::string &label)
    {
        std::string name = settingName(out);
        get(key, name);
        out = parseSetting<E>(name, label, fieldOfPath(path(key)));
    }
    const json *child(const char *key)
    {
        m_seen.insert(key);
        auto it = m_j.find(key);
        return it == m_j.end() ? nullptr : &*it;
    }
    std::string path(const std::string &key) const { return m_where + "." + key; }

private:
    const json &m_j;
    std::string m_where;
    std::set<std::string> m_seen;
};

} // namespace

std::string configFieldKey(ConfigField field)
{
    for (const auto &[f, key] : kFieldKeys)
        if (f == field)
            return key;
    return {};
}

ConfigField configFieldFromKey(const std::string &key)
{
    for (const auto &[f, k] : kFieldKeys)
        if (key == k)
            return f;
    return ConfigField::None;
}

void RunConfig::validate() const
{
    const auto &t = train;
    auto require = [](bool ok, ConfigField field, const std::string &msg) {
        if (!ok)
            throw ConfigError(msg, configFieldKey(field));
    };
    using F = ConfigField;
    require(dataset.classes >= 0 && dataset.classes <= 256, F::DatasetClasses,
            "the class count must lie in 1..256 (0 = from the labels), got " + std::to_string(dataset.classes));
    require(limit >= 0, F::Limit, "limit must not be negative");
    require(testLimit >= 0, F::TestLimit, "test limit must not be negative");
    require(noise.fraction >= 0.0 && noise.fraction <= 1.0, F::NoiseFraction, "noise fraction must lie in [0, 1]");
    require(t.lr > 0.0 && std::isfinite(t.lr), F::Lr, "learning rate must be positive, got " + std::to_string(t.lr));
    require(t.momentum >= 0.0 && t.momentum < 1.0, F::Momentum, "momentum must lie in [0, 1)");
    require(t.weightDecay >= 0.0, F::WeightDecay, "weight decay must not be negative");
    require(t.warmupEpochs >= 0.0 && t.warmupEpochs <= t.epochs, F::WarmupEpochs,
            "warm-up must lie between 0 and the number of epochs");
    require(t.stepEvery >= 1, F::StepEvery, "step schedule interval must be at least one epoch");
    require(t.stepGamma > 0.0 && t.stepGamma <= 1.0, F::StepGamma, "step decay factor must lie in (0, 1]");
    require(t.epochs >= 1 && t.epochs <= 100000, F::Epochs, "epochs must be at least 1");
    require(t.batchSize >= 1, F::BatchSize, "batch size must be at least 1");
    require(t.evalBatchSize >= 1, F::EvalBatchSize, "evaluation batch size must be at least 1");
    require(t.cropPadding >= 0 && t.cropPadding <= 64, F::CropPadding, "crop padding must lie in 0..64");
    require(t.threads >= 0, F::Threads, "threads must not be negative");
    require(t.generations >= 1, F::Generations, "generations must be at least 1");
    require(t.sealFraction > 0.0 && t.sealFraction <= 1.0, F::SealFraction, "SEAL fraction must lie in (0, 1]");
    require(t.el2nEpoch >= 0 && t.el2nEpoch <= t.totalEpochs(), F::El2nEpoch,
            "EL2N epoch must lie in 0.." + std::to_string(t.totalEpochs()));
    require(t.evalEvery >= TrainConfig::kEvalEveryEnd, F::EvalEvery,
            "eval_every must be auto (0), end (-1) or a number of epochs, got " + std::to_string(t.evalEvery));
    const auto &st = study;
    require(st.models >= 1 && st.models <= 100000, F::Models,
            "the number of models must be at least 1, got " + std::to_string(st.models));
    require(st.ratio > 0.0 && st.ratio <= 1.0, F::Ratio,
            "the split ratio must lie in (0, 1], got " + std::to_string(st.ratio));
    require(st.ratio == 1.0 || st.models >= 2, F::Ratio, "a split ratio below 1 needs at least two models");
    require(st.member >= 0 && st.member < st.models, F::Member,
            "member must lie in 0.." + std::to_string(st.models - 1));
    require(st.k >= 1, F::K, "k must be at least 1, got " + std::to_string(st.k));
    require(st.maxFeatures >= 1, F::MaxFeatures, "the probe feature limit must be at least 1");
    require(!output.empty(), F::Output, "output path is empty");
    if (distill.enabled()) {
        require(distill.temperature > 0.0 && std::isfinite(distill.temperature), F::DistillTemperature,
                "the distillation temperature must be positive, got " + std::to_string(distill.temperature));
        require(distill.alpha >= 0.0 && distill.alpha <= 1.0, F::DistillAlpha,
                "the distillation weight alpha must lie in [0, 1], got " + std::to_string(distill.alpha));
    }
    validateTaskOptions(*this);
}

std::string toJson(const RunConfig &c, int indent)
{
    json j;
    j["dataset"] = {{"name", c.dataset.name}, {"format", c.dataset.format}, {"path", c.dataset.path},
                    {"classes", c.dataset.classes}, {"limit", c.limit}, {"test_limit", c.testLimit}};
    j["noise"] = {{"kind", settingName(c.noise.kind)}, {"fraction", c.noise.fraction},
                  {"class_map", c.noise.classMap}, {"seed", c.noise.seed}};
    j["model"] = {{"arch", c.model.arch}, {"width_multiplier", c.model.widthMultiplier},
                  {"cnn_base_width", c.model.cnnBaseWidth},
                  {"mlp_hidden_layers", c.model.mlpHiddenLayers},
                  {"mlp_hidden_units", c.model.mlpHiddenUnits}};
    const auto &t = c.train;
    j["train"] = {{"optimizer", settingName(t.optimizer)}, {"lr", t.lr}, {"momentum", t.momentum},
                  {"weight_decay", t.weightDecay}, {"schedule", settingName(t.schedule)},
                  {"warmup_epochs", t.warmupEpochs}, {"step_every", t.stepEvery},
                  {"step_gamma", t.stepGamma}, {"epochs", t.epochs}, {"batch_size", t.batchSize},
                  {"eval_batch_size", t.evalBatchSize}, {"augment_crop", t.augmentCrop},
                  {"crop_padding", t.cropPadding}, {"augment_flip", t.augmentFlip},
                  {"mixed_precision", t.mixedPrecision}, {"memory_format", settingName(t.memoryFormat)},
                  {"cudnn_benchmark", t.cudnnBenchmark}, {"device", settingName(t.device)},
                  {"threads", t.threads}, {"seed", t.seed}, {"regime", settingName(t.regime)},
                  {"generations", t.generations}, {"split_stage", t.splitStage},
                  {"seal_lr_factor", t.sealLrFactor}, {"seal_fraction", t.sealFraction},
                  {"el2n_epoch", t.el2nEpoch}, {"dynamics", settingName(t.dynamics)},
                  {"eval_every", t.evalEvery}};
    j["study"] = {{"models", c.study.models}, {"ratio", c.study.ratio}, {"member", c.study.member},
                  {"probe", c.study.probe}, {"k", c.study.k}, {"max_features", c.study.maxFeatures},
                  {"embeddings", c.study.embeddings}, {"keep_weights", c.study.keepWeights},
                  {"embeddings_dtype", settingName(c.study.embeddingsDtype)}};
    if (c.distill.enabled())
        j["distill"] = {{"teacher", c.distill.teacher}, {"temperature", c.distill.temperature},
                        {"alpha", c.distill.alpha}};
    j["output"] = c.output;
    // Classification files keep the keys they always had; the task's own keys appear with it.
    if (c.noise.sigmaMax != 0)
        j["noise"]["sigma_max"] = c.noise.sigmaMax;
    if (c.task != Task::Classification) {
        j["task"] = settingName(c.task);
        std::vector<std::string> methods;
        for (const auto m : c.regression.methods)
            methods.emplace_back(settingName(m));
        j["regression"] = {{"methods", methods}, {"fragments", c.regression.fragments}, {"k", c.regression.k},
                           {"jitter", c.regression.jitter}, {"keep", c.regression.keep}};
    }
    return j.dump(indent);
}

RunConfig runConfigFromJson(const std::string &text)
{
    json j;
    try {
        j = json::parse(text);
    } catch (const json::parse_error &e) {
        throw ConfigError(std::string("configuration is not valid JSON: ") + e.what());
    }
    RunConfig c;
    ObjectReader root(j, "config");
    if (const json *d = root.child("dataset")) {
        ObjectReader r(*d, "config.dataset");
        r.get("name", c.dataset.name);
        r.get("format", c.dataset.format);
        r.get("path", c.dataset.path);
        r.get("classes", c.dataset.classes);
        r.get("limit", c.limit);
        r.get("test_limit", c.testLimit);
    }
    if (const json *n = root.child("noise")) {
        ObjectReader r(*n, "config.noise");
        r.getSetting("kind", c.noise.kind, "'" + r.path("kind") + "'");
        r.get("fraction", c.noise.fraction);
        r.get("class_map", c.noise.classMap);
        r.get("seed", c.noise.seed);
        r.get("sigma_max", c.noise.sigmaMax);
    }
    if (const json *m = root.child("model")) {
        ObjectReader r(*m, "config.model");
        r.get("arch", c.model.arch);
        r.get("width_multiplier", c.model.widthMultiplier);
        r.get("cnn_base_width", c.model.cnnBaseWidth);
        r.get("mlp_hidden_layers", c.model.mlpHiddenLayers);
        r.get("mlp_hidden_units", c.model.mlpHiddenUnits);
    }
    if (const json *tj = root.child("train")) {
        ObjectReader r(*tj, "config.train");
        auto &t = c.train;
        r.getSetting("optimizer", t.optimizer, "optimizer");
        r.get("lr", t.lr);
        r.get("momentum", t.momentum);
        r.get("weight_decay", t.weightDecay);
        r.getSetting("schedule", t.schedule, "schedule");
        r.get("warmup_epochs", t.warmupEpochs);
        r.get("step_every", t.stepEvery);
        r.get("step_gamma", t.stepGamma);
        r.get("epochs", t.epochs);
        r.get("batch_size", t.batchSize);
        r.get("eval_batch_size", t.evalBatchSize);
        r.get("augment_crop", t.augmentCrop);
        r.get("crop_padding", t.cropPadding);
        r.get("augment_flip", t.augmentFlip);
        r.get("mixed_precision", t.mixedPrecision);
        r.getSetting("memory_format", t.memoryFormat, "memory format");
        r.get("cudnn_benchmark", t.cudnnBenchmark);
        r.getSetting("device", t.device, "device");
        r.get("threads", t.threads);
        r.get("seed", t.seed);
        r.getSetting("regime", t.regime, "regime");
        r.get("generations", t.generations);
        r.get("split_stage", t.splitStage);
        r.get("seal_lr_factor", t.sealLrFactor);
        r.get("seal_fraction", t.sealFraction);
        r.get("el2n_epoch", t.el2nEpoch);
        r.getSetting("dynamics", t.dynamics, "dynamics");
        r.get("eval_every", t.evalEvery);
    }
    if (const json *sj = root.child("study")) {
        ObjectReader r(*sj, "config.study");
        r.get("models", c.study.models);
        r.get("ratio", c.study.ratio);
        r.get("member", c.study.member);
        r.get("probe", c.study.probe);
        r.get("k", c.study.k);
        r.get("max_features", c.study.maxFeatures);
        r.get("embeddings", c.study.embeddings);
        r.getSetting("embeddings_dtype", c.study.embeddingsDtype, "embeddings dtype");
        r.get("keep_weights", c.study.keepWeights);
    }
    if (const json *dj = root.child("distill")) {
        ObjectReader r(*dj, "config.distill");
        r.get("teacher", c.distill.teacher);
        r.get("temperature", c.distill.temperature);
        r.get("alpha", c.distill.alpha);
    }
    root.get("output", c.output);
    root.getSetting("task", c.task, "'config.task'");
    if (const json *rj = root.child("regression")) {
        ObjectReader r(*rj, "config.regression");
        std::vector<std::string> methods;
        for (const auto m : c.regression.methods)
            methods.emplace_back(settingName(m));
        r.get("methods", methods);
        c.regression.methods.clear();
        for (const auto &name : methods)
            c.regression.methods.push_back(
                parseSetting<SelectMethod>(name, "'config.regression.methods'", "regression.methods"));
        r.get("fragments", c.regression.fragments);
        r.get("k", c.regression.k);
        r.get("jitter", c.regression.jitter);
        r.get("keep", c.regression.keep);
    }
    return c;
}

bool TrainConfig::evaluatesHeldOut(int epoch) const
{
    const int total = totalEpochs();
    if (epoch >= total)
        return true;
    if (evalEvery == kEvalEveryEnd)
        return false;
    // Auto: every ceil(total / 4) epochs, so every view of the held-out
    // examples has a few points over training at a bounded cost.
    const int every = evalEvery == kEvalEveryAuto ? std::max(1, (total + 3) / 4) : evalEvery;
    return epoch % every == 0;
}

int parseEvalEvery(const std::string &text)
{
    if (text == "auto")
        return TrainConfig::kEvalEveryAuto;
    if (text == "end")
        return TrainConfig::kEvalEveryEnd;
    if (text == "all")
        return 1;
    std::size_t used = 0;
    int n = 0;
    try {
        n = std::stoi(text, &used);
    } catch (const std::exception &) {
        used = 0;
    }
    if (used != text.size() || n < 1)
        throw ConfigError("--eval-every must be auto, all, end or a number of epochs of at least 1, got '" + text
                              + "'",
                          configFieldKey(ConfigField::EvalEvery));
    return n;
}

std::string evalEveryName(int evalEvery)
{
    if (evalEvery == TrainConfig::kEvalEveryAuto)
        return "auto";
    if (evalEvery == TrainConfig::kEvalEveryEnd)
        return "end";
    return evalEvery == 1 ? "all" : std::to_string(evalEvery);
}

} // namespace pds
