#pragma once

#include "store/runformat.h"

#include <cstdio>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

/// Every group, dataset and attribute name of the run file, named once
/// (docs/run-format.md describes what each holds). Only core/store/ spells
/// out the layout; the rest of the program reads and writes through the
/// typed functions of RunReader, RunWriter and StudyWriter.
namespace pds::schema {

// Root attributes.
inline constexpr const char *kFormat = "format";
inline constexpr const char *kFormatVersion = "format_version";
inline constexpr const char *kSoftware = "software";
inline constexpr const char *kSoftwareVersion = "software_version";
inline constexpr const char *kCreated = "created";
inline constexpr const char *kFinished = "finished";
inline constexpr const char *kStatus = "status";             ///< also on each model
inline constexpr const char *kStatusMessage = "status_message"; ///< also on each model
inline constexpr const char *kConfig = "config";
inline constexpr const char *kModelsCompleted = "models_completed";
/// Digest of the file's structure and attributes (format version 2), see store/integrity.h.
inline constexpr const char *kAttributesDigest = "attributes_digest";

inline constexpr const char *kSplits[] = {"train", "test"};

// /dataset and its attributes.
inline constexpr const char *kDataset = "dataset";
inline constexpr const char *kDatasetName = "name";
inline constexpr const char *kDatasetFormat = "format";
inline constexpr const char *kDatasetSource = "source";
inline constexpr const char *kClassNames = "class_names";
inline constexpr const char *kChannels = "channels";
inline constexpr const char *kHeight = "height";
inline constexpr const char *kWidth = "width";
inline constexpr const char *kNormalisationMean = "normalisation_mean";
inline constexpr const char *kNormalisationStd = "normalisation_std";
inline constexpr const char *kNoisyLabels = "noisy_labels";
// /dataset/<split>: attribute and per-example arrays.
inline constexpr const char *kSplitSize = "size";
inline constexpr const char *kSourceIndex = "source_index";
inline constexpr const char *kLabel = "label";
inline constexpr const char *kCleanLabel = "clean_label";
inline constexpr const char *kNoisy = "noisy";
inline constexpr const char *kSplitArrays[] = {kSourceIndex, kLabel, kCleanLabel, kNoisy};

// /models/mNNN: attributes.
inline constexpr const char *kModels = "models";
inline constexpr const char *kArch = "arch";
inline constexpr const char *kSeed = "seed";
inline constexpr const char *kDevice = "device";
inline constexpr const char *kEpochsPlanned = "epochs_planned";
inline constexpr const char *kEpochsCompleted = "epochs_completed";
inline constexpr const char *kProbeNames = "probe_names"; ///< also on probes/
inline constexpr const char *kTrainSeconds = "train_seconds";
inline constexpr const char *kMember = "member";
/// Where the dynamics of the examples a model trains on come from: "train_pass" or "eval_pass".
inline constexpr const char *kDynamicsSource = "dynamics_source";
// /models/mNNN: datasets and groups (relative to the model group).
inline constexpr const char *kInTrain = "in_train";
/// int32 [E']: the 1-based epochs whose dynamics hold the held-out examples.
inline constexpr const char *kHeldOutEpochs = "held_out_epochs";
inline constexpr const char *kCurves = "curves";
inline constexpr const char *kCurveEpoch = "epoch";
/// The float64 curves after curves/epoch, in the order of EpochCurve.
inline constexpr const char *kCurveValues[] = {"lr", "train_loss", "train_accuracy", "eval_train_loss",
                                               "eval_train_accuracy", "test_loss", "test_accuracy", "seconds"};
inline constexpr const char *kDynamics = "dynamics";
inline constexpr const char *kPred = "pred";
inline constexpr const char *kProbGiven = "prob_given";
inline constexpr const char *kMargin = "margin";
inline constexpr const char *kLoss = "loss";
inline constexpr const char *kEl2n = "el2n";
/// The per-epoch arrays of dynamics/<split>/; pred is int32, the rest float32.
inline constexpr const char *kRecordNames[] = {kPred, kProbGiven, kMargin, kLoss, kEl2n};
inline constexpr const char *kScores = "scores";
inline constexpr const char *kFinalPred = "final_pred";
inline constexpr const char *kIterationLearned = "iteration_learned";
inline constexpr const char *kForgettingEvents = "forgetting_events";
inline constexpr const char *kConfidence = "confidence";
inline constexpr const char *kVariability = "variability";
inline constexpr const char *kCorrectness = "correctness";
inline constexpr const char *kFinal = "final";
inline constexpr const char *kLogits = "logits";
inline constexpr const char *kCheckpoint = "checkpoint";
inline constexpr const char *kCheckpointEpoch = "epoch";   ///< attribute of checkpoint
inline constexpr const char *kCheckpointFormat = "format"; ///< attribute of checkpoint
inline constexpr const char *kCheckpointFormatText =
    "LibTorch archive: model parameters and buffers, optimizer state";

// /models/mNNN/probes.
inline constexpr const char *kProbes = "probes";
inline constexpr const char *kProbeK = "k";
inline constexpr const char *kMaxFeatures = "max_features";
/// float16 or float32: the precision the probes computed in and embeddings were stored in.
inline constexpr const char *kEmbeddingsDtype = "embeddings_dtype";
inline constexpr const char *kProbeShape = "probe_shape";
inline constexpr const char *kReducedShape = "reduced_shape";
inline constexpr const char *kEmbedSeconds = "embed_seconds";
inline constexpr const char *kProbeSeconds = "probe_seconds";
inline constexpr const char *kTrainSplitAccuracy = "train_split_accuracy";
inline constexpr const char *kTrainSplitAgreement = "train_split_agreement";
inline constexpr const char *kValidationSplitAccuracy = "validation_split_accuracy";
inline constexpr const char *kValidationSplitAgreement = "validation_split_agreement";
/// Group of a model holding the probe layers finished so far while its probe stage runs.
inline constexpr const char *kProbesPartial = "probes_partial";
/// Group of a model linking to its embeddings in the side file.
inline constexpr const char *kEmbeddings = "embeddings";
/// The side file of a run `<stem>.h5` is `<stem>` + this.
inline constexpr const char *kEmbeddingsFileSuffix = ".embeddings.h5";

// /summary of a study file.
inline constexpr const char *kSummary = "summary";
inline constexpr const char *kGroupNames = "group_names";
inline constexpr const char *kSummaryProbes = "probes";
inline constexpr const char *kSummaryModels = "models";
inline constexpr const char *kThresholds = "thresholds";
inline constexpr const char *kDepthTrainMean = "depth_train_mean";
inline constexpr const char *kDepthTrainStd = "depth_train_std";
inline constexpr const char *kDepthValMean = "depth_val_mean";
inline constexpr const char *kDepthValStd = "depth_val_std";
inline constexpr const char *kModelsTrain = "models_train";
inline constexpr const char *kModelsVal = "models_val";
inline constexpr const char *kHeldOutDistribution = "held_out_distribution";
inline constexpr const char *kConsistency = "consistency";
inline constexpr const char *kHeldOutConfidence = "held_out_confidence";
inline constexpr const char *kAccuracyTrained = "accuracy_trained";
inline constexpr const char *kAccuracyHeldOut = "accuracy_held_out";
inline constexpr const char *kMemorisation = "memorisation";
inline constexpr const char *kGroup = "group";
inline constexpr const char *kHeldOutProbability = "held_out_probability";
inline constexpr const char *kTrainedConfidence = "trained_confidence";
inline constexpr const char *kLabelIssue = "label_issue";
inline constexpr const char *kAmbiguity = "ambiguity";
inline constexpr const char *kRarity = "rarity";
inline constexpr const char *kEasiness = "easiness";
/// summary/<split>/train_split: dynamics over the models that trained on each example.
inline constexpr const char *kTrainSplit = "train_split";
/// summary/<split>/held_out: dynamics over the models that held each example out.
inline constexpr const char *kHeldOut = "held_out";

/// Joins path components with '/'.
inline std::string join(std::initializer_list<std::string_view> parts)
{
    std::string out;
    for (const auto part : parts) {
        if (!out.empty())
            out += '/';
        out += part;
    }
    return out;
}

/// The name of model `i` (0-based) as the file, the CLI and the Studio show it, e.g. m003.
inline std::string modelName(int i)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "m%03d", i);
    return buf;
}

/// The group of model `i`, e.g. models/m003.
inline std::string modelGroup(int i)
{
    return std::string(kModels) + "/" + modelName(i);
}

/// dataset/<split>
inline std::string datasetSplit(std::string_view split) { return join({kDataset, split}); }
/// dataset/<split>/<name>
inline std::string datasetArray(std::string_view split, std::string_view name)
{
    return join({kDataset, split, name});
}

// Paths below, unless they say otherwise, are relative to a model group.
/// curves/<name>
inline std::string curve(std::string_view name) { return join({kCurves, name}); }
/// dynamics/<split>/<name>
inline std::string dynamics(std::string_view split, std::string_view name) { return join({kDynamics, split, name}); }
/// scores/<split>
inline std::string scoresSplit(std::string_view split) { return join({kScores, split}); }
/// scores/<split>/<name>
inline std::string score(std::string_view split, std::string_view name) { return join({kScores, split, name}); }
/// final/<split>
inline std::string finalSplit(std::string_view split) { return join({kFinal, split}); }
/// k-NN predictions of each probe in probes/: knn_pred_<split>
inline std::string knnPred(std::string_view split) { return "knn_pred_" + std::string(split); }
/// Prediction depth in probes/: depth_<split>
inline std::string depth(std::string_view split) { return "depth_" + std::string(split); }
/// One finished layer in probes_partial/: knn_pred_<split>_<layer>
inline std::string probeLayer(std::string_view split, int layer)
{
    return knnPred(split) + "_" + std::to_string(layer);
}
/// embeddings/<split>/<probe>, in the side file under the same model group.
inline std::string embedding(std::string_view split, std::string_view probe)
{
    return join({kEmbeddings, split, probe});
}
/// summary/<split>, from the root.
inline std::string summarySplit(std::string_view split) { return join({kSummary, split}); }

/// Names of the per-example scores every finished model has, in the order of the CSV export.
inline const std::vector<std::string> &scoreNames()
{
    static const std::vector<std::string> names = {kFinalPred, kIterationLearned, kForgettingEvents, kConfidence,
                                                   kVariability, kCorrectness, kEl2n};
    return names;
}

/// Names of the one-value-per-example arrays of summary/<split>, in the order of the CSV export.
inline const std::vector<std::string> &summaryNames()
{
    static const std::vector<std::string> names = {
        kDepthTrainMean, kDepthTrainStd, kDepthValMean, kDepthValStd, kModelsTrain, kModelsVal,
        kConsistency, kHeldOutConfidence, kTrainedConfidence, kAccuracyTrained, kAccuracyHeldOut, kMemorisation,
        kLabelIssue, kAmbiguity, kRarity, kEasiness,
        "train_split/iteration_learned", "train_split/forgetting_events", "train_split/confidence",
        "train_split/variability", "held_out/iteration_learned", "held_out/forgetting_events",
        "held_out/confidence", "held_out/variability", kGroup};
    return names;
}

} // namespace pds::schema

/// The names of the sweep file (`pdepth sweep`): memorisation across model
/// sizes and distillation (docs/run-format.md, "Sweep file"). Its root carries
/// the run file's format, software, created, finished, status and digest
/// attributes, with its own format name, and a copy of a member's /dataset.
namespace pds::schema::sweep {

inline constexpr const char *kSweepFormatName = "pdepth-sweep";
inline constexpr int kSweepFormatVersion = 1;
// Root attributes.
inline constexpr const char *kSweepConfig = "sweep_config"; ///< the SweepConfig as JSON
inline constexpr const char *kMemberFiles = "member_files"; ///< relative to the sweep file's folder
// /sweep and its attributes.
inline constexpr const char *kSweep = "sweep";
inline constexpr const char *kModel = "model";
inline constexpr const char *kAxis = "axis";
inline constexpr const char *kSizeValues = "size_values"; ///< dataset float64 [n], ascending
inline constexpr const char *kSizeArchs = "size_archs";   ///< the architecture of each size
inline constexpr const char *kMembers = "members";
inline constexpr const char *kRatio = "ratio";
inline constexpr const char *kDelta = "delta";
inline constexpr const char *kZ = "z";
inline constexpr const char *kDistill = "distill";       ///< 1 when students were distilled
inline constexpr const char *kTemperature = "temperature";
inline constexpr const char *kAlpha = "alpha";
inline constexpr const char *kTrajectoryNames = "trajectory_names";
inline constexpr const char *kProxyNames = "proxy_names";
// /sweep datasets.
inline constexpr const char *kLabels = "labels";                 ///< int32 [N], given train labels
inline constexpr const char *kTrajectory = "trajectory";         ///< uint8 [N], index into trajectory_names
inline constexpr const char *kTypeShares = "type_shares";        ///< float64 [types]
inline constexpr const char *kDeltaGrid = "delta_grid";          ///< float64 [D]
inline constexpr const char *kSharesByDelta = "shares_by_delta"; ///< float64 [D, types]
inline constexpr const char *kAgreement = "proxy_agreement";     ///< float64 [proxies]
inline constexpr const char *kProxyTrajectory = "proxy_trajectory"; ///< uint8 [proxies, N]
// /sweep/sizes/sNN (NN = size index) and its distilled/ group.
inline constexpr const char *kSizesGroup = "sizes";
inline constexpr const char *kSize = "size";     ///< attribute: the size value
inline constexpr const char *kArch = "arch";     ///< attribute: its architecture
inline constexpr const char *kPIn = "p_in";
inline constexpr const char *kPOut = "p_out";
inline constexpr const char *kMIn = "m_in";
inline constexpr const char *kMOut = "m_out";
inline constexpr const char *kMem = "mem";
inline constexpr const char *kSe = "se";
inline constexpr const char *kProxies = "proxies";                 ///< float32 [proxies, N]
inline constexpr const char *kSpearman = "spearman";               ///< float64 [proxies], with mem
inline constexpr const char *kTestAccuracy = "test_accuracy";      ///< float64 [members]
inline constexpr const char *kTrainAccuracy = "train_accuracy";    ///< float64 [members], on their own subset
inline constexpr const char *kDistilled = "distilled";
/// distilled/by_type: float64 [types] per-type means over the examples of each
/// memorisation trajectory, and their counts.
inline constexpr const char *kByType = "by_type";
inline constexpr const char *kCount = "count";
inline constexpr const char *kMemPlain = "mem_plain";
inline constexpr const char *kMemDistilled = "mem_distilled";
inline constexpr const char *kPInPlain = "p_in_plain";
inline constexpr const char *kPInDistilled = "p_in_distilled";
inline constexpr const char *kPOutPlain = "p_out_plain";
inline constexpr const char *kPOutDistilled = "p_out_distilled";

/// sweep/sizes/sNN.
inline std::string sizeGroup(int size)
{
    char name[16];
    std::snprintf(name, sizeof name, "s%02d", size);
    return join({kSweep, kSizesGroup, name});
}

} // namespace pds::schema::sweep

/// The file of a regression run (task regression, docs/run-format.md "Regression
/// run file"): its own format name; dataset/<split> and curves reuse the names above.
namespace pds::schema::regression {

inline constexpr const char *kFormatName = "pdepth-regression-run";
inline constexpr int kFormatVersion = 1;
inline constexpr const char *kTask = "task"; ///< root attribute: "regression"
// /dataset: attributes.
inline constexpr const char *kTargetMean = "target_mean"; ///< of the noisy train targets (the regressor's scale)
inline constexpr const char *kTargetStd = "target_std";
inline constexpr const char *kNoisyTargets = "noisy_targets"; ///< train targets the noise changed
// /dataset/<split>: per-example arrays.
inline constexpr const char *kTarget = "target";             ///< float32, what training sees
inline constexpr const char *kCleanTarget = "clean_target";  ///< float32
inline constexpr const char *kFragment = "fragment";         ///< int32, fragment of the noisy target (train)
// /fragments: ConFrag's fragments of the noisy train targets and their pairs.
inline constexpr const char *kFragments = "fragments";
inline constexpr const char *kFragmentLow = "low";   ///< float64 [F]
inline constexpr const char *kFragmentHigh = "high"; ///< float64 [F]
inline constexpr const char *kPairs = "pairs";       ///< int32 [F/2, 2], (lower, upper)
// /methods/<method>: one regressor each ("confrag", "small-loss", "none", "clean").
inline constexpr const char *kMethods = "methods";
inline constexpr const char *kMethod = "method";
inline constexpr const char *kMae = "mae";   ///< attribute (final) and curve
inline constexpr const char *kRmse = "rmse"; ///< attribute (final) and curve
inline constexpr const char *kMrae = "mrae"; ///< attribute, when the run has a clean-target model
/// The float64 curves after curves/epoch, one row per epoch, in the order of RegressionEpoch.
inline constexpr const char *kCurveValues[] = {"selection_rate", "err", "err_sum", kMae, kRmse, "train_loss", "seconds"};
inline constexpr const char *kSelection = "selection"; ///< uint8 [epochs, N train]
inline constexpr const char *kPPred = "p_pred";        ///< float32 [epochs, N train], confrag only
inline constexpr const char *kPKnn = "p_knn";          ///< float32 [epochs, N train], confrag only
inline constexpr const char *kTestPrediction = "test_prediction"; ///< float32 [N test], after the last epoch

/// methods/<method>
inline std::string methodGroup(std::string_view method) { return join({kMethods, method}); }

} // namespace pds::schema::regression

/// Names of a comparison file (`pdepth compare`, docs/run-format.md): one
/// study per training regime on the same data, members and seeds, and what
/// sets the regimes side by side. Root attributes kFormat (= kFormatName),
/// kFormatVersion, kSoftwareVersion, kCreated and kConfig as in a run file.
namespace pds::schema::compare {

inline constexpr const char *kFormatName = "pdepth-comparison";
/// Version 2 adds the root attribute attributes_digest (as in a run file).
inline constexpr int kVersion = 2;
inline constexpr int kFirstDigestVersion = 2;
/// Root attribute: the regimes in the order they were given.
inline constexpr const char *kRegimeNames = "regimes";
inline constexpr const char *kGenerations = "generations";
inline constexpr const char *kEpochsPerGeneration = "epochs_per_generation";
inline constexpr const char *kBootstrapResamples = "bootstrap_resamples";
inline constexpr const char *kBootstrapLevel = "bootstrap_level";
inline constexpr const char *kTransferDataset = "transfer_dataset"; ///< empty without a transfer probe

/// regimes/<regime>/
inline constexpr const char *kRegimes = "regimes";
/// Attribute: the regime's study file, relative to the comparison file's folder.
inline constexpr const char *kStudyFile = "study_file";
/// The regime's study, copied whole (a study file's root, as a group).
inline constexpr const char *kStudy = "study";
/// [models, generations] float64: test accuracy after each generation's last epoch.
inline constexpr const char *kGenerationAccuracy = "generation_test_accuracy";
/// [models, probes] float64: k-NN probe accuracy per layer on held-out examples.
inline constexpr const char *kProbeAccuracy = "probe_accuracy";
/// depth/<split>/: example_depth [N] float32, histogram [P + 1] int64 and the interval attributes.
inline constexpr const char *kDepth = "depth";
inline constexpr const char *kExampleDepth = "example_depth";
inline constexpr const char *kHistogram = "histogram";
/// transfer/: accuracy [models] float64 and kMean, kSpread attributes.
inline constexpr const char *kTransfer = "transfer";
inline constexpr const char *kAccuracy = "accuracy";

/// Attributes of a mean with its bootstrap interval.
inline constexpr const char *kMean = "mean";
inline constexpr const char *kLow = "low";
inline constexpr const char *kHigh = "high";
inline constexpr const char *kCount = "count";
inline constexpr const char *kSpread = "std";

/// differences/<a>_minus_<b>/<split>/: depth [N] float32 (a − b per example),
/// the interval attributes of its mean and the shares kLower, kSame, kHigher.
inline constexpr const char *kDifferences = "differences";
inline constexpr const char *kDifference = "depth";
inline constexpr const char *kLower = "share_lower";
inline constexpr const char *kSame = "share_same";
inline constexpr const char *kHigher = "share_higher";

/// regimes/<regime>
inline std::string regimeGroup(std::string_view regime) { return join({kRegimes, regime}); }
/// differences/<a>_minus_<b>
inline std::string differenceGroup(std::string_view a, std::string_view b)
{
    return join({kDifferences, std::string(a) + "_minus_" + std::string(b)});
}

} // namespace pds::schema::compare

/// Additions to the regression run file (docs/run-format.md "Regression run
/// file"): what a resumed run continues from, and the prediction depth of
/// ConFrag's experts. methods/<method>/checkpoint reuses schema::kCheckpoint
/// with its `epoch` and `format` attributes.
namespace pds::schema::regression {

/// int32 [F/2, N train] under methods/confrag: the prediction depth of each
/// train example in each expert's probes (fragment labels; docs/regression.md).
inline constexpr const char *kExpertDepth = "expert_depth";
inline constexpr const char *kExpertProbes = "probes"; ///< attribute of expert_depth: the probe names, input first
inline constexpr const char *kExpertProbeK = "k";      ///< attribute of expert_depth: neighbours of the k-NN probe
/// float64 [F/2, P] under methods/confrag: each probe's leave-one-out k-NN
/// accuracy on the fragment labels of its pair's examples.
inline constexpr const char *kExpertProbeAccuracy = "expert_probe_accuracy";

} // namespace pds::schema::regression
