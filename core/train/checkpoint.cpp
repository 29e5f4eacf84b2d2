#include "train/checkpoint.h"

#include <sstream>

namespace pds {

namespace {
constexpr const char *kOptimizerKey = "optimizer";
}

torch::serialize::OutputArchive newArchive()
{
    return torch::serialize::OutputArchive(std::make_shared<torch::jit::CompilationUnit>());
}

void writeLearnerState(torch::serialize::OutputArchive &archive, torch::nn::Module &model,
                       torch::optim::Optimizer &optimizer)
{
    auto optArchive = newArchive();
    model.save(archive);
    optimizer.save(optArchive);
    archive.write(kOptimizerKey, optArchive);
}

void readLearnerState(torch::serialize::InputArchive &archive, torch::nn::Module &model,
                      torch::optim::Optimizer &optimizer)
{
    model.load(archive);
    torch::serialize::InputArchive optArchive;
    archive.read(kOptimizerKey, optArchive);
    optimizer.load(optArchive);
}

std::string archiveBytes(torch::serialize::OutputArchive &archive)
{
    std::ostringstream bytes;
    archive.save_to(bytes);
    return bytes.str();
}

} // namespace pds
