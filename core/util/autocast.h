#pragma once

#include <ATen/autocast_mode.h>
#include <torch/version.h>

namespace pds {

/// Enables bf16 autocast on CUDA for a scope (thread-local, like autocast
/// itself). The autocast API changed in LibTorch 2.4; both are supported.
class AutocastScope {
public:
    explicit AutocastScope(bool enable) : m_enabled(enable)
    {
        if (!m_enabled)
            return;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
        at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
        at::autocast::set_autocast_enabled(at::kCUDA, true);
#else
        at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
        at::autocast::set_enabled(true);
#endif
    }
    ~AutocastScope()
    {
        if (!m_enabled)
            return;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
        at::autocast::set_autocast_enabled(at::kCUDA, false);
#else
        at::autocast::set_enabled(false);
#endif
        at::autocast::clear_cache();
    }
    AutocastScope(const AutocastScope &) = delete;
    AutocastScope &operator=(const AutocastScope &) = delete;

private:
    bool m_enabled;
};

} // namespace pds
