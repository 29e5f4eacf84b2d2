#include "models/rundocument.h"

#include "data/catalogue.h"
#include "data/dataset.h"
#include "train/config.h"
#include "util/error.h"

#include <QFileInfo>

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

namespace pds {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

template <typename T> std::vector<T> joined(std::vector<T> a, const std::vector<T> &b)
{
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

/// Labels, descriptions and whether a column holds integers, by column name.
struct ColumnInfo {
    const char *name;
    const char *label;
    const char *description;
    bool integer;
};

const std::vector<ColumnInfo> &columnInfos()
{
    static const std::vector<ColumnInfo> infos = {
        {"depth_train", "Train-split depth", "Effective prediction depth over the models that trained on the example", false},
        {"depth_val", "Validation-split depth", "Effective prediction depth over the models that held the example out", false},
        {"depth_train_std", "Train-split depth spread", "Standard deviation of the train-split depth over models", false},
        {"depth_val_std", "Validation-split depth spread", "Standard deviation of the validation-split depth over models", false},
        {"consistency", "Consistency", "Share of held-out models predicting the given label", false},
        {"memorisation", "Memorisation", "Accuracy when trained on minus accuracy when held out", false},
        {"held_out_confidence", "Held-out confidence", "Mean final probability of the given label over held-out models", false},
        {"accuracy_trained", "Accuracy when trained on", "Share of models that trained on the example and predict its label", false},
        {"iteration_learned", "Iteration learned", "First epoch from which the prediction stays at its final value", false},
        {"forgetting_events", "Forgetting events", "Correct-to-wrong transitions between consecutive epochs", false},
        {"confidence", "Confidence", "Mean probability of the given label over epochs (data maps)", false},
        {"variability", "Variability", "Standard deviation of the probability of the given label over epochs", false},
        {"correctness", "Correctness", "Share of epochs whose prediction equals the given label", false},
        {"el2n", "EL2N", "Norm of the softmax error against the given label", false},
        {"loss", "Loss", "Cross-entropy against the given label after the last epoch (mean over models)", false},
    };
    return infos;
}

GroupThresholds thresholdsFromJson(const std::string &text)
{
    GroupThresholds t;
    const auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_object())
        return t;
    auto take = [&](const char *key, double &field) {
        if (j.contains(key) && j[key].is_number())
            field = j[key].get<double>();
    };
    take("easy_depth", t.easyDepth);
    take("high_depth", t.highDepth);
    take("consistent", t.consistent);
    take("dominant", t.dominant);
    take("mislabeled_confidence", t.mislabeledConfidence);
    take("split", t.split);
    take("memorised", t.memorised);
    take("held_out_wrong", t.heldOutWrong);
    take("memorisation", t.memorisation);
    return t;
}

} // namespace

/// What the views read of one model, loaded on first use.
struct RunDocument::ModelCache {
    bool probes = false;
    std::vector<std::int32_t> knnPred; ///< [P, size()] with both splits side by side per probe row
    std::vector<std::int32_t> depth;   ///< [size()]
    std::vector<std::uint8_t> inTrain; ///< [trainSize]
    std::vector<std::int32_t> finalPred; ///< [size()] or empty
};

RunDocument::RunDocument(const QString &path, QObject *parent) : QObject(parent), m_path(path)
{
    load();
}

RunDocument::~RunDocument() = default;

QString RunDocument::title() const
{
    return QFileInfo(m_path).fileName();
}

QString RunDocument::configJson() const
{
    return QString::fromStdString(m_summary.configJson);
}

bool RunDocument::isLive() const
{
    return m_path.endsWith(QLatin1String(".part")) || m_summary.status == "running";
}

QString RunDocument::className(int label) const
{
    if (label >= 0 && label < m_classNames.size())
        return m_classNames[label];
    return label < 0 ? QStringLiteral("–") : QString::number(label);
}

ExampleRef RunDocument::ref(std::int64_t example) const
{
    if (example < m_trainSize)
        return {false, example};
    return {true, example - m_trainSize};
}

QString RunDocument::exampleName(std::int64_t example) const
{
    const ExampleRef r = ref(example);
    return QStringLiteral("%1 %2").arg(QLatin1String(r.split())).arg(r.index);
}

const ScoreColumn *RunDocument::column(const QString &name) const
{
    for (const auto &c : m_columns)
        if (c.name == name)
            return &c;
    return nullptr;
}

QStringList RunDocument::groupLabels()
{
    QStringList out;
    for (const auto &n : groupNames())
        out << QString::fromStdString(n);
    return out;
}

void RunDocument::load()
{
    auto reader = std::make_unique<RunReader>(m_path.toStdString());
    const RunSummary &s = reader->summary();
    m_summary = s;
    m_trainSize = s.trainSize;
    m_testSize = s.testSize;
    m_classNames.clear();
    for (const auto &n : s.classNames)
        m_classNames << QString::fromStdString(n);
    m_labels = joined(reader->labels("train"), reader->labels("test"));
    m_cleanLabels = joined(reader->cleanLabels("train"), reader->cleanLabels("test"));
    m_noisy = joined(reader->noisy("train"), reader->noisy("test"));
    m_sourceIndices = joined(reader->sourceIndices("train"), reader->sourceIndices("test"));
    m_isStudy = reader->hasSummary();
    m_probeNames.clear();
    for (int m = 0; m < static_cast<int>(s.models.size()); ++m) {
        if (reader->hasProbes(m)) {
            for (const auto &n : s.models[static_cast<std::size_t>(m)].probeNames)
                m_probeNames << QString::fromStdString(n);
            break;
        }
    }
    m_models.clear();
    buildColumns(*reader);
    m_reader = std::move(reader);
}

void RunDocument::buildColumns(RunReader &reader)
{
    m_columns.clear();
    m_splitSummaries.clear();
    auto add = [&](const QString &name, std::vector<float> values) {
        for (const auto &info : columnInfos()) {
            if (name == QLatin1String(info.name)) {
                m_columns.push_back({name, QString::fromUtf8(info.label), QString::fromUtf8(info.description),
                                     info.integer, std::move(values)});
                return;
            }
        }
    };
    auto both = [&](auto read) { return joined(read("train"), read("test")); };

    if (m_isStudy) {
        const std::vector<std::pair<const char *, const char *>> names = {
            {"depth_train", "depth_train_mean"}, {"depth_val", "depth_val_mean"},
            {"depth_train_std", "depth_train_std"}, {"depth_val_std", "depth_val_std"},
            {"consistency", "consistency"}, {"memorisation", "memorisation"},
            {"held_out_confidence", "held_out_confidence"}, {"accuracy_trained", "accuracy_trained"},
            {"iteration_learned", "iteration_learned"}, {"forgetting_events", "forgetting_events"},
            {"confidence", "confidence"}, {"variability", "variability"}};
        for (const auto &[column, stored] : names)
            add(QString::fromLatin1(column),
                both([&](const char *split) { return reader.summaryColumn(split, stored); }));
        // What regrouping needs, per split, as merged.
        const int k = numClasses();
        for (const char *split : {"train", "test"}) {
            SplitSummary ss;
            ss.depthTrainMean = reader.summaryColumn(split, "depth_train_mean");
            ss.depthValMean = reader.summaryColumn(split, "depth_val_mean");
            for (float v : reader.summaryColumn(split, "models_train"))
                ss.modelsTrain.push_back(static_cast<std::int32_t>(v));
            for (float v : reader.summaryColumn(split, "models_val"))
                ss.modelsVal.push_back(static_cast<std::int32_t>(v));
            std::vector<hsize_t> dims;
            ss.heldOutDistribution = reader.readFloatArray(std::string("summary/") + split + "/held_out_distribution", &dims);
            if (dims.size() != 2 || dims[1] != static_cast<hsize_t>(k) || dims[0] != ss.depthValMean.size())
                throw StoreError(m_path.toStdString() + ": summary/" + split + "/held_out_distribution is mis-shaped");
            ss.consistency = reader.summaryColumn(split, "consistency");
            ss.heldOutConfidence = reader.summaryColumn(split, "held_out_confidence");
            ss.accuracyTrained = reader.summaryColumn(split, "accuracy_trained");
            ss.accuracyHeldOut = reader.summaryColumn(split, "accuracy_held_out");
            ss.memorisation = reader.summaryColumn(split, "memorisation");
            for (float v : reader.summaryColumn(split, "group"))
                ss.group.push_back(static_cast<std::int8_t>(v));
            m_splitSummaries.push_back(std::move(ss));
        }
        m_thresholds = thresholdsFromJson(reader.attribute("summary", "thresholds"));
        m_groups = joined(m_splitSummaries[0].group, m_splitSummaries[1].group);
    } else {
        m_groups.assign(static_cast<std::size_t>(size()), static_cast<std::int8_t>(DifficultyGroup::Other));
        if (!m_summary.models.empty()) {
            if (reader.hasProbes(0)) {
                const auto inTrain = reader.inTrain(0);
                std::vector<float> depthTrain(static_cast<std::size_t>(size()), kNaN), depthVal = depthTrain;
                const auto dTrain = reader.depth(0, "train");
                const auto dTest = reader.depth(0, "test");
                for (std::size_t i = 0; i < dTrain.size(); ++i)
                    (inTrain[i] ? depthTrain : depthVal)[i] = dTrain[i];
                for (std::size_t i = 0; i < dTest.size(); ++i)
                    depthVal[dTrain.size() + i] = dTest[i];
                add("depth_train", std::move(depthTrain));
                add("depth_val", std::move(depthVal));
            }
            if (m_summary.models[0].hasScores)
                for (const char *name : {"iteration_learned", "forgetting_events", "confidence", "variability",
                                         "correctness", "el2n"})
                    add(QString::fromLatin1(name),
                        both([&](const char *split) { return reader.score(0, split, name); }));
        }
    }

    // Loss after the last recorded epoch, averaged over models that have one.
    std::vector<float> loss(static_cast<std::size_t>(size()), 0.0f);
    int counted = 0;
    for (int m = 0; m < modelCount(); ++m) {
        const int epochs = m_summary.models[static_cast<std::size_t>(m)].epochsCompleted;
        if (epochs <= 0)
            continue;
        const auto l = both([&](const char *split) { return reader.dynamicsRow(m, split, "loss", epochs - 1); });
        for (std::size_t i = 0; i < loss.size(); ++i)
            loss[i] += l[i];
        ++counted;
    }
    if (counted > 0) {
        for (float &v : loss)
            v /= float(counted);
        add("loss", std::move(loss));
    }
}

void RunDocument::setThresholds(const GroupThresholds &thresholds)
{
    m_thresholds = thresholds;
    recomputeGroups();
    Q_EMIT groupsChanged();
}

void RunDocument::recomputeGroups()
{
    if (!m_isStudy)
        return;
    const std::vector<std::int32_t> trainLabels(m_labels.begin(), m_labels.begin() + m_trainSize);
    const std::vector<std::int32_t> testLabels(m_labels.begin() + m_trainSize, m_labels.end());
    assignGroups(m_splitSummaries[0], trainLabels, numClasses(), probeCount(), m_thresholds);
    assignGroups(m_splitSummaries[1], testLabels, numClasses(), probeCount(), m_thresholds);
    m_groups = joined(m_splitSummaries[0].group, m_splitSummaries[1].group);
}

RunDocument::ModelCache &RunDocument::cache(int model) const
{
    if (model < 0 || model >= modelCount())
        throw Error("no model " + std::to_string(model) + " in " + m_path.toStdString());
    auto &slot = m_models[model];
    if (slot)
        return *slot;
    auto c = std::make_unique<ModelCache>();
    const auto &ms = m_summary.models[static_cast<std::size_t>(model)];
    c->inTrain = m_reader->inTrain(model);
    if (m_reader->hasProbes(model)) {
        c->probes = true;
        std::vector<hsize_t> dTrain, dTest;
        const auto train = m_reader->readInts(ms.group + "/probes/knn_pred_train", &dTrain);
        const auto test = m_reader->readInts(ms.group + "/probes/knn_pred_test", &dTest);
        const std::size_t p = dTrain.empty() ? 0 : dTrain[0];
        const std::size_t nTrain = static_cast<std::size_t>(m_trainSize), nTest = static_cast<std::size_t>(m_testSize);
        if (dTrain.size() != 2 || dTest.size() != 2 || dTest[0] != p || dTrain[1] != nTrain || dTest[1] != nTest)
            throw StoreError(m_path.toStdString() + ": " + ms.group + "/probes k-NN predictions are mis-shaped");
        c->knnPred.resize(p * (nTrain + nTest));
        for (std::size_t l = 0; l < p; ++l) {
            std::copy_n(train.begin() + std::ptrdiff_t(l * nTrain), nTrain, c->knnPred.begin() + std::ptrdiff_t(l * (nTrain + nTest)));
            std::copy_n(test.begin() + std::ptrdiff_t(l * nTest), nTest,
                        c->knnPred.begin() + std::ptrdiff_t(l * (nTrain + nTest) + nTrain));
        }
        c->depth = joined(m_reader->readInts(ms.group + "/probes/depth_train"),
                          m_reader->readInts(ms.group + "/probes/depth_test"));
    }
    if (ms.hasScores)
        c->finalPred = joined(m_reader->readInts(ms.group + "/scores/train/final_pred"),
                              m_reader->readInts(ms.group + "/scores/test/final_pred"));
    slot = std::move(c);
    return *slot;
}

bool RunDocument::hasProbes(int model) const
{
    return model >= 0 && model < modelCount() && cache(model).probes;
}

std::vector<std::int32_t> RunDocument::knnPredictions(int model, std::int64_t example) const
{
    const ModelCache &c = cache(model);
    if (!c.probes)
        return {};
    const auto n = static_cast<std::size_t>(size());
    const std::size_t p = c.knnPred.size() / n;
    std::vector<std::int32_t> out(p);
    for (std::size_t l = 0; l < p; ++l)
        out[l] = c.knnPred[l * n + static_cast<std::size_t>(example)];
    return out;
}

int RunDocument::depth(int model, std::int64_t example) const
{
    const ModelCache &c = cache(model);
    return c.probes ? c.depth[static_cast<std::size_t>(example)] : -1;
}

bool RunDocument::trainedOn(int model, std::int64_t example) const
{
    const ModelCache &c = cache(model);
    return example < m_trainSize && c.inTrain[static_cast<std::size_t>(example)] != 0;
}

int RunDocument::finalPrediction(int model, std::int64_t example) const
{
    const ModelCache &c = cache(model);
    return c.finalPred.empty() ? -1 : c.finalPred[static_cast<std::size_t>(example)];
}

RunDocument::EpochTrace RunDocument::epochTrace(int model, std::int64_t example) const
{
    cache(model); // checks the model index
    const ExampleRef r = ref(example);
    EpochTrace t;
    if (m_summary.models[static_cast<std::size_t>(model)].epochsCompleted <= 0)
        return t;
    t.probGiven = m_reader->dynamicsColumn(model, r.split(), "prob_given", r.index);
    for (float v : m_reader->dynamicsColumn(model, r.split(), "pred", r.index))
        t.pred.push_back(static_cast<std::int32_t>(v));
    return t;
}

std::vector<double> RunDocument::probeAccuracy(int model, const QString &which) const
{
    if (!hasProbes(model))
        return {};
    return m_reader->readDoubles(m_summary.models[static_cast<std::size_t>(model)].group + "/probes/"
                                 + which.toStdString());
}

bool RunDocument::hasEmbeddings(int model) const
{
    if (model < 0 || model >= modelCount() || m_probeNames.isEmpty())
        return false;
    const auto &ms = m_summary.models[static_cast<std::size_t>(model)];
    // The group is an external link into the side file; a missing side file reads as absent.
    return m_reader->has(ms.group + "/embeddings/train/" + m_probeNames.front().toStdString());
}

RunDocument::EmbeddingRequest RunDocument::embeddingRequest(int model, int probe) const
{
    if (probe < 0 || probe >= probeCount())
        throw Error("no probe " + std::to_string(probe));
    const auto &ms = m_summary.models.at(static_cast<std::size_t>(model));
    return {m_path, ms.group, m_probeNames[probe].toStdString(), m_trainSize, m_testSize};
}

std::vector<float> RunDocument::readEmbeddings(const EmbeddingRequest &request, int *dim)
{
    const RunReader reader(request.path.toStdString());
    const std::string base = request.group + "/embeddings/";
    std::vector<hsize_t> dTrain, dTest;
    auto out = reader.readFloatArray(base + "train/" + request.probe, &dTrain);
    const auto test = reader.readFloatArray(base + "test/" + request.probe, &dTest);
    if (dTrain.size() != 2 || dTest.size() != 2 || dTrain[1] != dTest[1]
        || dTrain[0] != static_cast<hsize_t>(request.trainSize) || dTest[0] != static_cast<hsize_t>(request.testSize))
        throw StoreError(request.path.toStdString() + ": embeddings at " + request.probe + " are mis-shaped");
    out.insert(out.end(), test.begin(), test.end());
    if (dim)
        *dim = static_cast<int>(dTrain[1]);
    return out;
}

std::vector<float> RunDocument::embeddings(int model, int probe, int *dim) const
{
    return readEmbeddings(embeddingRequest(model, probe), dim);
}

bool RunDocument::loadImages() const
{
    std::lock_guard<std::mutex> lock(m_imageMutex);
    if (m_imagesTried)
        return m_dataset != nullptr;
    m_imagesTried = true;
    try {
        DatasetSpec spec;
        if (!m_summary.configJson.empty())
            spec = runConfigFromJson(m_summary.configJson).dataset;
        if (spec.path.empty() && !m_summary.datasetSource.empty())
            spec.path = m_summary.datasetSource;
        auto dataset = std::make_shared<Dataset>(loadDataset(spec));
        if (dataset->channels != m_summary.channels || dataset->height != m_summary.height
            || dataset->width != m_summary.width)
            throw DatasetError(dataset->source, "images are not the shape this run was trained on");
        m_dataset = std::move(dataset);
    } catch (const std::exception &e) {
        m_imageError = QString::fromStdString(e.what());
    }
    return m_dataset != nullptr;
}

QString RunDocument::imageError() const
{
    std::lock_guard<std::mutex> lock(m_imageMutex);
    return m_imageError;
}

QImage RunDocument::image(std::int64_t example) const
{
    if (!loadImages())
        return {};
    bool test = false;
    std::int64_t source = 0;
    {
        // reload() swaps these while gallery threads ask for images.
        std::lock_guard<std::mutex> lock(m_imageMutex);
        if (example < 0 || example >= size())
            return {};
        const ExampleRef r = ref(example);
        test = r.test;
        source = m_sourceIndices[static_cast<std::size_t>(example)];
    }
    const Split &split = test ? m_dataset->test : m_dataset->train;
    if (source < 0 || source >= split.size())
        return {};
    const int c = m_dataset->channels, h = m_dataset->height, w = m_dataset->width;
    const std::uint8_t *pixels = split.images.data() + source * m_dataset->imageSize();
    if (c == 1) {
        QImage img(w, h, QImage::Format_Grayscale8);
        for (int y = 0; y < h; ++y)
            std::copy_n(pixels + y * w, w, img.scanLine(y));
        return img;
    }
    QImage img(w, h, QImage::Format_RGB888);
    for (int y = 0; y < h; ++y) {
        uchar *line = img.scanLine(y);
        for (int x = 0; x < w; ++x)
            for (int ch = 0; ch < 3; ++ch)
                line[x * 3 + ch] = pixels[std::min(ch, c - 1) * h * w + y * w + x];
    }
    return img;
}

void RunDocument::reload()
{
    // Load into a fresh document first, so a file that cannot be read leaves this one as it was.
    RunDocument fresh(m_path);
    if (m_isStudy && fresh.m_isStudy) {
        fresh.m_thresholds = m_thresholds;
        fresh.recomputeGroups();
    }
    {
        std::lock_guard<std::mutex> lock(m_imageMutex);
        m_summary = std::move(fresh.m_summary);
        m_isStudy = fresh.m_isStudy;
        m_probeNames = fresh.m_probeNames;
        m_classNames = fresh.m_classNames;
        m_trainSize = fresh.m_trainSize;
        m_testSize = fresh.m_testSize;
        m_labels = std::move(fresh.m_labels);
        m_cleanLabels = std::move(fresh.m_cleanLabels);
        m_noisy = std::move(fresh.m_noisy);
        m_sourceIndices = std::move(fresh.m_sourceIndices);
        m_columns = std::move(fresh.m_columns);
        m_groups = std::move(fresh.m_groups);
        m_thresholds = fresh.m_thresholds;
        m_splitSummaries = std::move(fresh.m_splitSummaries);
        m_reader = std::move(fresh.m_reader);
        m_models.clear();
    }
    Q_EMIT reloaded();
}

} // namespace pds
