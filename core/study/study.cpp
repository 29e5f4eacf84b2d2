#include "study/study.h"

#include "store/runformat.h"
#include "store/runreader.h"
#include "store/schema.h"
#include "store/studywriter.h"
#include "study/memberconfig.h"
#include "train/runjob.h"
#include "train/trainer.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <exception>
#include <filesystem>
#include <mutex>
#include <thread>

namespace fs = std::filesystem;

namespace pds {

std::string memberPath(const std::string &output, int member)
{
    fs::path out(output);
    fs::path dir = out.parent_path() / (out.stem().string() + ".members");
    return (dir / (schema::modelName(member) + ".h5")).string();
}

namespace {

/// What one member file contributes to the merge.
struct LoadedMember {
    std::string path;
    int index = 0;
    MemberSplit train, test;
};

/// The members of a study, read and checked against each other.
struct LoadedStudy {
    std::vector<LoadedMember> members;
    std::vector<std::int32_t> trainLabels, testLabels;
    std::vector<std::int64_t> trainSource;
    int numClasses = 0, probes = 0;
    std::string arch;
    RunConfig config; ///< the first member's
};

/// The configuration a member file was trained with.
RunConfig memberConfig(const RunReader &r, const std::string &path)
{
    if (r.summary().configJson.empty())
        throw StoreError(path + ": member has no configuration to check against the others");
    try {
        return runConfigFromJson(r.summary().configJson);
    } catch (const ConfigError &e) {
        throw StoreError(path + ": cannot read the member's configuration: " + e.what());
    }
}

/// Refuses a member configured differently from the first, naming both
/// members, the setting and its two values.
void requireSameSettings(const LoadedMember &first, const RunConfig &firstConfig, const LoadedMember &m,
                         const RunConfig &config)
{
    const SettingDifference d = studySettingDifference(firstConfig, config);
    if (d.any())
        throw StoreError(m.path + ": member " + std::to_string(m.index) + " was trained with " + d.key + " = "
                         + d.other + " but member " + std::to_string(first.index) + " (" + first.path + ") with "
                         + d.key + " = " + d.first + "; the members of a study must share their settings");
}

/// Reads one member file into `study`, checking that it is a complete,
/// probed, single-model run on the same data and model as those before it.
void loadMember(const std::string &path, LoadedStudy &study)
{
    RunReader r(path);
    const auto &s = r.summary();
    if (s.status != runformat::kStatusComplete)
        throw StoreError(path + ": member is " + s.status + ", not complete");
    if (s.models.size() != 1)
        throw StoreError(path + ": a member file holds exactly one model");
    const auto &ms = s.models.front();
    if (!r.hasProbes(0))
        throw StoreError(path + ": member has no probe results (train it with probes on)");
    LoadedMember m;
    m.path = path;
    m.index = r.member(0);
    const RunConfig config = memberConfig(r, path);
    if (!study.members.empty())
        requireSameSettings(study.members.front(), study.config, m, config);
    if (study.members.empty()) {
        study.config = config;
        study.trainLabels = r.labels("train");
        study.testLabels = r.labels("test");
        study.trainSource = r.sourceIndices("train");
        study.numClasses = static_cast<int>(s.classNames.size());
        study.probes = static_cast<int>(ms.probeNames.size());
        study.arch = ms.arch;
    } else {
        if (r.labels("train") != study.trainLabels || r.labels("test") != study.testLabels
            || r.sourceIndices("train") != study.trainSource)
            throw StoreError(path + ": member was trained on different data than " + study.members.front().path);
        if (ms.arch != study.arch)
            throw StoreError(path + ": member model " + ms.arch + " differs from " + study.arch);
        for (const auto &o : study.members)
            if (o.index == m.index)
                throw StoreError(path + ": member " + std::to_string(m.index) + " appears twice (also " + o.path + ")");
    }
    m.train = r.memberSplit(0, "train");
    m.test = r.memberSplit(0, "test");
    study.members.push_back(std::move(m));
}

/// The study's per-example aggregates of one split.
SplitSummary summariseSplit(const LoadedStudy &study, bool train, const GroupThresholds &thresholds)
{
    std::vector<MemberSplit> parts;
    for (const auto &m : study.members)
        parts.push_back(train ? m.train : m.test);
    return summarise(parts, train ? study.trainLabels : study.testLabels, study.numClasses, study.probes, thresholds);
}

} // namespace

void mergeStudy(const std::vector<std::string> &members, const std::string &output,
                const GroupThresholds &thresholds)
{
    if (members.empty())
        throw StoreError("no member files to merge");
    LoadedStudy study;
    for (const auto &path : members)
        loadMember(path, study);

    const SplitSummary train = summariseSplit(study, true, thresholds);
    const SplitSummary test = summariseSplit(study, false, thresholds);

    const int models = static_cast<int>(study.members.size());
    StudyWriter writer(output, study.members.front().path);
    for (const auto &m : study.members)
        writer.addMember(m.path, m.index);
    writer.writeSummary(train, test, study.numClasses, study.probes, models, thresholds);
    writer.finish(models);
}

StudyJob::StudyJob(RunConfig config, GroupThresholds thresholds)
    : m_config(std::move(config)), m_thresholds(thresholds)
{
    m_runner = [](const RunConfig &member, bool resume, JobObserver *observer, const CancelToken &cancel) {
        return resume ? RunJob::resume(member.output, observer, cancel) : RunJob(member).run(observer, cancel);
    };
}

void StudyJob::setMemberRunner(MemberRunner runner, int concurrent)
{
    if (concurrent < 1)
        throw ConfigError("members to run at once must be at least 1, got " + std::to_string(concurrent));
    m_runner = std::move(runner);
    m_concurrent = std::min(concurrent, m_config.study.models);
    // Members that train at once share the cores rather than each taking all.
    shareThreads(m_config, m_concurrent);
}

void shareThreads(RunConfig &config, int concurrent)
{
    if (concurrent > 1 && config.train.threads == 0) {
        const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
        config.train.threads = std::max(1, cores / concurrent);
    }
}

int autoStudyJobs(const RunConfig &config)
{
    if (config.train.threads != 0 || config.study.models < 2
        || resolveDevice(config.train.device).type() != torch::kCPU)
        return 1;
    const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    return std::min({cores, config.study.models, kAutoJobsLimit});
}

namespace {

/// Serialises the observer calls of members that run at once.
class SharedObserver : public JobObserver {
public:
    explicit SharedObserver(JobObserver *target) : m_target(target) {}
    void progress(const Progress &p) override
    {
        std::lock_guard lock(m_mutex);
        if (m_target)
            m_target->progress(p);
    }
    void epochFinished(int model, const EpochCurve &curve) override
    {
        std::lock_guard lock(m_mutex);
        if (m_target)
            m_target->epochFinished(model, curve);
    }
    void probeLayerFinished(int model, int layer, int layers) override
    {
        std::lock_guard lock(m_mutex);
        if (m_target)
            m_target->probeLayerFinished(model, layer, layers);
    }
    void fileCommitted(int model, const std::string &path) override
    {
        std::lock_guard lock(m_mutex);
        if (m_target)
            m_target->fileCommitted(model, path);
    }
    void memberStarted(const MemberEvent &e) override
    {
        std::lock_guard lock(m_mutex);
        if (m_target)
            m_target->memberStarted(e);
    }
    void memberFinished(const MemberEvent &e) override
    {
        std::lock_guard lock(m_mutex);
        if (m_target)
            m_target->memberFinished(e);
    }
    void message(const std::string &text) override
    {
        std::lock_guard lock(m_mutex);
        if (m_target)
            m_target->message(text);
    }

private:
    JobObserver *m_target;
    std::mutex m_mutex;
};

MemberEvent memberEvent(const RunConfig &member, int members)
{
    MemberEvent e;
    e.member = member.study.member;
    e.members = members;
    e.path = member.output;
    return e;
}

/// Decides, member by member, what the study still has to do: finished members
/// are reused (and reported), the others become tasks.
std::vector<MemberTask> planMembers(const RunConfig &study, JobObserver *observer, StudyResult &result)
{
    const int s = study.study.models;
    std::vector<MemberTask> candidates;
    for (int m = 0; m < s; ++m)
        candidates.push_back({studyMemberConfig(study, m), false,
                              "member " + schema::modelName(m) + " (of " + std::to_string(s) + ")"});
    return planMemberTasks(std::move(candidates), s, observer, result);
}

} // namespace

std::vector<MemberTask> planMemberTasks(std::vector<MemberTask> candidates, int members, JobObserver *observer,
                                        StudyResult &result)
{
    std::vector<MemberTask> tasks;
    for (auto &task : candidates) {
        const MemberLeft left = memberLeft(task.config);
        if (left == MemberLeft::Finished) {
            ++result.membersReused;
            if (observer) {
                observer->message(task.label + ": reusing " + task.config.output);
                MemberEvent e = memberEvent(task.config, members);
                e.outcome = MemberEvent::Outcome::Reused;
                observer->memberFinished(e);
            }
            continue;
        }
        task.resume = left == MemberLeft::Interrupted;
        tasks.push_back(std::move(task));
    }
    return tasks;
}

bool trainMembers(std::vector<MemberTask> &tasks, const MemberRunner &runner, int concurrent, int s,
                  JobObserver *observer, const CancelToken &cancel, StudyResult &result)
{
    // Workers take the next member until none is left, a member stops short
    // (cancelled) or one fails; then the others are cancelled too.
    SharedObserver shared(observer);
    CancelToken stop;
    std::mutex mutex;
    std::size_t next = 0;
    bool incomplete = false;
    std::exception_ptr failure;
    auto work = [&](JobObserver *memberObserver, const CancelToken &token) {
        for (;;) {
            MemberTask *task = nullptr;
            {
                std::lock_guard lock(mutex);
                if (next == tasks.size() || stop.cancelled())
                    return;
                task = &tasks[next++];
            }
            MemberEvent event = memberEvent(task->config, s);
            event.resuming = task->resume;
            if (memberObserver) {
                memberObserver->message(task->label + (task->resume ? ": resuming " : " → ") + task->config.output);
                memberObserver->memberStarted(event);
            }
            try {
                const JobResult r = runner(task->config, task->resume, memberObserver, token);
                if (memberObserver) {
                    event.outcome = r.status == runformat::kStatusComplete ? MemberEvent::Outcome::Trained
                                                                           : MemberEvent::Outcome::Stopped;
                    memberObserver->memberFinished(event);
                }
                std::lock_guard lock(mutex);
                if (r.status != runformat::kStatusComplete) {
                    incomplete = true;
                    stop.cancel();
                    return;
                }
                ++result.membersTrained;
                result.trainSeconds += r.trainSeconds;
                result.embedSeconds += r.embedSeconds;
                result.probeSeconds += r.probeSeconds;
            } catch (...) {
                std::lock_guard lock(mutex);
                if (!failure)
                    failure = std::current_exception();
                stop.cancel();
                return;
            }
        }
    };
    const int workers = std::min<int>(concurrent, static_cast<int>(tasks.size()));
    if (workers <= 1) {
        // One at a time, the caller's own token reaches the member directly.
        work(observer, cancel);
    } else {
        std::atomic<int> active{workers};
        std::vector<std::thread> pool;
        for (int w = 0; w < workers; ++w)
            pool.emplace_back([&] {
                work(&shared, stop);
                --active;
            });
        // The caller's token is relayed to the workers' own, which also stops
        // them when one member fails.
        while (active > 0) {
            if (cancel.cancelled())
                stop.cancel();
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        for (auto &t : pool)
            t.join();
    }
    if (failure)
        std::rethrow_exception(failure);
    return !incomplete && result.membersTrained == static_cast<int>(tasks.size());
}

RunConfig studyMemberConfig(const RunConfig &study, int member)
{
    RunConfig c = study;
    c.study.member = member;
    c.output = memberPath(study.output, member);
    return c;
}

MemberLeft memberLeft(const RunConfig &member)
{
    for (const std::string &candidate : {member.output + runformat::kPartialSuffix, member.output}) {
        if (!fs::exists(candidate))
            continue;
        try {
            RunReader r(candidate);
            if (r.summary().configJson != toJson(member) || r.summary().models.empty())
                continue;
            return r.summary().status == runformat::kStatusComplete ? MemberLeft::Finished : MemberLeft::Interrupted;
        } catch (const StoreError &) {
            // An unreadable leftover is trained again.
        }
    }
    return MemberLeft::Nothing;
}

StudyResult StudyJob::run(JobObserver *observer, const CancelToken &cancel)
{
    const auto t0 = std::chrono::steady_clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
    m_config.study.probe = true;
    m_config.validate();
    StudyResult result;
    result.output = m_config.output;
    const int s = m_config.study.models;
    std::error_code ec;
    fs::create_directories(fs::path(memberPath(m_config.output, 0)).parent_path(), ec);
    if (ec)
        throw StoreError(memberPath(m_config.output, 0) + ": cannot create the members folder: " + ec.message());

    std::vector<MemberTask> tasks = planMembers(m_config, observer, result);
    if (!trainMembers(tasks, m_runner, m_concurrent, s, observer, cancel, result)) {
        result.status = runformat::kStatusIncomplete;
        result.seconds = elapsed();
        return result;
    }
    if (observer)
        observer->message("merging " + std::to_string(s) + " members into " + m_config.output);
    std::vector<std::string> paths;
    for (int m = 0; m < s; ++m)
        paths.push_back(memberPath(m_config.output, m));
    mergeStudy(paths, m_config.output, m_thresholds);
    result.status = runformat::kStatusComplete;
    result.seconds = elapsed();
    return result;
}

} // namespace pds
