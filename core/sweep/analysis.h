#pragma once

#include "store/sweepfile.h"
#include "study/summary.h"
#include "sweep/sweepconfig.h"

#include <cstdint>
#include <string>
#include <vector>

namespace pds::sweep {

/// What one member run file contributes to a sweep.
struct SweepMember {
    MemberSplit train;                  ///< its train-split record (mask, depth, dynamics, final prediction)
    std::vector<float> el2n;            ///< train split
    double testAccuracy = 0.0;
    double trainAccuracy = 0.0;         ///< on the examples it trained on
};

/// The members of one size: plainly trained and, below the largest size, distilled.
struct LoadedSize {
    double size = 0.0;
    std::string arch;
    int probes = 0; ///< probe points of the architecture
    int epochs = 0;
    std::vector<SweepMember> plain, distilled;
};

/// The proxies of memorisation a sweep compares with mem, in stored order:
/// depth_val, depth_train, consistency, confidence, loss, el2n, forgetting,
/// iteration_learned (docs/difficulty.md).
const std::vector<std::string> &proxyNames();

/// A proxy's value mapped onto [0, 1] with larger meaning "more
/// memorisation-like", so its trajectory follows the same rule as mem's:
/// depths over the probe count, 1 − consistency, 1 − confidence,
/// 1 − exp(−loss), EL2N / √2, forgetting events and iteration learned over the epochs.
float orientedProxy(std::size_t proxy, float value, int probes, int epochs);

/// The estimate, proxies, trajectories, agreement and distillation results of
/// a sweep from its loaded members, on the train split's given `labels`.
SweepData analyseSweep(const SweepConfig &config, const std::vector<std::int32_t> &labels, int numClasses,
                       const std::vector<LoadedSize> &sizes);

} // namespace pds::sweep
