#pragma once

#include "train/config.h"

namespace pds {

/// The starting points of `pdepth train` and `pdepth study` (--preset).
enum class Preset {
    Auto,     ///< gpu-full where a GPU is, else cpu-quick
    CpuQuick, ///< a quick CPU budget: 10,000 training examples, the 4-conv cnn, 8 epochs
    GpuFull   ///< the full dataset and a ResNet-18 on a GPU
};

template <> struct SettingNames<Preset> {
    static constexpr std::array<std::pair<Preset, const char *>, 3> entries{
        {{Preset::Auto, "auto"}, {Preset::CpuQuick, "cpu-quick"}, {Preset::GpuFull, "gpu-full"}}};
};

/// The training budget both the gpu-full preset and the Studio's default
/// study use on a GPU: large batches, a higher peak rate, 15 epochs.
inline void useGpuBudget(TrainConfig &t)
{
    t.epochs = 15;
    t.batchSize = 512;
    t.lr = 0.1;
    t.evalBatchSize = 4096;
}

/// The configuration a preset starts from (the command line's options then
/// override it); `gpu` says whether Auto finds a GPU.
inline RunConfig presetConfig(Preset preset, bool gpu)
{
    if (preset == Preset::Auto)
        preset = gpu ? Preset::GpuFull : Preset::CpuQuick;
    RunConfig c;
    switch (preset) {
    case Preset::Auto:
    case Preset::CpuQuick:
        c.limit = 10000;
        c.testLimit = 2000;
        c.model.arch = "cnn";
        c.train.epochs = 8;
        c.train.batchSize = 128;
        c.train.lr = 0.05;
        break;
    case Preset::GpuFull:
        c.model.arch = "resnet18";
        useGpuBudget(c.train);
        break;
    }
    return c;
}

/// The study the Studio's wizard proposes (its output path aside): four cnn
/// models on paired halves of Fashion-MNIST with probes and embeddings, on a
/// GPU with its budget, on the CPU small enough to take a few minutes.
inline RunConfig studioStudyConfig(bool cuda)
{
    RunConfig c;
    c.dataset.name = "fashion-mnist";
    c.model.arch = "cnn";
    c.study.models = 4;
    c.study.ratio = 0.5;
    c.study.k = 30;
    c.study.probe = true;
    // The 3-D embedding view needs them. On the CPU, probes pooled to 1024
    // features keep the default study to a few minutes and its file near 100 MB.
    c.study.embeddings = "all";
    c.study.maxFeatures = cuda ? 4096 : 1024;
    if (cuda) {
        useGpuBudget(c.train);
    } else {
        c.limit = 5000;
        c.testLimit = 1000;
        c.train.epochs = 4;
        c.train.batchSize = 128;
        c.train.lr = 0.05;
    }
    return c;
}

} // namespace pds
