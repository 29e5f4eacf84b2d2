// k-NN probe speed: our blocked matmul + top-k probe against FAISS flat L2
// (CPU) on the same random embeddings. Writes the embeddings to a raw file so
// the PyTorch reference (knn_reference.py) can time itself on identical data.
//
// usage: bench_knn [queries] [support] [dim] [k] [threads] [raw-out]

#include "probe/knnprobe.h"

#include <torch/torch.h>

#ifdef PDS_HAVE_FAISS
#include <faiss/IndexFlat.h>
#include <omp.h>
#endif

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>

namespace {

double bestOf(int repeats, const std::function<void()> &f)
{
    double best = 1e30;
    for (int r = 0; r < repeats; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        f();
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return best;
}

} // namespace

int main(int argc, char **argv)
{
    const std::int64_t q = argc > 1 ? std::stoll(argv[1]) : 10000;
    const std::int64_t s = argc > 2 ? std::stoll(argv[2]) : 10000;
    const std::int64_t d = argc > 3 ? std::stoll(argv[3]) : 512;
    const int k = argc > 4 ? std::stoi(argv[4]) : 30;
    const int threads = argc > 5 ? std::stoi(argv[5]) : 2;
    const std::string raw = argc > 6 ? argv[6] : "";
    at::set_num_threads(threads);
    torch::manual_seed(0);
    auto device = torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
    auto support = torch::randn({s, d});
    auto queries = torch::randn({q, d});
    auto labels = torch::randint(0, 10, {s}, torch::kLong);
    if (!raw.empty()) {
        std::ofstream out(raw, std::ios::binary);
        out.write(reinterpret_cast<const char *>(support.data_ptr<float>()), support.numel() * 4);
        out.write(reinterpret_cast<const char *>(queries.data_ptr<float>()), queries.numel() * 4);
    }
    auto selfIndex = torch::full({q}, -1, torch::kLong);

    pds::KnnProbe probe(support.to(device), labels.to(device), 10, {k});
    auto qd = queries.to(device);
    auto sd = selfIndex.to(device);
    torch::Tensor ours;
    const double tOurs = bestOf(3, [&] {
        ours = probe.neighbours(qd, sd);
        if (device.is_cuda())
            torch::cuda::synchronize();
    });
    std::printf("{\"impl\": \"pdepth-knn\", \"device\": \"%s\", \"queries\": %ld, \"support\": %ld, \"dim\": %ld, "
                "\"k\": %d, \"threads\": %d, \"seconds\": %.4f}\n",
                device.is_cuda() ? "cuda" : "cpu", long(q), long(s), long(d), k, threads, tOurs);

#ifdef PDS_HAVE_FAISS
    omp_set_num_threads(threads);
    faiss::IndexFlatL2 index(d);
    index.add(s, support.data_ptr<float>());
    std::vector<float> dist(static_cast<std::size_t>(q * k));
    std::vector<faiss::Index::idx_t> idx(static_cast<std::size_t>(q * k));
    const double tFaiss = bestOf(3, [&] { index.search(q, queries.data_ptr<float>(), k, dist.data(), idx.data()); });
    // Agreement of the neighbour sets (ties aside they are identical).
    auto faissIdx = torch::from_blob(idx.data(), {q, k}, torch::kLong);
    auto oursCpu = ours.cpu();
    const double same = oursCpu.select(1, 0).eq(faissIdx.select(1, 0)).to(torch::kFloat).mean().item<double>();
    std::printf("{\"impl\": \"faiss-flat-l2\", \"device\": \"cpu\", \"queries\": %ld, \"support\": %ld, \"dim\": %ld, "
                "\"k\": %d, \"threads\": %d, \"seconds\": %.4f, \"nearest_agreement\": %.4f}\n",
                long(q), long(s), long(d), k, threads, tFaiss, same);
#endif
    return 0;
}
