#include "store/runwriter.h"

#include "store/runformat.h"
#include "util/error.h"

#include <chrono>
#include <ctime>
#include <filesystem>

namespace pds {

namespace {

std::string isoNow()
{
    const std::time_t t = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return buf;
}

const char *const kRecordNames[] = {"pred", "prob_given", "margin", "loss", "el2n"};

} // namespace

/// The appendable per-epoch datasets of one model.
struct RunWriter::ModelStreams {
    h5::Handle group;
    std::map<std::string, h5::RowAppender> curves;
    std::map<std::string, h5::RowAppender> dynamics; ///< "train/pred" …
    int epochs = 0;
};

RunWriter::RunWriter(std::string path, const std::string &configJson) : m_path(std::move(path))
{
    if (m_path.empty())
        throw StoreError("no output path given");
    m_file = h5::createMemoryFile(partialPath());
    h5::writeAttr(m_file, "format", runformat::kFormatName);
    h5::writeAttr(m_file, "format_version", std::int64_t(runformat::kFormatVersion));
    h5::writeAttr(m_file, "software", "Prediction Depth Studio");
    h5::writeAttr(m_file, "software_version", PDS_VERSION);
    h5::writeAttr(m_file, "created", isoNow());
    h5::writeAttr(m_file, "status", runformat::kStatusRunning);
    h5::writeAttr(m_file, "status_message", "");
    h5::writeAttr(m_file, "models_completed", std::int64_t(0));
    if (!configJson.empty())
        h5::writeAttr(m_file, "config", configJson);
    commit();
}

RunWriter::RunWriter(std::string path, Reopen) : m_path(std::move(path))
{
    std::error_code ec;
    const std::string source = std::filesystem::exists(partialPath(), ec) ? partialPath() : m_path;
    if (!std::filesystem::exists(source, ec))
        throw StoreError(m_path + ": no run file to resume (nor " + partialPath() + ")");
    m_file = h5::openMemoryCopy(source);
    for (int m = 0; h5::exists(m_file, modelGroup(m)); ++m) {
        auto streams = std::make_unique<ModelStreams>();
        streams->group = h5::openGroup(m_file, modelGroup(m));
        for (const char *name : {"epoch", "lr", "train_loss", "train_accuracy", "eval_train_loss",
                                 "eval_train_accuracy", "test_loss", "test_accuracy", "seconds"})
            streams->curves[name] = h5::RowAppender::open(streams->group, std::string("curves/") + name);
        for (const auto *split : {"train", "test"})
            for (const char *rec : kRecordNames) {
                const std::string key = std::string(split) + "/" + rec;
                streams->dynamics[key] = h5::RowAppender::open(streams->group, "dynamics/" + key);
            }
        streams->epochs = static_cast<int>(h5::readAttrInt(streams->group, "epochs_completed"));
        m_models[m] = std::move(streams);
    }
    h5::writeAttr(m_file, "status", runformat::kStatusRunning);
    h5::writeAttr(m_file, "status_message", "resumed");
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

std::string RunWriter::modelGroup(int model)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "models/m%03d", model);
    return buf;
}

void RunWriter::commit()
{
    h5::writeFileAtomically(partialPath(), h5::fileImage(m_file));
}

std::string RunWriter::embeddingsPath() const
{
    const std::filesystem::path p(m_path);
    return (p.parent_path() / (p.stem().string() + ".embeddings.h5")).string();
}

void RunWriter::closeEmbeddings()
{
    if (!m_embeddings.valid())
        return;
    H5Fflush(m_embeddings, H5F_SCOPE_GLOBAL);
    m_embeddings.reset();
    std::error_code ec;
    std::filesystem::rename(embeddingsPath() + runformat::kPartialSuffix, embeddingsPath(), ec);
    if (ec)
        throw StoreError("cannot move " + embeddingsPath() + runformat::kPartialSuffix + " into place: " + ec.message());
}

void RunWriter::writeHeader(const std::string &configJson, const Dataset &d,
                            const ChannelStats &norm, std::int64_t noisyLabels)
{
    h5::writeAttr(m_file, "config", configJson);
    h5::Handle g = h5::requireGroup(m_file, "dataset");
    h5::writeAttr(g, "name", d.name);
    h5::writeAttr(g, "format", d.format);
    h5::writeAttr(g, "source", d.source);
    h5::writeAttr(g, "class_names", d.classNames);
    h5::writeAttr(g, "channels", std::int64_t(d.channels));
    h5::writeAttr(g, "height", std::int64_t(d.height));
    h5::writeAttr(g, "width", std::int64_t(d.width));
    h5::writeAttr(g, "normalisation_mean", norm.mean);
    h5::writeAttr(g, "normalisation_std", norm.std);
    h5::writeAttr(g, "noisy_labels", noisyLabels);
    for (const auto *split : {"train", "test"}) {
        const Split &s = std::string(split) == "train" ? d.train : d.test;
        h5::Handle sg = h5::requireGroup(g, split);
        h5::writeAttr(sg, "size", std::int64_t(s.size()));
        h5::writeVector(sg, "source_index", s.sourceIndices);
        h5::writeVector(sg, "label", s.labels);
        h5::writeVector(sg, "clean_label", s.cleanLabels);
        h5::writeVector(sg, "noisy", s.noisy);
    }
    h5::requireGroup(m_file, "models");
    commit();
}

void RunWriter::beginModel(int model, const ModelInfo &info)
{
    auto streams = std::make_unique<ModelStreams>();
    streams->group = h5::requireGroup(m_file, modelGroup(model));
    hid_t g = streams->group;
    h5::writeAttr(g, "arch", info.arch);
    h5::writeAttr(g, "seed", std::int64_t(info.seed));
    h5::writeAttr(g, "device", info.device);
    h5::writeAttr(g, "epochs_planned", std::int64_t(info.epochsPlanned));
    h5::writeAttr(g, "epochs_completed", std::int64_t(0));
    h5::writeAttr(g, "probe_names", info.probeNames);
    h5::writeAttr(g, "status", runformat::kStatusRunning);
    h5::writeAttr(g, "status_message", "");
    h5::writeVector(g, "in_train", info.inTrain);

    h5::Handle curves = h5::requireGroup(g, "curves");
    streams->curves["epoch"] = h5::RowAppender(curves, "epoch", H5T_STD_I32LE);
    for (const char *name : {"lr", "train_loss", "train_accuracy", "eval_train_loss",
                             "eval_train_accuracy", "test_loss", "test_accuracy", "seconds"})
        streams->curves[name] = h5::RowAppender(curves, name, H5T_IEEE_F64LE);

    h5::Handle dyn = h5::requireGroup(g, "dynamics");
    h5::Handle trainSplit = h5::openGroup(m_file, "dataset/train");
    h5::Handle testSplit = h5::openGroup(m_file, "dataset/test");
    for (const auto *split : {"train", "test"}) {
        const auto n = static_cast<hsize_t>(
            h5::readAttrInt(std::string(split) == "train" ? trainSplit : testSplit, "size"));
        h5::Handle sg = h5::requireGroup(dyn, split);
        for (const char *rec : kRecordNames) {
            const hid_t type = std::string(rec) == "pred" ? H5T_STD_I32LE : H5T_IEEE_F32LE;
            streams->dynamics[std::string(split) + "/" + rec] = h5::RowAppender(sg, rec, type, n);
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
    s.curves["epoch"].append(&epoch, H5T_NATIVE_INT32);
    const std::pair<const char *, double> values[] = {
        {"lr", c.lr}, {"train_loss", c.trainLoss}, {"train_accuracy", c.trainAccuracy},
        {"eval_train_loss", c.evalTrainLoss}, {"eval_train_accuracy", c.evalTrainAccuracy},
        {"test_loss", c.testLoss}, {"test_accuracy", c.testAccuracy}, {"seconds", c.seconds}};
    for (const auto &[name, v] : values)
        s.curves[name].append(&v, H5T_NATIVE_DOUBLE);
    for (const auto *split : {"train", "test"}) {
        const EpochRecord &r = std::string(split) == "train" ? train : test;
        const std::string prefix = std::string(split) + "/";
        s.dynamics[prefix + "pred"].append(r.pred.data(), H5T_NATIVE_INT32);
        s.dynamics[prefix + "prob_given"].append(r.probGiven.data(), H5T_NATIVE_FLOAT);
        s.dynamics[prefix + "margin"].append(r.margin.data(), H5T_NATIVE_FLOAT);
        s.dynamics[prefix + "loss"].append(r.loss.data(), H5T_NATIVE_FLOAT);
        s.dynamics[prefix + "el2n"].append(r.el2n.data(), H5T_NATIVE_FLOAT);
    }
    s.epochs = c.epoch;
    h5::writeAttr(s.group, "epochs_completed", std::int64_t(c.epoch));
    if (!checkpoint.empty()) {
        // Contiguous and uncompressed, so each epoch's copy reuses the last one's space.
        if (H5Lexists(s.group, "checkpoint", H5P_DEFAULT) > 0)
            H5Ldelete(s.group, "checkpoint", H5P_DEFAULT);
        const hsize_t n = checkpoint.size();
        h5::Handle space(H5Screate_simple(1, &n, nullptr));
        h5::Handle ds(H5Dcreate2(s.group, "checkpoint", H5T_STD_U8LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
        if (!ds.valid() || H5Dwrite(ds, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, checkpoint.data()) < 0)
            throw StoreError(m_path + ": cannot store the checkpoint");
        h5::writeAttr(ds, "epoch", std::int64_t(c.epoch));
        h5::writeAttr(ds, "format", "LibTorch archive: model parameters and buffers, optimizer state");
    }
    commit();
}

void RunWriter::finishModel(int model, const ExampleScores &train, const ExampleScores &test,
                            const std::vector<float> &trainLogits,
                            const std::vector<float> &testLogits, int numClasses,
                            const std::string &status, double trainSeconds)
{
    auto &s = *m_models.at(model);
    for (const auto *split : {"train", "test"}) {
        const ExampleScores &sc = std::string(split) == "train" ? train : test;
        h5::Handle g = h5::requireGroup(s.group, std::string("scores/") + split);
        h5::writeVector(g, "iteration_learned", sc.iterationLearned);
        h5::writeVector(g, "forgetting_events", sc.forgettingEvents);
        h5::writeVector(g, "confidence", sc.confidence);
        h5::writeVector(g, "variability", sc.variability);
        h5::writeVector(g, "correctness", sc.correctness);
        h5::writeVector(g, "el2n", sc.el2n);
        h5::writeVector(g, "final_pred", sc.finalPred);
        const auto &logits = std::string(split) == "train" ? trainLogits : testLogits;
        h5::Handle fg = h5::requireGroup(s.group, std::string("final/") + split);
        h5::writeArray(fg, "logits", logits.data(),
                       {static_cast<hsize_t>(logits.size() / std::max(numClasses, 1)),
                        static_cast<hsize_t>(numClasses)});
    }
    h5::writeAttr(s.group, "train_seconds", trainSeconds);
    h5::writeAttr(s.group, "status", status);
    // A finished model needs no checkpoint; finish() compacts its space away.
    if (status == runformat::kStatusComplete && H5Lexists(s.group, "checkpoint", H5P_DEFAULT) > 0)
        H5Ldelete(s.group, "checkpoint", H5P_DEFAULT);
    if (status == runformat::kStatusComplete) {
        const auto done = h5::readAttrInt(m_file, "models_completed");
        h5::writeAttr(m_file, "models_completed", done + 1);
    }
    commit();
}

void RunWriter::markModel(int model, const std::string &status, const std::string &message)
{
    auto it = m_models.find(model);
    if (it == m_models.end())
        return;
    h5::writeAttr(it->second->group, "status", status);
    h5::writeAttr(it->second->group, "status_message", message);
    commit();
}

void RunWriter::finish(const std::string &status, const std::string &message)
{
    if (m_finished)
        return;
    m_finished = true;
    h5::writeAttr(m_file, "status", status);
    h5::writeAttr(m_file, "status_message", message);
    h5::writeAttr(m_file, "finished", isoNow());
    m_models.clear();
    closeEmbeddings();
    m_file = h5::compactCopy(m_file, partialPath());
    commit();
    m_file.reset();
    std::error_code ec;
    std::filesystem::rename(partialPath(), m_path, ec);
    if (ec)
        throw StoreError("cannot move " + partialPath() + " to " + m_path + ": " + ec.message());
}

} // namespace pds
