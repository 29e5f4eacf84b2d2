#include "sweep/sweep.h"

#include "store/runformat.h"
#include "store/runreader.h"
#include "store/schema.h"
#include "store/sweepfile.h"
#include "study/memberconfig.h"
#include "train/runjob.h"
#include "sweep/analysis.h"
#include "util/error.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace pds {

namespace {

/// "size 16, member m003 (of 8)" or "size 16, student m003 (of 8)".
std::string memberLabel(const SweepConfig &c, int size, int member, bool distilled)
{
    std::ostringstream s;
    s << "size " << c.sizes[static_cast<std::size_t>(size)] << ", " << (distilled ? "student " : "member ")
      << schema::modelName(member) << " (of " << c.base.study.models << ")";
    return s.str();
}

std::vector<MemberTask> candidates(const SweepConfig &c, bool distilled)
{
    std::vector<MemberTask> tasks;
    const int sizes = static_cast<int>(c.sizes.size()) - (distilled ? 1 : 0);
    for (int s = 0; s < sizes; ++s)
        for (int m = 0; m < c.base.study.models; ++m)
            tasks.push_back({sweepMemberConfig(c, s, m, distilled), false, memberLabel(c, s, m, distilled)});
    return tasks;
}

/// Loads one member file, checking it is the member the sweep expects.
sweep::SweepMember loadMember(const RunConfig &expected, const std::vector<std::int32_t> *labels,
                              std::vector<std::int32_t> &trainLabels, std::vector<std::int32_t> &testLabels,
                              int &probes, int &numClasses)
{
    const std::string &path = expected.output;
    if (!fs::exists(path))
        throw StoreError(path + ": member is missing; run the sweep again to train it");
    RunReader r(path);
    const auto &s = r.summary();
    if (s.status != runformat::kStatusComplete)
        throw StoreError(path + ": member is " + s.status + ", not complete");
    if (s.models.size() != 1 || !r.hasProbes(0))
        throw StoreError(path + ": a sweep member holds one model with probe results");
    RunConfig found;
    try {
        found = runConfigFromJson(s.configJson);
    } catch (const ConfigError &e) {
        throw StoreError(path + ": cannot read the member's configuration: " + e.what());
    }
    const SettingDifference d = sweepSettingDifference(expected, found);
    if (d.any())
        throw StoreError(path + ": member was trained with " + d.key + " = " + d.other + " but the sweep asks for "
                         + d.key + " = " + d.first + "; members of another configuration cannot be merged");
    const auto train = r.labels("train");
    const auto test = r.labels("test");
    if (labels == nullptr) {
        trainLabels = train;
        testLabels = test;
        numClasses = static_cast<int>(s.classNames.size());
    } else if (train != trainLabels || test != testLabels) {
        throw StoreError(path + ": member was trained on other data than the sweep's first member");
    }
    probes = static_cast<int>(s.models.front().probeNames.size());
    sweep::SweepMember m;
    m.train = r.memberSplit(0, "train");
    m.el2n = r.score(0, "train", schema::kEl2n);
    const auto testPred = r.memberSplit(0, "test").finalPred;
    std::size_t hits = 0, trained = 0, trainHits = 0;
    for (std::size_t i = 0; i < test.size(); ++i)
        hits += testPred[i] == test[i];
    for (std::size_t i = 0; i < train.size(); ++i)
        if (m.train.inTrain[i]) {
            ++trained;
            trainHits += m.train.finalPred[i] == train[i];
        }
    m.testAccuracy = test.empty() ? 0.0 : double(hits) / double(test.size());
    m.trainAccuracy = trained ? double(trainHits) / double(trained) : 0.0;
    return m;
}

} // namespace

void claimSweepMembersFolder(const SweepConfig &c)
{
    const std::string path = sweepConfigPath(c.base.output);
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
    if (ec)
        throw StoreError(path + ": cannot create the members folder: " + ec.message());
    if (fs::exists(path)) {
        std::ifstream in(path);
        std::stringstream text;
        text << in.rdbuf();
        SweepConfig previous;
        try {
            previous = sweepConfigFromJson(text.str());
        } catch (const ConfigError &e) {
            throw ConfigError(path + ": " + e.what() + "; remove it or choose another --output");
        }
        const std::string d = sweepConfigDifference(previous, c);
        if (!d.empty())
            throw ConfigError(c.base.output + ": its members folder holds a sweep of another configuration (" + d
                              + "); its members cannot be merged with this one's. Choose another --output or "
                                "remove " + fs::path(path).parent_path().string());
    }
    std::ofstream out(path);
    out << toJson(c) << "\n";
    if (!out)
        throw StoreError(path + ": cannot write the sweep configuration");
}

std::string sweepConfigDifference(const SweepConfig &previous, const SweepConfig &current)
{
    std::ostringstream out;
    auto list = [](const std::vector<double> &v) {
        std::ostringstream s;
        for (std::size_t i = 0; i < v.size(); ++i)
            s << (i ? "," : "") << v[i];
        return s.str();
    };
    if (previous.sizes != current.sizes)
        return "sizes: " + list(previous.sizes) + " → " + list(current.sizes);
    if (previous.distill != current.distill)
        return std::string("distill: ") + (previous.distill ? "on" : "off") + " → " + (current.distill ? "on" : "off");
    if (previous.distill && (previous.temperature != current.temperature || previous.alpha != current.alpha)) {
        out << "temperature, alpha: " << previous.temperature << ", " << previous.alpha << " → "
            << current.temperature << ", " << current.alpha;
        return out.str();
    }
    const SettingDifference d =
        studySettingDifference(sweepMemberConfig(previous, 0, 0, false), sweepMemberConfig(current, 0, 0, false));
    if (d.any())
        return d.key + ": " + d.first + " → " + d.other;
    return {};
}

void mergeSweep(const SweepConfig &config)
{
    std::vector<std::int32_t> trainLabels, testLabels;
    int numClasses = 0;
    std::vector<sweep::LoadedSize> sizes;
    std::vector<std::string> files;
    const fs::path base = fs::absolute(fs::path(config.base.output)).parent_path();
    const int n = static_cast<int>(config.sizes.size());
    for (int s = 0; s < n; ++s) {
        sweep::LoadedSize size;
        size.size = config.sizes[static_cast<std::size_t>(s)];
        size.arch = sizedModel(config.base.model, size.size).arch;
        size.epochs = config.base.train.totalEpochs();
        for (bool distilled : {false, true}) {
            if (distilled && (!config.distill || s == n - 1))
                continue;
            for (int m = 0; m < config.base.study.models; ++m) {
                const RunConfig expected = sweepMemberConfig(config, s, m, distilled);
                const bool first = files.empty();
                auto member = loadMember(expected, first ? nullptr : &trainLabels, trainLabels, testLabels,
                                         size.probes, numClasses);
                (distilled ? size.distilled : size.plain).push_back(std::move(member));
                files.push_back(fs::relative(fs::absolute(expected.output), base).string());
            }
        }
        sizes.push_back(std::move(size));
    }
    SweepData data = sweep::analyseSweep(config, trainLabels, numClasses, sizes);
    data.memberFiles = files;
    writeSweepFile(config.base.output, data, sweepMemberConfig(config, 0, 0, false).output);
}

SweepJob::SweepJob(SweepConfig config) : m_config(std::move(config))
{
    m_config.base.study.probe = true;
    m_config.validate();
    m_runner = [](const RunConfig &member, bool resume, JobObserver *observer, const CancelToken &cancel) {
        return resume ? RunJob::resume(member.output, observer, cancel) : RunJob(member).run(observer, cancel);
    };
}

void SweepJob::setMemberRunner(MemberRunner runner, int concurrent)
{
    if (concurrent < 1)
        throw ConfigError("members to run at once must be at least 1, got " + std::to_string(concurrent));
    m_runner = std::move(runner);
    m_concurrent = concurrent;
    shareThreads(m_config.base, m_concurrent);
}

SweepResult SweepJob::run(JobObserver *observer, const CancelToken &cancel)
{
    const auto t0 = std::chrono::steady_clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
    claimSweepMembersFolder(m_config);
    SweepResult result;
    result.output = m_config.base.output;
    const int s = m_config.base.study.models;
    // Students wait for their teachers: the plain members of every size first.
    for (bool distilled : {false, true}) {
        if (distilled && !m_config.distill)
            continue;
        StudyResult counts;
        std::vector<MemberTask> tasks = planMemberTasks(candidates(m_config, distilled), s, observer, counts);
        const bool done = trainMembers(tasks, m_runner, m_concurrent, s, observer, cancel, counts);
        result.membersTrained += counts.membersTrained;
        result.membersReused += counts.membersReused;
        if (!done) {
            result.status = runformat::kStatusIncomplete;
            result.seconds = elapsed();
            return result;
        }
    }
    if (observer)
        observer->message("merging the sweep into " + m_config.base.output);
    mergeSweep(m_config);
    result.status = runformat::kStatusComplete;
    result.seconds = elapsed();
    return result;
}

} // namespace pds
