#pragma once

#include <string>

namespace pds {

/// What the training device "auto" can choose from on this machine.
struct DeviceInfo {
    bool cuda = false;
    int cudaDevices = 0;
    std::string description; ///< e.g. "CPU (2 threads, bf16 matrix units)" or "CUDA: 1 device"
};

/// Probes LibTorch once for CUDA devices; a torch-free way for the Studio to ask.
DeviceInfo availableDevices();

/// Sets LibTorch's CPU thread count (0 = every core the system reports); it
/// starts with one on some machines, which halves the speed of CPU work.
void setComputeThreads(int threads);

} // namespace pds
