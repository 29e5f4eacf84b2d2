#pragma once

#include "store/regressionwriter.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace pds {

/// One regression run file (docs/regression.md) as the Studio's regression
/// views read it: every method's per-epoch curves, the noisy and clean targets
/// of both splits and, read on first use and cached, each method's selection
/// mask after an epoch. Several of these (ConFrag, small-loss, none trained as
/// separate runs of the same data) are overlaid by the regression view.
class RegressionRun {
public:
    /// Reads `path`; throws pds::Error (StoreError) with a readable message.
    explicit RegressionRun(const QString &path);
    ~RegressionRun();

    QString path() const { return m_path; }
    /// File name, for legends.
    QString title() const;
    std::string status() const { return m_status; }
    std::string configJson() const { return m_configJson; }
    const RegressionDatasetInfo &datasetInfo() const { return m_info; }

    const std::vector<RegressionMethodData> &methods() const { return m_methods; }
    /// Index of `method` ("confrag", …) in methods(); -1 when the run lacks it.
    int methodIndex(const QString &method) const;
    /// The selection mask of method `method` (index) after epoch `epoch`
    /// (1-based, clamped to those completed); empty when it has no epoch yet.
    const std::vector<std::uint8_t> &selection(int method, int epoch) const;

    std::int64_t trainSize() const { return static_cast<std::int64_t>(m_noisyTrain.size()); }
    std::int64_t testSize() const { return static_cast<std::int64_t>(m_cleanTest.size()); }
    /// What training saw (ỹ) and the clean targets (y) of the train split; the test split is clean.
    const std::vector<float> &noisyTrain() const { return m_noisyTrain; }
    const std::vector<float> &cleanTrain() const { return m_cleanTrain; }
    const std::vector<float> &cleanTest() const { return m_cleanTest; }
    const std::vector<std::int64_t> &sourceIndices(bool test) const { return test ? m_sourceTest : m_sourceTrain; }

    /// Empty when `other` holds the same examples with the same noisy and
    /// clean targets (runs that can be overlaid), else what differs.
    QString sameDataAs(const RegressionRun &other) const;

private:
    QString m_path;
    std::unique_ptr<RegressionReader> m_reader;
    std::string m_status, m_configJson;
    RegressionDatasetInfo m_info;
    std::vector<RegressionMethodData> m_methods;
    std::vector<float> m_noisyTrain, m_cleanTrain, m_cleanTest;
    std::vector<std::int64_t> m_sourceTrain, m_sourceTest;
    mutable std::mutex m_maskMutex;
    mutable std::map<std::pair<int, int>, std::vector<std::uint8_t>> m_masks;
};

} // namespace pds
