#include "compare/transfer.h"

#include "train/trainer.h"
#include "util/error.h"

namespace pds {

TransferData loadTransferData(const DatasetSpec &spec, std::int64_t limit, std::int64_t testLimit,
                              std::uint64_t seed)
{
    TransferData t;
    t.data = loadDataset(spec);
    Dataset &d = t.data;
    if (limit > 0 && limit < d.train.size())
        d.train = selectExamples(d.train, stratifiedSubset(d.train.labels, d.numClasses(), limit, seed),
                                 d.imageSize());
    if (testLimit > 0 && testLimit < d.test.size())
        d.test = selectExamples(d.test, stratifiedSubset(d.test.labels, d.numClasses(), testLimit, seed + 1),
                                d.imageSize());
    t.stats = channelStats(d.train, d.channels, d.height, d.width);
    return t;
}

namespace {

/// The penultimate features of every example of `split`, [N, F] float32 on `device`.
torch::Tensor penultimateFeatures(ProbedModelImpl &model, const DeviceSplit &split, int batchSize)
{
    torch::NoGradGuard noGrad;
    model.eval();
    std::vector<torch::Tensor> parts;
    for (std::int64_t start = 0; start < split.size(); start += batchSize) {
        const auto end = std::min<std::int64_t>(split.size(), start + batchSize);
        auto probes = model.run(split.images.slice(0, start, end), true).probes;
        auto f = probes.at(probes.size() - 2).to(torch::kFloat32);
        if (f.dim() == 4)
            f = f.mean({2, 3});
        parts.push_back(f.reshape({f.size(0), -1}));
    }
    return torch::cat(parts);
}

} // namespace

double transferAccuracy(ProbedModelImpl &model, const TransferData &data, const TransferProbeOptions &options,
                        torch::Device device)
{
    const Dataset &d = data.data;
    const DeviceSplit train = uploadSplit(d.train, d.channels, d.height, d.width, data.stats, device);
    const DeviceSplit test = uploadSplit(d.test, d.channels, d.height, d.width, data.stats, device);
    if (train.size() == 0 || test.size() == 0)
        throw ConfigError("the transfer dataset " + d.name + " needs train and test examples");
    auto xTrain = penultimateFeatures(model, train, options.batchSize);
    auto xTest = penultimateFeatures(model, test, options.batchSize);
    // Standardised with the train split's statistics, so one learning rate suits every model.
    const auto mean = xTrain.mean(0, true);
    const auto std = xTrain.std(0, /*unbiased=*/false, /*keepdim=*/true).clamp_min(1e-6);
    xTrain = (xTrain - mean) / std;
    xTest = (xTest - mean) / std;

    torch::manual_seed(0);
    torch::nn::Linear probe(torch::nn::LinearOptions(xTrain.size(1), d.numClasses()));
    probe->to(device);
    torch::optim::Adam opt(probe->parameters(), torch::optim::AdamOptions(options.lr));
    for (int step = 0; step < options.steps; ++step) {
        auto loss = torch::nn::functional::cross_entropy(probe->forward(xTrain), train.labels);
        opt.zero_grad();
        loss.backward();
        opt.step();
    }
    torch::NoGradGuard noGrad;
    const auto hits = probe->forward(xTest).argmax(1).eq(test.labels).sum().item<std::int64_t>();
    return double(hits) / double(test.size());
}

} // namespace pds
