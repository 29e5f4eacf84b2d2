#pragma once

#include <string>

namespace pds {

/// What the training device "auto" can choose from on this machine.
struct DeviceInfo {
    bool cuda = false;
    int cudaDevices = 0;
    std::string description; ///< e.g. "CPU (2 threads)" or "CUDA: 1 device"
};

/// Probes LibTorch once for CUDA devices; a torch-free way for the Studio to ask.
DeviceInfo availableDevices();

} // namespace pds
