#pragma once

#include <atomic>
#include <string>

namespace pds {

struct EpochCurve;

/// What a job is doing, reported with its progress.
enum class JobPhase { Loading, Training, Evaluating, Embedding, Probing };

/// The phase's name for people ("training"); its one string mapping.
inline const char *phaseName(JobPhase phase)
{
    switch (phase) {
    case JobPhase::Loading: return "loading";
    case JobPhase::Training: return "training";
    case JobPhase::Evaluating: return "evaluating";
    case JobPhase::Embedding: return "embedding";
    case JobPhase::Probing: return "probing";
    }
    return "";
}

/// Where a job stands, reported through JobObserver::progress.
struct Progress {
    JobPhase phase = JobPhase::Loading;
    int model = 0;     ///< 0-based
    int models = 1;
    int epoch = 0;     ///< 1-based, within the whole run
    int epochs = 0;
    long long step = 0; ///< within the epoch
    long long steps = 0;
    double loss = 0.0;     ///< running mean over the epoch
    double accuracy = 0.0; ///< running accuracy over the epoch
    double examplesPerSecond = 0.0;
    double etaSeconds = 0.0;
};

/// A study member as it starts or ends (JobObserver::memberStarted, memberFinished).
struct MemberEvent {
    enum class Outcome {
        Trained,  ///< trained to the end now: its run file is final
        Reused,   ///< finished by an earlier run of the study: its run file is final
        Stopped   ///< the study was cancelled: its run file is kept, incomplete
    };
    int member = 0; ///< 0-based
    int members = 1;
    std::string path;     ///< the member's run file (its final name)
    bool resuming = false; ///< started: continues an interrupted run
    Outcome outcome = Outcome::Trained; ///< finished only
};

/// Receives a job's progress as typed events; log lines (message) are for
/// people only. Called on the job's thread, or, when study members run at
/// once, on one of several threads, one call at a time; implementations that
/// drive a GUI forward the values by queued signal. `model` is the model's
/// index in its study (0 outside a study).
class JobObserver {
public:
    virtual ~JobObserver() = default;
    virtual void progress(const Progress &) {}
    /// An epoch ended; its row is already committed to the run file.
    virtual void epochFinished(int /*model*/, const EpochCurve &) {}
    /// The probe stage finished layer `layer` (0-based) of `layers`.
    virtual void probeLayerFinished(int /*model*/, int /*layer*/, int /*layers*/) {}
    /// The run file at `path` (a `.part` file while the run goes on) now
    /// holds a newly committed epoch; readers may reload it.
    virtual void fileCommitted(int /*model*/, const std::string & /*path*/) {}
    /// A study member begins training, or continues an interrupted run.
    virtual void memberStarted(const MemberEvent &) {}
    /// A study member ended (or was found finished by an earlier run).
    virtual void memberFinished(const MemberEvent &) {}
    virtual void message(const std::string &) {}
};

/// Set from any thread to stop a job; the job checks it every batch.
class CancelToken {
public:
    void cancel() { m_cancelled.store(true, std::memory_order_relaxed); }
    bool cancelled() const { return m_cancelled.load(std::memory_order_relaxed); }
    /// Throws CancelledError once cancel() has been called.
    void check() const;

private:
    std::atomic<bool> m_cancelled{false};
};

} // namespace pds
