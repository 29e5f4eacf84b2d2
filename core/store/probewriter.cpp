// The probe-stage part of RunWriter: k-NN predictions, prediction depth,
// per-probe accuracies and (optionally) embeddings.

#include "store/runwriter.h"

#include "probe/probestage.h"
#include "store/h5file.h"
#include "store/schema.h"
#include "util/error.h"

#include <filesystem>

namespace pds {

namespace sc = schema;

namespace {

std::string shapeText(const std::vector<std::int64_t> &shape)
{
    std::string s;
    for (auto d : shape)
        s += (s.empty() ? "" : "x") + std::to_string(d);
    return s;
}

} // namespace

void RunWriter::writeProbes(int model, const ProbeResults &r, int k, std::int64_t maxFeatures,
                            const std::string &embeddingsDtype)
{
    const std::string group = sc::modelGroup(model);
    h5::Handle g = h5::requireGroup(*m_file, sc::join({group, sc::kProbes}));
    h5::writeAttr(g, sc::kProbeK, std::int64_t(k));
    h5::writeAttr(g, sc::kMaxFeatures, maxFeatures);
    h5::writeAttr(g, sc::kEmbeddingsDtype, embeddingsDtype);
    h5::writeAttr(g, sc::kProbeNames, r.probeNames);
    std::vector<std::string> produced, reduced;
    for (const auto &red : r.reductions) {
        produced.push_back(shapeText(red.shape));
        reduced.push_back(shapeText(red.reduced));
    }
    h5::writeAttr(g, sc::kProbeShape, produced);
    h5::writeAttr(g, sc::kReducedShape, reduced);
    h5::writeAttr(g, sc::kEmbedSeconds, r.embedSeconds);
    h5::writeAttr(g, sc::kProbeSeconds, r.probeSeconds);
    const auto p = static_cast<hsize_t>(r.probes);
    h5::writeArray(g, sc::knnPred("train"), r.trainKnn.data(), {p, static_cast<hsize_t>(r.trainDepth.size())});
    h5::writeArray(g, sc::knnPred("test"), r.testKnn.data(), {p, static_cast<hsize_t>(r.testDepth.size())});
    h5::writeVector(g, sc::depth("train"), r.trainDepth);
    h5::writeVector(g, sc::depth("test"), r.testDepth);
    h5::writeVector(g, sc::kTrainSplitAccuracy, r.trainAccuracy);
    h5::writeVector(g, sc::kTrainSplitAgreement, r.trainAgreement);
    h5::writeVector(g, sc::kValidationSplitAccuracy, r.validationAccuracy);
    h5::writeVector(g, sc::kValidationSplitAgreement, r.validationAgreement);
    h5::removeLink(*m_file, sc::join({group, sc::kProbesPartial}));
    commit();
}

void RunWriter::writeProbeLayer(int model, int layer, const std::vector<std::int32_t> &train,
                                const std::vector<std::int32_t> &test, bool commitNow)
{
    h5::Handle g = h5::requireGroup(*m_file, sc::join({sc::modelGroup(model), sc::kProbesPartial}));
    for (const auto &[split, rows] : {std::pair{"train", &train}, std::pair{"test", &test}})
        h5::writeVector(g, sc::probeLayer(split, layer), *rows);
    if (commitNow)
        commit();
}

h5::Handle RunWriter::embeddingGroup(int model, const std::string &split)
{
    if (!m_embeddings->valid())
        *m_embeddings = h5::createFile(embeddingsPath() + runformat::kPartialSuffix);
    const std::string group = sc::join({sc::modelGroup(model), sc::kEmbeddings});
    if (!h5::exists(*m_file, group)) {
        // The run file links to the side file by name, relative to its own folder.
        h5::requireGroup(*m_file, sc::modelGroup(model));
        const std::string file = std::filesystem::path(embeddingsPath()).filename().string();
        try {
            h5::createExternalLink(*m_file, group, file, "/" + group);
        } catch (const StoreError &) {
            throw StoreError("cannot link the embeddings file");
        }
    }
    return h5::requireGroup(*m_embeddings, sc::join({group, split}));
}

void RunWriter::writeEmbedding(int model, const std::string &probe, const std::string &split,
                               const std::uint16_t *halfBits, std::int64_t rows, std::int64_t cols)
{
    h5::Handle g = embeddingGroup(model, split);
    // Probe names contain dots (layer1.0); HDF5 allows them, slashes are not used.
    try {
        h5::writeHalfArray(g, probe, halfBits, static_cast<hsize_t>(rows), static_cast<hsize_t>(cols));
    } catch (const StoreError &) {
        throw StoreError("cannot write embeddings '" + probe + "'");
    }
}

void RunWriter::writeEmbedding(int model, const std::string &probe, const std::string &split, const float *values,
                               std::int64_t rows, std::int64_t cols)
{
    h5::Handle g = embeddingGroup(model, split);
    try {
        h5::writeArray<float>(g, probe, values, {static_cast<hsize_t>(rows), static_cast<hsize_t>(cols)});
    } catch (const StoreError &) {
        throw StoreError("cannot write embeddings '" + probe + "'");
    }
}

void RunWriter::setMember(int model, int member)
{
    h5::Handle g = h5::openGroup(*m_file, sc::modelGroup(model));
    h5::writeAttr(g, sc::kMember, std::int64_t(member));
}

} // namespace pds
