#include "store/studywriter.h"

#include "store/fields.h"
#include "store/h5file.h"
#include "store/integrity.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <ctime>
#include <filesystem>

namespace fs = std::filesystem;

namespace pds {

namespace sc = schema;

namespace {

/// The JSON key of each threshold.
const std::pair<const char *, double GroupThresholds::*> kThresholdKeys[] = {
    {"label_issue", &GroupThresholds::labelIssue},
    {"ambiguity", &GroupThresholds::ambiguity},
    {"rarity", &GroupThresholds::rarity},
    {"dominant", &GroupThresholds::dominant},
    {"easiness", &GroupThresholds::easiness},
};

std::string isoNow()
{
    const std::time_t now = std::time(nullptr);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    return stamp;
}

/// A member's embeddings live in a side file beside it; the copied model's
/// external link is re-pointed so it resolves from the study file's folder.
void relinkEmbeddings(hid_t out, const std::string &model, const std::string &memberFile,
                      const std::string &studyFile)
{
    const std::string link = sc::join({model, sc::kEmbeddings});
    std::string file, object;
    try {
        if (!h5::externalLink(out, link, &file, &object))
            return;
    } catch (const StoreError &) {
        throw StoreError(studyFile + ": cannot read the embeddings link of " + memberFile);
    }
    const fs::path target = fs::path(memberFile).parent_path() / file;
    const fs::path base = fs::path(studyFile).parent_path();
    const std::string relative = fs::relative(fs::absolute(target), fs::absolute(base.empty() ? "." : base)).string();
    try {
        h5::removeLink(out, link);
        h5::createExternalLink(out, link, relative, object);
    } catch (const StoreError &) {
        throw StoreError(studyFile + ": cannot link the embeddings of " + memberFile);
    }
}

} // namespace

std::string thresholdsToJson(const GroupThresholds &thresholds)
{
    nlohmann::json j = nlohmann::json::object();
    for (const auto &[key, field] : kThresholdKeys)
        j[key] = thresholds.*field;
    return j.dump();
}

GroupThresholds thresholdsFromJson(const std::string &text)
{
    GroupThresholds t;
    const auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_object())
        return t;
    for (const auto &[key, field] : kThresholdKeys)
        if (j.contains(key) && j[key].is_number())
            t.*field = j[key].get<double>();
    return t;
}

StudyWriter::StudyWriter(std::string output, const std::string &firstMember)
    : m_output(std::move(output)), m_file(std::make_unique<h5::Handle>())
{
    *m_file = h5::createFile(partialPath());
    h5::Handle first = h5::openFile(firstMember, false);
    h5::copyAttributes(first, *m_file);
    try {
        h5::copyObject(first, sc::kDataset, *m_file, sc::kDataset);
    } catch (const StoreError &) {
        throw StoreError(partialPath() + ": cannot copy the dataset group");
    }
}

StudyWriter::~StudyWriter() = default;

std::string StudyWriter::partialPath() const
{
    return m_output + runformat::kPartialSuffix;
}

void StudyWriter::addMember(const std::string &memberFile, int member)
{
    h5::Handle src = h5::openFile(memberFile, false);
    const std::string model = sc::modelGroup(member);
    try {
        h5::copyObject(src, sc::modelGroup(0), *m_file, model);
    } catch (const StoreError &) {
        throw StoreError(partialPath() + ": cannot copy the model of " + memberFile);
    }
    relinkEmbeddings(*m_file, model, memberFile, m_output);
}

void StudyWriter::writeSummary(const SplitSummary &train, const SplitSummary &test, int numClasses, int probes,
                               int models, const GroupThresholds &thresholds)
{
    h5::Handle sum = h5::requireGroup(*m_file, sc::kSummary);
    h5::writeAttr(sum, sc::kGroupNames, groupNames());
    h5::writeAttr(sum, sc::kSummaryProbes, std::int64_t(probes));
    h5::writeAttr(sum, sc::kSummaryModels, std::int64_t(models));
    h5::writeAttr(sum, sc::kThresholds, thresholdsToJson(thresholds));
    for (const auto *split : sc::kSplits) {
        const SplitSummary &s = std::string(split) == "train" ? train : test;
        h5::Handle g = h5::requireGroup(sum, split);
        for (const auto &f : sc::kSummaryFloats)
            h5::writeVector(g, f.name, s.*f.member);
        for (const auto &f : sc::kSummaryInts)
            h5::writeVector(g, f.name, s.*f.member);
        const std::vector<hsize_t> perClass = {static_cast<hsize_t>(s.consistency.size()),
                                               static_cast<hsize_t>(numClasses)};
        h5::writeArray(g, sc::kHeldOutDistribution, s.heldOutDistribution.data(), perClass);
        h5::writeArray(g, sc::kHeldOutProbability, s.heldOutProbability.data(), perClass);
        for (const auto &[name, dynamics] : sc::kSplitDynamicsGroups) {
            h5::Handle d = h5::requireGroup(g, name);
            for (const auto &f : sc::kSplitDynamicsFloats)
                h5::writeVector(d, f.name, s.*dynamics.*f.member);
        }
        const std::vector<std::int32_t> group(s.group.begin(), s.group.end());
        h5::writeVector(g, sc::kGroup, group);
    }
}

void StudyWriter::finish(int models)
{
    h5::writeAttr(*m_file, sc::kStatus, runformat::kStatusComplete);
    h5::writeAttr(*m_file, sc::kStatusMessage, "");
    h5::writeAttr(*m_file, sc::kModelsCompleted, std::int64_t(models));
    h5::writeAttr(*m_file, sc::kFinished, isoNow());
    // The attributes came from the first member, its version and digest included.
    h5::writeAttr(*m_file, sc::kFormatVersion, std::int64_t(runformat::kFormatVersion));
    writeAttributesDigest(*m_file);
    m_file->reset();
    std::error_code ec;
    fs::rename(partialPath(), m_output, ec);
    if (ec)
        throw StoreError("cannot move " + partialPath() + " to " + m_output + ": " + ec.message());
}

} // namespace pds
