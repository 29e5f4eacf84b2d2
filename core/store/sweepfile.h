#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pds {

/// Feldman's memorisation estimate of one ensemble over the train split
/// (see sweep::Memorisation), with the accuracies of its members.
struct SweepEnsemble {
    std::vector<float> pIn, pOut, mem, se;
    std::vector<std::int32_t> mIn, mOut;
    std::vector<double> testAccuracy;  ///< per member, on the test split
    std::vector<double> trainAccuracy; ///< per member, on the examples it trained on
};

/// Per memorisation trajectory type: means over its examples of the plainly
/// trained and the distilled ensemble of one size (NaN for a type without examples).
struct SweepByType {
    std::vector<std::int64_t> count;
    std::vector<double> memPlain, memDistilled, pInPlain, pInDistilled, pOutPlain, pOutDistilled;
};

/// One size of a sweep.
struct SweepSize {
    double size = 0.0;
    std::string arch;
    SweepEnsemble plain;
    std::vector<std::vector<float>> proxies; ///< [proxy][example], in SweepData::proxyNames order
    std::vector<double> spearman;            ///< per proxy: Spearman correlation with mem
    bool hasDistilled = false;               ///< students distilled from the largest size
    SweepEnsemble distilled;
    SweepByType byType;
};

/// Everything a sweep file holds besides the copied dataset: per size the
/// per-example estimate and proxies, the trajectory of every example over the
/// sizes, the proxies' agreement with it, and the distillation results.
struct SweepData {
    std::string configJson; ///< the SweepConfig
    std::string model, axis;
    int members = 0;
    double ratio = 0.0, delta = 0.0, z = 0.0;
    bool distill = false;
    double temperature = 0.0, alpha = 0.0;
    std::vector<std::int32_t> labels;
    std::vector<SweepSize> sizes;
    std::vector<std::string> trajectoryNames;
    std::vector<std::uint8_t> trajectory; ///< index into trajectoryNames
    std::vector<double> typeShares;
    std::vector<double> deltaGrid;
    std::vector<std::vector<double>> sharesByDelta; ///< [delta][type]
    std::vector<std::string> proxyNames;
    std::vector<double> agreement;                     ///< per proxy
    std::vector<std::vector<std::uint8_t>> proxyTrajectory; ///< [proxy][example]
    std::vector<std::string> memberFiles;
};

/// Writes `data` as the sweep file `path` (through `path`.part, renamed when
/// complete), with the /dataset group copied from the run file `datasetFrom`.
void writeSweepFile(const std::string &path, const SweepData &data, const std::string &datasetFrom);

/// Whether `path` is a sweep file (false for a run or study file, or a file that does not open).
bool isSweepFile(const std::string &path);

/// Reads a sweep file written by writeSweepFile; StoreError names the file
/// and what is missing.
class SweepReader {
public:
    explicit SweepReader(const std::string &path);
    const SweepData &data() const { return m_data; }
    const std::string &status() const { return m_status; }
    const std::string &created() const { return m_created; }
    const std::vector<std::string> &classNames() const { return m_classNames; }

private:
    SweepData m_data;
    std::string m_status, m_created;
    std::vector<std::string> m_classNames;
};

/// Writes one CSV row per train example: index, label, trajectory, then per
/// size (columns prefixed "s<size>_") P_in, P_out, m_in, m_out, mem, se, the
/// proxies and, where students were distilled, their P_in, P_out, mem and se
/// (prefixed "s<size>_distilled_"). Empty cells for NaN.
void exportSweepCsv(const SweepReader &sweep, const std::string &outPath);

} // namespace pds
