// The probe-stage part of RunWriter: k-NN predictions, prediction depth,
// per-probe accuracies and (optionally) embeddings.

#include "store/runwriter.h"

#include "probe/probestage.h"
#include "store/runformat.h"
#include "util/error.h"

#include <filesystem>

namespace pds {

namespace {

/// IEEE 754 binary16, which HDF5 1.10 has no predefined type for (h5py reads it as float16).
h5::Handle halfType()
{
    h5::Handle t(H5Tcopy(H5T_IEEE_F32LE));
    H5Tset_fields(t, 15, 10, 5, 0, 10);
    H5Tset_size(t, 2);
    H5Tset_ebias(t, 15);
    return t;
}

std::string shapeText(const std::vector<std::int64_t> &shape)
{
    std::string s;
    for (auto d : shape)
        s += (s.empty() ? "" : "x") + std::to_string(d);
    return s;
}

} // namespace

void RunWriter::writeProbes(int model, const ProbeResults &r, int k, std::int64_t maxFeatures)
{
    const std::string base = modelGroup(model) + "/probes";
    h5::Handle g = h5::requireGroup(m_file, base);
    h5::writeAttr(g, "k", std::int64_t(k));
    h5::writeAttr(g, "max_features", maxFeatures);
    h5::writeAttr(g, "probe_names", r.probeNames);
    std::vector<std::string> produced, reduced;
    for (const auto &red : r.reductions) {
        produced.push_back(shapeText(red.shape));
        reduced.push_back(shapeText(red.reduced));
    }
    h5::writeAttr(g, "probe_shape", produced);
    h5::writeAttr(g, "reduced_shape", reduced);
    h5::writeAttr(g, "embed_seconds", r.embedSeconds);
    h5::writeAttr(g, "probe_seconds", r.probeSeconds);
    const auto p = static_cast<hsize_t>(r.probes);
    h5::writeArray(g, "knn_pred_train", r.trainKnn.data(), {p, static_cast<hsize_t>(r.trainDepth.size())});
    h5::writeArray(g, "knn_pred_test", r.testKnn.data(), {p, static_cast<hsize_t>(r.testDepth.size())});
    h5::writeVector(g, "depth_train", r.trainDepth);
    h5::writeVector(g, "depth_test", r.testDepth);
    h5::writeVector(g, "train_split_accuracy", r.trainAccuracy);
    h5::writeVector(g, "train_split_agreement", r.trainAgreement);
    h5::writeVector(g, "validation_split_accuracy", r.validationAccuracy);
    h5::writeVector(g, "validation_split_agreement", r.validationAgreement);
    const std::string partial = modelGroup(model) + "/" + runformat::kProbesPartial;
    if (h5::exists(m_file, partial) && H5Ldelete(m_file, partial.c_str(), H5P_DEFAULT) < 0)
        throw StoreError("cannot remove " + partial);
    commit();
}

void RunWriter::writeProbeLayer(int model, int layer, const std::vector<std::int32_t> &train,
                                const std::vector<std::int32_t> &test, bool commitNow)
{
    h5::Handle g = h5::requireGroup(m_file, modelGroup(model) + "/" + runformat::kProbesPartial);
    const std::string suffix = "_" + std::to_string(layer);
    for (const auto &[name, rows] : {std::pair{"knn_pred_train", &train}, std::pair{"knn_pred_test", &test}}) {
        const std::string path = name + suffix;
        if (h5::exists(g, path) && H5Ldelete(g, path.c_str(), H5P_DEFAULT) < 0)
            throw StoreError("cannot replace " + path);
        h5::writeVector(g, path, *rows);
    }
    if (commitNow)
        commit();
}

void RunWriter::writeEmbedding(int model, const std::string &probe, const std::string &split,
                               const std::uint16_t *halfBits, std::int64_t rows, std::int64_t cols)
{
    if (!m_embeddings.valid())
        m_embeddings = h5::createFile(embeddingsPath() + runformat::kPartialSuffix);
    const std::string group = modelGroup(model) + "/embeddings";
    if (!h5::exists(m_file, group)) {
        // The run file links to the side file by name, relative to its own folder.
        h5::requireGroup(m_file, modelGroup(model));
        const std::string file = std::filesystem::path(embeddingsPath()).filename().string();
        if (H5Lcreate_external(file.c_str(), ("/" + group).c_str(), m_file, group.c_str(), H5P_DEFAULT,
                               H5P_DEFAULT) < 0)
            throw StoreError("cannot link the embeddings file");
    }
    h5::Handle g = h5::requireGroup(m_embeddings, group + "/" + split);
    const hsize_t dims[2] = {static_cast<hsize_t>(rows), static_cast<hsize_t>(cols)};
    h5::Handle space(H5Screate_simple(2, dims, nullptr));
    h5::Handle type = halfType();
    h5::Handle dcpl(H5Pcreate(H5P_DATASET_CREATE));
    if (rows > 0 && cols > 0) {
        const hsize_t chunk[2] = {std::min<hsize_t>(dims[0], std::max<hsize_t>(1, (1 << 19) / dims[1])), dims[1]};
        H5Pset_chunk(dcpl, 2, chunk);
        H5Pset_shuffle(dcpl);
        H5Pset_deflate(dcpl, 1);
    }
    // Probe names contain dots (layer1.0); HDF5 allows them, slashes are not used.
    h5::Handle ds(H5Dcreate2(g, probe.c_str(), type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT));
    if (!ds.valid())
        throw StoreError("cannot create embeddings '" + probe + "'");
    if (rows > 0 && cols > 0 && H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, halfBits) < 0)
        throw StoreError("cannot write embeddings '" + probe + "'");
}

void RunWriter::setModelAttr(int model, const std::string &name, std::int64_t value)
{
    h5::Handle g = h5::openGroup(m_file, modelGroup(model));
    h5::writeAttr(g, name, value);
}

} // namespace pds
