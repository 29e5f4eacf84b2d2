#include "study/memberconfig.h"

#include <nlohmann/json.hpp>

#include <set>

namespace pds {

SettingDifference studySettingDifference(const RunConfig &first, const RunConfig &other)
{
    static const std::set<std::string> mayDiffer = {
        "study.member", "output", "train.device", "train.threads", "train.eval_batch_size",
        "train.memory_format", "train.cudnn_benchmark", "study.embeddings", "dataset.path"};
    // Compared through the JSON the run file stores, so every setting the
    // configuration knows is covered without a list of fields to keep up.
    const auto a = nlohmann::json::parse(toJson(first, -1));
    const auto b = nlohmann::json::parse(toJson(other, -1));
    auto differs = [&](const std::string &key, const nlohmann::json &mine, const nlohmann::json &theirs) {
        return !mayDiffer.count(key) && mine != theirs;
    };
    for (const auto &[section, values] : a.items()) {
        const auto &theirs = b.at(section);
        if (!values.is_object()) {
            if (differs(section, values, theirs))
                return {section, values.dump(), theirs.dump()};
            continue;
        }
        for (const auto &[name, value] : values.items()) {
            const std::string key = section + "." + name;
            if (differs(key, value, theirs.at(name)))
                return {key, value.dump(), theirs.at(name).dump()};
        }
    }
    return {};
}

} // namespace pds
