#include "store/runwriter.h"

#include "store/fields.h"
#include "store/h5file.h"
#include "store/partfile.h"
#include "util/error.h"

#include <chrono>
#include <filesystem>
#include <iterator>

namespace pds {

namespace sc = schema;

/// The appendable per-epoch datasets of one model.
struct RunWriter::ModelStreams {
    h5::Handle group;
    std::map<std::string, h5::RowAppender> curves;
    std::map<std::string, h5::RowAppender> dynamics; ///< keyed by sc::dynamics(split, name)
    int epochs = 0;
};

RunWriter::RunWriter(std::string path, const std::string &configJson)
    : m_path(std::move(path)), m_file(std::make_unique<h5::Handle>()), m_embeddings(std::make_unique<h5::Handle>())
{
    if (m_path.empty())
        throw StoreError("no output path given");
    *m_file = h5::createMemoryFile(partialPath());
    h5::writeAttr(*m_file, sc::kFormat, runformat::kFormatName);
    h5::writeAttr(*m_file, sc::kFormatVersion, std::int64_t(runformat::kFormatVersion));
    h5::writeAttr(*m_file, sc::kSoftware, "Prediction Depth Studio");
    h5::writeAttr(*m_file, sc::kSoftwareVersion, PDS_VERSION);
    h5::writeAttr(*m_file, sc::kCreated, partfile::utcNow());
    h5::writeAttr(*m_file, sc::kStatus, runformat::kStatusRunning);
    h5::writeAttr(*m_file, sc::kStatusMessage, "");
    h5::writeAttr(*m_file, sc::kModelsCompleted, std::int64_t(0));
    if (!configJson.empty())
        h5::writeAttr(*m_file, sc::kConfig, configJson);
    commit();
}

RunWriter::RunWriter(std::string path, Reopen)
    : m_path(std::move(path)), m_file(std::make_unique<h5::Handle>()), m_embeddings(std::make_unique<h5::Handle>())
{
    std::error_code ec;
    const std::string source = std::filesystem::exists(partialPath(), ec) ? partialPath() : m_path;
    if (!std::filesystem::exists(source, ec))
        throw StoreError(m_path + ": no run file to resume (nor " + partialPath() + ")");
    *m_file = h5::openMemoryCopy(source);
    for (int m = 0; h5::exists(*m_file, sc::modelGroup(m)); ++m) {
        auto streams = std::make_unique<ModelStreams>();
        streams->group = h5::openGroup(*m_file, sc::modelGroup(m));
        streams->curves[sc::kCurveEpoch] = h5::RowAppender::open(streams->group, sc::curve(sc::kCurveEpoch));
        for (const char *name : sc::kCurveValues)
            streams->curves[name] = h5::RowAppender::open(streams->group, sc::curve(name));
        for (const auto *split : sc::kSplits)
            for (const char *rec : sc::kRecordNames) {
                const std::string key = sc::dynamics(split, rec);
                streams->dynamics[key] = h5::RowAppender::open(streams->group, key);
            }
        streams->epochs = static_cast<int>(h5::readAttrInt(streams->group, sc::kEpochsCompleted));
        m_models[m] = std::move(streams);
    }
    // A resumed version 1 file becomes version 2: new datasets are checksummed and the digest is written.
    h5::writeAttr(*m_file, sc::kFormatVersion, std::int64_t(runformat::kFormatVersion));
    h5::writeAttr(*m_file, sc::kStatus, runformat::kStatusRunning);
    h5::writeAttr(*m_file, sc::kStatusMessage, "resumed");
    commit();
}

RunWriter::~RunWriter()
{
    if (!m_finished) {
        try {
            finish(runformat::kStatusFailed, "the writer was closed before the run finished");
        } catch (...) {
            // A destructor must not throw; the .part file stays for inspection.
        }
    }
}

std::string RunWriter::partialPath() const
{
    return m_path + runformat::kPartialSuffix;
}

void RunWriter::commit()
{
    partfile::commit(*m_file, partialPath());
}

std::string RunWriter::embeddingsPath() const
{
    const std::filesystem::path p(m_path);
    return (p.parent_path() / (p.stem().string() + sc::kEmbeddingsFileSuffix)).string();
}

void RunWriter::closeEmbeddings()
{
    if (!m_embeddings->valid())
        return;
    h5::flush(*m_embeddings);
    m_embeddings->reset();
    std::error_code ec;
    std::filesystem::rename(embeddingsPath() + runformat::kPartialSuffix, embeddingsPath(), ec);
    if (ec)
        throw StoreError("cannot move " + embeddingsPath() + runformat::kPartialSuffix + " into place: " + ec.message());
}

void RunWriter::writeHeader(const std::string &configJson, const Dataset &d,
                            const ChannelStats &norm, std::int64_t noisyLabels)
{
    h5::writeAttr(*m_file, sc::kConfig, configJson);
    h5::Handle g = h5::requireGroup(*m_file, sc::kDataset);
    h5::writeAttr(g, sc::kDatasetName, d.name);
    h5::writeAttr(g, sc::kDatasetFormat, d.format);
    h5::writeAttr(g, sc::kDatasetSource, d.source);
    h5::writeAttr(g, sc::kClassNames, d.classNames);
    h5::writeAttr(g, sc::kChannels, std::int64_t(d.channels));
    h5::writeAttr(g, sc::kHeight, std::int64_t(d.height));
    h5::writeAttr(g, sc::kWidth, std::int64_t(d.width));
    h5::writeAttr(g, sc::kNormalisationMean, norm.mean);
    h5::writeAttr(g, sc::kNormalisationStd, norm.std);
    h5::writeAttr(g, sc::kNoisyLabels, noisyLabels);
    for (const auto *split : sc::kSplits) {
        const Split &s = std::string(split) == "train" ? d.train : d.test;
        h5::Handle sg = h5::requireGroup(g, split);
        h5::writeAttr(sg, sc::kSplitSize, std::int64_t(s.size()));
        h5::writeVector(sg, sc::kSourceIndex, s.sourceIndices);
        h5::writeVector(sg, sc::kLabel, s.labels);
        h5::writeVector(sg, sc::kCleanLabel, s.cleanLabels);
        h5::writeVector(sg, sc::kNoisy, s.noisy);
    }
    h5::requireGroup(*m_file, sc::kModels);
    commit();
}

void RunWriter::beginModel(int model, const ModelInfo &info)
{
    auto streams = std::make_unique<ModelStreams>();
    streams->group = h5::requireGroup(*m_file, sc::modelGroup(model));
    hid_t g = streams->group;
    h5::writeAttr(g, sc::kArch, info.arch);
    h5::writeAttr(g, sc::kSeed, std::int64_t(info.seed));
    h5::writeAttr(g, sc::kDevice, info.device);
    h5::writeAttr(g, sc::kEpochsPlanned, std::int64_t(info.epochsPlanned));
    h5::writeAttr(g, sc::kEpochsCompleted, std::int64_t(0));
    h5::writeAttr(g, sc::kProbeNames, info.probeNames);
    h5::writeAttr(g, sc::kStatus, runformat::kStatusRunning);
    h5::writeAttr(g, sc::kStatusMessage, "");
    h5::writeVector(g, sc::kInTrain, info.inTrain);
    h5::writeAttr(g, sc::kDynamicsSource, info.dynamicsSource);
    std::vector<std::int32_t> heldOutEpochs = info.heldOutEpochs;
    for (int e = 1; heldOutEpochs.empty() && e <= info.epochsPlanned; ++e)
        heldOutEpochs.push_back(e);
    h5::writeVector(g, sc::kHeldOutEpochs, heldOutEpochs);

    h5::Handle curves = h5::requireGroup(g, sc::kCurves);
    streams->curves[sc::kCurveEpoch] = h5::RowAppender(curves, sc::kCurveEpoch, H5T_STD_I32LE);
    for (const char *name : sc::kCurveValues)
        streams->curves[name] = h5::RowAppender(curves, name, H5T_IEEE_F64LE);

    h5::Handle dyn = h5::requireGroup(g, sc::kDynamics);
    for (const auto *split : sc::kSplits) {
        const auto n = static_cast<hsize_t>(
            h5::readAttrInt(h5::openGroup(*m_file, sc::datasetSplit(split)), sc::kSplitSize));
        h5::Handle sg = h5::requireGroup(dyn, split);
        for (const char *rec : sc::kRecordNames) {
            const hid_t type = std::string(rec) == sc::kPred ? H5T_STD_I32LE : H5T_IEEE_F32LE;
            streams->dynamics[sc::dynamics(split, rec)] = h5::RowAppender(sg, rec, type, n);
        }
    }
    m_models[model] = std::move(streams);
    commit();
}

void RunWriter::appendEpoch(int model, const EpochCurve &c, const EpochRecord &train,
                            const EpochRecord &test, const std::string &checkpoint)
{
    auto &s = *m_models.at(model);
    const std::int32_t epoch = c.epoch;
    s.curves[sc::kCurveEpoch].append(&epoch, H5T_NATIVE_INT32);
    const double values[] = {c.lr, c.trainLoss, c.trainAccuracy, c.evalTrainLoss, c.evalTrainAccuracy,
                             c.testLoss, c.testAccuracy, c.seconds};
    static_assert(std::size(values) == std::size(sc::kCurveValues), "one value per curve");
    for (std::size_t i = 0; i < std::size(values); ++i)
        s.curves[sc::kCurveValues[i]].append(&values[i], H5T_NATIVE_DOUBLE);
    for (const auto *split : sc::kSplits) {
        const EpochRecord &r = std::string(split) == "train" ? train : test;
        s.dynamics[sc::dynamics(split, sc::kPred)].append(r.pred.data(), H5T_NATIVE_INT32);
        for (const auto &f : sc::kRecordFloats)
            s.dynamics[sc::dynamics(split, f.name)].append((r.*f.member).data(), H5T_NATIVE_FLOAT);
    }
    s.epochs = c.epoch;
    h5::writeAttr(s.group, sc::kEpochsCompleted, std::int64_t(c.epoch));
    if (!checkpoint.empty()) {
        try {
            h5::writeBytes(s.group, sc::kCheckpoint, checkpoint.data(), checkpoint.size());
        } catch (const StoreError &) {
            throw StoreError(m_path + ": cannot store the checkpoint");
        }
        h5::Handle ds = h5::openDataset(s.group, sc::kCheckpoint);
        h5::writeAttr(ds, sc::kCheckpointEpoch, std::int64_t(c.epoch));
        h5::writeAttr(ds, sc::kCheckpointFormat, sc::kCheckpointFormatText);
    }
    commit();
}

void RunWriter::finishModel(int model, const ExampleScores &train, const ExampleScores &test,
                            const std::vector<float> &trainLogits,
                            const std::vector<float> &testLogits, int numClasses,
                            const std::string &status, double trainSeconds, bool keepCheckpoint)
{
    auto &s = *m_models.at(model);
    for (const auto *split : sc::kSplits) {
        const ExampleScores &scores = std::string(split) == "train" ? train : test;
        h5::Handle g = h5::requireGroup(s.group, sc::scoresSplit(split));
        for (const auto &f : sc::kScoreInts)
            h5::writeVector(g, f.name, scores.*f.member);
        for (const auto &f : sc::kScoreFloats)
            h5::writeVector(g, f.name, scores.*f.member);
        const auto &logits = std::string(split) == "train" ? trainLogits : testLogits;
        h5::Handle fg = h5::requireGroup(s.group, sc::finalSplit(split));
        h5::writeArray(fg, sc::kLogits, logits.data(),
                       {static_cast<hsize_t>(logits.size() / std::max(numClasses, 1)),
                        static_cast<hsize_t>(numClasses)});
    }
    h5::writeAttr(s.group, sc::kTrainSeconds, trainSeconds);
    h5::writeAttr(s.group, sc::kStatus, status);
    if (status == runformat::kStatusComplete) {
        // A model resumed after a cancel no longer carries its message.
        h5::writeAttr(s.group, sc::kStatusMessage, "");
        // A finished model needs no checkpoint unless its weights are wanted
        // (a comparison's transfer probe); finish() compacts the space away.
        if (!keepCheckpoint)
            h5::removeLink(s.group, sc::kCheckpoint);
        const auto done = h5::readAttrInt(*m_file, sc::kModelsCompleted);
        h5::writeAttr(*m_file, sc::kModelsCompleted, done + 1);
    }
    commit();
}

void RunWriter::markModel(int model, const std::string &status, const std::string &message)
{
    auto it = m_models.find(model);
    if (it == m_models.end())
        return;
    h5::writeAttr(it->second->group, sc::kStatus, status);
    h5::writeAttr(it->second->group, sc::kStatusMessage, message);
    commit();
}

void RunWriter::finish(const std::string &status, const std::string &message)
{
    if (m_finished)
        return;
    m_finished = true;
    h5::writeAttr(*m_file, sc::kStatus, status);
    h5::writeAttr(*m_file, sc::kStatusMessage, message);
    h5::writeAttr(*m_file, sc::kFinished, partfile::utcNow());
    m_models.clear();
    closeEmbeddings();
    *m_file = h5::compactCopy(*m_file, partialPath());
    commit();
    m_file->reset();
    partfile::moveIntoPlace(partialPath(), m_path);
}

} // namespace pds
