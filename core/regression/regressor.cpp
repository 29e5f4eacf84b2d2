#include "regression/regressor.h"

#include "data/transforms.h"
#include "train/checkpoint.h"
#include "train/schedule.h"
#include "util/error.h"

#include <cmath>

namespace pds {

EpochLearner::EpochLearner(ModelPtr model, TrainConfig config, Loss loss)
    : m_model(std::move(model)), m_config(std::move(config)), m_loss(loss)
{
    if (m_config.optimizer == Optimizer::Adam)
        m_optimizer = std::make_unique<torch::optim::Adam>(
            m_model->parameters(), torch::optim::AdamOptions(m_config.lr).weight_decay(m_config.weightDecay));
    else
        m_optimizer = std::make_unique<torch::optim::SGD>(
            m_model->parameters(),
            torch::optim::SGDOptions(m_config.lr).momentum(m_config.momentum).weight_decay(m_config.weightDecay));
}

double EpochLearner::trainEpoch(const torch::Tensor &images, const torch::Tensor &targets,
                                const std::vector<std::int64_t> &indices, int epoch, Rng &rng,
                                const CancelToken &cancel)
{
    if (indices.empty())
        return 0.0;
    const double lr = scheduledLr(m_config, epoch);
    for (auto &group : m_optimizer->param_groups()) {
        if (auto *sgd = dynamic_cast<torch::optim::SGDOptions *>(&group.options()))
            sgd->lr(lr);
        else if (auto *adam = dynamic_cast<torch::optim::AdamOptions *>(&group.options()))
            adam->lr(lr);
    }
    std::vector<std::int64_t> order = indices;
    rng.shuffle(order);
    const auto device = images.device();
    const auto all = torch::tensor(order, torch::kInt64).to(device);
    m_model->train();
    torch::Tensor sum = torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat64).device(device));
    const auto n = static_cast<std::int64_t>(order.size());
    std::int64_t steps = 0;
    for (std::int64_t start = 0; start < n; start += m_config.batchSize) {
        cancel.check();
        const auto batch = all.slice(0, start, std::min(n, start + m_config.batchSize));
        const auto x = images.index_select(0, batch);
        const auto y = targets.index_select(0, batch);
        const auto out = m_model->run(x, false).logits;
        const auto loss = m_loss == Loss::Mse ? torch::mse_loss(out.squeeze(1), y) : torch::cross_entropy_loss(out, y);
        m_optimizer->zero_grad();
        loss.backward();
        m_optimizer->step();
        sum += loss.detach().to(torch::kFloat64);
        ++steps;
    }
    const double mean = sum.item<double>() / double(steps);
    if (!std::isfinite(mean))
        throw DivergenceError("training diverged: the loss became " + std::to_string(mean) + " in epoch "
                              + std::to_string(epoch + 1));
    return mean;
}

torch::Tensor EpochLearner::outputs(const torch::Tensor &images, torch::Tensor *features)
{
    torch::NoGradGuard noGrad;
    m_model->eval();
    std::vector<torch::Tensor> outs, feats;
    const auto n = images.size(0);
    for (std::int64_t start = 0; start < n; start += m_config.evalBatchSize) {
        const auto x = images.slice(0, start, std::min(n, start + m_config.evalBatchSize));
        auto r = m_model->run(x, features != nullptr);
        outs.push_back(r.logits.to(torch::kFloat32));
        if (features)
            feats.push_back(r.probes[r.probes.size() - 2].flatten(1).to(torch::kFloat32));
    }
    if (features)
        *features = n ? torch::cat(feats) : torch::Tensor();
    return n ? torch::cat(outs) : torch::zeros({0, 1});
}

void EpochLearner::save(torch::serialize::OutputArchive &archive, const std::string &key)
{
    auto own = newArchive();
    writeLearnerState(own, *m_model, *m_optimizer);
    archive.write(key, own);
}

void EpochLearner::load(torch::serialize::InputArchive &archive, const std::string &key)
{
    torch::serialize::InputArchive own;
    archive.read(key, own);
    readLearnerState(own, *m_model, *m_optimizer);
    // Loading adopts the checkpoint's memory layout; the model's own layout wins.
    m_model->setChannelsLast(m_model->channelsLast());
}

} // namespace pds
