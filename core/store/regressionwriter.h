#pragma once

#include "data/targetdataset.h"
#include "data/transforms.h"

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pds {

namespace h5 {
class Handle;
}
struct Fragmentation;

/// One epoch of one regression method.
struct RegressionEpoch {
    int epoch = 0;              ///< 1-based
    double selectionRate = 1.0; ///< share of the train split the regressor trained on
    double err = 0.0;           ///< Error Residual Ratio, mean version (NaN when undefined)
    double errSum = 0.0;        ///< sum version = err × selection rate
    double mae = 0.0;           ///< on the clean test targets
    double rmse = 0.0;
    double trainLoss = 0.0;     ///< mean MSE of the epoch's steps (standardised targets)
    double seconds = 0.0;
};

/// What a regression run file records of one method, for resuming it.
struct RegressionMethodState {
    bool started = false;  ///< the method's group exists
    bool complete = false; ///< its final result is stored
    int epochs = 0;        ///< epochs committed
    double mae = std::numeric_limits<double>::quiet_NaN(); ///< final, when complete
    std::string checkpoint; ///< the learners' state after the last committed epoch; empty when none
    bool hasExpertDepth = false;
};

/// The prediction depth of ConFrag's experts (docs/regression.md).
struct ExpertDepth {
    int experts = 0;                     ///< F/2, one per pair
    int k = 0;                           ///< neighbours of the k-NN probe
    std::vector<std::string> probeNames; ///< P probes, input first
    std::vector<std::int32_t> depth;     ///< [experts, N train] row-major, each in 0 … P
    std::vector<double> accuracy;        ///< [experts, P]: k-NN accuracy on the pair's fragment labels
};

/// Writes a regression run file (docs/run-format.md) as training goes: like
/// RunWriter, the file lives in memory and every completed epoch replaces
/// `<path>.part` atomically; finish() renames it to `path`.
class RegressionWriter {
public:
    /// Creates `<path>.part`; throws StoreError when it cannot be written.
    RegressionWriter(std::string path, const std::string &configJson);
    struct Reopen {};
    /// Continues an interrupted run: loads `<path>.part` (or `path`) into
    /// memory and appends after its last committed epoch. StoreError when
    /// there is no file or it is not a regression run.
    RegressionWriter(std::string path, Reopen);
    ~RegressionWriter();

    /// What the file records of `method` (started false when nothing).
    RegressionMethodState methodState(const std::string &method) const;

    void writeDataset(const TargetDataset &data, const ChannelStats &normalisation, double targetMean,
                      double targetStd, std::int64_t noisyTargets);
    /// The fragments of the noisy train targets, their pairs and each train
    /// example's fragment; nothing when the (reopened) file has them already.
    void writeFragments(const Fragmentation &fragments, const std::vector<std::pair<int, int>> &pairs,
                        const std::vector<std::int32_t> &fragmentOfExample);
    /// Starts `method`'s records; a method the reopened file already has keeps them.
    void beginMethod(const std::string &method, int epochsPlanned);
    /// One epoch: its curve row and the selection mask (p_pred / p_knn when
    /// given), and the checkpoint to resume from after it (replacing the last).
    void appendEpoch(const std::string &method, const RegressionEpoch &epoch, const std::vector<std::uint8_t> &selection,
                     const std::vector<float> *pPred = nullptr, const std::vector<float> *pKnn = nullptr,
                     const std::string &checkpoint = {});
    /// The prediction depth of ConFrag's experts, under methods/confrag.
    void writeExpertDepth(const ExpertDepth &depth);
    void finishMethod(const std::string &method, const std::vector<float> &testPrediction, double mae, double rmse);
    void setMrae(const std::string &method, double mrae);
    /// Sets the status, writes the file a last time and moves it to its final name.
    void finish(const std::string &status, const std::string &message = {});

    std::string partialPath() const;

private:
    struct MethodStreams;
    void commit();

    std::string m_path;
    std::unique_ptr<h5::Handle> m_file;
    std::map<std::string, std::unique_ptr<MethodStreams>> m_methods;
    std::int64_t m_trainSize = 0;
    bool m_finished = false;
};

/// One method of a regression run as read back.
struct RegressionMethodData {
    std::string method;
    int epochsCompleted = 0;
    double mae = 0.0, rmse = 0.0;
    double mrae = 0.0; ///< NaN when the run has no clean-target model
    std::vector<RegressionEpoch> curves;
};

/// Where a regression run's images came from (the /dataset attributes).
struct RegressionDatasetInfo {
    std::string name, format, source; ///< format: "rotation" or "csv"
    int channels = 0, height = 0, width = 0;
};

/// Typed reads of a regression run file.
class RegressionReader {
public:
    /// Throws StoreError when the file is missing, not a regression run or
    /// damaged (its attributes digest does not match).
    explicit RegressionReader(const std::string &path);
    ~RegressionReader();

    RegressionDatasetInfo datasetInfo() const;
    /// Index of each example's image in its split of the source.
    std::vector<std::int64_t> sourceIndices(const std::string &split) const;

    std::string status() const;
    std::vector<std::string> methods() const;
    RegressionMethodData method(const std::string &method) const;
    /// The selection mask of `method` after epoch `epoch` (1-based).
    std::vector<std::uint8_t> selection(const std::string &method, int epoch) const;
    std::vector<float> targets(const std::string &split, bool clean) const;
    /// The experts' prediction depth, when the run computed it (`--probe` with confrag).
    std::optional<ExpertDepth> expertDepth() const;
    /// The configuration the run was started with (JSON; empty when not yet written).
    std::string configJson() const;
    /// Whether the dataset (targets, normalisation) was stored.
    bool hasDataset() const;
    /// The file's status message ("cancelled", the error of a failed run, …).
    std::string statusMessage() const;

private:
    std::unique_ptr<h5::Handle> m_file;
    std::string m_path;
};

/// Reads every part of a regression run file through RegressionReader (each
/// method, selection mask and the experts' depth), so that `pdepth check`
/// finds what a reader would stumble on; throws StoreError naming it.
void loadRegressionRun(const std::string &path);

/// Whether `path` is a regression run file (false when it cannot be opened or is another kind).
bool isRegressionFile(const std::string &path);

} // namespace pds
