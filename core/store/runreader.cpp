// RunReader: every typed read of a run or study file, kept in one file because
// the private read templates it shares are defined here (a little over 600 lines).

#include "store/runreader.h"

#include "store/fields.h"
#include "store/h5file.h"
#include "store/integrity.h"
#include "store/studywriter.h"
#include "util/error.h"

#include <algorithm>
#include <cmath>

namespace pds {

namespace sc = schema;

namespace {

std::vector<std::int64_t> toInt64(const std::vector<hsize_t> &dims)
{
    return {dims.begin(), dims.end()};
}

/// Checks what format version `version` promises: the digest from version 2
/// on, none before. Returns the warnings of a file that still opens.
std::vector<ReadWarning> checkIntegrity(hid_t file, const std::string &path, std::int64_t version)
{
    if (version >= runformat::kFirstChecksummedVersion) {
        verifyAttributesDigest(file, path);
        return {};
    }
    if (h5::hasAttr(file, sc::kAttributesDigest))
        throw StoreError(path + ": the file says format version " + std::to_string(version)
                         + " but carries a digest: its version was changed");
    return {{ReadWarning::Kind::NoChecksums, noChecksumsNote()}};
}

} // namespace

RunReader::RunReader(const std::string &path) : m_path(path), m_file(std::make_unique<h5::Handle>())
{
    *m_file = h5::openFile(path, false);
    const hid_t file = *m_file;
    auto &s = m_summary;
    s.path = path;
    try {
        if (!h5::hasAttr(file, sc::kFormat) || h5::readAttrString(file, sc::kFormat) != runformat::kFormatName)
            throw StoreError("not a Prediction Depth Studio run file (no 'format' attribute '"
                             + std::string(runformat::kFormatName) + "')");
        s.formatVersion = static_cast<int>(h5::readAttrInt(file, sc::kFormatVersion));
        if (s.formatVersion > runformat::kFormatVersion)
            throw StoreError("run file format version " + std::to_string(s.formatVersion)
                             + " is newer than this program understands ("
                             + std::to_string(runformat::kFormatVersion) + ")");
        m_warnings = checkIntegrity(file, path, s.formatVersion);
        s.softwareVersion = h5::readAttrString(file, sc::kSoftwareVersion);
        s.status = h5::readAttrString(file, sc::kStatus);
        s.statusMessage = h5::readAttrString(file, sc::kStatusMessage);
        s.created = h5::readAttrString(file, sc::kCreated);
        if (h5::hasAttr(file, sc::kFinished))
            s.finished = h5::readAttrString(file, sc::kFinished);
        if (h5::hasAttr(file, sc::kConfig))
            s.configJson = h5::readAttrString(file, sc::kConfig);

        h5::Handle d = h5::openGroup(file, sc::kDataset);
        s.datasetName = h5::readAttrString(d, sc::kDatasetName);
        s.datasetFormat = h5::readAttrString(d, sc::kDatasetFormat);
        s.datasetSource = h5::readAttrString(d, sc::kDatasetSource);
        s.classNames = h5::readAttrStrings(d, sc::kClassNames);
        s.channels = static_cast<int>(h5::readAttrInt(d, sc::kChannels));
        s.height = static_cast<int>(h5::readAttrInt(d, sc::kHeight));
        s.width = static_cast<int>(h5::readAttrInt(d, sc::kWidth));
        s.noisyLabels = h5::readAttrInt(d, sc::kNoisyLabels);
        s.trainSize = h5::readAttrInt(h5::openGroup(d, "train"), sc::kSplitSize);
        s.testSize = h5::readAttrInt(h5::openGroup(d, "test"), sc::kSplitSize);
        for (const auto *split : sc::kSplits)
            checkSplit(split);

        for (int m = 0;; ++m) {
            const std::string group = sc::modelGroup(m);
            if (!h5::exists(file, group))
                break;
            h5::Handle g = h5::openGroup(file, group);
            ModelSummary ms;
            ms.index = m;
            ms.group = group;
            ms.arch = h5::readAttrString(g, sc::kArch);
            ms.seed = h5::readAttrInt(g, sc::kSeed);
            ms.device = h5::readAttrString(g, sc::kDevice);
            ms.status = h5::readAttrString(g, sc::kStatus);
            ms.statusMessage = h5::readAttrString(g, sc::kStatusMessage);
            ms.epochsPlanned = static_cast<int>(h5::readAttrInt(g, sc::kEpochsPlanned));
            ms.epochsCompleted = static_cast<int>(h5::readAttrInt(g, sc::kEpochsCompleted));
            ms.probeNames = h5::readAttrStrings(g, sc::kProbeNames);
            if (h5::hasAttr(g, sc::kDynamicsSource))
                ms.dynamicsSource = h5::readAttrString(g, sc::kDynamicsSource);
            if (h5::exists(g, sc::kHeldOutEpochs))
                ms.heldOutEpochs = h5::readArray<std::int32_t>(g, sc::kHeldOutEpochs);
            else
                for (int e = 1; e <= ms.epochsPlanned; ++e)
                    ms.heldOutEpochs.push_back(e);
            if (h5::hasAttr(g, sc::kTrainSeconds))
                ms.trainSeconds = h5::readAttrDouble(g, sc::kTrainSeconds);
            ms.hasScores = h5::exists(g, sc::score("train", sc::kConfidence));
            const auto epochs = h5::readArray<std::int32_t>(g, sc::curve(sc::kCurveEpoch));
            auto col = [&](const char *name) {
                auto v = h5::readArray<double>(g, sc::curve(name));
                if (v.size() < epochs.size())
                    throw StoreError(group + "/" + sc::curve(name) + " is shorter than " + sc::curve(sc::kCurveEpoch));
                return v;
            };
            std::vector<std::vector<double>> values;
            for (const char *name : sc::kCurveValues)
                values.push_back(col(name));
            for (std::size_t e = 0; e < epochs.size(); ++e)
                ms.curves.push_back({epochs[e], values[0][e], values[1][e], values[2][e], values[3][e], values[4][e],
                                     values[5][e], values[6][e], values[7][e]});
            s.models.push_back(std::move(ms));
        }
        m_hasSummary = h5::exists(file, sc::join({sc::kSummary, "train", sc::kGroup}));
    } catch (const StoreError &e) {
        const std::string what = e.what();
        throw StoreError(what.rfind(path + ": ", 0) == 0 ? what : path + ": " + what);
    }
}

RunReader::~RunReader() = default;
RunReader::RunReader(RunReader &&) noexcept = default;
RunReader &RunReader::operator=(RunReader &&) noexcept = default;

RunFileState RunReader::peek(const std::string &path)
{
    h5::Handle file = h5::openFile(path, false);
    if (!h5::hasAttr(file, sc::kFormat) || h5::readAttrString(file, sc::kFormat) != runformat::kFormatName)
        throw StoreError(path + ": not a Prediction Depth Studio run file");
    checkIntegrity(file, path, h5::readAttrInt(file, sc::kFormatVersion));
    RunFileState state;
    state.status = h5::readAttrString(file, sc::kStatus);
    state.hasConfig = h5::hasAttr(file, sc::kConfig);
    if (state.hasConfig)
        state.configJson = h5::readAttrString(file, sc::kConfig);
    const std::string model = sc::modelGroup(0);
    state.modelStarted = h5::exists(file, sc::join({model, sc::kCurves}));
    if (state.modelStarted)
        state.modelStatus = h5::readAttrString(h5::openGroup(file, model), sc::kStatus);
    return state;
}

const std::vector<std::string> &RunReader::summaryNames()
{
    return sc::summaryNames();
}

std::vector<float> RunReader::summaryColumn(const std::string &split, const std::string &name) const
{
    return sc::summaryValues(splitSummary(split), name);
}

std::vector<float> schema::summaryValues(const SplitSummary &s, const std::string &name)
{
    for (const auto &f : kSummaryFloats)
        if (name == f.name)
            return s.*f.member;
    for (const auto &f : kSummaryInts)
        if (name == f.name)
            return std::vector<float>((s.*f.member).begin(), (s.*f.member).end());
    if (name == kGroup)
        return std::vector<float>(s.group.begin(), s.group.end());
    for (const auto &[group, dynamics] : kSplitDynamicsGroups)
        for (const auto &f : kSplitDynamicsFloats)
            if (name == join({group, f.name}))
                return s.*dynamics.*f.member;
    throw StoreError("no study summary array named " + name);
}

const ModelSummary &RunReader::model(int index) const
{
    return m_summary.models.at(static_cast<std::size_t>(index));
}

std::string RunReader::checkpoint(int model, int epoch) const
{
    const auto &ms = this->model(model);
    const std::string path = sc::join({ms.group, sc::kCheckpoint});
    if (!h5::exists(*m_file, path))
        throw StoreError(m_path + ": " + ms.group + " has no checkpoint to resume from");
    h5::Handle ds = h5::openDataset(*m_file, path);
    const auto stored = h5::readAttrInt(ds, sc::kCheckpointEpoch);
    if (stored != epoch)
        throw StoreError(m_path + ": the checkpoint is of epoch " + std::to_string(stored)
                         + " but " + std::to_string(epoch) + " epochs are recorded");
    const auto bytes = h5::readArray<std::uint8_t>(*m_file, path);
    return std::string(bytes.begin(), bytes.end());
}

bool RunReader::has(const std::string &path) const
{
    return h5::exists(*m_file, path);
}

void RunReader::requirePath(const std::string &path) const
{
    if (!h5::exists(*m_file, path))
        throw StoreError(m_path + ": '" + path + "' is missing");
}

std::vector<std::int32_t> RunReader::readInts(const std::string &path, std::vector<std::int64_t> *dims) const
{
    requirePath(path);
    std::vector<hsize_t> shape;
    auto v = h5::readArray<std::int32_t>(*m_file, path, &shape);
    if (dims)
        *dims = toInt64(shape);
    return v;
}

std::vector<float> RunReader::readFloatArray(const std::string &path, std::vector<std::int64_t> *dims) const
{
    requirePath(path);
    std::vector<hsize_t> shape;
    auto v = h5::readArray<float>(*m_file, path, &shape);
    if (dims)
        *dims = toInt64(shape);
    return v;
}

std::vector<double> RunReader::readDoubles(const std::string &path, std::vector<std::int64_t> *dims) const
{
    requirePath(path);
    std::vector<hsize_t> shape;
    auto v = h5::readArray<double>(*m_file, path, &shape);
    if (dims)
        *dims = toInt64(shape);
    return v;
}

std::vector<float> RunReader::dynamicsColumn(int model, const std::string &split, const std::string &name,
                                             std::int64_t example) const
{
    checkSplit(split);
    const std::string path = sc::join({this->model(model).group, sc::dynamics(split, name)});
    requirePath(path);
    return h5::readColumn<float>(*m_file, path, static_cast<hsize_t>(example));
}

std::string RunReader::attribute(const std::string &path, const std::string &name) const
{
    if (!h5::exists(*m_file, path))
        return {};
    h5::Handle obj = h5::openObject(*m_file, path);
    if (!h5::hasAttr(obj, name))
        return {};
    return h5::readAttrString(obj, name);
}

double RunReader::numberAttribute(const std::string &path, const std::string &name, double fallback) const
{
    if (!h5::exists(*m_file, path))
        return fallback;
    h5::Handle obj = h5::openObject(*m_file, path);
    if (!h5::hasAttr(obj, name))
        return fallback;
    return h5::readAttrDouble(obj, name);
}

bool RunReader::hasProbes(int model) const
{
    return h5::exists(*m_file, sc::join({this->model(model).group, sc::kProbes, sc::depth("train")}));
}

std::vector<float> RunReader::depth(int model, const std::string &split) const
{
    return readFloats(sc::join({this->model(model).group, sc::kProbes, sc::depth(split)}),
                      static_cast<std::size_t>(splitSize(split)));
}

const std::vector<std::string> &RunReader::scoreNames()
{
    return sc::scoreNames();
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
    for (const char *name : sc::kSplitArrays) {
        const std::string p = sc::datasetArray(split, name);
        const auto dims = h5::shapeOf(*m_file, p);
        if (dims.size() != 1 || dims[0] != n)
            throw StoreError(p + " should hold " + std::to_string(n) + " values");
    }
}

std::vector<std::int32_t> RunReader::labels(const std::string &split) const
{
    splitSize(split);
    return h5::readArray<std::int32_t>(*m_file, sc::datasetArray(split, sc::kLabel));
}

std::vector<std::int32_t> RunReader::cleanLabels(const std::string &split) const
{
    splitSize(split);
    return h5::readArray<std::int32_t>(*m_file, sc::datasetArray(split, sc::kCleanLabel));
}

std::vector<std::uint8_t> RunReader::noisy(const std::string &split) const
{
    splitSize(split);
    return h5::readArray<std::uint8_t>(*m_file, sc::datasetArray(split, sc::kNoisy));
}

std::vector<std::int64_t> RunReader::sourceIndices(const std::string &split) const
{
    splitSize(split);
    return h5::readArray<std::int64_t>(*m_file, sc::datasetArray(split, sc::kSourceIndex));
}

std::vector<std::uint8_t> RunReader::inTrain(int model) const
{
    const auto &ms = this->model(model);
    auto v = h5::readArray<std::uint8_t>(*m_file, sc::join({ms.group, sc::kInTrain}));
    if (static_cast<std::int64_t>(v.size()) != m_summary.trainSize)
        throw StoreError(m_path + ": " + ms.group + "/" + sc::kInTrain + " has the wrong length");
    return v;
}

std::vector<float> RunReader::readFloats(const std::string &path, std::size_t expected) const
{
    return readSized<float>(path, expected);
}

std::vector<float> RunReader::score(int model, const std::string &split, const std::string &name) const
{
    return readFloats(sc::join({this->model(model).group, sc::score(split, name)}),
                      static_cast<std::size_t>(splitSize(split)));
}

std::vector<float> RunReader::dynamicsRow(int model, const std::string &split,
                                          const std::string &name, int epoch) const
{
    return h5::readRow<float>(*m_file, sc::join({this->model(model).group, sc::dynamics(split, name)}),
                              static_cast<hsize_t>(epoch));
}

template <typename T> std::vector<T> RunReader::readSized(const std::string &path, std::size_t expected) const
{
    std::vector<hsize_t> dims;
    auto v = h5::readArray<T>(*m_file, path, &dims);
    if (dims.size() != 1 || v.size() != expected)
        throw StoreError(m_path + ": " + path + " should hold " + std::to_string(expected) + " values");
    return v;
}

template <typename T> Matrix<T> RunReader::readMatrix(const std::string &path, const std::string &misShaped) const
{
    requirePath(path);
    std::vector<hsize_t> dims;
    Matrix<T> m;
    m.values = h5::readArray<T>(*m_file, path, &dims);
    if (dims.size() != 2)
        throw StoreError(m_path + ": " + misShaped);
    m.rows = static_cast<std::int64_t>(dims[0]);
    m.cols = static_cast<std::int64_t>(dims[1]);
    return m;
}

int RunReader::member(int model) const
{
    h5::Handle g = h5::openGroup(*m_file, this->model(model).group);
    return h5::hasAttr(g, sc::kMember) ? static_cast<int>(h5::readAttrInt(g, sc::kMember)) : 0;
}

ChannelStats RunReader::normalisation() const
{
    h5::Handle d = h5::openGroup(*m_file, sc::kDataset);
    return {h5::readAttrFloats(d, sc::kNormalisationMean), h5::readAttrFloats(d, sc::kNormalisationStd)};
}

Matrix<float> RunReader::finalLogits(int model, const std::string &split) const
{
    const std::string path = sc::join({this->model(model).group, sc::finalSplit(split), sc::kLogits});
    const std::string misShaped = path + " is mis-shaped";
    auto m = readMatrix<float>(path, misShaped);
    if (m.rows != splitSize(split))
        throw StoreError(m_path + ": " + misShaped);
    return m;
}

namespace {

const char *dynamicName(Dynamic d)
{
    return sc::kRecordNames[static_cast<int>(d)];
}

} // namespace

std::vector<float> RunReader::dynamicsRow(int model, const std::string &split, Dynamic name, int epoch) const
{
    return dynamicsRow(model, split, dynamicName(name), epoch);
}

std::vector<float> RunReader::dynamicsColumn(int model, const std::string &split, Dynamic name,
                                             std::int64_t example) const
{
    return dynamicsColumn(model, split, dynamicName(name), example);
}

std::vector<double> RunReader::probeAccuracy(int model, ProbeCurve curve) const
{
    const char *name = sc::kTrainSplitAccuracy;
    switch (curve) {
    case ProbeCurve::TrainAccuracy: name = sc::kTrainSplitAccuracy; break;
    case ProbeCurve::TrainAgreement: name = sc::kTrainSplitAgreement; break;
    case ProbeCurve::ValidationAccuracy: name = sc::kValidationSplitAccuracy; break;
    case ProbeCurve::ValidationAgreement: name = sc::kValidationSplitAgreement; break;
    }
    return readDoubles(sc::join({this->model(model).group, sc::kProbes, name}));
}

ExampleScores RunReader::scores(int model, const std::string &split) const
{
    const std::string group = this->model(model).group;
    const auto n = static_cast<std::size_t>(splitSize(split));
    ExampleScores s;
    for (const auto &f : sc::kScoreInts)
        s.*f.member = readSized<std::int32_t>(sc::join({group, sc::score(split, f.name)}), n);
    for (const auto &f : sc::kScoreFloats)
        s.*f.member = readSized<float>(sc::join({group, sc::score(split, f.name)}), n);
    return s;
}

EpochRecord RunReader::epochRecord(int model, const std::string &split, int epoch) const
{
    const std::string group = this->model(model).group;
    EpochRecord r;
    r.pred = h5::readRow<std::int32_t>(*m_file, sc::join({group, sc::dynamics(split, sc::kPred)}),
                                       static_cast<hsize_t>(epoch));
    for (const auto &f : sc::kRecordFloats)
        r.*f.member = dynamicsRow(model, split, f.name, epoch);
    return r;
}

std::vector<std::int32_t> RunReader::finalPredictions(int model, const std::string &split) const
{
    const std::string path = sc::join({this->model(model).group, sc::score(split, sc::kFinalPred)});
    requirePath(path);
    return readSized<std::int32_t>(path, static_cast<std::size_t>(splitSize(split)));
}

std::vector<std::int32_t> RunReader::predictionDepth(int model, const std::string &split) const
{
    const std::string path = sc::join({this->model(model).group, sc::kProbes, sc::depth(split)});
    requirePath(path);
    return readSized<std::int32_t>(path, static_cast<std::size_t>(splitSize(split)));
}

Matrix<std::int32_t> RunReader::knnPredictions(int model, const std::string &split) const
{
    const std::string group = this->model(model).group;
    const std::string misShaped = group + "/" + sc::kProbes + " k-NN predictions are mis-shaped";
    auto m = readMatrix<std::int32_t>(sc::join({group, sc::kProbes, sc::knnPred(split)}), misShaped);
    if (m.cols != splitSize(split))
        throw StoreError(m_path + ": " + misShaped);
    return m;
}

ProbeSummary RunReader::probeSummary(int model) const
{
    const std::string base = sc::join({this->model(model).group, sc::kProbes});
    h5::Handle g = h5::openGroup(*m_file, base);
    ProbeSummary p;
    p.k = static_cast<int>(h5::readAttrInt(g, sc::kProbeK));
    p.maxFeatures = h5::readAttrInt(g, sc::kMaxFeatures);
    if (h5::hasAttr(g, sc::kEmbeddingsDtype))
        p.embeddingsDtype = h5::readAttrString(g, sc::kEmbeddingsDtype);
    p.probeNames = h5::readAttrStrings(g, sc::kProbeNames);
    p.probeShapes = h5::readAttrStrings(g, sc::kProbeShape);
    p.reducedShapes = h5::readAttrStrings(g, sc::kReducedShape);
    p.embedSeconds = h5::readAttrDouble(g, sc::kEmbedSeconds);
    p.probeSeconds = h5::readAttrDouble(g, sc::kProbeSeconds);
    p.trainSplitAccuracy = h5::readArray<double>(g, sc::kTrainSplitAccuracy);
    p.trainSplitAgreement = h5::readArray<double>(g, sc::kTrainSplitAgreement);
    p.validationSplitAccuracy = h5::readArray<double>(g, sc::kValidationSplitAccuracy);
    p.validationSplitAgreement = h5::readArray<double>(g, sc::kValidationSplitAgreement);
    return p;
}

bool RunReader::hasEmbeddings(int model, const std::string &probe) const
{
    // The group is an external link into the side file; a missing side file reads as absent.
    return h5::exists(*m_file, sc::join({this->model(model).group, sc::embedding("train", probe)}));
}

Matrix<float> RunReader::embeddings(int model, const std::string &probe, const std::string &split) const
{
    const std::string misShaped = "embeddings at " + probe + " are mis-shaped";
    auto m = readMatrix<float>(sc::join({this->model(model).group, sc::embedding(split, probe)}), misShaped);
    if (m.rows != splitSize(split))
        throw StoreError(m_path + ": " + misShaped);
    return m;
}

StoredTraining RunReader::storedTraining(int model) const
{
    StoredTraining t;
    t.epochs = this->model(model).epochsCompleted;
    for (int e = 0; e < t.epochs; ++e)
        for (const auto *split : sc::kSplits)
            (std::string(split) == "train" ? t.trainHistory : t.testHistory).push_back(epochRecord(model, split, e));
    if (t.epochs > 0)
        t.checkpoint = checkpoint(model, t.epochs);
    return t;
}

std::vector<StoredProbeLayer> RunReader::finishedProbeLayers(int model, int layers) const
{
    const std::string base = sc::join({this->model(model).group, sc::kProbesPartial});
    std::vector<StoredProbeLayer> out;
    for (int l = 0; l < layers; ++l) {
        StoredProbeLayer rows;
        const std::string train = sc::join({base, sc::probeLayer("train", l)});
        const std::string test = sc::join({base, sc::probeLayer("test", l)});
        if (has(train) && has(test)) {
            rows.finished = true;
            rows.train = readInts(train);
            rows.test = readInts(test);
        }
        out.push_back(std::move(rows));
    }
    return out;
}

StudyInfo RunReader::studyInfo() const
{
    h5::Handle g = h5::openGroup(*m_file, sc::kSummary);
    StudyInfo info;
    info.groupNames = h5::readAttrStrings(g, sc::kGroupNames);
    info.probes = static_cast<int>(h5::readAttrInt(g, sc::kSummaryProbes));
    info.models = static_cast<int>(h5::readAttrInt(g, sc::kSummaryModels));
    info.thresholds = thresholds();
    return info;
}

GroupThresholds RunReader::thresholds() const
{
    return thresholdsFromJson(attribute(sc::kSummary, sc::kThresholds));
}

MemberSplit RunReader::memberSplit(int model, const std::string &split) const
{
    checkSplit(split);
    const auto n = static_cast<std::size_t>(splitSize(split));
    const int epochs = this->model(model).epochsCompleted;
    MemberSplit sp;
    sp.inTrain = split == "train" ? inTrain(model) : std::vector<std::uint8_t>(n, 0);
    sp.depth = predictionDepth(model, split);
    ExampleScores scores = this->scores(model, split);
    sp.finalPred = std::move(scores.finalPred);
    sp.iterationLearned.assign(scores.iterationLearned.begin(), scores.iterationLearned.end());
    sp.forgettingEvents.assign(scores.forgettingEvents.begin(), scores.forgettingEvents.end());
    sp.confidence = std::move(scores.confidence);
    sp.variability = std::move(scores.variability);
    sp.finalProbGiven = epochs > 0 && n > 0 ? epochRecord(model, split, epochs - 1).probGiven
                                            : std::vector<float>(n, 0.f);
    if (n > 0 && has(sc::join({this->model(model).group, sc::finalSplit(split), sc::kLogits}))) {
        const Matrix<float> logits = finalLogits(model, split);
        const auto k = static_cast<std::size_t>(logits.cols);
        sp.finalProb.resize(logits.values.size());
        for (std::size_t i = 0; i < n; ++i) {
            const float *row = logits.values.data() + i * k;
            const float top = *std::max_element(row, row + k);
            double sum = 0;
            for (std::size_t c = 0; c < k; ++c)
                sum += std::exp(double(row[c] - top));
            for (std::size_t c = 0; c < k; ++c)
                sp.finalProb[i * k + c] = float(std::exp(double(row[c] - top)) / sum);
        }
        // Under train_pass the last dynamics row of a trained-on example is
        // its last minibatch's; the final probability is the trained model's.
        if (this->model(model).dynamicsSource == "train_pass") {
            const auto given = labels(split);
            for (std::size_t i = 0; i < n; ++i)
                sp.finalProbGiven[i] = sp.finalProb[i * k + static_cast<std::size_t>(given[i])];
        }
    }
    return sp;
}

SplitSummary RunReader::splitSummary(const std::string &split) const
{
    const std::string base = sc::summarySplit(split);
    const auto n = static_cast<std::size_t>(splitSize(split));
    if (!has(sc::join({base, sc::kLabelIssue}))) {
        // Written before the scores and the dynamics by split: the study file
        // holds every member, so the summary is computed again from them.
        std::vector<MemberSplit> members;
        try {
            for (int m = 0; m < static_cast<int>(m_summary.models.size()); ++m)
                members.push_back(memberSplit(m, split));
        } catch (const StoreError &e) {
            throw StoreError(m_path + ": the study summary has no scores (an older file) and they cannot be "
                             "computed from its models: " + e.what());
        }
        SplitSummary s = summarise(members, labels(split), static_cast<int>(m_summary.classNames.size()),
                                   studyInfo().probes, thresholds());
        s.recomputed = true;
        return s;
    }
    SplitSummary s;
    for (const auto &f : sc::kSummaryFloats)
        s.*f.member = readSized<float>(sc::join({base, f.name}), n);
    for (const auto &f : sc::kSummaryInts)
        s.*f.member = readSized<std::int32_t>(sc::join({base, f.name}), n);
    for (const auto &[group, dynamics] : sc::kSplitDynamicsGroups)
        for (const auto &f : sc::kSplitDynamicsFloats)
            s.*dynamics.*f.member = readSized<float>(sc::join({base, group, f.name}), n);
    for (const char *name : {sc::kHeldOutDistribution, sc::kHeldOutProbability}) {
        const std::string path = sc::join({base, name});
        const std::string misShaped = path + " is mis-shaped";
        const auto held = readMatrix<float>(path, misShaped);
        if (held.cols != static_cast<std::int64_t>(m_summary.classNames.size())
            || held.rows != static_cast<std::int64_t>(n))
            throw StoreError(m_path + ": " + misShaped);
        (std::string(name) == sc::kHeldOutDistribution ? s.heldOutDistribution : s.heldOutProbability) = held.values;
    }
    for (const auto g : readSized<std::int32_t>(sc::join({base, sc::kGroup}), n))
        s.group.push_back(static_cast<std::int8_t>(g));
    return s;
}
} // namespace pds
