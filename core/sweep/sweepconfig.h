#pragma once

#include "sweep/memorisation.h"
#include "train/config.h"

#include <string>
#include <vector>

namespace pds {

/// What the sizes of a sweep scale: the cnn's base width k, the mlp's hidden
/// units, the depth of the CIFAR ResNet family (model "resnet": sizes 8, 14,
/// 20, …), or the width multiplier of any other model (resnet18, vgg16, resnetD).
enum class SizeAxis { CnnBaseWidth, MlpHiddenUnits, Depth, WidthMultiplier };

/// The axis a sweep of `model` varies, and its name ("cnn base width", …).
SizeAxis sizeAxis(const std::string &model);
std::string sizeAxisName(SizeAxis axis);

/// `pdepth sweep`: an ensemble of `base.study.models` members per size, the
/// same subsets and seeds at every size, optionally students of every smaller
/// size distilled from the largest size's member of the same index.
struct SweepConfig {
    RunConfig base;          ///< everything but the size; output = the sweep file
    std::vector<double> sizes;
    bool distill = false;
    double temperature = 4.0;
    double alpha = 0.9;
    sweep::TrajectoryRule rule;

    /// Throws ConfigError naming the option (--sizes, --ratio, --models,
    /// --distill, --temperature, --alpha, --delta, --z) and the bad value.
    void validate() const;
};

/// JSON round trip (stored in the sweep file and beside its members).
std::string toJson(const SweepConfig &config);
SweepConfig sweepConfigFromJson(const std::string &json);

/// The model of `base` at `size` of its sweep's axis.
ModelSpec sizedModel(const ModelSpec &base, double size);

/// Where a member's run file lives: `<output stem>.members/sSS_mMMM.h5`, and
/// `dSS_mMMM.h5` for a distilled student.
std::string sweepMemberPath(const std::string &output, int size, int member, bool distilled);

/// The configuration of member `member` at size index `size`, plain or a
/// distilled student (whose teacher is member `member` of the largest size).
RunConfig sweepMemberConfig(const SweepConfig &sweep, int size, int member, bool distilled);

/// The file a sweep keeps its configuration in beside its members, so a
/// rerun into the same output with other settings is refused.
std::string sweepConfigPath(const std::string &output);

} // namespace pds
