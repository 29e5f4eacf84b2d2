#pragma once

#include <string>

namespace pds {

/// Architecture and size of a network. Widths scale with `widthMultiplier`
/// so that model-size sweeps use one family.
struct ModelSpec {
    std::string arch = "cnn";     ///< mlp, cnn, resnet18, vgg16
    double widthMultiplier = 1.0;
    int cnnBaseWidth = 16;        ///< k of the 4-conv family
    int mlpHiddenLayers = 4;
    int mlpHiddenUnits = 512;
    int inChannels = 1;
    int height = 28;
    int width = 28;
    int numOutputs = 10;          ///< classes (or regression targets)
};

} // namespace pds
