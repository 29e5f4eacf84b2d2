#include "store/regressionwriter.h"

#include "regression/fragments.h"
#include "store/h5file.h"
#include "store/integrity.h"
#include "store/partfile.h"
#include "store/runformat.h"
#include "store/schema.h"
#include "util/error.h"

#include <filesystem>
#include <limits>

namespace pds {

namespace sc = schema;
namespace rg = schema::regression;

namespace {

/// The curve values of an epoch, in the order of rg::kCurveValues.
std::vector<double> curveRow(const RegressionEpoch &e)
{
    return {e.selectionRate, e.err, e.errSum, e.mae, e.rmse, e.trainLoss, e.seconds};
}

} // namespace

/// The appendable per-epoch datasets of one method.
struct RegressionWriter::MethodStreams {
    h5::Handle group;
    h5::RowAppender epoch;
    std::vector<h5::RowAppender> curves;
    h5::RowAppender selection, pPred, pKnn;
    int epochs = 0;
};

RegressionWriter::RegressionWriter(std::string path, const std::string &configJson)
    : m_path(std::move(path)), m_file(std::make_unique<h5::Handle>())
{
    if (m_path.empty())
        throw StoreError("no output path given");
    *m_file = h5::createMemoryFile(partialPath());
    h5::writeAttr(*m_file, sc::kFormat, rg::kFormatName);
    h5::writeAttr(*m_file, sc::kFormatVersion, std::int64_t(rg::kFormatVersion));
    h5::writeAttr(*m_file, rg::kTask, "regression");
    h5::writeAttr(*m_file, sc::kSoftware, "Prediction Depth Studio");
    h5::writeAttr(*m_file, sc::kSoftwareVersion, PDS_VERSION);
    h5::writeAttr(*m_file, sc::kCreated, partfile::utcNow());
    h5::writeAttr(*m_file, sc::kStatus, runformat::kStatusRunning);
    h5::writeAttr(*m_file, sc::kStatusMessage, "");
    h5::writeAttr(*m_file, sc::kConfig, configJson);
    commit();
}

RegressionWriter::RegressionWriter(std::string path, Reopen) : m_path(std::move(path)), m_file(std::make_unique<h5::Handle>())
{
    std::error_code ec;
    const std::string source = std::filesystem::exists(partialPath(), ec) ? partialPath() : m_path;
    if (!std::filesystem::exists(source, ec))
        throw StoreError(m_path + ": no regression run file to resume (nor " + partialPath() + ")");
    *m_file = h5::openMemoryCopy(source);
    if (!h5::hasAttr(*m_file, sc::kFormat) || h5::readAttrString(*m_file, sc::kFormat) != rg::kFormatName)
        throw StoreError(source + ": not a regression run file (format is not " + rg::kFormatName + ")");
    verifyAttributesDigest(*m_file, source);
    if (h5::exists(*m_file, sc::datasetSplit("train")))
        m_trainSize = h5::readAttrInt(h5::openGroup(*m_file, sc::datasetSplit("train")), sc::kSplitSize);
    const auto names = h5::hasAttr(*m_file, rg::kMethods) ? h5::readAttrStrings(*m_file, rg::kMethods)
                                                          : std::vector<std::string>{};
    for (const auto &method : names) {
        auto st = std::make_unique<MethodStreams>();
        st->group = h5::openGroup(*m_file, rg::methodGroup(method));
        st->epoch = h5::RowAppender::open(st->group, sc::curve(sc::kCurveEpoch));
        for (const char *name : rg::kCurveValues)
            st->curves.push_back(h5::RowAppender::open(st->group, sc::curve(name)));
        st->selection = h5::RowAppender::open(st->group, rg::kSelection);
        if (h5::exists(st->group, rg::kPPred)) {
            st->pPred = h5::RowAppender::open(st->group, rg::kPPred);
            st->pKnn = h5::RowAppender::open(st->group, rg::kPKnn);
        }
        st->epochs = static_cast<int>(h5::readAttrInt(st->group, sc::kEpochsCompleted));
        m_methods[method] = std::move(st);
    }
    h5::writeAttr(*m_file, sc::kStatus, runformat::kStatusRunning);
    h5::writeAttr(*m_file, sc::kStatusMessage, "resumed");
    commit();
}

RegressionWriter::~RegressionWriter()
{
    if (m_finished)
        return;
    try {
        finish(runformat::kStatusFailed, "the writer was closed before the run finished");
    } catch (...) {
        // Destructors must not throw: the .part file is left as it is.
    }
}

std::string RegressionWriter::partialPath() const
{
    return m_path + runformat::kPartialSuffix;
}

void RegressionWriter::commit()
{
    partfile::commit(*m_file, partialPath());
}

void RegressionWriter::writeDataset(const TargetDataset &d, const ChannelStats &norm, double targetMean,
                                    double targetStd, std::int64_t noisyTargets)
{
    h5::Handle g = h5::requireGroup(*m_file, sc::kDataset);
    h5::writeAttr(g, sc::kDatasetName, d.name);
    h5::writeAttr(g, sc::kDatasetFormat, d.format);
    h5::writeAttr(g, sc::kDatasetSource, d.source);
    h5::writeAttr(g, sc::kChannels, std::int64_t(d.channels));
    h5::writeAttr(g, sc::kHeight, std::int64_t(d.height));
    h5::writeAttr(g, sc::kWidth, std::int64_t(d.width));
    h5::writeAttr(g, sc::kNormalisationMean, norm.mean);
    h5::writeAttr(g, sc::kNormalisationStd, norm.std);
    h5::writeAttr(g, rg::kTargetMean, targetMean);
    h5::writeAttr(g, rg::kTargetStd, targetStd);
    h5::writeAttr(g, rg::kNoisyTargets, noisyTargets);
    for (const char *name : sc::kSplits) {
        const TargetSplit &s = std::string(name) == "train" ? d.train : d.test;
        h5::Handle sg = h5::requireGroup(*m_file, sc::datasetSplit(name));
        h5::writeAttr(sg, sc::kSplitSize, s.size());
        h5::writeVector(sg, rg::kTarget, s.targets);
        h5::writeVector(sg, rg::kCleanTarget, s.cleanTargets);
        h5::writeVector(sg, sc::kSourceIndex, s.sourceIndices);
    }
    m_trainSize = d.train.size();
    commit();
}

void RegressionWriter::writeFragments(const Fragmentation &f, const std::vector<std::pair<int, int>> &pairs,
                                      const std::vector<std::int32_t> &fragmentOfExample)
{
    if (h5::exists(*m_file, rg::kFragments))
        return;
    h5::Handle g = h5::requireGroup(*m_file, rg::kFragments);
    std::vector<double> low, high;
    for (int j = 0; j < f.count(); ++j) {
        low.push_back(f.low(j));
        high.push_back(f.high(j));
    }
    h5::writeVector(g, rg::kFragmentLow, low);
    h5::writeVector(g, rg::kFragmentHigh, high);
    std::vector<std::int32_t> flat;
    for (const auto &[a, b] : pairs) {
        flat.push_back(a);
        flat.push_back(b);
    }
    h5::writeArray(g, rg::kPairs, flat.data(), {static_cast<hsize_t>(pairs.size()), 2});
    h5::Handle train = h5::requireGroup(*m_file, sc::datasetSplit("train"));
    h5::writeVector(train, rg::kFragment, fragmentOfExample);
    commit();
}

RegressionMethodState RegressionWriter::methodState(const std::string &method) const
{
    RegressionMethodState st;
    const auto it = m_methods.find(method);
    if (it == m_methods.end())
        return st;
    const h5::Handle &g = it->second->group;
    st.started = true;
    st.epochs = it->second->epochs;
    st.complete = h5::readAttrString(g, sc::kStatus) == runformat::kStatusComplete;
    if (st.complete)
        st.mae = h5::readAttrDouble(g, rg::kMae);
    if (h5::exists(g, sc::kCheckpoint)) {
        h5::Handle ds = h5::openDataset(g, sc::kCheckpoint);
        if (h5::readAttrInt(ds, sc::kCheckpointEpoch) != st.epochs)
            throw StoreError(m_path + ": the checkpoint of method " + method + " is of epoch "
                             + std::to_string(h5::readAttrInt(ds, sc::kCheckpointEpoch)) + " but "
                             + std::to_string(st.epochs) + " epochs are recorded");
        const auto bytes = h5::readArray<std::uint8_t>(g, sc::kCheckpoint);
        st.checkpoint.assign(bytes.begin(), bytes.end());
    } else if (st.epochs > 0) {
        throw StoreError(m_path + ": method " + method + " has no checkpoint to resume from");
    }
    st.hasExpertDepth = h5::exists(g, rg::kExpertDepth);
    return st;
}

void RegressionWriter::beginMethod(const std::string &method, int epochsPlanned)
{
    if (m_methods.count(method))
        return;
    auto s = std::make_unique<MethodStreams>();
    s->group = h5::requireGroup(*m_file, rg::methodGroup(method));
    h5::writeAttr(s->group, rg::kMethod, method);
    h5::writeAttr(s->group, sc::kEpochsPlanned, std::int64_t(epochsPlanned));
    h5::writeAttr(s->group, sc::kEpochsCompleted, std::int64_t(0));
    h5::writeAttr(s->group, sc::kStatus, runformat::kStatusRunning);
    h5::Handle curves = h5::requireGroup(s->group, sc::kCurves);
    s->epoch = h5::RowAppender(s->group, sc::curve(sc::kCurveEpoch), H5T_STD_I32LE);
    for (const char *name : rg::kCurveValues)
        s->curves.emplace_back(s->group, sc::curve(name), H5T_IEEE_F64LE);
    const auto n = static_cast<hsize_t>(m_trainSize);
    s->selection = h5::RowAppender(s->group, rg::kSelection, H5T_STD_U8LE, n);
    if (method == "confrag") {
        s->pPred = h5::RowAppender(s->group, rg::kPPred, H5T_IEEE_F32LE, n);
        s->pKnn = h5::RowAppender(s->group, rg::kPKnn, H5T_IEEE_F32LE, n);
    }
    auto names = h5::hasAttr(*m_file, rg::kMethods) ? h5::readAttrStrings(*m_file, rg::kMethods)
                                                    : std::vector<std::string>{};
    names.push_back(method);
    h5::writeAttr(*m_file, rg::kMethods, names);
    m_methods[method] = std::move(s);
    commit();
}

void RegressionWriter::appendEpoch(const std::string &method, const RegressionEpoch &e,
                                   const std::vector<std::uint8_t> &selection, const std::vector<float> *pPred,
                                   const std::vector<float> *pKnn, const std::string &checkpoint)
{
    auto &s = *m_methods.at(method);
    const std::int32_t epoch = e.epoch;
    s.epoch.append(&epoch, H5T_NATIVE_INT32);
    const auto row = curveRow(e);
    for (std::size_t i = 0; i < row.size(); ++i)
        s.curves[i].append(&row[i], H5T_NATIVE_DOUBLE);
    s.selection.append(selection.data(), H5T_NATIVE_UINT8);
    if (pPred && pKnn) {
        s.pPred.append(pPred->data(), H5T_NATIVE_FLOAT);
        s.pKnn.append(pKnn->data(), H5T_NATIVE_FLOAT);
    }
    h5::writeAttr(s.group, sc::kEpochsCompleted, std::int64_t(++s.epochs));
    if (!checkpoint.empty()) {
        h5::writeBytes(s.group, sc::kCheckpoint, checkpoint.data(), checkpoint.size());
        h5::Handle ds = h5::openDataset(s.group, sc::kCheckpoint);
        h5::writeAttr(ds, sc::kCheckpointEpoch, std::int64_t(s.epochs));
        h5::writeAttr(ds, sc::kCheckpointFormat, sc::kCheckpointFormatText);
    }
    commit();
}

void RegressionWriter::writeExpertDepth(const ExpertDepth &d)
{
    h5::Handle g = h5::requireGroup(*m_file, rg::methodGroup("confrag"));
    const auto experts = static_cast<hsize_t>(d.experts), probes = static_cast<hsize_t>(d.probeNames.size());
    h5::writeArray(g, rg::kExpertDepth, d.depth.data(), {experts, static_cast<hsize_t>(m_trainSize)});
    h5::Handle ds = h5::openDataset(g, rg::kExpertDepth);
    h5::writeAttr(ds, rg::kExpertProbes, d.probeNames);
    h5::writeAttr(ds, rg::kExpertProbeK, std::int64_t(d.k));
    h5::writeArray(g, rg::kExpertProbeAccuracy, d.accuracy.data(), {experts, probes});
    commit();
}

void RegressionWriter::finishMethod(const std::string &method, const std::vector<float> &testPrediction, double mae,
                                    double rmse)
{
    auto &s = *m_methods.at(method);
    h5::writeVector(s.group, rg::kTestPrediction, testPrediction);
    h5::writeAttr(s.group, rg::kMae, mae);
    h5::writeAttr(s.group, rg::kRmse, rmse);
    h5::writeAttr(s.group, sc::kStatus, runformat::kStatusComplete);
    commit();
}

void RegressionWriter::setMrae(const std::string &method, double mrae)
{
    h5::writeAttr(m_methods.at(method)->group, rg::kMrae, mrae);
}

void RegressionWriter::finish(const std::string &status, const std::string &message)
{
    m_finished = true;
    h5::writeAttr(*m_file, sc::kStatus, status);
    h5::writeAttr(*m_file, sc::kStatusMessage, message);
    h5::writeAttr(*m_file, sc::kFinished, partfile::utcNow());
    commit();
    m_methods.clear();
    m_file->reset();
    partfile::moveIntoPlace(partialPath(), m_path);
}

RegressionReader::RegressionReader(const std::string &path) : m_file(std::make_unique<h5::Handle>()), m_path(path)
{
    *m_file = h5::openFile(path, false);
    if (!h5::hasAttr(*m_file, sc::kFormat) || h5::readAttrString(*m_file, sc::kFormat) != rg::kFormatName)
        throw StoreError(path + ": not a regression run file (format is not " + rg::kFormatName + ")");
    const auto version = h5::readAttrInt(*m_file, sc::kFormatVersion);
    if (version < 1 || version > rg::kFormatVersion)
        throw StoreError(path + ": regression run file format version " + std::to_string(version)
                         + " is not one this program understands (1 … " + std::to_string(rg::kFormatVersion) + ")");
    // Every regression file is written through partfile::commit, so each carries the digest.
    verifyAttributesDigest(*m_file, path);
}

std::string RegressionReader::configJson() const
{
    return h5::hasAttr(*m_file, sc::kConfig) ? h5::readAttrString(*m_file, sc::kConfig) : std::string();
}

bool RegressionReader::hasDataset() const
{
    return h5::exists(*m_file, sc::datasetArray("train", rg::kTarget))
           && h5::exists(*m_file, sc::datasetArray("test", rg::kCleanTarget));
}

std::string RegressionReader::statusMessage() const
{
    return h5::hasAttr(*m_file, sc::kStatusMessage) ? h5::readAttrString(*m_file, sc::kStatusMessage) : std::string();
}

std::optional<ExpertDepth> RegressionReader::expertDepth() const
{
    const std::string group = rg::methodGroup("confrag");
    if (!h5::exists(*m_file, group) || !h5::exists(h5::openGroup(*m_file, group), rg::kExpertDepth))
        return std::nullopt;
    h5::Handle g = h5::openGroup(*m_file, group);
    ExpertDepth d;
    std::vector<hsize_t> dims;
    d.depth = h5::readArray<std::int32_t>(g, rg::kExpertDepth, &dims);
    d.experts = dims.empty() ? 0 : static_cast<int>(dims[0]);
    h5::Handle ds = h5::openDataset(g, rg::kExpertDepth);
    d.probeNames = h5::readAttrStrings(ds, rg::kExpertProbes);
    d.k = static_cast<int>(h5::readAttrInt(ds, rg::kExpertProbeK));
    d.accuracy = h5::readArray<double>(g, rg::kExpertProbeAccuracy);
    return d;
}

void loadRegressionRun(const std::string &path)
{
    const RegressionReader reader(path);
    reader.configJson();
    for (const char *split : sc::kSplits) {
        reader.targets(split, false);
        reader.targets(split, true);
    }
    for (const auto &name : reader.methods()) {
        const auto m = reader.method(name);
        for (int e = 1; e <= m.epochsCompleted; ++e)
            reader.selection(name, e);
    }
    reader.expertDepth();
}

bool isRegressionFile(const std::string &path)
{
    try {
        h5::Handle file = h5::openFile(path, false);
        return h5::hasAttr(file, sc::kFormat) && h5::readAttrString(file, sc::kFormat) == rg::kFormatName;
    } catch (const std::exception &) {
        return false;
    }
}

RegressionReader::~RegressionReader() = default;

RegressionDatasetInfo RegressionReader::datasetInfo() const
{
    const h5::Handle g = h5::openGroup(*m_file, sc::kDataset);
    RegressionDatasetInfo info;
    info.name = h5::readAttrString(g, sc::kDatasetName);
    info.format = h5::readAttrString(g, sc::kDatasetFormat);
    info.source = h5::readAttrString(g, sc::kDatasetSource);
    info.channels = static_cast<int>(h5::readAttrInt(g, sc::kChannels));
    info.height = static_cast<int>(h5::readAttrInt(g, sc::kHeight));
    info.width = static_cast<int>(h5::readAttrInt(g, sc::kWidth));
    return info;
}

std::vector<std::int64_t> RegressionReader::sourceIndices(const std::string &split) const
{
    return h5::readArray<std::int64_t>(*m_file, sc::datasetArray(split, sc::kSourceIndex));
}

std::string RegressionReader::status() const
{
    return h5::readAttrString(*m_file, sc::kStatus);
}

std::vector<std::string> RegressionReader::methods() const
{
    return h5::hasAttr(*m_file, rg::kMethods) ? h5::readAttrStrings(*m_file, rg::kMethods)
                                              : std::vector<std::string>{};
}

RegressionMethodData RegressionReader::method(const std::string &name) const
{
    h5::Handle g = h5::openGroup(*m_file, rg::methodGroup(name));
    RegressionMethodData m;
    m.method = name;
    m.epochsCompleted = static_cast<int>(h5::readAttrInt(g, sc::kEpochsCompleted));
    const double nan = std::numeric_limits<double>::quiet_NaN();
    m.mae = h5::hasAttr(g, rg::kMae) ? h5::readAttrDouble(g, rg::kMae) : nan;
    m.rmse = h5::hasAttr(g, rg::kRmse) ? h5::readAttrDouble(g, rg::kRmse) : nan;
    m.mrae = h5::hasAttr(g, rg::kMrae) ? h5::readAttrDouble(g, rg::kMrae) : nan;
    const auto epochs = h5::readArray<std::int32_t>(g, sc::curve(sc::kCurveEpoch));
    std::vector<std::vector<double>> values;
    for (const char *v : rg::kCurveValues)
        values.push_back(h5::readArray<double>(g, sc::curve(v)));
    for (std::size_t e = 0; e < epochs.size(); ++e) {
        RegressionEpoch r;
        r.epoch = epochs[e];
        r.selectionRate = values[0][e];
        r.err = values[1][e];
        r.errSum = values[2][e];
        r.mae = values[3][e];
        r.rmse = values[4][e];
        r.trainLoss = values[5][e];
        r.seconds = values[6][e];
        m.curves.push_back(r);
    }
    return m;
}

std::vector<std::uint8_t> RegressionReader::selection(const std::string &method, int epoch) const
{
    h5::Handle g = h5::openGroup(*m_file, rg::methodGroup(method));
    return h5::readRow<std::uint8_t>(g, rg::kSelection, static_cast<hsize_t>(epoch - 1));
}

std::vector<float> RegressionReader::targets(const std::string &split, bool clean) const
{
    return h5::readArray<float>(*m_file, sc::datasetArray(split, clean ? rg::kCleanTarget : rg::kTarget));
}

} // namespace pds
