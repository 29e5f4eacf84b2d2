#include "train/devices.h"

#include <torch/torch.h>

#include <algorithm>
#include <thread>

namespace pds {

DeviceInfo availableDevices()
{
    static const DeviceInfo info = [] {
        DeviceInfo d;
        d.cuda = torch::cuda::is_available();
        d.cudaDevices = d.cuda ? static_cast<int>(torch::cuda::device_count()) : 0;
        if (d.cuda) {
            d.description = "CUDA: " + std::to_string(d.cudaDevices) + (d.cudaDevices == 1 ? " device" : " devices");
        } else {
            // A run with threads = 0 uses every core the system reports (see RunJob).
            const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
            d.description = "CPU (" + std::to_string(threads) + (threads == 1 ? " thread)" : " threads)");
        }
        return d;
    }();
    return info;
}

void setComputeThreads(int threads)
{
    at::set_num_threads(threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

} // namespace pds
