#include "probe/probestage.h"

#include "probe/knnprobe.h"
#include "util/error.h"

#include <chrono>

namespace pds {

namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::int32_t> toHost(const torch::Tensor &t)
{
    auto c = t.to(torch::kCPU, torch::kInt32).contiguous();
    return std::vector<std::int32_t>(c.data_ptr<std::int32_t>(), c.data_ptr<std::int32_t>() + c.numel());
}

torch::Tensor fromHost(const std::vector<std::int32_t> &v, torch::Device device)
{
    return torch::from_blob(const_cast<std::int32_t *>(v.data()), {static_cast<std::int64_t>(v.size())},
                            torch::kInt32)
        .to(device, torch::kLong);
}

} // namespace

ProbeEmbeddings embedSplits(ProbedModelImpl &model, const DeviceSplit &train, const DeviceSplit &test,
                            const ProbeOptions &options)
{
    const auto t0 = Clock::now();
    ProbeEmbeddings e;
    torch::Tensor logits;
    e.perProbe = extractEmbeddings(model, {train.images, test.images}, options.batchSize, options.maxFeatures,
                                   options.mixedPrecision, &e.reductions, options.dtype, &logits);
    const auto nTrain = train.size(), nTest = test.size();
    if (logits.defined()) {
        e.trainLogits = logits.slice(0, 0, nTrain);
        if (nTest > 0)
            e.testLogits = logits.slice(0, nTrain, nTrain + nTest);
    }
    if (train.images.is_cuda())
        torch::cuda::synchronize();
    e.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    return e;
}

ProbeResults runProbes(ProbedModelImpl &model, const DeviceSplit &train, const DeviceSplit &test,
                       const std::vector<std::uint8_t> &inTrain,
                       const std::vector<std::int32_t> &trainFinalPred,
                       const std::vector<std::int32_t> &testFinalPred, int numClasses,
                       const ProbeOptions &options, const CancelToken &cancel,
                       JobObserver *observer, const EmbeddingSink &sink, const std::vector<LayerRows> &done,
                       const LayerSink &layerSink, ProbeEmbeddings *ready)
{
    torch::NoGradGuard noGrad;
    const auto device = train.images.device();
    const auto nTrain = train.size(), nTest = test.size();
    if (static_cast<std::int64_t>(inTrain.size()) != nTrain
        || static_cast<std::int64_t>(trainFinalPred.size()) != nTrain
        || static_cast<std::int64_t>(testFinalPred.size()) != nTest)
        throw Error("probe stage: per-example arrays do not match the splits");

    ProbeResults r;
    r.probeNames = model.probeNames();
    r.probes = static_cast<int>(r.probeNames.size());
    const int p = r.probes;

    auto report = [&](JobPhase phase, int done) {
        if (!observer)
            return;
        Progress pr;
        pr.phase = phase;
        pr.step = done;
        pr.steps = p;
        observer->progress(pr);
    };

    // Support rows: the model's own training examples, in index order.
    auto mask = torch::from_blob(const_cast<std::uint8_t *>(inTrain.data()), {nTrain}, torch::kUInt8)
                    .to(torch::kBool);
    auto supportIdx = torch::nonzero(mask).squeeze(1);
    auto position = torch::full({nTrain}, -1, torch::kLong);
    position.index_put_({supportIdx}, torch::arange(supportIdx.size(0), torch::kLong));
    supportIdx = supportIdx.to(device);
    position = position.to(device);
    if (supportIdx.size(0) <= options.k)
        throw ConfigError("k = " + std::to_string(options.k) + " needs more than " + std::to_string(options.k)
                          + " training examples per model; the model trained on "
                          + std::to_string(supportIdx.size(0)));

    report(JobPhase::Embedding, 0);
    cancel.check();
    ProbeEmbeddings extracted = ready ? std::move(*ready) : embedSplits(model, train, test, options);
    if (ready)
        *ready = ProbeEmbeddings();
    auto &embeddings = extracted.perProbe;
    if (static_cast<int>(embeddings.size()) != p)
        throw Error("probe stage: embeddings of " + std::to_string(embeddings.size()) + " probes for a model with "
                    + std::to_string(p));
    r.reductions = std::move(extracted.reductions);
    r.embedSeconds = extracted.seconds;
    if (sink)
        for (int l = 0; l < p; ++l) {
            const auto &e = embeddings[static_cast<std::size_t>(l)];
            sink(r.probeNames[static_cast<std::size_t>(l)], "train", e.slice(0, 0, nTrain));
            if (nTest > 0)
                sink(r.probeNames[static_cast<std::size_t>(l)], "test", e.slice(0, nTrain, nTrain + nTest));
        }

    const auto t0 = Clock::now();
    auto supportLabels = train.labels.index_select(0, supportIdx);
    KnnOptions knn;
    knn.k = options.k;
    knn.maxBlockElements = options.maxBlockElements;
    // Every query of both splits in one pass over the support; the train
    // split's own examples are left out of their neighbours.
    auto selfIndex = torch::cat({position, torch::full({nTest}, -1, position.options())});
    std::vector<torch::Tensor> trainRows, testRows;
    for (int l = 0; l < p; ++l) {
        cancel.check();
        report(JobPhase::Probing, l);
        auto &emb = embeddings[static_cast<std::size_t>(l)];
        const LayerRows *previous = static_cast<std::size_t>(l) < done.size() ? &done[static_cast<std::size_t>(l)] : nullptr;
        if (previous && static_cast<std::int64_t>(previous->train.size()) == nTrain
            && static_cast<std::int64_t>(previous->test.size()) == nTest) {
            trainRows.push_back(fromHost(previous->train, device));
            testRows.push_back(fromHost(previous->test, device));
        } else {
            KnnProbe probe(emb.index_select(0, supportIdx), supportLabels, numClasses, knn);
            const auto rows = probe.predict(emb, selfIndex);
            trainRows.push_back(rows.slice(0, 0, nTrain));
            testRows.push_back(rows.slice(0, nTrain, nTrain + nTest));
            if (layerSink)
                layerSink(l, {toHost(trainRows.back()), toHost(testRows.back())});
        }
        if (observer)
            observer->probeLayerFinished(0, l, p);
        // Free this probe's embeddings as soon as they are used.
        emb = torch::Tensor();
    }
    auto trainKnn = torch::stack(trainRows); // [P, N]
    auto testKnn = nTest > 0 ? torch::stack(testRows)
                             : torch::empty({p, 0}, torch::TensorOptions().dtype(torch::kLong).device(device));
    if (device.is_cuda())
        torch::cuda::synchronize();
    r.probeSeconds = std::chrono::duration<double>(Clock::now() - t0).count();

    auto trainFinal = fromHost(trainFinalPred, device);
    auto testFinal = fromHost(testFinalPred, device);
    r.trainKnn = toHost(trainKnn);
    r.testKnn = toHost(testKnn);
    r.trainDepth = predictionDepth(trainKnn, trainFinal);
    r.testDepth = predictionDepth(testKnn, testFinal);

    // Per-probe accuracies, split into the train split and the validation split.
    auto maskDev = mask.to(device);
    auto given = train.labels;
    const double nIn = std::max<double>(1.0, double(supportIdx.size(0)));
    const double nOut = std::max<double>(1.0, double(nTrain - supportIdx.size(0) + nTest));
    for (int l = 0; l < p; ++l) {
        auto row = trainKnn[l];
        auto hitGiven = row.eq(given);
        auto hitNet = row.eq(trainFinal);
        double inGiven = hitGiven.logical_and(maskDev).sum().item<double>();
        double inNet = hitNet.logical_and(maskDev).sum().item<double>();
        double outGiven = hitGiven.logical_and(maskDev.logical_not()).sum().item<double>();
        double outNet = hitNet.logical_and(maskDev.logical_not()).sum().item<double>();
        if (nTest > 0) {
            outGiven += testKnn[l].eq(test.labels).sum().item<double>();
            outNet += testKnn[l].eq(testFinal).sum().item<double>();
        }
        r.trainAccuracy.push_back(inGiven / nIn);
        r.trainAgreement.push_back(inNet / nIn);
        r.validationAccuracy.push_back(outGiven / nOut);
        r.validationAgreement.push_back(outNet / nOut);
    }
    report(JobPhase::Probing, p);
    return r;
}

} // namespace pds
