#include "study/study.h"

#include "store/h5file.h"
#include "store/runformat.h"
#include "store/runreader.h"
#include "train/runjob.h"
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
    char name[32];
    std::snprintf(name, sizeof name, "m%03d.h5", member);
    return (dir / name).string();
}

namespace {

/// A member's embeddings live in a side file beside it; the copied model's
/// external link is re-pointed so it resolves from the study file's folder.
void relinkEmbeddings(hid_t out, const std::string &model, const std::string &memberFile,
                      const std::string &studyFile)
{
    const std::string link = model + "/embeddings";
    if (H5Lexists(out, model.c_str(), H5P_DEFAULT) <= 0 || H5Lexists(out, link.c_str(), H5P_DEFAULT) <= 0)
        return;
    H5L_info_t info;
    if (H5Lget_info(out, link.c_str(), &info, H5P_DEFAULT) < 0 || info.type != H5L_TYPE_EXTERNAL)
        return;
    std::vector<char> value(info.u.val_size);
    const char *file = nullptr, *object = nullptr;
    unsigned flags = 0;
    if (H5Lget_val(out, link.c_str(), value.data(), value.size(), H5P_DEFAULT) < 0
        || H5Lunpack_elink_val(value.data(), value.size(), &flags, &file, &object) < 0)
        throw StoreError(studyFile + ": cannot read the embeddings link of " + memberFile);
    const fs::path target = fs::path(memberFile).parent_path() / file;
    const fs::path base = fs::path(studyFile).parent_path();
    const std::string relative = fs::relative(fs::absolute(target), fs::absolute(base.empty() ? "." : base)).string();
    const std::string objectPath = object;
    H5Ldelete(out, link.c_str(), H5P_DEFAULT);
    if (H5Lcreate_external(relative.c_str(), objectPath.c_str(), out, link.c_str(), H5P_DEFAULT, H5P_DEFAULT) < 0)
        throw StoreError(studyFile + ": cannot link the embeddings of " + memberFile);
}

} // namespace

void mergeStudy(const std::vector<std::string> &members, const std::string &output,
                const GroupThresholds &thresholds)
{
    if (members.empty())
        throw StoreError("no member files to merge");
    struct Member {
        std::string path;
        int index = 0;
        MemberSplit train, test;
    };
    std::vector<Member> loaded;
    std::vector<std::int32_t> trainLabels, testLabels;
    std::vector<std::int64_t> trainSource;
    int numClasses = 0, probes = 0;
    std::string arch;
    for (const auto &path : members) {
        RunReader r(path);
        const auto &s = r.summary();
        if (s.status != runformat::kStatusComplete)
            throw StoreError(path + ": member is " + s.status + ", not complete");
        if (s.models.size() != 1)
            throw StoreError(path + ": a member file holds exactly one model");
        const auto &ms = s.models.front();
        h5::Handle f = h5::openFile(path, false);
        h5::Handle g = h5::openGroup(f, ms.group);
        if (!h5::exists(g, "probes/depth_train"))
            throw StoreError(path + ": member has no probe results (train it with probes on)");
        Member m;
        m.path = path;
        m.index = h5::hasAttr(g, "member") ? static_cast<int>(h5::readAttrInt(g, "member")) : 0;
        const auto nTrain = static_cast<std::size_t>(s.trainSize), nTest = static_cast<std::size_t>(s.testSize);
        if (loaded.empty()) {
            trainLabels = r.labels("train");
            testLabels = r.labels("test");
            trainSource = r.sourceIndices("train");
            numClasses = static_cast<int>(s.classNames.size());
            probes = static_cast<int>(ms.probeNames.size());
            arch = ms.arch;
        } else {
            if (r.labels("train") != trainLabels || r.labels("test") != testLabels
                || r.sourceIndices("train") != trainSource)
                throw StoreError(path + ": member was trained on different data than " + loaded.front().path);
            if (ms.arch != arch)
                throw StoreError(path + ": member model " + ms.arch + " differs from " + arch);
            for (const auto &o : loaded)
                if (o.index == m.index)
                    throw StoreError(path + ": member " + std::to_string(m.index) + " appears twice (also " + o.path + ")");
        }
        auto fill = [&](MemberSplit &sp, const std::string &split, std::size_t n) {
            sp.inTrain = split == "train" ? r.inTrain(0) : std::vector<std::uint8_t>(n, 0);
            auto ints = [&](const std::string &name) {
                auto v = r.readInts(ms.group + "/" + name);
                if (v.size() != n)
                    throw StoreError(path + ": " + name + " should hold " + std::to_string(n) + " values");
                return v;
            };
            sp.depth = ints("probes/depth_" + split);
            sp.finalPred = ints("scores/" + split + "/final_pred");
            sp.iterationLearned = r.score(0, split, "iteration_learned");
            sp.forgettingEvents = r.score(0, split, "forgetting_events");
            sp.confidence = r.score(0, split, "confidence");
            sp.variability = r.score(0, split, "variability");
            sp.finalProbGiven = ms.epochsCompleted > 0 && n > 0
                                    ? r.dynamicsRow(0, split, "prob_given", ms.epochsCompleted - 1)
                                    : std::vector<float>(n, 0.f);
        };
        fill(m.train, "train", nTrain);
        fill(m.test, "test", nTest);
        loaded.push_back(std::move(m));
    }

    std::vector<MemberSplit> trainParts, testParts;
    for (const auto &m : loaded) {
        trainParts.push_back(m.train);
        testParts.push_back(m.test);
    }
    const SplitSummary train = summarise(trainParts, trainLabels, numClasses, probes, thresholds);
    const SplitSummary test = summarise(testParts, testLabels, numClasses, probes, thresholds);

    const std::string part = output + runformat::kPartialSuffix;
    {
        h5::Handle out = h5::createFile(part);
        h5::Handle first = h5::openFile(loaded.front().path, false);
        h5::copyAttributes(first, out);
        h5::Handle lcpl(H5Pcreate(H5P_LINK_CREATE));
        H5Pset_create_intermediate_group(lcpl, 1);
        if (H5Ocopy(first, "dataset", out, "dataset", H5P_DEFAULT, lcpl) < 0)
            throw StoreError(part + ": cannot copy the dataset group");
        for (const auto &m : loaded) {
            h5::Handle src = h5::openFile(m.path, false);
            char name[32];
            std::snprintf(name, sizeof name, "models/m%03d", m.index);
            if (H5Ocopy(src, "models/m000", out, name, H5P_DEFAULT, lcpl) < 0)
                throw StoreError(part + ": cannot copy the model of " + m.path);
            relinkEmbeddings(out, name, m.path, output);
        }
        h5::Handle sum = h5::requireGroup(out, "summary");
        h5::writeAttr(sum, "group_names", groupNames());
        h5::writeAttr(sum, "probes", std::int64_t(probes));
        h5::writeAttr(sum, "models", std::int64_t(loaded.size()));
        const nlohmann::json th = {{"easy_depth", thresholds.easyDepth}, {"high_depth", thresholds.highDepth},
                                   {"consistent", thresholds.consistent}, {"dominant", thresholds.dominant},
                                   {"mislabeled_confidence", thresholds.mislabeledConfidence},
                                   {"split", thresholds.split}, {"memorised", thresholds.memorised},
                                   {"held_out_wrong", thresholds.heldOutWrong},
                                   {"memorisation", thresholds.memorisation}};
        h5::writeAttr(sum, "thresholds", th.dump());
        for (const auto *split : {"train", "test"}) {
            const SplitSummary &s = std::string(split) == "train" ? train : test;
            h5::Handle g = h5::requireGroup(sum, split);
            h5::writeVector(g, "depth_train_mean", s.depthTrainMean);
            h5::writeVector(g, "depth_train_std", s.depthTrainStd);
            h5::writeVector(g, "depth_val_mean", s.depthValMean);
            h5::writeVector(g, "depth_val_std", s.depthValStd);
            h5::writeVector(g, "models_train", s.modelsTrain);
            h5::writeVector(g, "models_val", s.modelsVal);
            h5::writeArray(g, "held_out_distribution", s.heldOutDistribution.data(),
                           {static_cast<hsize_t>(s.consistency.size()), static_cast<hsize_t>(numClasses)});
            h5::writeVector(g, "consistency", s.consistency);
            h5::writeVector(g, "held_out_confidence", s.heldOutConfidence);
            h5::writeVector(g, "accuracy_trained", s.accuracyTrained);
            h5::writeVector(g, "accuracy_held_out", s.accuracyHeldOut);
            h5::writeVector(g, "memorisation", s.memorisation);
            h5::writeVector(g, "iteration_learned", s.iterationLearned);
            h5::writeVector(g, "forgetting_events", s.forgettingEvents);
            h5::writeVector(g, "confidence", s.confidence);
            h5::writeVector(g, "variability", s.variability);
            std::vector<std::int32_t> group(s.group.begin(), s.group.end());
            h5::writeVector(g, "group", group);
        }
        h5::writeAttr(out, "status", runformat::kStatusComplete);
        h5::writeAttr(out, "status_message", "");
        h5::writeAttr(out, "models_completed", std::int64_t(loaded.size()));
        const std::time_t now = std::time(nullptr);
        char stamp[32];
        std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
        h5::writeAttr(out, "finished", std::string(stamp));
    }
    std::error_code ec;
    fs::rename(part, output, ec);
    if (ec)
        throw StoreError("cannot move " + part + " to " + output + ": " + ec.message());
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
    if (m_concurrent > 1 && m_config.train.threads == 0) {
        const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
        m_config.train.threads = std::max(1, cores / m_concurrent);
    }
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

} // namespace

StudyResult StudyJob::run(JobObserver *observer, const CancelToken &cancel)
{
    const auto t0 = std::chrono::steady_clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
    m_config.study.probe = true;
    m_config.validate();
    StudyResult result;
    result.output = m_config.output;
    std::vector<std::string> paths;
    const int s = m_config.study.models;
    std::error_code ec;
    fs::create_directories(fs::path(memberPath(m_config.output, 0)).parent_path(), ec);
    if (ec)
        throw StoreError(memberPath(m_config.output, 0) + ": cannot create the members folder: " + ec.message());

    struct Task {
        RunConfig config;
        bool resume = false;
        std::string label;
    };
    auto memberEvent = [s](const RunConfig &member) {
        MemberEvent e;
        e.member = member.study.member;
        e.members = s;
        e.path = member.output;
        return e;
    };
    std::vector<Task> tasks;
    for (int m = 0; m < s; ++m) {
        RunConfig member = m_config;
        member.study.member = m;
        member.output = memberPath(m_config.output, m);
        paths.push_back(member.output);
        // A finished member of the same configuration is reused; an interrupted
        // one continues from its last epoch; anything else is trained afresh.
        enum class Found { Nothing, Finished, Interrupted } found = Found::Nothing;
        for (const std::string &candidate : {member.output + runformat::kPartialSuffix, member.output}) {
            if (found != Found::Nothing || !fs::exists(candidate))
                continue;
            try {
                RunReader r(candidate);
                if (r.summary().configJson != toJson(member) || r.summary().models.empty())
                    continue;
                found = r.summary().status == runformat::kStatusComplete ? Found::Finished : Found::Interrupted;
            } catch (const StoreError &) {
                // An unreadable leftover is trained again.
            }
        }
        const std::string label = "member " + std::to_string(m + 1) + "/" + std::to_string(s);
        if (found == Found::Finished) {
            ++result.membersReused;
            if (observer) {
                observer->message(label + ": reusing " + member.output);
                MemberEvent e = memberEvent(member);
                e.outcome = MemberEvent::Outcome::Reused;
                observer->memberFinished(e);
            }
            continue;
        }
        tasks.push_back({std::move(member), found == Found::Interrupted, label});
    }

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
            Task *task = nullptr;
            {
                std::lock_guard lock(mutex);
                if (next == tasks.size() || stop.cancelled())
                    return;
                task = &tasks[next++];
            }
            MemberEvent event = memberEvent(task->config);
            event.resuming = task->resume;
            if (memberObserver) {
                memberObserver->message(task->label + (task->resume ? ": resuming " : " → ") + task->config.output);
                memberObserver->memberStarted(event);
            }
            try {
                const JobResult r = m_runner(task->config, task->resume, memberObserver, token);
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
    const int workers = std::min<int>(m_concurrent, static_cast<int>(tasks.size()));
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
    if (incomplete || result.membersTrained < static_cast<int>(tasks.size())) {
        result.status = runformat::kStatusIncomplete;
        result.seconds = elapsed();
        return result;
    }
    if (observer)
        observer->message("merging " + std::to_string(s) + " members into " + m_config.output);
    mergeStudy(paths, m_config.output, m_thresholds);
    result.status = runformat::kStatusComplete;
    result.seconds = elapsed();
    return result;
}

} // namespace pds
