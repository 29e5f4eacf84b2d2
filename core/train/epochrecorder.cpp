#include "train/epochrecorder.h"

#include <cstring>
#include <limits>

namespace pds {

EpochRecorder::EpochRecorder(std::int64_t examples, torch::Device device) : m_examples(examples), m_device(device)
{
    reset();
}

void EpochRecorder::reset()
{
    auto floats = torch::TensorOptions().dtype(torch::kFloat32).device(m_device);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    m_pred = torch::full({m_examples}, EpochRecord::kUnrecorded, floats.dtype(torch::kInt32));
    m_probGiven = torch::full({m_examples}, nan, floats);
    m_margin = torch::full({m_examples}, nan, floats);
    m_loss = torch::full({m_examples}, nan, floats);
    m_el2n = torch::full({m_examples}, nan, floats);
}

void EpochRecorder::add(const torch::Tensor &indices, const torch::Tensor &logitsIn, const torch::Tensor &labels)
{
    torch::NoGradGuard noGrad;
    const auto logits = logitsIn.detach().to(torch::kFloat32);
    const auto y = labels.unsqueeze(1);
    auto logp = torch::log_softmax(logits, 1);
    auto lpGiven = logp.gather(1, y).squeeze(1);
    auto p = logp.exp();
    auto pGiven = lpGiven.exp();
    auto givenLogit = logits.gather(1, y).squeeze(1);
    auto others = logits.scatter(1, y, -std::numeric_limits<float>::infinity());
    // ‖p − e_y‖² = Σp² − 2p_y + 1
    auto el2n = (p.pow(2).sum(1) - 2 * pGiven + 1).clamp_min(0).sqrt();
    m_pred.index_copy_(0, indices, logits.argmax(1).to(torch::kInt32));
    m_probGiven.index_copy_(0, indices, pGiven);
    m_margin.index_copy_(0, indices, givenLogit - std::get<0>(others.max(1)));
    m_loss.index_copy_(0, indices, -lpGiven);
    m_el2n.index_copy_(0, indices, el2n);
}

EpochRecord EpochRecorder::take()
{
    EpochRecord r;
    const auto n = static_cast<std::size_t>(m_examples);
    r.resize(n);
    auto copy = [](const torch::Tensor &t, auto &dst) {
        using T = typename std::decay_t<decltype(dst)>::value_type;
        auto host = t.cpu().contiguous();
        if (!dst.empty())
            std::memcpy(dst.data(), host.template data_ptr<T>(), dst.size() * sizeof(T));
    };
    copy(m_pred, r.pred);
    copy(m_probGiven, r.probGiven);
    copy(m_margin, r.margin);
    copy(m_loss, r.loss);
    copy(m_el2n, r.el2n);
    reset();
    return r;
}

} // namespace pds
