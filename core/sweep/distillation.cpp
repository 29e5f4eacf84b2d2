#include "sweep/distillation.h"

#include "store/runformat.h"
#include "store/runreader.h"
#include "util/error.h"

namespace pds::sweep {

torch::Tensor distillationLoss(const torch::Tensor &studentLogits, const torch::Tensor &teacherLogits,
                               const torch::Tensor &labels, double temperature, double alpha)
{
    const auto student = studentLogits.to(torch::kFloat32);
    const auto hard = torch::nn::functional::cross_entropy(student, labels);
    const auto logStudent = torch::log_softmax(student / temperature, 1);
    const auto logTeacher = torch::log_softmax(teacherLogits.to(torch::kFloat32) / temperature, 1);
    const auto kl = (logTeacher.exp() * (logTeacher - logStudent)).sum(1).mean();
    return (1.0 - alpha) * hard + alpha * temperature * temperature * kl;
}

torch::Tensor loadTeacherLogits(const std::string &path, const std::vector<std::int32_t> &trainLabels,
                                const std::vector<std::uint8_t> &inTrain, int numClasses)
{
    RunReader teacher(path);
    const auto &s = teacher.summary();
    if (s.status != runformat::kStatusComplete || s.models.size() != 1)
        throw StoreError(path + ": the teacher must be a complete run of one model (it is " + s.status + ")");
    if (teacher.labels("train") != trainLabels)
        throw StoreError(path + ": the teacher was trained on other data than the student");
    if (teacher.inTrain(0) != inTrain)
        throw StoreError(path + ": the teacher trained on another subset than the student; the teacher of "
                                "member j must train on member j's own subset");
    const Matrix<float> logits = teacher.finalLogits(0, "train");
    if (logits.rows != static_cast<std::int64_t>(trainLabels.size()) || logits.cols != numClasses)
        throw StoreError(path + ": the teacher's logits are " + std::to_string(logits.rows) + " × "
                         + std::to_string(logits.cols) + ", the student needs "
                         + std::to_string(trainLabels.size()) + " × " + std::to_string(numClasses));
    return torch::from_blob(const_cast<float *>(logits.values.data()), {logits.rows, logits.cols}, torch::kFloat32)
        .clone();
}

} // namespace pds::sweep
