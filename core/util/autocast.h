#pragma once

#include <ATen/autocast_mode.h>
#include <c10/core/Device.h>
#include <torch/version.h>

namespace pds {

/// Whether this CPU has bf16 matrix instructions (AMX-BF16 or AVX512-BF16),
/// on which oneDNN runs bf16 convolutions and matrix products natively; on
/// other CPUs bf16 is emulated and slower than float32.
bool cpuHasNativeBf16();

/// Whether mixed precision, when asked for, is used on `device`: on CUDA
/// always, on the CPU where it has bf16 matrix instructions.
bool mixedPrecisionUsed(bool requested, const c10::Device &device);

/// Enables bf16 autocast for a scope on `device` (thread-local, like autocast
/// itself) when mixedPrecisionUsed says so. The autocast API changed in
/// LibTorch 2.4; both are supported.
class AutocastScope {
public:
    AutocastScope(const c10::Device &device, bool requested)
        : m_enabled(mixedPrecisionUsed(requested, device)), m_cuda(device.is_cuda())
    {
        if (!m_enabled)
            return;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
        const auto type = m_cuda ? at::kCUDA : at::kCPU;
        at::autocast::set_autocast_dtype(type, at::kBFloat16);
        at::autocast::set_autocast_enabled(type, true);
#else
        if (m_cuda) {
            at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
            at::autocast::set_enabled(true);
        } else {
            at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
            at::autocast::set_cpu_enabled(true);
        }
#endif
    }
    ~AutocastScope()
    {
        if (!m_enabled)
            return;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
        at::autocast::set_autocast_enabled(m_cuda ? at::kCUDA : at::kCPU, false);
#else
        if (m_cuda)
            at::autocast::set_enabled(false);
        else
            at::autocast::set_cpu_enabled(false);
#endif
        at::autocast::clear_cache();
    }
    AutocastScope(const AutocastScope &) = delete;
    AutocastScope &operator=(const AutocastScope &) = delete;

private:
    bool m_enabled;
    bool m_cuda;
};

} // namespace pds
