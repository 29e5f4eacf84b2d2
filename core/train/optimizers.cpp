#include "train/optimizers.h"

#include <map>
#include <sstream>
#include <type_traits>

namespace pds {

namespace {

/// The key LibTorch files a parameter's state under: the TensorImpl address,
/// as a string in LibTorch 1.13 and as a pointer from 2.0 on.
template <class StateMap>
typename StateMap::key_type stateKey(const torch::Tensor &p)
{
    using Key = typename StateMap::key_type;
    if constexpr (std::is_same_v<Key, std::string>) {
        std::ostringstream s;
        s << p.unsafeGetTensorImpl();
        return s.str();
    } else {
        return static_cast<Key>(p.unsafeGetTensorImpl());
    }
}

template <class State, class StateMap>
State *findState(StateMap &states, const torch::Tensor &p)
{
    auto it = states.find(stateKey<StateMap>(p));
    return it == states.end() ? nullptr : static_cast<State *>(it->second.get());
}

torch::Tensor evaluateClosure(const torch::optim::Optimizer::LossClosure &closure)
{
    if (!closure)
        return {};
    at::AutoGradMode enableGrad(true);
    return closure();
}

} // namespace

torch::Tensor MultiTensorSGD::step(LossClosure closure)
{
    torch::NoGradGuard noGrad;
    auto loss = evaluateClosure(closure);
    for (auto &group : param_groups_) {
        const auto &o = static_cast<const torch::optim::SGDOptions &>(group.options());
        std::vector<torch::Tensor> params, grads;
        for (const auto &p : group.params()) {
            if (!p.grad().defined())
                continue;
            TORCH_CHECK(!p.grad().is_sparse(), "MultiTensorSGD does not handle sparse gradients");
            params.push_back(p);
            grads.push_back(p.grad());
        }
        if (params.empty())
            continue;
        // d = g + wd·p, a new list: the gradients themselves stay as backward left them.
        auto d = o.weight_decay() != 0
                     ? at::_foreach_add(grads, params, at::Scalar(o.weight_decay()))
                     : grads;
        if (o.momentum() != 0) {
            std::vector<torch::Tensor> bufs, dOfBufs, all(params.size());
            for (std::size_t i = 0; i < params.size(); ++i) {
                if (auto *s = findState<torch::optim::SGDParamState>(state_, params[i])) {
                    bufs.push_back(s->momentum_buffer());
                    dOfBufs.push_back(d[i]);
                    all[i] = s->momentum_buffer();
                } else {
                    // The first step starts the buffer at d, as LibTorch's SGD does.
                    auto state = std::make_unique<torch::optim::SGDParamState>();
                    state->momentum_buffer(torch::clone(d[i]).detach());
                    all[i] = state->momentum_buffer();
                    state_[stateKey<decltype(state_)>(params[i])] = std::move(state);
                }
            }
            if (!bufs.empty()) {
                at::_foreach_mul_(bufs, at::Scalar(o.momentum()));
                at::_foreach_add_(bufs, dOfBufs, at::Scalar(1 - o.dampening()));
            }
            if (o.nesterov())
                d = at::_foreach_add(d, all, at::Scalar(o.momentum()));
            else
                d = std::move(all);
        }
        at::_foreach_add_(params, d, at::Scalar(-o.lr()));
    }
    return loss;
}

torch::Tensor MultiTensorAdam::step(LossClosure closure)
{
    for (const auto &group : param_groups_)
        if (static_cast<const torch::optim::AdamOptions &>(group.options()).amsgrad())
            return torch::optim::Adam::step(std::move(closure));

    torch::NoGradGuard noGrad;
    auto loss = evaluateClosure(closure);
    for (auto &group : param_groups_) {
        const auto &o = static_cast<const torch::optim::AdamOptions &>(group.options());
        const double beta1 = std::get<0>(o.betas());
        const double beta2 = std::get<1>(o.betas());
        // Parameters whose step counts agree share one bias correction; in
        // practice a group has a single count.
        struct Batch {
            std::vector<torch::Tensor> params, grads, avg, avgSq;
        };
        std::map<std::int64_t, Batch> byStep;
        for (const auto &p : group.params()) {
            if (!p.grad().defined())
                continue;
            TORCH_CHECK(!p.grad().is_sparse(), "MultiTensorAdam does not handle sparse gradients");
            auto *s = findState<torch::optim::AdamParamState>(state_, p);
            if (!s) {
                auto state = std::make_unique<torch::optim::AdamParamState>();
                state->step(0);
                state->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
                state->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
                s = state.get();
                state_[stateKey<decltype(state_)>(p)] = std::move(state);
            }
            s->step(s->step() + 1);
            auto &b = byStep[s->step()];
            b.params.push_back(p);
            b.grads.push_back(p.grad());
            b.avg.push_back(s->exp_avg());
            b.avgSq.push_back(s->exp_avg_sq());
        }
        for (auto &[step, b] : byStep) {
            const double correction1 = 1 - std::pow(beta1, double(step));
            const double correction2 = 1 - std::pow(beta2, double(step));
            auto g = o.weight_decay() != 0
                         ? at::_foreach_add(b.grads, b.params, at::Scalar(o.weight_decay()))
                         : b.grads;
            at::_foreach_mul_(b.avg, at::Scalar(beta1));
            at::_foreach_add_(b.avg, g, at::Scalar(1 - beta1));
            at::_foreach_mul_(b.avgSq, at::Scalar(beta2));
            at::_foreach_addcmul_(b.avgSq, g, g, at::Scalar(1 - beta2));
            auto denom = at::_foreach_sqrt(b.avgSq);
            at::_foreach_div_(denom, at::Scalar(std::sqrt(correction2)));
            at::_foreach_add_(denom, at::Scalar(o.eps()));
            at::_foreach_addcdiv_(b.params, b.avg, denom, at::Scalar(-o.lr() / correction1));
        }
    }
    return loss;
}

void clearGradients(torch::optim::Optimizer &optimizer)
{
    for (auto &group : optimizer.param_groups())
        for (auto &p : group.params())
            if (p.grad().defined()) {
                if (p.grad().is_cuda())
                    p.mutable_grad().reset();
                else
                    p.mutable_grad().zero_();
            }
}

} // namespace pds
