#include "study/memberconfig.h"

#include <nlohmann/json.hpp>

#include <set>

namespace pds {

namespace {

const std::set<std::string> &studyMayDiffer()
{
    static const std::set<std::string> keys = {
        "study.member", "output", "train.device", "train.threads", "train.eval_batch_size",
        "train.memory_format", "train.cudnn_benchmark", "study.embeddings", "dataset.path"};
    return keys;
}

SettingDifference settingDifference(const RunConfig &first, const RunConfig &other,
                                    const std::set<std::string> &mayDiffer)
{
    // Compared through the JSON the run file stores, so every setting the
    // configuration knows is covered without a list of fields to keep up.
    const auto a = nlohmann::json::parse(toJson(first, -1));
    const auto b = nlohmann::json::parse(toJson(other, -1));
    auto differs = [&](const std::string &key, const nlohmann::json &mine, const nlohmann::json &theirs) {
        return !mayDiffer.count(key) && mine != theirs;
    };
    // A section only one side has (distillation) differs as a whole.
    for (const auto &[section, values] : b.items())
        if (!a.contains(section) && !mayDiffer.count(section))
            return {section, "(none)", values.dump()};
    for (const auto &[section, values] : a.items()) {
        if (!b.contains(section)) {
            if (mayDiffer.count(section))
                continue;
            return {section, values.dump(), "(none)"};
        }
        const auto &theirs = b.at(section);
        if (!values.is_object()) {
            if (differs(section, values, theirs))
                return {section, values.dump(), theirs.dump()};
            continue;
        }
        for (const auto &[name, value] : values.items()) {
            const std::string key = section + "." + name;
            if (!theirs.contains(name))
                return {key, value.dump(), "(none)"};
            if (differs(key, value, theirs.at(name)))
                return {key, value.dump(), theirs.at(name).dump()};
        }
    }
    return {};
}

} // namespace

SettingDifference studySettingDifference(const RunConfig &first, const RunConfig &other)
{
    return settingDifference(first, other, studyMayDiffer());
}

SettingDifference sweepSettingDifference(const RunConfig &expected, const RunConfig &found)
{
    // The teacher's path moves with the sweep's folder; its subset is checked
    // when the student loads it.
    std::set<std::string> keys = studyMayDiffer();
    keys.erase("study.member");
    keys.insert("distill.teacher");
    return settingDifference(expected, found, keys);
}

} // namespace pds
