#pragma once

#include <atomic>
#include <string>

namespace pds {

struct EpochCurve;

/// Where a job stands, reported through JobObserver::progress.
struct Progress {
    std::string phase; ///< "loading", "training", "evaluating", "writing", "done"
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

/// Receives a job's progress. Called on the job's thread; implementations
/// that drive a GUI forward the values by queued signal.
class JobObserver {
public:
    virtual ~JobObserver() = default;
    virtual void progress(const Progress &) {}
    virtual void epochFinished(int /*model*/, const EpochCurve &) {}
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
