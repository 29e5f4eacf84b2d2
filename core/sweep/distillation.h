#pragma once

#include <torch/torch.h>

#include <string>

namespace pds::sweep {

/// The distillation loss of a batch, averaged over its examples:
/// (1−α)·CE(student, labels) + α·T²·KL(softmax(teacher/T) ‖ softmax(student/T)).
/// The T² keeps the soft term's gradients on the scale of the hard one's
/// (Hinton et al.), so α weighs the two alike at every temperature.
torch::Tensor distillationLoss(const torch::Tensor &studentLogits, const torch::Tensor &teacherLogits,
                               const torch::Tensor &labels, double temperature, double alpha);

/// The final train-split logits [N, K] of the teacher run file `path`, after
/// checking that it is a complete single-model run on the student's train
/// labels that trained on exactly the student's subset `inTrain` (a teacher
/// that saw the student's held-out examples would inflate P_out). Throws
/// StoreError naming the teacher file and what differs.
torch::Tensor loadTeacherLogits(const std::string &path, const std::vector<std::int32_t> &trainLabels,
                                const std::vector<std::uint8_t> &inTrain, int numClasses);

} // namespace pds::sweep
