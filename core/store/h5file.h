#pragma once

#include <hdf5.h>

#include "util/error.h"

#include <cstdint>
#include <string>
#include <vector>

/// A thin layer over the HDF5 C API: owned handles, typed reads and writes of
/// attributes and datasets, and row-appendable datasets. Every failure throws
/// StoreError naming the object.
namespace pds::h5 {

/// Owns an HDF5 identifier and closes it with the matching H5?close.
class Handle {
public:
    Handle() = default;
    explicit Handle(hid_t id) : m_id(id) {}
    ~Handle() { reset(); }
    Handle(Handle &&o) noexcept : m_id(o.m_id) { o.m_id = H5I_INVALID_HID; }
    Handle &operator=(Handle &&o) noexcept
    {
        if (this != &o) {
            reset();
            m_id = o.m_id;
            o.m_id = H5I_INVALID_HID;
        }
        return *this;
    }
    Handle(const Handle &) = delete;
    Handle &operator=(const Handle &) = delete;

    hid_t id() const { return m_id; }
    bool valid() const { return m_id >= 0; }
    operator hid_t() const { return m_id; }
    void reset();

private:
    hid_t m_id = H5I_INVALID_HID;
};

/// Native HDF5 type of a C++ element type.
template <typename T> hid_t nativeType();

/// Creates a file (truncating) or opens one; throws StoreError with the reason.
Handle createFile(const std::string &path);
Handle openFile(const std::string &path, bool writable);
/// Creates a file that lives in memory only (HDF5 core driver); its bytes
/// are taken with fileImage() and written out by the caller.
Handle createMemoryFile(const std::string &name);
/// Loads an existing file into memory (HDF5 core driver) for changes that
/// are written out with fileImage(); the file on disk is not touched.
Handle openMemoryCopy(const std::string &path);
/// A fresh in-memory copy of `file` holding only what is reachable from its
/// root, so the space of deleted objects is not carried along.
Handle compactCopy(hid_t file, const std::string &name);
/// Copies every attribute of one object to another.
void copyAttributes(hid_t from, hid_t to);
/// The complete, consistent bytes of an open file (flushed first).
std::vector<char> fileImage(hid_t file);
/// Writes `bytes` to `path` atomically: to a temporary name, synced, then
/// renamed over `path`. On failure `path` is untouched and StoreError says why.
void writeFileAtomically(const std::string &path, const std::vector<char> &bytes);

bool exists(hid_t loc, const std::string &path);
Handle openGroup(hid_t loc, const std::string &path);
/// Opens the group, creating it (and its parents) if needed.
Handle requireGroup(hid_t loc, const std::string &path);
Handle openDataset(hid_t loc, const std::string &path);
/// Opens a group or dataset.
Handle openObject(hid_t loc, const std::string &path);
/// Removes the link at `path`, if there is one.
void removeLink(hid_t loc, const std::string &path);
/// Copies an object (with everything below it) to `toPath`, making missing parent groups.
void copyObject(hid_t from, const std::string &fromPath, hid_t to, const std::string &toPath);
/// Makes `path` an external link to `object` in `file` (relative to the linking file's folder).
void createExternalLink(hid_t loc, const std::string &path, const std::string &file, const std::string &object);
/// The target of an external link; false when `path` is missing or not an external link.
bool externalLink(hid_t loc, const std::string &path, std::string *file, std::string *object);
/// The path of the file `obj` belongs to, as it was opened.
std::string fileNameOf(hid_t obj);
/// The error for a failed read of dataset `ds`: one naming the file and the
/// dataset when its stored data fails its checksum, else "cannot read".
StoreError readFailure(hid_t ds, const std::string &name);
/// Writes what HDF5 buffers for `file` to disk.
void flush(hid_t file);

void writeAttr(hid_t obj, const std::string &name, const std::string &value);
void writeAttr(hid_t obj, const std::string &name, const char *value);
void writeAttr(hid_t obj, const std::string &name, std::int64_t value);
void writeAttr(hid_t obj, const std::string &name, double value);
void writeAttr(hid_t obj, const std::string &name, const std::vector<std::string> &values);
void writeAttr(hid_t obj, const std::string &name, const std::vector<float> &values);

bool hasAttr(hid_t obj, const std::string &name);
std::string readAttrString(hid_t obj, const std::string &name);
std::int64_t readAttrInt(hid_t obj, const std::string &name);
double readAttrDouble(hid_t obj, const std::string &name);
std::vector<std::string> readAttrStrings(hid_t obj, const std::string &name);
std::vector<float> readAttrFloats(hid_t obj, const std::string &name);

/// Writes a whole dataset of shape `dims` (row-major), chunked, compressed and checksummed.
template <typename T>
void writeArray(hid_t loc, const std::string &name, const T *data, const std::vector<hsize_t> &dims);
template <typename T>
void writeVector(hid_t loc, const std::string &name, const std::vector<T> &v)
{
    writeArray<T>(loc, name, v.data(), {static_cast<hsize_t>(v.size())});
}

/// Writes `size` raw bytes as an uncompressed, checksummed uint8 dataset.
void writeBytes(hid_t loc, const std::string &name, const void *data, std::size_t size);
/// Writes IEEE half-precision values (given as bit patterns) [rows, cols], chunked and compressed.
void writeHalfArray(hid_t loc, const std::string &name, const std::uint16_t *bits, hsize_t rows, hsize_t cols);

/// Shape of a dataset.
std::vector<hsize_t> shapeOf(hid_t loc, const std::string &name);
/// The number of values a dataset's `shape` holds; StoreError when the file
/// stores far too few bytes for them (a damaged or hostile shape).
/// Also refuses a chunked dataset whose index lists fewer or more chunks than its shape needs.
hsize_t plausibleValueCount(hid_t ds, hid_t fileType, const std::string &name, const std::vector<hsize_t> &shape);
/// StoreError when a chunked dataset does not store every chunk its shape needs (the writers write all).
void requireEveryChunk(hid_t ds, const std::string &name);
/// Reads a whole dataset, converting to T; `dims` receives its shape.
template <typename T>
std::vector<T> readArray(hid_t loc, const std::string &name, std::vector<hsize_t> *dims = nullptr);
/// Reads one row of a 2-D dataset.
template <typename T> std::vector<T> readRow(hid_t loc, const std::string &name, hsize_t row);
/// Column `col` of a two-dimensional dataset (one value per row).
template <typename T> std::vector<T> readColumn(hid_t loc, const std::string &name, hsize_t col);

/// A dataset that grows by whole rows along its first axis: [rows] of single
/// values, or [rows, cols] where cols may be 0 (an empty split). Used for
/// per-epoch arrays.
class RowAppender {
public:
    RowAppender() = default;
    /// [rows] of single values.
    RowAppender(hid_t loc, const std::string &name, hid_t type);
    /// [rows, cols].
    RowAppender(hid_t loc, const std::string &name, hid_t type, hsize_t cols);
    /// Opens an existing appendable dataset.
    static RowAppender open(hid_t loc, const std::string &name);
    void append(const void *row, hid_t memType);
    hsize_t rows() const { return m_rows; }

private:
    RowAppender(hid_t loc, const std::string &name, hid_t type, int rank, hsize_t cols);

    Handle m_ds;
    std::string m_name;
    int m_rank = 1;
    hsize_t m_cols = 0;
    hsize_t m_rows = 0;
};

} // namespace pds::h5
