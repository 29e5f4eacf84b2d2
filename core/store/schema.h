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
// /models/mNNN: datasets and groups (relative to the model group).
inline constexpr const char *kInTrain = "in_train";
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
