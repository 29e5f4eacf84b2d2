#pragma once

#include "data/transforms.h"
#include "util/error.h"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pds {

/// The optimiser of a training run.
enum class Optimizer { Sgd, Adam };
/// How the learning rate falls over a generation.
enum class Schedule { Constant, Step, Cosine };
/// Standard training, later-layer forgetting (llf) or SEAL.
enum class Regime { Standard, Llf, Seal };
/// The layout of conv weights and inputs; auto picks channels-last for conv models.
enum class MemoryFormat { Auto, ChannelsLast, Contiguous };
/// The device a run asks for; auto prefers CUDA when present.
enum class DeviceChoice { Auto, Cpu, Cuda };
/// What a run learns: class labels or a continuous target.
enum class Task { Classification, Regression };
/// Which examples a regression run trains its regressor on: ConFrag's
/// selection, the small-loss baseline, all of them, or all with clean targets.
enum class SelectMethod { ConFrag, SmallLoss, None, Clean };
/// Where the per-epoch dynamics of the examples a model trains on come from:
/// the training minibatch forward pass (train mode, as sampled), or an extra
/// evaluation pass (eval mode) after every epoch.
enum class DynamicsSource { TrainPass, EvalPass };
/// The precision embeddings are rounded to, probed in and stored in.
enum class EmbeddingsDtype { Float16, Float32 };

/// The one string mapping of an enumerated setting: its names in the JSON
/// configuration, on the command line and in the wizard. Specialised below.
template <typename E> struct SettingNames;

template <> struct SettingNames<Optimizer> {
    static constexpr std::array<std::pair<Optimizer, const char *>, 2> entries{
        {{Optimizer::Sgd, "sgd"}, {Optimizer::Adam, "adam"}}};
};
template <> struct SettingNames<Schedule> {
    static constexpr std::array<std::pair<Schedule, const char *>, 3> entries{
        {{Schedule::Constant, "constant"}, {Schedule::Step, "step"}, {Schedule::Cosine, "cosine"}}};
};
template <> struct SettingNames<Regime> {
    static constexpr std::array<std::pair<Regime, const char *>, 3> entries{
        {{Regime::Standard, "standard"}, {Regime::Llf, "llf"}, {Regime::Seal, "seal"}}};
};
template <> struct SettingNames<MemoryFormat> {
    static constexpr std::array<std::pair<MemoryFormat, const char *>, 3> entries{
        {{MemoryFormat::Auto, "auto"}, {MemoryFormat::ChannelsLast, "channels_last"},
         {MemoryFormat::Contiguous, "contiguous"}}};
};
template <> struct SettingNames<DeviceChoice> {
    static constexpr std::array<std::pair<DeviceChoice, const char *>, 3> entries{
        {{DeviceChoice::Auto, "auto"}, {DeviceChoice::Cpu, "cpu"}, {DeviceChoice::Cuda, "cuda"}}};
};
template <> struct SettingNames<DynamicsSource> {
    static constexpr std::array<std::pair<DynamicsSource, const char *>, 2> entries{
        {{DynamicsSource::TrainPass, "train_pass"}, {DynamicsSource::EvalPass, "eval_pass"}}};
};
template <> struct SettingNames<EmbeddingsDtype> {
    static constexpr std::array<std::pair<EmbeddingsDtype, const char *>, 2> entries{
        {{EmbeddingsDtype::Float16, "float16"}, {EmbeddingsDtype::Float32, "float32"}}};
};
template <> struct SettingNames<NoiseSpec::Kind> {
    static constexpr std::array<std::pair<NoiseSpec::Kind, const char *>, 4> entries{
        {{NoiseSpec::Kind::None, "none"}, {NoiseSpec::Kind::Symmetric, "symmetric"},
         {NoiseSpec::Kind::Asymmetric, "asymmetric"}, {NoiseSpec::Kind::Gaussian, "gaussian"}}};
};
template <> struct SettingNames<Task> {
    static constexpr std::array<std::pair<Task, const char *>, 2> entries{
        {{Task::Classification, "classification"}, {Task::Regression, "regression"}}};
};
template <> struct SettingNames<SelectMethod> {
    static constexpr std::array<std::pair<SelectMethod, const char *>, 4> entries{
        {{SelectMethod::ConFrag, "confrag"}, {SelectMethod::SmallLoss, "small-loss"},
         {SelectMethod::None, "none"}, {SelectMethod::Clean, "clean"}}};
};

/// The name of `value` in configurations and on the command line.
template <typename E> const char *settingName(E value)
{
    for (const auto &[v, name] : SettingNames<E>::entries)
        if (v == value)
            return name;
    return "";
}

/// Every valid name, in the order the help text and the wizard list them.
template <typename E> std::vector<std::string> settingNames()
{
    std::vector<std::string> out;
    for (const auto &entry : SettingNames<E>::entries)
        out.emplace_back(entry.second);
    return out;
}

/// The valid names for a message: "sgd or adam", "auto, cpu or cuda".
template <typename E> std::string settingChoices()
{
    const auto &e = SettingNames<E>::entries;
    std::string out;
    for (std::size_t i = 0; i < e.size(); ++i)
        out += std::string(i == 0 ? "" : i + 1 == e.size() ? " or " : ", ") + e[i].second;
    return out;
}

/// The value named `name`; nothing for a name the setting does not know.
template <typename E> std::optional<E> settingFromName(std::string_view name)
{
    for (const auto &[v, n] : SettingNames<E>::entries)
        if (name == n)
            return v;
    return std::nullopt;
}

/// The value named `name`, or a ConfigError about `field` (a ConfigField key)
/// saying "<label> must be <choices>, got '<name>'".
template <typename E> E parseSetting(const std::string &name, const std::string &label, const std::string &field)
{
    if (const auto v = settingFromName<E>(name))
        return *v;
    throw ConfigError(label + " must be " + settingChoices<E>() + ", got '" + name + "'", field);
}

} // namespace pds
