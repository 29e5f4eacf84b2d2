#pragma once

#include "store/h5file.h"
#include "store/runwriter.h"

#include <cstdint>
#include <string>
#include <vector>

namespace pds {

/// One model of a run, as stored.
struct ModelSummary {
    int index = 0;
    std::string group; ///< HDF5 path, e.g. models/m000
    std::string arch;
    std::int64_t seed = 0;
    std::string device;
    std::string status;
    std::string statusMessage;
    int epochsPlanned = 0;
    int epochsCompleted = 0;
    double trainSeconds = 0.0;
    bool hasScores = false;
    std::vector<std::string> probeNames;
    std::vector<EpochCurve> curves;
};

/// What `pdepth info` shows: everything but the per-example arrays.
struct RunSummary {
    std::string path;
    int formatVersion = 0;
    std::string softwareVersion;
    std::string status;
    std::string statusMessage;
    std::string created;
    std::string finished;
    std::string configJson;
    std::string datasetName, datasetFormat, datasetSource;
    std::vector<std::string> classNames;
    int channels = 0, height = 0, width = 0;
    std::int64_t trainSize = 0, testSize = 0, noisyLabels = 0;
    std::vector<ModelSummary> models;
};

/// Reads a run file through one API; checks that the file is ours and of a
/// version we understand, and reports missing or mis-shaped parts clearly.
class RunReader {
public:
    explicit RunReader(const std::string &path);

    const RunSummary &summary() const { return m_summary; }

    /// Per-example arrays of the dataset split ("train" or "test").
    std::vector<std::int32_t> labels(const std::string &split) const;
    std::vector<std::int32_t> cleanLabels(const std::string &split) const;
    std::vector<std::uint8_t> noisy(const std::string &split) const;
    std::vector<std::int64_t> sourceIndices(const std::string &split) const;
    std::vector<std::uint8_t> inTrain(int model) const;

    /// A derived score of a model (scores/<split>/<name>), as float.
    std::vector<float> score(int model, const std::string &split, const std::string &name) const;
    /// One epoch (0-based row) of a dynamics array (dynamics/<split>/<name>).
    std::vector<float> dynamicsRow(int model, const std::string &split, const std::string &name,
                                   int epoch) const;

    /// True for a merged study file, which has a `summary` group.
    bool hasSummary() const { return m_hasSummary; }
    /// A per-example aggregate of a study (summary/<split>/<name>), as float.
    std::vector<float> summaryColumn(const std::string &split, const std::string &name) const;
    /// Names of the one-value-per-example summary arrays.
    static const std::vector<std::string> &summaryNames();
    /// Prediction depth of a model's examples (probes/depth_<split>), if it has probes.
    bool hasProbes(int model) const;
    std::vector<float> depth(int model, const std::string &split) const;

    /// The checkpoint stored with epoch `epoch` of a running model; StoreError
    /// if it is missing or belongs to another epoch.
    std::string checkpoint(int model, int epoch) const;

    /// True if the file has an object (group or dataset) at `path`.
    bool has(const std::string &path) const;
    /// Any array of the file, converted to the element type; `dims` receives
    /// its shape. Mis-shaped or missing arrays throw StoreError.
    std::vector<std::int32_t> readInts(const std::string &path, std::vector<hsize_t> *dims = nullptr) const;
    std::vector<float> readFloatArray(const std::string &path, std::vector<hsize_t> *dims = nullptr) const;
    std::vector<double> readDoubles(const std::string &path, std::vector<hsize_t> *dims = nullptr) const;
    /// One example's values over the epochs of a dynamics array (dynamics/<split>/<name>).
    std::vector<float> dynamicsColumn(int model, const std::string &split, const std::string &name,
                                      std::int64_t example) const;
    /// A string attribute of the object at `path` ("" if absent).
    std::string attribute(const std::string &path, const std::string &name) const;
    /// A numeric attribute of the object at `path` (`fallback` if absent).
    double numberAttribute(const std::string &path, const std::string &name, double fallback = 0.0) const;

    /// Names of the per-example scores every finished model has.
    static const std::vector<std::string> &scoreNames();

private:
    /// Throws StoreError naming `path` when the file has nothing there.
    void requirePath(const std::string &path) const;
    std::vector<float> readFloats(const std::string &path, std::size_t expected) const;
    std::int64_t splitSize(const std::string &split) const;
    void checkSplit(const std::string &split) const;

    std::string m_path;
    h5::Handle m_file;
    RunSummary m_summary;
    bool m_hasSummary = false;
};

/// Writes one CSV row per example (train split, then test split) with every
/// per-example score of every finished model. Written to a temporary name and
/// renamed, so a failed export never leaves half a file.
void exportCsv(const RunReader &run, const std::string &outPath);

} // namespace pds
