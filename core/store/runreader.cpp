#include "store/runreader.h"

#include "store/runformat.h"
#include "util/error.h"

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

namespace pds {

RunReader::RunReader(const std::string &path) : m_path(path)
{
    m_file = h5::openFile(path, false);
    auto &s = m_summary;
    s.path = path;
    try {
        if (!h5::hasAttr(m_file, "format") || h5::readAttrString(m_file, "format") != runformat::kFormatName)
            throw StoreError("not a Prediction Depth Studio run file (no 'format' attribute '"
                             + std::string(runformat::kFormatName) + "')");
        s.formatVersion = static_cast<int>(h5::readAttrInt(m_file, "format_version"));
        if (s.formatVersion > runformat::kFormatVersion)
            throw StoreError("run file format version " + std::to_string(s.formatVersion)
                             + " is newer than this program understands ("
                             + std::to_string(runformat::kFormatVersion) + ")");
        s.softwareVersion = h5::readAttrString(m_file, "software_version");
        s.status = h5::readAttrString(m_file, "status");
        s.statusMessage = h5::readAttrString(m_file, "status_message");
        s.created = h5::readAttrString(m_file, "created");
        if (h5::hasAttr(m_file, "finished"))
            s.finished = h5::readAttrString(m_file, "finished");
        if (h5::hasAttr(m_file, "config"))
            s.configJson = h5::readAttrString(m_file, "config");

        h5::Handle d = h5::openGroup(m_file, "dataset");
        s.datasetName = h5::readAttrString(d, "name");
        s.datasetFormat = h5::readAttrString(d, "format");
        s.datasetSource = h5::readAttrString(d, "source");
        s.classNames = h5::readAttrStrings(d, "class_names");
        s.channels = static_cast<int>(h5::readAttrInt(d, "channels"));
        s.height = static_cast<int>(h5::readAttrInt(d, "height"));
        s.width = static_cast<int>(h5::readAttrInt(d, "width"));
        s.noisyLabels = h5::readAttrInt(d, "noisy_labels");
        s.trainSize = h5::readAttrInt(h5::openGroup(d, "train"), "size");
        s.testSize = h5::readAttrInt(h5::openGroup(d, "test"), "size");
        for (const auto *split : {"train", "test"})
            checkSplit(split);

        for (int m = 0;; ++m) {
            char group[32];
            std::snprintf(group, sizeof group, "models/m%03d", m);
            if (!h5::exists(m_file, group))
                break;
            h5::Handle g = h5::openGroup(m_file, group);
            ModelSummary ms;
            ms.index = m;
            ms.group = group;
            ms.arch = h5::readAttrString(g, "arch");
            ms.seed = h5::readAttrInt(g, "seed");
            ms.device = h5::readAttrString(g, "device");
            ms.status = h5::readAttrString(g, "status");
            ms.statusMessage = h5::readAttrString(g, "status_message");
            ms.epochsPlanned = static_cast<int>(h5::readAttrInt(g, "epochs_planned"));
            ms.epochsCompleted = static_cast<int>(h5::readAttrInt(g, "epochs_completed"));
            ms.probeNames = h5::readAttrStrings(g, "probe_names");
            if (h5::hasAttr(g, "train_seconds"))
                ms.trainSeconds = h5::readAttrDouble(g, "train_seconds");
            ms.hasScores = h5::exists(g, "scores/train/confidence");
            const auto epochs = h5::readArray<std::int32_t>(g, "curves/epoch");
            auto col = [&](const char *name) {
                auto v = h5::readArray<double>(g, std::string("curves/") + name);
                if (v.size() < epochs.size())
                    throw StoreError(std::string(group) + "/curves/" + name + " is shorter than curves/epoch");
                return v;
            };
            const auto lr = col("lr"), tl = col("train_loss"), ta = col("train_accuracy"),
                       etl = col("eval_train_loss"), eta = col("eval_train_accuracy"),
                       sl = col("test_loss"), sa = col("test_accuracy"), sec = col("seconds");
            for (std::size_t e = 0; e < epochs.size(); ++e)
                ms.curves.push_back({epochs[e], lr[e], tl[e], ta[e], etl[e], eta[e], sl[e], sa[e], sec[e]});
            s.models.push_back(std::move(ms));
        }
        m_hasSummary = h5::exists(m_file, "summary/train/group");
    } catch (const StoreError &e) {
        throw StoreError(path + ": " + e.what());
    }
}

const std::vector<std::string> &RunReader::summaryNames()
{
    static const std::vector<std::string> names = {
        "depth_train_mean", "depth_train_std", "depth_val_mean", "depth_val_std", "models_train",
        "models_val", "consistency", "held_out_confidence", "accuracy_trained", "accuracy_held_out", "memorisation",
        "iteration_learned", "forgetting_events", "confidence", "variability", "group"};
    return names;
}

std::vector<float> RunReader::summaryColumn(const std::string &split, const std::string &name) const
{
    return readFloats("summary/" + split + "/" + name, static_cast<std::size_t>(splitSize(split)));
}

std::string RunReader::checkpoint(int model, int epoch) const
{
    const auto &ms = m_summary.models.at(static_cast<std::size_t>(model));
    const std::string path = ms.group + "/checkpoint";
    if (!h5::exists(m_file, path))
        throw StoreError(m_path + ": " + ms.group + " has no checkpoint to resume from");
    h5::Handle ds = h5::openDataset(m_file, path);
    if (h5::readAttrInt(ds, "epoch") != epoch)
        throw StoreError(m_path + ": the checkpoint is of epoch " + std::to_string(h5::readAttrInt(ds, "epoch"))
                         + " but " + std::to_string(epoch) + " epochs are recorded");
    const auto bytes = h5::readArray<std::uint8_t>(m_file, path);
    return std::string(bytes.begin(), bytes.end());
}

bool RunReader::has(const std::string &path) const
{
    return h5::exists(m_file, path);
}

void RunReader::requirePath(const std::string &path) const
{
    if (!h5::exists(m_file, path))
        throw StoreError(m_path + ": '" + path + "' is missing");
}

std::vector<std::int32_t> RunReader::readInts(const std::string &path, std::vector<hsize_t> *dims) const
{
    requirePath(path);
    return h5::readArray<std::int32_t>(m_file, path, dims);
}

std::vector<float> RunReader::readFloatArray(const std::string &path, std::vector<hsize_t> *dims) const
{
    requirePath(path);
    return h5::readArray<float>(m_file, path, dims);
}

std::vector<double> RunReader::readDoubles(const std::string &path, std::vector<hsize_t> *dims) const
{
    requirePath(path);
    return h5::readArray<double>(m_file, path, dims);
}

std::vector<float> RunReader::dynamicsColumn(int model, const std::string &split, const std::string &name,
                                             std::int64_t example) const
{
    checkSplit(split);
    const auto &ms = m_summary.models.at(static_cast<std::size_t>(model));
    const std::string path = ms.group + "/dynamics/" + split + "/" + name;
    requirePath(path);
    return h5::readColumn<float>(m_file, path, static_cast<hsize_t>(example));
}

std::string RunReader::attribute(const std::string &path, const std::string &name) const
{
    if (!h5::exists(m_file, path))
        return {};
    h5::Handle obj(H5Oopen(m_file, path.c_str(), H5P_DEFAULT));
    if (!obj.valid() || !h5::hasAttr(obj, name))
        return {};
    return h5::readAttrString(obj, name);
}

double RunReader::numberAttribute(const std::string &path, const std::string &name, double fallback) const
{
    if (!h5::exists(m_file, path))
        return fallback;
    h5::Handle obj(H5Oopen(m_file, path.c_str(), H5P_DEFAULT));
    if (!obj.valid() || !h5::hasAttr(obj, name))
        return fallback;
    return h5::readAttrDouble(obj, name);
}

bool RunReader::hasProbes(int model) const
{
    const auto &ms = m_summary.models.at(static_cast<std::size_t>(model));
    return h5::exists(m_file, ms.group + "/probes/depth_train");
}

std::vector<float> RunReader::depth(int model, const std::string &split) const
{
    const auto &ms = m_summary.models.at(static_cast<std::size_t>(model));
    return readFloats(ms.group + "/probes/depth_" + split, static_cast<std::size_t>(splitSize(split)));
}

const std::vector<std::string> &RunReader::scoreNames()
{
    static const std::vector<std::string> names = {"final_pred", "iteration_learned",
                                                   "forgetting_events", "confidence",
                                                   "variability", "correctness", "el2n"};
    return names;
}

std::int64_t RunReader::splitSize(const std::string &split) const
{
    if (split == "train")
        return m_summary.trainSize;
    if (split == "test")
        return m_summary.testSize;
    throw StoreError("unknown split '" + split + "' (expected train or test)");
}

void RunReader::checkSplit(const std::string &split) const
{
    const auto n = static_cast<hsize_t>(splitSize(split));
    for (const char *name : {"source_index", "label", "clean_label", "noisy"}) {
        const std::string p = "dataset/" + split + "/" + name;
        const auto dims = h5::shapeOf(m_file, p);
        if (dims.size() != 1 || dims[0] != n)
            throw StoreError(p + " should hold " + std::to_string(n) + " values");
    }
}

std::vector<std::int32_t> RunReader::labels(const std::string &split) const
{
    splitSize(split);
    return h5::readArray<std::int32_t>(m_file, "dataset/" + split + "/label");
}

std::vector<std::int32_t> RunReader::cleanLabels(const std::string &split) const
{
    splitSize(split);
    return h5::readArray<std::int32_t>(m_file, "dataset/" + split + "/clean_label");
}

std::vector<std::uint8_t> RunReader::noisy(const std::string &split) const
{
    splitSize(split);
    return h5::readArray<std::uint8_t>(m_file, "dataset/" + split + "/noisy");
}

std::vector<std::int64_t> RunReader::sourceIndices(const std::string &split) const
{
    splitSize(split);
    return h5::readArray<std::int64_t>(m_file, "dataset/" + split + "/source_index");
}

std::vector<std::uint8_t> RunReader::inTrain(int model) const
{
    const auto &ms = m_summary.models.at(static_cast<std::size_t>(model));
    auto v = h5::readArray<std::uint8_t>(m_file, ms.group + "/in_train");
    if (static_cast<std::int64_t>(v.size()) != m_summary.trainSize)
        throw StoreError(m_path + ": " + ms.group + "/in_train has the wrong length");
    return v;
}

std::vector<float> RunReader::readFloats(const std::string &path, std::size_t expected) const
{
    std::vector<hsize_t> dims;
    auto v = h5::readArray<float>(m_file, path, &dims);
    if (dims.size() != 1 || v.size() != expected)
        throw StoreError(m_path + ": " + path + " should hold " + std::to_string(expected) + " values");
    return v;
}

std::vector<float> RunReader::score(int model, const std::string &split, const std::string &name) const
{
    const auto &ms = m_summary.models.at(static_cast<std::size_t>(model));
    return readFloats(ms.group + "/scores/" + split + "/" + name,
                      static_cast<std::size_t>(splitSize(split)));
}

std::vector<float> RunReader::dynamicsRow(int model, const std::string &split,
                                          const std::string &name, int epoch) const
{
    const auto &ms = m_summary.models.at(static_cast<std::size_t>(model));
    return h5::readRow<float>(m_file, ms.group + "/dynamics/" + split + "/" + name,
                              static_cast<hsize_t>(epoch));
}

namespace {

/// Removes a temporary file when it goes out of scope; once the file has been
/// renamed into place there is nothing left to remove.
struct TempFileRemover {
    std::string path;
    ~TempFileRemover()
    {
        std::error_code ec;
        std::filesystem::remove(path, ec);
    }
};

} // namespace

void exportCsv(const RunReader &run, const std::string &outPath)
{
    const auto &s = run.summary();
    std::vector<int> models;
    for (const auto &m : s.models)
        if (m.hasScores)
            models.push_back(m.index);

    const std::string tmp = outPath + ".tmp";
    // A damaged array found halfway through must not leave half an export behind.
    const TempFileRemover removeTmp{tmp};
    {
        std::ofstream out(tmp, std::ios::trunc);
        if (!out)
            throw StoreError(outPath + ": cannot write (folder missing or not writable)");
        out << std::setprecision(7);
        out << "split,index,source_index,label,clean_label,noisy";
        const bool suffix = models.size() > 1;
        for (int m : models) {
            const std::string sfx = suffix ? "_m" + std::to_string(m) : "";
            out << ",in_train" << sfx;
            for (const auto &name : RunReader::scoreNames())
                out << "," << name << sfx;
            if (run.hasProbes(m))
                out << ",prediction_depth" << sfx;
        }
        if (run.hasSummary())
            for (const auto &name : RunReader::summaryNames())
                out << ",study_" << name;
        out << "\n";
        for (const auto *split : {"train", "test"}) {
            const auto labels = run.labels(split);
            const auto clean = run.cleanLabels(split);
            const auto noisy = run.noisy(split);
            const auto src = run.sourceIndices(split);
            std::vector<std::vector<std::vector<float>>> scores;
            std::vector<std::vector<std::uint8_t>> inTrain;
            for (int m : models) {
                std::vector<std::vector<float>> cols;
                for (const auto &name : RunReader::scoreNames())
                    cols.push_back(run.score(m, split, name));
                if (run.hasProbes(m))
                    cols.push_back(run.depth(m, split));
                scores.push_back(std::move(cols));
                inTrain.push_back(std::string(split) == "train"
                                      ? run.inTrain(m)
                                      : std::vector<std::uint8_t>(labels.size(), 0));
            }
            std::vector<std::vector<float>> summary;
            if (run.hasSummary())
                for (const auto &name : RunReader::summaryNames())
                    summary.push_back(run.summaryColumn(split, name));
            for (std::size_t i = 0; i < labels.size(); ++i) {
                out << split << ',' << i << ',' << src[i] << ',' << labels[i] << ',' << clean[i]
                    << ',' << int(noisy[i]);
                for (std::size_t k = 0; k < models.size(); ++k) {
                    out << ',' << int(inTrain[k][i]);
                    for (const auto &col : scores[k])
                        out << ',' << col[i];
                }
                for (const auto &col : summary)
                    out << ',' << col[i];
                out << '\n';
            }
        }
        out.flush();
        if (!out)
            throw StoreError(outPath + ": write failed (disk full?)");
    }
    std::error_code ec;
    std::filesystem::rename(tmp, outPath, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        throw StoreError(outPath + ": cannot move the finished export into place");
    }
}

} // namespace pds
