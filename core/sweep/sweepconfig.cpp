#include "sweep/sweepconfig.h"

#include "models/architectures.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

namespace fs = std::filesystem;

namespace pds {

namespace {

std::string number(double v)
{
    std::ostringstream s;
    s << v;
    return s.str();
}

bool integral(double v)
{
    return std::floor(v) == v && v >= 1 && v <= 1e6;
}

} // namespace

SizeAxis sizeAxis(const std::string &model)
{
    if (model == "cnn")
        return SizeAxis::CnnBaseWidth;
    if (model == "mlp")
        return SizeAxis::MlpHiddenUnits;
    if (model == "resnet")
        return SizeAxis::Depth;
    return SizeAxis::WidthMultiplier;
}

std::string sizeAxisName(SizeAxis axis)
{
    switch (axis) {
    case SizeAxis::CnnBaseWidth:
        return "cnn base width";
    case SizeAxis::MlpHiddenUnits:
        return "mlp hidden units";
    case SizeAxis::Depth:
        return "depth";
    case SizeAxis::WidthMultiplier:
        break;
    }
    return "width multiplier";
}

void SweepConfig::validate() const
{
    auto fail = [](const std::string &message, const std::string &field = {}) { throw ConfigError(message, field); };
    if (distill && sizes.size() < 2)
        fail("--distill: the teacher is the largest size and the students are the smaller ones, so distillation "
             "needs at least two sizes (got " + std::to_string(sizes.size()) + ")");
    if (sizes.size() < 2)
        fail("--sizes: a sweep needs at least two sizes to compare, got "
             + (sizes.empty() ? std::string("none") : "only " + number(sizes.front())));
    const SizeAxis axis = sizeAxis(base.model.arch);
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        const double s = sizes[i];
        for (std::size_t j = 0; j < i; ++j)
            if (sizes[j] == s)
                fail("--sizes: size " + number(s) + " is repeated; each size must appear once");
        if (i > 0 && !(s > sizes[i - 1]))
            fail("--sizes: sizes must be strictly increasing, but " + number(s) + " follows " + number(sizes[i - 1]));
        if (!(s > 0) || !std::isfinite(s))
            fail("--sizes: every size must be positive, got " + number(s));
        if (axis != SizeAxis::WidthMultiplier && !integral(s))
            fail("--sizes: sizes of the " + sizeAxisName(axis) + " must be whole numbers, got " + number(s));
        if (axis == SizeAxis::Depth && cifarResNetDepth("resnet" + number(s)) == 0)
            fail("--sizes: a CIFAR ResNet's depth is 6n+2 (8, 14, 20, 32, 44, 56, …), got " + number(s));
        if (axis == SizeAxis::WidthMultiplier && s > 64.0)
            fail("--sizes: a width multiplier lies in (0, 64], got " + number(s));
    }
    if (base.study.models < 2)
        fail("--models: a sweep needs at least two members per size, got " + std::to_string(base.study.models));
    if (base.study.ratio >= 1.0)
        fail("--ratio: a ratio of 1 trains every member on every example, so nothing is held out and P_out "
             "(hence mem) is undefined; use a ratio below 1, e.g. 0.7");
    if (!(base.study.ratio > 0.0))
        fail("--ratio: the ratio must lie in (0, 1), got " + number(base.study.ratio));
    if (distill && !(temperature > 0.0 && std::isfinite(temperature)))
        fail("--temperature: the distillation temperature must be positive, got " + number(temperature));
    if (distill && !(alpha >= 0.0 && alpha <= 1.0))
        fail("--alpha: the distillation weight must lie in [0, 1], got " + number(alpha));
    if (!(rule.delta >= 0.0) || !std::isfinite(rule.delta))
        fail("--delta: the trajectory margin must be zero or positive, got " + number(rule.delta));
    if (!(rule.z >= 0.0) || !std::isfinite(rule.z))
        fail("--z: the trajectory's standard errors must be zero or positive, got " + number(rule.z));
    for (std::size_t i = 0; i < sizes.size(); ++i)
        sweepMemberConfig(*this, static_cast<int>(i), 0, false).validate();
}

std::string toJson(const SweepConfig &c)
{
    nlohmann::json j;
    j["base"] = nlohmann::json::parse(toJson(c.base, -1));
    j["sizes"] = c.sizes;
    j["distill"] = c.distill;
    j["temperature"] = c.temperature;
    j["alpha"] = c.alpha;
    j["delta"] = c.rule.delta;
    j["z"] = c.rule.z;
    return j.dump(2);
}

SweepConfig sweepConfigFromJson(const std::string &text)
{
    try {
        const auto j = nlohmann::json::parse(text);
        SweepConfig c;
        c.base = runConfigFromJson(j.at("base").dump());
        c.sizes = j.at("sizes").get<std::vector<double>>();
        c.distill = j.at("distill").get<bool>();
        c.temperature = j.at("temperature").get<double>();
        c.alpha = j.at("alpha").get<double>();
        c.rule.delta = j.at("delta").get<double>();
        c.rule.z = j.at("z").get<double>();
        return c;
    } catch (const nlohmann::json::exception &e) {
        throw ConfigError(std::string("the sweep configuration cannot be read: ") + e.what());
    }
}

ModelSpec sizedModel(const ModelSpec &base, double size)
{
    ModelSpec m = base;
    switch (sizeAxis(base.arch)) {
    case SizeAxis::CnnBaseWidth:
        m.cnnBaseWidth = static_cast<int>(size);
        break;
    case SizeAxis::MlpHiddenUnits:
        m.mlpHiddenUnits = static_cast<int>(size);
        break;
    case SizeAxis::Depth:
        m.arch = "resnet" + number(size);
        break;
    case SizeAxis::WidthMultiplier:
        m.widthMultiplier = size;
        break;
    }
    return m;
}

std::string sweepMemberPath(const std::string &output, int size, int member, bool distilled)
{
    const fs::path out(output);
    char name[32];
    std::snprintf(name, sizeof name, "%c%02d_m%03d.h5", distilled ? 'd' : 's', size, member);
    return (out.parent_path() / (out.stem().string() + ".members") / name).string();
}

RunConfig sweepMemberConfig(const SweepConfig &sweep, int size, int member, bool distilled)
{
    RunConfig c = sweep.base;
    c.model = sizedModel(sweep.base.model, sweep.sizes.at(static_cast<std::size_t>(size)));
    c.study.member = member;
    c.study.probe = true;
    c.output = sweepMemberPath(sweep.base.output, size, member, distilled);
    if (distilled) {
        const int largest = static_cast<int>(sweep.sizes.size()) - 1;
        c.distill.teacher = sweepMemberPath(sweep.base.output, largest, member, false);
        c.distill.temperature = sweep.temperature;
        c.distill.alpha = sweep.alpha;
    }
    return c;
}

std::string sweepConfigPath(const std::string &output)
{
    const fs::path out(output);
    return (out.parent_path() / (out.stem().string() + ".members") / "sweep.json").string();
}

} // namespace pds
