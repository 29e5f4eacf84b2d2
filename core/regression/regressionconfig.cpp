#include "train/config.h"

#include "util/error.h"

#include <algorithm>

namespace pds {

namespace {

void require(bool ok, ConfigField field, const std::string &message)
{
    if (!ok)
        throw ConfigError(message, configFieldKey(field));
}

/// A classification-only setting that a regression run was given.
void refuseForRegression(bool given, ConfigField field, const std::string &what)
{
    require(!given, field, what + " (" + configFieldKey(field) + ") applies to classification only, not to --task regression");
}

void validateRegression(const RunConfig &c)
{
    using F = ConfigField;
    const auto &t = c.train;
    refuseForRegression(t.regime != Regime::Standard, F::Regime, "the training regime '" + std::string(settingName(t.regime)) + "'");
    refuseForRegression(t.generations != 1, F::Generations, "generations");
    refuseForRegression(!t.splitStage.empty(), F::SplitStage, "the split stage");
    refuseForRegression(t.el2nEpoch != 0, F::El2nEpoch, "the EL2N epoch");
    refuseForRegression(c.study.models != 1, F::Models, "an ensemble of models");
    refuseForRegression(c.study.ratio != 1.0, F::Ratio, "the split ratio");
    refuseForRegression(c.study.embeddings != "none", F::Embeddings, "storing embeddings");
    refuseForRegression(c.noise.kind == NoiseSpec::Kind::Asymmetric, F::NoiseKind, "asymmetric label noise");
    refuseForRegression(!c.noise.classMap.empty(), F::NoiseClassMap, "a noise class map");
    refuseForRegression(c.dataset.classes != 0, F::DatasetClasses, "a class count");

    const auto &r = c.regression;
    require(!r.methods.empty(), F::RegressionMethods, "name at least one selection method (confrag, small-loss, none or clean)");
    for (std::size_t i = 0; i < r.methods.size(); ++i)
        require(std::find(r.methods.begin(), r.methods.begin() + long(i), r.methods[i]) == r.methods.begin() + long(i),
                F::RegressionMethods, "selection method '" + std::string(settingName(r.methods[i])) + "' is named twice");
    require(r.fragments >= 2 && r.fragments % 2 == 0, F::RegressionFragments,
            "the number of fragments (regression.fragments, --fragments) must be even and at least 2 (fragments are paired), got "
                + std::to_string(r.fragments));
    // The probe stage of a regression run measures prediction depth in ConFrag's experts.
    require(!c.study.probe || std::find(r.methods.begin(), r.methods.end(), SelectMethod::ConFrag) != r.methods.end(),
            F::Probe, "the k-NN probe stage (study.probe, --probe) of a regression run probes ConFrag's experts; "
                      "add confrag to --select or leave --probe out");
    require(r.k >= 1, F::RegressionK, "the feature-space k (regression.k, --select-k) must be at least 1, got " + std::to_string(r.k));
    require(r.jitter > 0.0 && r.jitter <= 1.0, F::RegressionJitter,
            "the jitter window (regression.jitter, --jitter) must cover a share in (0, 1] of the target values, got " + std::to_string(r.jitter));
    require(r.keep >= 0.0 && r.keep <= 1.0, F::RegressionKeep,
            "the small-loss keep rate (regression.keep, --keep) must lie in [0, 1] (0 = 1 − the noise fraction), got " + std::to_string(r.keep));
    require(c.noise.kind != NoiseSpec::Kind::Gaussian || c.noise.sigmaMax >= 1, F::NoiseSigmaMax,
            "Gaussian target noise needs noise.sigma_max (--sigma-max) of at least 1");
    require(c.noise.kind == NoiseSpec::Kind::Gaussian || c.noise.sigmaMax == 0, F::NoiseSigmaMax,
            "noise.sigma_max (--sigma-max) applies to Gaussian noise only (noise kind is '" + std::string(settingName(c.noise.kind)) + "')");
}

void validateClassification(const RunConfig &c)
{
    using F = ConfigField;
    const std::string only = " applies to --task regression only";
    require(c.noise.kind != NoiseSpec::Kind::Gaussian, F::NoiseKind, "Gaussian noise (noise.kind)" + only);
    require(c.noise.sigmaMax == 0, F::NoiseSigmaMax, "sigma_max (noise.sigma_max)" + only);
    const RegressionConfig defaults;
    require(c.regression.methods == defaults.methods, F::RegressionMethods, "a selection method (regression.methods)" + only);
    require(c.regression.fragments == defaults.fragments, F::RegressionFragments, "the number of fragments (regression.fragments)" + only);
    require(c.regression.k == defaults.k, F::RegressionK, "the feature-space k (regression.k)" + only);
    require(c.regression.jitter == defaults.jitter, F::RegressionJitter, "the jitter window (regression.jitter)" + only);
    require(c.regression.keep == defaults.keep, F::RegressionKeep, "the small-loss keep rate (regression.keep)" + only);
}

} // namespace

void validateTaskOptions(const RunConfig &config)
{
    if (config.task == Task::Regression)
        validateRegression(config);
    else
        validateClassification(config);
}

} // namespace pds
