// The probe stage alone (runProbes: every probe's leave-one-out k-NN over both
// splits, depth and accuracies) on the embeddings a member stored, timed, and
// checked against the k-NN predictions and depths the member's run stored.
// bench/probestage_reference.py times the plain PyTorch k-NN on the same
// embeddings; bench/probestage.sh runs both.
//
// usage: bench_probestage MEMBER.h5 [threads] [repeats]
//   (a member file of a study run with --embeddings all)

#include "models/model.h"
#include "probe/probestage.h"
#include "store/runreader.h"
#include "train/config.h"
#include "train/devices.h"
#include "util/allocator.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <string>

namespace {

torch::Tensor halfOf(const pds::Matrix<float> &m)
{
    // The stored embeddings are float16 values: the probe stage computes from exactly these.
    return torch::from_blob(const_cast<float *>(m.values.data()), {m.rows, m.cols}, torch::kFloat32)
        .to(torch::kHalf);
}

torch::Tensor longOf(const std::vector<std::int32_t> &v)
{
    return torch::from_blob(const_cast<std::int32_t *>(v.data()), {static_cast<std::int64_t>(v.size())},
                            torch::kInt32)
        .to(torch::kLong);
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_probestage MEMBER.h5 [threads] [repeats]\n");
        return 2;
    }
    try {
        const std::string path = argv[1];
        const int threads = argc > 2 ? std::stoi(argv[2]) : 2;
        const int repeats = argc > 3 ? std::stoi(argv[3]) : 3;
        pds::keepFreedMemory();
        pds::setComputeThreads(threads);
        pds::RunReader r(path);
        const pds::RunConfig config = pds::runConfigFromJson(r.summary().configJson);
        const auto &model = r.summary().models.at(0);
        const int classes = static_cast<int>(r.summary().classNames.size());
        pds::ModelSpec spec = config.model;
        spec.arch = model.arch;
        const auto trainLabels = r.labels("train"), testLabels = r.labels("test");
        const pds::MemberSplit train = r.memberSplit(0, "train"), test = r.memberSplit(0, "test");

        pds::ProbeEmbeddings stored;
        std::int64_t dims = 0;
        for (const auto &probe : model.probeNames) {
            if (!r.hasEmbeddings(0, probe))
                throw std::runtime_error(path + " has no embeddings at " + probe + " (run the study with --embeddings all)");
            stored.perProbe.push_back(torch::cat({halfOf(r.embeddings(0, probe, "train")),
                                                  halfOf(r.embeddings(0, probe, "test"))}));
            dims += stored.perProbe.back().size(1);
        }
        // runProbes asks the model only for its probe names and the images only for their device.
        spec.inChannels = std::max(spec.inChannels, 1);
        spec.height = spec.height > 0 ? spec.height : 28;
        spec.width = spec.width > 0 ? spec.width : 28;
        spec.numOutputs = classes;
        auto net = pds::makeModel(spec);
        if (net->probeNames() != model.probeNames)
            throw std::runtime_error("the model built from the configuration has other probes than " + path);
        pds::DeviceSplit trainSplit{torch::empty({static_cast<std::int64_t>(trainLabels.size()), 1, 1, 1}),
                                    longOf(trainLabels)};
        pds::DeviceSplit testSplit{torch::empty({static_cast<std::int64_t>(testLabels.size()), 1, 1, 1}),
                                   longOf(testLabels)};
        pds::ProbeOptions po;
        po.k = config.study.k;

        double best = 1e30;
        pds::ProbeResults result;
        for (int rep = 0; rep < repeats; ++rep) {
            pds::ProbeEmbeddings ready = stored; // shares the tensors; runProbes empties its copy
            pds::CancelToken cancel;
            const auto t0 = std::chrono::steady_clock::now();
            result = pds::runProbes(*net, trainSplit, testSplit, train.inTrain, train.finalPred, test.finalPred,
                                    classes, po, cancel, nullptr, {}, {}, {}, &ready);
            best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        }
        const auto knnTrain = r.knnPredictions(0, "train"), knnTest = r.knnPredictions(0, "test");
        const bool same = result.trainKnn == knnTrain.values && result.testKnn == knnTest.values
                          && result.trainDepth == train.depth && result.testDepth == test.depth;
        std::printf("{\"impl\": \"pdepth-probe-stage\", \"probes\": %d, \"queries\": %zu, \"support\": %lld, "
                    "\"dims\": %lld, \"k\": %d, \"threads\": %d, \"seconds\": %.3f, "
                    "\"same_as_stored\": %s}\n",
                    result.probes, trainLabels.size() + testLabels.size(),
                    static_cast<long long>(std::count(train.inTrain.begin(), train.inTrain.end(), 1)),
                    static_cast<long long>(dims), po.k, threads, best, same ? "true" : "false");
        return same ? 0 : 1;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "bench_probestage: %s\n", e.what());
        return 1;
    }
}
