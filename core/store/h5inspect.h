#pragma once

#include "store/h5file.h"

#include <functional>
#include <string>
#include <vector>

/// The read-only walk over a whole HDF5 file that checks and digests need:
/// its objects, their attributes in a canonical form, and every stored byte
/// of a dataset read once. Like h5file.h, every failure throws StoreError.
namespace pds::h5 {

/// One link of a file, found by walking it from the root.
struct ObjectEntry {
    enum class Kind { Group, Dataset, ExternalLink, Other };
    std::string path; ///< from the root, with a leading '/'
    Kind kind = Kind::Other;
    std::string target; ///< "file:/object" of an external link
};

/// Called with the path of each object before it is opened.
using ObjectProgress = std::function<void(const std::string &)>;

/// Every link below the root in name order; groups and datasets are opened
/// (so a damaged object header fails here), external links are not followed.
std::vector<ObjectEntry> listObjects(hid_t file, const ObjectProgress &progress = {});

/// Names of the attributes of an object, in name order.
std::vector<std::string> attributeNames(hid_t obj);
/// An attribute's name, type class and values in a form that does not depend
/// on how HDF5 laid them out: strings as their bytes, integers as int64,
/// floating-point values as float64, anything else as its stored bytes.
std::string attributeBytes(hid_t obj, const std::string &name);
/// A dataset's element type (encoded: byte order, sign, fields), shape, layout
/// and filter pipeline, in one string for the digest.
std::string datasetLayout(hid_t file, const std::string &path);
/// Walks the index of a dataset's chunks without reading their data (what a
/// quick check can afford); returns the bytes it stores.
std::uint64_t walkChunkIndex(hid_t file, const std::string &path);
/// Reads every value of a dataset once, a chunk's rows at a time, so every
/// checksum is verified; throws readFailure()'s error on a damaged chunk.
void readThrough(hid_t file, const std::string &path);
/// True if the dataset's stored data carries the Fletcher32 checksum.
bool hasChecksum(hid_t file, const std::string &path);
/// True if the dataset is stored in chunks (the only layout filters apply to).
bool isChunked(hid_t file, const std::string &path);

} // namespace pds::h5
