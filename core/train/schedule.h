#pragma once

#include "train/config.h"

namespace pds {

/// Learning rate at `epoch` (fractional, counted from 0 within the current
/// generation): linear warm-up from 0 over warmupEpochs, then the schedule.
double scheduledLr(const TrainConfig &config, double epoch);

} // namespace pds
