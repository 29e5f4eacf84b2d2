#include "train/schedule.h"

#include <cmath>

namespace pds {

double scheduledLr(const TrainConfig &c, double epoch)
{
    if (c.warmupEpochs > 0.0 && epoch < c.warmupEpochs)
        return c.lr * epoch / c.warmupEpochs;
    if (c.schedule == Schedule::Constant)
        return c.lr;
    if (c.schedule == Schedule::Step)
        return c.lr * std::pow(c.stepGamma, std::floor(epoch / c.stepEvery));
    // cosine over the epochs after warm-up, reaching 0 at the end of the generation
    const double span = c.epochs - c.warmupEpochs;
    const double t = span > 0.0 ? (epoch - c.warmupEpochs) / span : 1.0;
    return 0.5 * c.lr * (1.0 + std::cos(M_PI * std::min(1.0, std::max(0.0, t))));
}

} // namespace pds
