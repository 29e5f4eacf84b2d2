#include "probe/neighbours.h"

#include "probe/knnprobe.h"
#include "store/runreader.h"
#include "train/job.h"
#include "util/error.h"

#include <torch/torch.h>

#include <map>
#include <mutex>

namespace pds {

namespace {

/// Support probes are kept while their float32 copies stay under this size.
constexpr std::int64_t kCacheBytes = std::int64_t(1) << 30;

torch::Tensor toTensor(Matrix<float> &&m)
{
    auto values = std::make_shared<std::vector<float>>(std::move(m.values));
    return torch::from_blob(values->data(), {m.rows, m.cols}, [values](void *) {}, torch::kFloat32);
}

} // namespace

struct NeighbourSearch::State {
    std::string path;
    int model = 0;
    int k = 0;
    int numClasses = 0;
    std::vector<std::string> probes, missing;
    std::vector<std::int32_t> trainLabels;
    std::vector<std::uint8_t> inTrain;
    torch::Tensor supportIdx; ///< int64 [S]: train-split index of each support row
    torch::Tensor position;   ///< int64 [N_train]: support row of each train example, -1 if held out
    mutable std::mutex mutex;
    mutable std::map<std::string, std::shared_ptr<KnnProbe>> probesCache;
    mutable std::map<std::string, torch::Tensor> supportCache;
    mutable std::int64_t cachedBytes = 0;
};

NeighbourSearch::NeighbourSearch(std::string runPath, int model) : m_state(std::make_unique<State>())
{
    State &s = *m_state;
    s.path = std::move(runPath);
    s.model = model;
    RunReader run(s.path);
    if (model < 0 || model >= static_cast<int>(run.summary().models.size()))
        throw StoreError(s.path + ": no model " + std::to_string(model));
    if (!run.hasProbes(model))
        throw StoreError(s.path + ": model " + std::to_string(model) + " has no k-NN probes (train with --probe)");
    const ProbeSummary probes = run.probeSummary(model);
    s.k = probes.k;
    s.numClasses = static_cast<int>(run.summary().classNames.size());
    for (const auto &p : probes.probeNames)
        (run.hasEmbeddings(model, p) ? s.probes : s.missing).push_back(p);
    if (s.probes.empty())
        throw StoreError(s.path + ": model " + std::to_string(model)
                         + " stores no embeddings (train with --embeddings all)");
    s.trainLabels = run.labels("train");
    s.inTrain = run.inTrain(model);
    // The same support rows as the probe stage: the model's training examples in index order.
    const auto n = static_cast<std::int64_t>(s.inTrain.size());
    auto mask = torch::from_blob(s.inTrain.data(), {n}, torch::kUInt8).to(torch::kBool);
    s.supportIdx = torch::nonzero(mask).squeeze(1);
    s.position = torch::full({n}, -1, torch::kLong);
    s.position.index_put_({s.supportIdx}, torch::arange(s.supportIdx.size(0), torch::kLong));
}

NeighbourSearch::~NeighbourSearch() = default;

int NeighbourSearch::model() const { return m_state->model; }
int NeighbourSearch::k() const { return m_state->k; }
const std::vector<std::string> &NeighbourSearch::probeNames() const { return m_state->probes; }
const std::vector<std::string> &NeighbourSearch::missingProbes() const { return m_state->missing; }

ExampleNeighbours NeighbourSearch::neighbours(const std::string &split, std::int64_t index,
                                              const CancelToken *cancel) const
{
    torch::NoGradGuard noGrad;
    const State &s = *m_state;
    std::lock_guard<std::mutex> lock(s.mutex);
    if (split != "train" && split != "test")
        throw Error("neighbours: unknown split '" + split + "'");
    const bool train = split == "train";
    ExampleNeighbours out;
    out.model = s.model;
    out.split = split;
    out.index = index;
    out.k = s.k;
    const std::int64_t self = train && index >= 0 && index < static_cast<std::int64_t>(s.inTrain.size())
                                  ? s.position[index].item<std::int64_t>()
                                  : -1;
    out.leftOut = self >= 0;
    const auto supportLabels = torch::from_blob(const_cast<std::int32_t *>(s.trainLabels.data()),
                                                {static_cast<std::int64_t>(s.trainLabels.size())}, torch::kInt32)
                                   .to(torch::kLong)
                                   .index_select(0, s.supportIdx);
    KnnOptions knn;
    knn.k = s.k;
    RunReader run(s.path);
    for (const auto &probe : s.probes) {
        if (cancel)
            cancel->check();
        torch::Tensor trainEmb;
        std::shared_ptr<KnnProbe> knnProbe;
        torch::Tensor support;
        if (auto it = s.probesCache.find(probe); it != s.probesCache.end()) {
            knnProbe = it->second;
            support = s.supportCache.at(probe);
        } else {
            trainEmb = toTensor(run.embeddings(s.model, probe, "train"));
            support = trainEmb.index_select(0, s.supportIdx);
            knnProbe = std::make_shared<KnnProbe>(support, supportLabels, s.numClasses, knn);
            const std::int64_t bytes = support.numel() * std::int64_t(sizeof(float));
            if (s.cachedBytes + bytes <= kCacheBytes) {
                s.probesCache[probe] = knnProbe;
                s.supportCache[probe] = support;
                s.cachedBytes += bytes;
            }
        }
        torch::Tensor query;
        if (train) {
            if (!trainEmb.defined() && self >= 0)
                query = support[self].unsqueeze(0);
            else {
                if (!trainEmb.defined())
                    trainEmb = toTensor(run.embeddings(s.model, probe, "train"));
                if (index < 0 || index >= trainEmb.size(0))
                    throw Error("neighbours: no train example " + std::to_string(index));
                query = trainEmb[index].unsqueeze(0).clone();
            }
        } else {
            auto testEmb = toTensor(run.embeddings(s.model, probe, "test"));
            if (index < 0 || index >= testEmb.size(0))
                throw Error("neighbours: no test example " + std::to_string(index));
            query = testEmb[index].unsqueeze(0).clone();
        }
        const auto rows = knnProbe->neighbours(query, torch::full({1}, self, torch::kLong))[0];
        const auto labels = supportLabels.index_select(0, rows);
        ProbeNeighbours p;
        p.probe = probe;
        p.vote = static_cast<int>(voteNearestFirst(labels.unsqueeze(0), s.numClasses)[0].item<std::int64_t>());
        p.votes.assign(static_cast<std::size_t>(s.numClasses), 0);
        const auto examples = s.supportIdx.index_select(0, rows);
        const auto distances = (support.index_select(0, rows) - query).pow(2).sum(1).sqrt();
        for (std::int64_t j = 0; j < rows.size(0); ++j) {
            p.examples.push_back(examples[j].item<std::int64_t>());
            const auto label = static_cast<std::int32_t>(labels[j].item<std::int64_t>());
            p.labels.push_back(label);
            p.distances.push_back(distances[j].item<float>());
            if (label >= 0 && label < s.numClasses)
                ++p.votes[static_cast<std::size_t>(label)];
        }
        out.probes.push_back(std::move(p));
    }
    return out;
}

ExampleNeighbours neighbours(const std::string &runPath, int model, const std::string &split,
                             std::int64_t index, const CancelToken *cancel)
{
    return NeighbourSearch(runPath, model).neighbours(split, index, cancel);
}

} // namespace pds
