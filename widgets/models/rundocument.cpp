#include "models/rundocument.h"

#include "data/catalogue.h"
#include "data/dataset.h"
#include "data/targetdataset.h"
#include "models/regressionrun.h"
#include "store/guardedopen.h"
#include "train/config.h"
#include "util/error.h"

#include <QFileInfo>

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
        {"label_issue", "Label-issue score", "How little the held-out models believe the given label (0–1)", false},
        {"ambiguity", "Ambiguity score", "Held-out probability spread evenly over classes, decided late (0–1)", false},
        {"rarity", "Rarity score", "Known when trained on, not when held out, decided late, no other class dominating (0–1)", false},
        {"easiness", "Easiness score", "Held-out belief in the label, decided early (0–1)", false},
        {"trained_confidence", "Confidence when trained on", "Mean final probability of the given label over models that trained on the example", false},
        {"iteration_learned", "Iteration learned", "First epoch from which the prediction stays at its final value (studies: over models that trained on the example)", false},
        {"forgetting_events", "Forgetting events", "Correct-to-wrong transitions between consecutive epochs (studies: over models that trained on the example)", false},
        {"confidence", "Confidence", "Mean probability of the given label over epochs, data maps (studies: over models that trained on the example)", false},
        {"variability", "Variability", "Standard deviation of the probability of the given label over epochs (studies: over models that trained on the example)", false},
        {"iteration_learned_held_out", "Iteration learned, held out", "Iteration learned over the models that held the example out", false},
        {"forgetting_events_held_out", "Forgetting events, held out", "Forgetting events over the models that held the example out", false},
        {"confidence_held_out", "Confidence, held out", "Data-map confidence over the models that held the example out", false},
        {"variability_held_out", "Variability, held out", "Data-map variability over the models that held the example out", false},
        {"correctness", "Correctness", "Share of epochs whose prediction equals the given label", false},
        {"el2n", "EL2N", "Norm of the softmax error against the given label", false},
        {"loss", "Loss", "Cross-entropy against the given label after the last epoch (mean over models)", false},
    };
    return infos;
}

/// The images a regression run was made from, as a Dataset indexed by the
/// run's source indices: the rotation benchmark's source dataset (unrotated),
/// or the target folder's images in CSV row order.
Dataset regressionImages(const RegressionRun &run, const DatasetSpec &spec)
{
    if (run.datasetInfo().format != "csv")
        return loadDataset(spec);
    TargetDataset folder = loadTargetFolder(spec.path.empty() ? run.datasetInfo().source : spec.path);
    Dataset d;
    d.name = folder.name;
    d.format = folder.format;
    d.source = folder.source;
    d.channels = folder.channels;
    d.height = folder.height;
    d.width = folder.width;
    d.train.images = std::move(folder.train.images);
    d.train.labels.resize(static_cast<std::size_t>(folder.train.size()));
    d.test.images = std::move(folder.test.images);
    d.test.labels.resize(static_cast<std::size_t>(folder.test.size()));
    return d;
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

std::unique_ptr<RunDocument> RunDocument::openChecked(const QString &path)
{
    const std::string unguarded = verifyBeforeOpening(path.toStdString());
    auto document = std::make_unique<RunDocument>(path);
    if (!unguarded.empty())
        document->m_openNote = QString::fromStdString(unguarded);
    return document;
}

QStringList RunDocument::warnings() const
{
    QStringList out;
    if (m_reader)
        for (const auto &w : m_reader->warnings())
            out << QString::fromStdString(w.message);
    if (!m_openNote.isEmpty())
        out << m_openNote;
    return out;
}

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
    if (isRegressionFile(m_path.toStdString())) {
        m_models.clear();
        return loadRegression();
    }
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
        // As merged, per split: the columns, and what regrouping needs.
        m_splitSummaries = {reader.splitSummary("train"), reader.splitSummary("test")};
        const SplitSummary &train = m_splitSummaries[0], &test = m_splitSummaries[1];
        const std::vector<std::pair<const char *, std::vector<float> SplitSummary::*>> fields = {
            {"depth_train", &SplitSummary::depthTrainMean}, {"depth_val", &SplitSummary::depthValMean},
            {"depth_train_std", &SplitSummary::depthTrainStd}, {"depth_val_std", &SplitSummary::depthValStd},
            {"consistency", &SplitSummary::consistency}, {"memorisation", &SplitSummary::memorisation},
            {"held_out_confidence", &SplitSummary::heldOutConfidence},
            {"accuracy_trained", &SplitSummary::accuracyTrained},
            {"trained_confidence", &SplitSummary::trainedConfidence},
            {"label_issue", &SplitSummary::labelIssue}, {"ambiguity", &SplitSummary::ambiguity},
            {"rarity", &SplitSummary::rarity}, {"easiness", &SplitSummary::easiness}};
        for (const auto &[column, field] : fields)
            add(QString::fromLatin1(column), joined(train.*field, test.*field));
        // Data maps and forgetting are defined on examples being trained on: the
        // plain names are the trained-on means, the held-out ones are kept apart.
        const std::vector<std::pair<const char *, std::vector<float> SplitDynamics::*>> dynamics = {
            {"iteration_learned", &SplitDynamics::iterationLearned},
            {"forgetting_events", &SplitDynamics::forgettingEvents},
            {"confidence", &SplitDynamics::confidence}, {"variability", &SplitDynamics::variability}};
        for (const auto &[column, field] : dynamics) {
            add(QString::fromLatin1(column), joined(train.trained.*field, test.trained.*field));
            add(QString::fromLatin1(column) + QStringLiteral("_held_out"), joined(train.heldOut.*field, test.heldOut.*field));
        }
        m_thresholds = reader.thresholds();
        m_groups = joined(train.group, test.group);
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
            if (m_summary.models[0].hasScores) {
                const ExampleScores train = reader.scores(0, "train"), test = reader.scores(0, "test");
                auto asFloats = [](const std::vector<std::int32_t> &a, const std::vector<std::int32_t> &b) {
                    std::vector<float> out(a.begin(), a.end());
                    out.insert(out.end(), b.begin(), b.end());
                    return out;
                };
                add(QStringLiteral("iteration_learned"), asFloats(train.iterationLearned, test.iterationLearned));
                add(QStringLiteral("forgetting_events"), asFloats(train.forgettingEvents, test.forgettingEvents));
                add(QStringLiteral("confidence"), joined(train.confidence, test.confidence));
                add(QStringLiteral("variability"), joined(train.variability, test.variability));
                add(QStringLiteral("correctness"), joined(train.correctness, test.correctness));
                add(QStringLiteral("el2n"), joined(train.el2n, test.el2n));
            }
        }
    }

    // Loss after the last recorded epoch, averaged over models that have one.
    std::vector<float> loss(static_cast<std::size_t>(size()), 0.0f);
    int counted = 0;
    for (int m = 0; m < modelCount(); ++m) {
        const int epochs = m_summary.models[static_cast<std::size_t>(m)].epochsCompleted;
        if (epochs <= 0)
            continue;
        const auto l = both([&](const char *split) { return reader.dynamicsRow(m, split, Dynamic::Loss, epochs - 1); });
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
    assignGroups(m_splitSummaries[0], trainLabels, numClasses(), m_thresholds);
    assignGroups(m_splitSummaries[1], testLabels, numClasses(), m_thresholds);
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
        const auto train = m_reader->knnPredictions(model, "train");
        const auto test = m_reader->knnPredictions(model, "test");
        if (test.rows != train.rows)
            throw StoreError(m_path.toStdString() + ": the k-NN predictions of " + ms.group + " are mis-shaped");
        const auto p = static_cast<std::size_t>(train.rows);
        const std::size_t nTrain = static_cast<std::size_t>(m_trainSize), nTest = static_cast<std::size_t>(m_testSize);
        c->knnPred.resize(p * (nTrain + nTest));
        for (std::size_t l = 0; l < p; ++l) {
            std::copy_n(train.values.begin() + std::ptrdiff_t(l * nTrain), nTrain, c->knnPred.begin() + std::ptrdiff_t(l * (nTrain + nTest)));
            std::copy_n(test.values.begin() + std::ptrdiff_t(l * nTest), nTest,
                        c->knnPred.begin() + std::ptrdiff_t(l * (nTrain + nTest) + nTrain));
        }
        c->depth = joined(m_reader->predictionDepth(model, "train"), m_reader->predictionDepth(model, "test"));
    }
    if (ms.hasScores)
        c->finalPred = joined(m_reader->finalPredictions(model, "train"), m_reader->finalPredictions(model, "test"));
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
    t.probGiven = m_reader->dynamicsColumn(model, r.split(), Dynamic::ProbGiven, r.index);
    for (float v : m_reader->dynamicsColumn(model, r.split(), Dynamic::Pred, r.index))
        t.pred.push_back(static_cast<std::int32_t>(v));
    return t;
}

std::vector<double> RunDocument::probeAccuracy(int model, ProbeCurve curve) const
{
    if (!hasProbes(model))
        return {};
    return m_reader->probeAccuracy(model, curve);
}

bool RunDocument::hasEmbeddings(int model) const
{
    if (model < 0 || model >= modelCount() || m_probeNames.isEmpty())
        return false;
    return m_reader->hasEmbeddings(model, m_probeNames.front().toStdString());
}

RunDocument::EmbeddingRequest RunDocument::embeddingRequest(int model, int probe) const
{
    if (probe < 0 || probe >= probeCount())
        throw Error("no probe " + std::to_string(probe));
    if (model < 0 || model >= modelCount())
        throw Error("no model " + std::to_string(model) + " in " + m_path.toStdString());
    return {m_path, model, m_probeNames[probe].toStdString(), m_trainSize, m_testSize};
}

std::vector<float> RunDocument::readEmbeddings(const EmbeddingRequest &request, int *dim)
{
    const RunReader reader(request.path.toStdString());
    auto train = reader.embeddings(request.model, request.probe, "train");
    const auto test = reader.embeddings(request.model, request.probe, "test");
    if (train.cols != test.cols || train.rows != request.trainSize || test.rows != request.testSize)
        throw StoreError(request.path.toStdString() + ": embeddings at " + request.probe + " are mis-shaped");
    train.values.insert(train.values.end(), test.values.begin(), test.values.end());
    if (dim)
        *dim = static_cast<int>(train.cols);
    return std::move(train.values);
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
        auto dataset = std::make_shared<Dataset>(m_regression ? regressionImages(*m_regression, spec) : loadDataset(spec));
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
    // The rotation benchmark stores the source image's index; its angle is the clean target.
    std::vector<std::uint8_t> rotated;
    if (m_regression && m_regression->datasetInfo().format == "rotation") {
        const float angle = test ? m_regression->cleanTest()[static_cast<std::size_t>(example - m_trainSize)]
                                 : m_regression->cleanTrain()[static_cast<std::size_t>(example)];
        rotated = rotateImage(pixels, c, h, w, angle);
        pixels = rotated.data();
    }
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
        m_regression = std::move(fresh.m_regression);
        m_models.clear();
    }
    Q_EMIT reloaded();
}

} // namespace pds
