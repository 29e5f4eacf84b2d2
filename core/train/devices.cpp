#include "train/devices.h"

#include "util/autocast.h"

#include <torch/torch.h>

#include <algorithm>
#include <thread>

#if defined(__linux__)
#include <dlfcn.h>
#endif

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
            d.description = "CPU (" + std::to_string(threads) + (threads == 1 ? " thread" : " threads");
            d.description += cpuHasNativeBf16() ? ", bf16 matrix units)" : ")";
        }
        return d;
    }();
    return info;
}

void setComputeThreads(int threads)
{
    const int n = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    at::set_num_threads(n);
#if defined(__linux__)
    // LibTorch's count does not reach an OpenBLAS built with its own threads
    // (Debian's): its matrix products would start a thread per core in every
    // process, and single-threaded member processes trained side by side
    // would share the cores twice over. Looked up at run time, so any BLAS links.
    using SetThreads = void (*)(int);
    if (auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads")))
        set(n);
#endif
}

} // namespace pds
