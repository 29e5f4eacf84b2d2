// The one wrapper over the HDF5 C API (about 820 lines): every HDF5 call of the
// program is here or in h5inspect.cpp (the read-only walk the checks need), so
// that return codes are checked and handles owned in one place; splitting it
// further would spread the same checks over several files.

#include "store/h5file.h"

#include "util/error.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>
#include <set>

#include <fcntl.h>
#include <unistd.h>

namespace pds::h5 {

namespace {

/// HDF5 prints its own error stack to stderr by default; we report through exceptions.
struct SilenceHdf5 {
    SilenceHdf5() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }
};
const SilenceHdf5 silence;

void check(herr_t status, const std::string &what)
{
    if (status < 0)
        throw StoreError(what);
}

hid_t checkId(hid_t id, const std::string &what)
{
    if (id < 0)
        throw StoreError(what);
    return id;
}

Handle stringType()
{
    Handle t(checkId(H5Tcopy(H5T_C_S1), "cannot make a string type"));
    check(H5Tset_size(t, H5T_VARIABLE), "cannot make a string type");
    check(H5Tset_cset(t, H5T_CSET_UTF8), "cannot make a string type");
    return t;
}

Handle scalarSpace() { return Handle(checkId(H5Screate(H5S_SCALAR), "cannot make a dataspace")); }

Handle replaceAttr(hid_t obj, const std::string &name, hid_t type, hid_t space)
{
    if (H5Aexists(obj, name.c_str()) > 0)
        check(H5Adelete(obj, name.c_str()), "cannot replace attribute '" + name + "'");
    return Handle(checkId(H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT),
                          "cannot create attribute '" + name + "'"));
}

Handle openAttr(hid_t obj, const std::string &name)
{
    if (H5Aexists(obj, name.c_str()) <= 0)
        throw StoreError("attribute '" + name + "' is missing");
    return Handle(checkId(H5Aopen(obj, name.c_str(), H5P_DEFAULT),
                          "cannot open attribute '" + name + "'"));
}

/// Opens an attribute that must hold exactly one value. HDF5 reads every value
/// of an attribute into the buffer it is given, so an array where one value
/// belongs would overrun the single variable the readers below read into.
Handle openSingleValueAttr(hid_t obj, const std::string &name)
{
    Handle a = openAttr(obj, name);
    Handle space(H5Aget_space(a));
    const hssize_t n = H5Sget_simple_extent_npoints(space);
    if (n != 1)
        throw StoreError("attribute '" + name + "' should hold one value but holds " + std::to_string(n));
    return a;
}

Handle chunkedCreateProps(const std::vector<hsize_t> &chunk)
{
    Handle dcpl(checkId(H5Pcreate(H5P_DATASET_CREATE), "cannot make dataset properties"));
    check(H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data()), "cannot set the chunk size");
    check(H5Pset_shuffle(dcpl), "cannot set the shuffle filter");
    check(H5Pset_deflate(dcpl, 1), "cannot set compression");
    // Last in the pipeline, so the checksum covers the bytes as stored and a
    // damaged chunk is refused before it is decompressed.
    check(H5Pset_fletcher32(dcpl), "cannot set the checksum filter");
    return dcpl;
}

/// Link creation that makes missing parent groups on the way.
Handle intermediateGroupsLinkProps()
{
    Handle lcpl(checkId(H5Pcreate(H5P_LINK_CREATE), "cannot make link properties"));
    check(H5Pset_create_intermediate_group(lcpl, 1), "cannot make link properties");
    return lcpl;
}

std::string explainOpenFailure(const std::string &path, bool creating)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path p(path);
    const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
    if (creating) {
        if (!fs::is_directory(dir, ec))
            return path + ": folder " + dir.string() + " does not exist";
        return path + ": cannot create file (" + std::strerror(errno ? errno : EACCES) + ")";
    }
    if (!fs::exists(p, ec))
        return path + ": file not found";
    return path + ": not an HDF5 file, or it is damaged";
}

} // namespace

std::string fileNameOf(hid_t obj)
{
    const ssize_t n = H5Fget_name(obj, nullptr, 0);
    if (n <= 0)
        return {};
    std::string name(static_cast<std::size_t>(n) + 1, '\0');
    H5Fget_name(obj, name.data(), name.size());
    name.resize(static_cast<std::size_t>(n));
    // In-memory files carry a made-unique suffix; the user knows them by the path before it.
    const auto memory = name.find("#memory");
    return memory == std::string::npos ? name : name.substr(0, memory);
}

namespace {

/// What HDF5's error stack says about a failed read.
struct ReadErrorCause {
    bool checksum = false;
    std::string deepest; ///< the innermost description, e.g. "inflate() failed"
};

herr_t findReadErrorCause(unsigned, const H5E_error2_t *err, void *data)
{
    auto &cause = *static_cast<ReadErrorCause *>(data);
    if (err->desc && std::strstr(err->desc, "Fletcher32"))
        cause.checksum = true;
    if (err->desc && *err->desc)
        cause.deepest = err->desc;
    return 0;
}

} // namespace

StoreError readFailure(hid_t ds, const std::string &name)
{
    ReadErrorCause cause;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, findReadErrorCause, &cause);
    if (!cause.checksum)
        return StoreError("cannot read dataset '" + name + "'"
                          + (cause.deepest.empty() ? std::string() : " (HDF5: " + cause.deepest + ")"));
    char path[1024] = {};
    H5Iget_name(ds, path, sizeof path);
    return StoreError(fileNameOf(ds) + ": dataset '" + (path[0] ? std::string(path) : name)
                      + "' is damaged: its stored data does not match its checksum");
}

void Handle::reset()
{
    if (m_id < 0)
        return;
    switch (H5Iget_type(m_id)) {
    case H5I_FILE: H5Fclose(m_id); break;
    case H5I_GROUP: H5Gclose(m_id); break;
    case H5I_DATASET: H5Dclose(m_id); break;
    case H5I_ATTR: H5Aclose(m_id); break;
    case H5I_DATATYPE: H5Tclose(m_id); break;
    case H5I_DATASPACE: H5Sclose(m_id); break;
    case H5I_GENPROP_LST: H5Pclose(m_id); break;
    default: break;
    }
    m_id = H5I_INVALID_HID;
}

template <> hid_t nativeType<std::uint8_t>() { return H5T_NATIVE_UINT8; }
template <> hid_t nativeType<std::int16_t>() { return H5T_NATIVE_INT16; }
template <> hid_t nativeType<std::int32_t>() { return H5T_NATIVE_INT32; }
template <> hid_t nativeType<std::int64_t>() { return H5T_NATIVE_INT64; }
template <> hid_t nativeType<float>() { return H5T_NATIVE_FLOAT; }
template <> hid_t nativeType<double>() { return H5T_NATIVE_DOUBLE; }

Handle createFile(const std::string &path)
{
    errno = 0;
    // Keep the newest format features off so HDF5 1.10 readers (h5py on Debian) open our files.
    const hid_t id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (id < 0)
        throw StoreError(explainOpenFailure(path, true));
    return Handle(id);
}

Handle openFile(const std::string &path, bool writable)
{
    if (H5Fis_hdf5(path.c_str()) <= 0)
        throw StoreError(explainOpenFailure(path, false));
    const hid_t id = H5Fopen(path.c_str(), writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY, H5P_DEFAULT);
    if (id < 0)
        throw StoreError(explainOpenFailure(path, false));
    return Handle(id);
}

namespace {

/// File access through the core driver: the whole file lives in memory.
Handle memoryFileAccess()
{
    Handle fapl(checkId(H5Pcreate(H5P_FILE_ACCESS), "cannot make file access properties"));
    check(H5Pset_fapl_core(fapl, /*increment=*/std::size_t(1) << 22, /*backing_store=*/0),
          "cannot select the in-memory file driver");
    return fapl;
}

} // namespace

Handle createMemoryFile(const std::string &name)
{
    Handle fapl = memoryFileAccess();
    // HDF5 refuses a second open file of the same name, so each memory file gets its own.
    static std::atomic<unsigned long> counter{0};
    const std::string unique = name + "#memory" + std::to_string(++counter);
    const hid_t id = H5Fcreate(unique.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    if (id < 0)
        throw StoreError(name + ": cannot create an in-memory HDF5 file");
    return Handle(id);
}

Handle openMemoryCopy(const std::string &path)
{
    if (H5Fis_hdf5(path.c_str()) <= 0)
        throw StoreError(explainOpenFailure(path, false));
    Handle fapl = memoryFileAccess();
    const hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl);
    if (id < 0)
        throw StoreError(explainOpenFailure(path, false));
    return Handle(id);
}

namespace {

herr_t copyOneAttribute(hid_t from, const char *name, const H5A_info_t *, void *to)
{
    Handle a(H5Aopen(from, name, H5P_DEFAULT));
    Handle type(H5Aget_type(a));
    Handle space(H5Aget_space(a));
    const std::size_t size = H5Tget_size(type) * std::max<hssize_t>(1, H5Sget_simple_extent_npoints(space));
    std::vector<char> buf(size);
    if (H5Aread(a, type, buf.data()) < 0)
        return -1;
    const hid_t target = *static_cast<hid_t *>(to);
    if (H5Aexists(target, name) > 0 && H5Adelete(target, name) < 0)
        return -1;
    Handle b(H5Acreate2(target, name, type, space, H5P_DEFAULT, H5P_DEFAULT));
    const herr_t status = b.valid() ? H5Awrite(b, type, buf.data()) : -1;
#if H5_VERSION_GE(1, 12, 0)
    const herr_t reclaimed = H5Treclaim(type, space, H5P_DEFAULT, buf.data());
#else
    const herr_t reclaimed = H5Dvlen_reclaim(type, space, H5P_DEFAULT, buf.data());
#endif
    return status < 0 ? status : reclaimed;
}

herr_t copyOneLink(hid_t from, const char *name, const H5L_info_t *, void *to)
{
    return H5Ocopy(from, name, *static_cast<hid_t *>(to), name, H5P_DEFAULT, H5P_DEFAULT);
}

} // namespace

void copyAttributes(hid_t from, hid_t to)
{
    hsize_t index = 0;
    check(H5Aiterate2(from, H5_INDEX_NAME, H5_ITER_INC, &index, copyOneAttribute, &to),
          "cannot copy attributes");
}

Handle compactCopy(hid_t file, const std::string &name)
{
    Handle out = createMemoryFile(name);
    hid_t target = out.id();
    copyAttributes(file, target);
    hsize_t index = 0;
    check(H5Literate(file, H5_INDEX_NAME, H5_ITER_INC, &index, copyOneLink, &target),
          "cannot copy the run file");
    return out;
}

std::vector<char> fileImage(hid_t file)
{
    check(H5Fflush(file, H5F_SCOPE_GLOBAL), "cannot flush the run file");
    const ssize_t size = H5Fget_file_image(file, nullptr, 0);
    if (size < 0)
        throw StoreError("cannot take the image of the run file");
    std::vector<char> bytes(static_cast<std::size_t>(size));
    if (H5Fget_file_image(file, bytes.data(), bytes.size()) != size)
        throw StoreError("cannot take the image of the run file");
    return bytes;
}

void writeFileAtomically(const std::string &path, const std::vector<char> &bytes)
{
    const std::string tmp = path + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        std::string message = explainOpenFailure(path, true);
        std::error_code ec;
        if (std::filesystem::exists(path, ec))
            message += "; the previous version of the file is kept";
        throw StoreError(message);
    }
    std::size_t done = 0;
    int err = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            err = errno;
            break;
        }
        done += static_cast<std::size_t>(n);
    }
    if (!err && ::fsync(fd) != 0)
        err = errno;
    if (::close(fd) != 0 && !err)
        err = errno;
    if (err) {
        ::unlink(tmp.c_str());
        throw StoreError(path + ": cannot write (" + std::strerror(err)
                         + "); the previous version of the file is kept");
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        err = errno;
        ::unlink(tmp.c_str());
        throw StoreError(path + ": cannot replace the file (" + std::strerror(err) + ")");
    }
}

bool exists(hid_t loc, const std::string &path)
{
    // H5Lexists must be asked one component at a time.
    std::size_t pos = 0;
    while (pos != std::string::npos) {
        pos = path.find('/', pos + 1);
        const std::string prefix = path.substr(0, pos);
        if (H5Lexists(loc, prefix.c_str(), H5P_DEFAULT) <= 0)
            return false;
    }
    return true;
}

Handle openGroup(hid_t loc, const std::string &path)
{
    if (!exists(loc, path))
        throw StoreError("group '" + path + "' is missing");
    return Handle(checkId(H5Gopen2(loc, path.c_str(), H5P_DEFAULT), "cannot open group '" + path + "'"));
}

Handle requireGroup(hid_t loc, const std::string &path)
{
    if (exists(loc, path))
        return openGroup(loc, path);
    Handle lcpl = intermediateGroupsLinkProps();
    return Handle(checkId(H5Gcreate2(loc, path.c_str(), lcpl, H5P_DEFAULT, H5P_DEFAULT),
                          "cannot create group '" + path + "'"));
}

Handle openDataset(hid_t loc, const std::string &path)
{
    if (!exists(loc, path))
        throw StoreError("dataset '" + path + "' is missing");
    return Handle(checkId(H5Dopen2(loc, path.c_str(), H5P_DEFAULT), "cannot open dataset '" + path + "'"));
}

Handle openObject(hid_t loc, const std::string &path)
{
    if (!exists(loc, path))
        throw StoreError("'" + path + "' is missing");
    return Handle(checkId(H5Oopen(loc, path.c_str(), H5P_DEFAULT), "cannot open '" + path + "'"));
}

void removeLink(hid_t loc, const std::string &path)
{
    if (H5Lexists(loc, path.c_str(), H5P_DEFAULT) > 0)
        check(H5Ldelete(loc, path.c_str(), H5P_DEFAULT), "cannot remove '" + path + "'");
}

void copyObject(hid_t from, const std::string &fromPath, hid_t to, const std::string &toPath)
{
    Handle lcpl = intermediateGroupsLinkProps();
    check(H5Ocopy(from, fromPath.c_str(), to, toPath.c_str(), H5P_DEFAULT, lcpl),
          "cannot copy '" + fromPath + "'");
}

void createExternalLink(hid_t loc, const std::string &path, const std::string &file, const std::string &object)
{
    check(H5Lcreate_external(file.c_str(), object.c_str(), loc, path.c_str(), H5P_DEFAULT, H5P_DEFAULT),
          "cannot link '" + path + "' to " + file);
}

bool externalLink(hid_t loc, const std::string &path, std::string *file, std::string *object)
{
    if (!exists(loc, path))
        return false;
    H5L_info_t info;
    if (H5Lget_info(loc, path.c_str(), &info, H5P_DEFAULT) < 0 || info.type != H5L_TYPE_EXTERNAL)
        return false;
    std::vector<char> value(info.u.val_size);
    const char *f = nullptr, *o = nullptr;
    unsigned flags = 0;
    if (H5Lget_val(loc, path.c_str(), value.data(), value.size(), H5P_DEFAULT) < 0
        || H5Lunpack_elink_val(value.data(), value.size(), &flags, &f, &o) < 0)
        throw StoreError("cannot read the link '" + path + "'");
    *file = f ? f : "";
    *object = o ? o : "";
    return true;
}

void flush(hid_t file)
{
    check(H5Fflush(file, H5F_SCOPE_GLOBAL), "cannot flush the file");
}

void writeAttr(hid_t obj, const std::string &name, const std::string &value)
{
    Handle type = stringType();
    Handle space = scalarSpace();
    Handle a = replaceAttr(obj, name, type, space);
    const char *p = value.c_str();
    check(H5Awrite(a, type, &p), "cannot write attribute '" + name + "'");
}

void writeAttr(hid_t obj, const std::string &name, const char *value)
{
    writeAttr(obj, name, std::string(value));
}

void writeAttr(hid_t obj, const std::string &name, std::int64_t value)
{
    Handle space = scalarSpace();
    Handle a = replaceAttr(obj, name, H5T_STD_I64LE, space);
    check(H5Awrite(a, H5T_NATIVE_INT64, &value), "cannot write attribute '" + name + "'");
}

void writeAttr(hid_t obj, const std::string &name, double value)
{
    Handle space = scalarSpace();
    Handle a = replaceAttr(obj, name, H5T_IEEE_F64LE, space);
    check(H5Awrite(a, H5T_NATIVE_DOUBLE, &value), "cannot write attribute '" + name + "'");
}

void writeAttr(hid_t obj, const std::string &name, const std::vector<std::string> &values)
{
    Handle type = stringType();
    const hsize_t n = values.size();
    Handle space(H5Screate_simple(1, &n, nullptr));
    Handle a = replaceAttr(obj, name, type, space);
    std::vector<const char *> ptrs;
    for (const auto &v : values)
        ptrs.push_back(v.c_str());
    check(H5Awrite(a, type, ptrs.data()), "cannot write attribute '" + name + "'");
}

void writeAttr(hid_t obj, const std::string &name, const std::vector<float> &values)
{
    const hsize_t n = values.size();
    Handle space(H5Screate_simple(1, &n, nullptr));
    Handle a = replaceAttr(obj, name, H5T_IEEE_F32LE, space);
    check(H5Awrite(a, H5T_NATIVE_FLOAT, values.data()), "cannot write attribute '" + name + "'");
}

bool hasAttr(hid_t obj, const std::string &name)
{
    return H5Aexists(obj, name.c_str()) > 0;
}

std::string readAttrString(hid_t obj, const std::string &name)
{
    Handle a = openSingleValueAttr(obj, name);
    Handle fileType(H5Aget_type(a));
    if (H5Tget_class(fileType) != H5T_STRING)
        throw StoreError("attribute '" + name + "' is not a string");
    if (H5Tis_variable_str(fileType) > 0) {
        Handle type = stringType();
        char *p = nullptr;
        check(H5Aread(a, type, &p), "cannot read attribute '" + name + "'");
        std::string s = p ? p : "";
        H5free_memory(p);
        return s;
    }
    // Fixed-length strings (as other tools may write them).
    const std::size_t size = H5Tget_size(fileType);
    std::string s(size, '\0');
    Handle type(checkId(H5Tcopy(H5T_C_S1), "cannot make a string type"));
    check(H5Tset_size(type, size), "cannot make a string type");
    check(H5Aread(a, type, s.data()), "cannot read attribute '" + name + "'");
    s.resize(std::strlen(s.c_str()));
    return s;
}

std::int64_t readAttrInt(hid_t obj, const std::string &name)
{
    Handle a = openSingleValueAttr(obj, name);
    Handle fileType(H5Aget_type(a));
    if (H5Tget_class(fileType) != H5T_INTEGER)
        throw StoreError("attribute '" + name + "' is not an integer");
    std::int64_t v = 0;
    check(H5Aread(a, H5T_NATIVE_INT64, &v), "cannot read attribute '" + name + "'");
    return v;
}

double readAttrDouble(hid_t obj, const std::string &name)
{
    Handle a = openSingleValueAttr(obj, name);
    Handle fileType(H5Aget_type(a));
    const auto cls = H5Tget_class(fileType);
    if (cls != H5T_FLOAT && cls != H5T_INTEGER)
        throw StoreError("attribute '" + name + "' is not a number");
    double v = 0;
    check(H5Aread(a, H5T_NATIVE_DOUBLE, &v), "cannot read attribute '" + name + "'");
    return v;
}

std::vector<std::string> readAttrStrings(hid_t obj, const std::string &name)
{
    Handle a = openAttr(obj, name);
    Handle fileType(H5Aget_type(a));
    if (H5Tget_class(fileType) != H5T_STRING || H5Tis_variable_str(fileType) <= 0)
        throw StoreError("attribute '" + name + "' is not a list of strings");
    Handle space(H5Aget_space(a));
    const hssize_t n = H5Sget_simple_extent_npoints(space);
    std::vector<char *> ptrs(static_cast<std::size_t>(std::max<hssize_t>(n, 0)), nullptr);
    Handle type = stringType();
    check(H5Aread(a, type, ptrs.data()), "cannot read attribute '" + name + "'");
    std::vector<std::string> out;
    for (char *p : ptrs) {
        out.emplace_back(p ? p : "");
        H5free_memory(p);
    }
    return out;
}

std::vector<float> readAttrFloats(hid_t obj, const std::string &name)
{
    Handle a = openAttr(obj, name);
    Handle space(H5Aget_space(a));
    const hssize_t n = H5Sget_simple_extent_npoints(space);
    std::vector<float> out(static_cast<std::size_t>(std::max<hssize_t>(n, 0)));
    check(H5Aread(a, H5T_NATIVE_FLOAT, out.data()), "cannot read attribute '" + name + "'");
    return out;
}

template <typename T>
void writeArray(hid_t loc, const std::string &name, const T *data, const std::vector<hsize_t> &dims)
{
    Handle space(checkId(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                         "cannot make a dataspace"));
    hsize_t total = 1;
    for (auto d : dims)
        total *= d;
    Handle dcpl(checkId(H5Pcreate(H5P_DATASET_CREATE), "cannot make dataset properties"));
    if (total > 0) {
        // Chunks of about 1 MiB along the first axis keep partial reads cheap.
        std::vector<hsize_t> chunk = dims;
        hsize_t rowElems = total / std::max<hsize_t>(dims[0], 1);
        chunk[0] = std::max<hsize_t>(1, std::min<hsize_t>(dims[0], (1 << 18) / std::max<hsize_t>(rowElems, 1)));
        dcpl = chunkedCreateProps(chunk);
    }
    removeLink(loc, name);
    Handle ds(checkId(H5Dcreate2(loc, name.c_str(), nativeType<T>(), space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
                      "cannot create dataset '" + name + "'"));
    if (total > 0)
        check(H5Dwrite(ds, nativeType<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data),
              "cannot write dataset '" + name + "'");
}

void writeBytes(hid_t loc, const std::string &name, const void *data, std::size_t size)
{
    // Uncompressed (a checkpoint hardly compresses), chunked only so the checksum can guard it.
    removeLink(loc, name);
    const hsize_t n = size;
    Handle space(checkId(H5Screate_simple(1, &n, nullptr), "cannot make a dataspace"));
    Handle dcpl(checkId(H5Pcreate(H5P_DATASET_CREATE), "cannot make dataset properties"));
    if (n > 0) {
        const hsize_t chunk = std::min<hsize_t>(n, hsize_t(1) << 20);
        check(H5Pset_chunk(dcpl, 1, &chunk), "cannot set the chunk size");
        check(H5Pset_fletcher32(dcpl), "cannot set the checksum filter");
    }
    Handle ds(checkId(H5Dcreate2(loc, name.c_str(), H5T_STD_U8LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
                      "cannot create dataset '" + name + "'"));
    check(H5Dwrite(ds, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "cannot write dataset '" + name + "'");
}

namespace {

/// IEEE 754 binary16, which HDF5 1.10 has no predefined type for (h5py reads it as float16).
Handle halfType()
{
    Handle t(checkId(H5Tcopy(H5T_IEEE_F32LE), "cannot make the half-precision type"));
    check(H5Tset_fields(t, 15, 10, 5, 0, 10), "cannot make the half-precision type");
    check(H5Tset_size(t, 2), "cannot make the half-precision type");
    check(H5Tset_ebias(t, 15), "cannot make the half-precision type");
    return t;
}

} // namespace

void writeHalfArray(hid_t loc, const std::string &name, const std::uint16_t *bits, hsize_t rows, hsize_t cols)
{
    const hsize_t dims[2] = {rows, cols};
    Handle space(checkId(H5Screate_simple(2, dims, nullptr), "cannot make a dataspace"));
    Handle type = halfType();
    Handle dcpl(checkId(H5Pcreate(H5P_DATASET_CREATE), "cannot make dataset properties"));
    if (rows > 0 && cols > 0)
        dcpl = chunkedCreateProps({std::min<hsize_t>(rows, std::max<hsize_t>(1, (1 << 19) / cols)), cols});
    Handle ds(checkId(H5Dcreate2(loc, name.c_str(), type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
                      "cannot create dataset '" + name + "'"));
    if (rows > 0 && cols > 0)
        check(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, bits), "cannot write dataset '" + name + "'");
}

std::vector<hsize_t> shapeOf(hid_t loc, const std::string &name)
{
    Handle ds = openDataset(loc, name);
    Handle space(H5Dget_space(ds));
    const int rank = H5Sget_simple_extent_ndims(space);
    std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
    check(H5Sget_simple_extent_dims(space, dims.data(), nullptr), "cannot read the shape of '" + name + "'");
    return dims;
}

/// The number of values in `shape` (of a dataset's values), refused when a
/// damaged or hostile file claims more than it can hold: HDF5 lets a tiny file
/// declare an extendible dataset of 2^62 rows, whose unwritten chunks read as
/// fill values. Deflate expands data at most about 1032 times, so far more
/// values than the stored bytes allow cannot be real; small datasets may be
/// entirely unwritten.
void requireEveryChunk(hid_t ds, const std::string &name)
{
    Handle dcpl(H5Dget_create_plist(ds));
    if (!dcpl.valid() || H5Pget_layout(dcpl) != H5D_CHUNKED)
        return;
    Handle space(H5Dget_space(ds));
    const int rank = H5Sget_simple_extent_ndims(space);
    std::vector<hsize_t> shape(static_cast<std::size_t>(std::max(rank, 0)));
    if (rank < 0 || H5Sget_simple_extent_dims(space, shape.data(), nullptr) < 0)
        throw StoreError("cannot read the shape of '" + name + "'");
    std::vector<hsize_t> chunk(shape.size());
    if (H5Pget_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data()) != static_cast<int>(chunk.size()))
        throw StoreError("cannot read the chunk shape of '" + name + "'");
    hsize_t expected = 1;
    for (std::size_t i = 0; i < shape.size(); ++i)
        expected *= chunk[i] ? (shape[i] + chunk[i] - 1) / chunk[i] : 0;
    hsize_t stored = 0;
    if (H5Dget_num_chunks(ds, space, &stored) < 0)
        throw StoreError("cannot read the chunk index of '" + name + "'");
    // The writers write every chunk in full, so a missing one means a damaged
    // index, whose values HDF5 would silently read as zeros.
    if (stored != expected)
        throw StoreError("dataset '" + name + "' is damaged: its index lists " + std::to_string(stored)
                         + " stored chunks where it should list " + std::to_string(expected));
    // Each chunk once, at a place of the grid, inside the file, with every
    // filter applied: a damaged index entry could otherwise move a chunk, hide
    // it, or mark a filter (the shuffle, even the checksum) as skipped, and
    // values would change unnoticed.
    std::set<std::vector<hsize_t>> seen;
    std::vector<hsize_t> offset(shape.size());
    hsize_t fileSize = 0;
    {
        Handle file(H5Iget_file_id(ds));
        if (!file.valid() || H5Fget_filesize(file, &fileSize) < 0)
            throw StoreError("cannot read the size of the file of '" + name + "'");
    }
    for (hsize_t i = 0; i < stored; ++i) {
        unsigned filterMask = 0;
        haddr_t address = 0;
        hsize_t size = 0;
        if (H5Dget_chunk_info(ds, space, i, offset.data(), &filterMask, &address, &size) < 0)
            throw StoreError("cannot read the chunk index of '" + name + "'");
        bool onGrid = true;
        for (std::size_t d = 0; d < shape.size(); ++d)
            onGrid = onGrid && chunk[d] && offset[d] % chunk[d] == 0 && offset[d] < shape[d];
        // Address 0 is the superblock: a zeroed address, which HDF5 would read as an unwritten chunk.
        const bool inFile = address != HADDR_UNDEF && address > 0 && size > 0 && address + size <= fileSize;
        // A read finds a chunk by its coordinates, through other keys of the
        // index than this walk; where they disagree it finds none and reads zeros.
        hsize_t foundSize = 0;
        const bool findable =
            onGrid && H5Dget_chunk_storage_size(ds, offset.data(), &foundSize) >= 0 && foundSize == size;
        if (filterMask != 0 || !onGrid || !inFile || !findable || !seen.insert(offset).second)
            throw StoreError("dataset '" + name + "' is damaged: entry " + std::to_string(i)
                             + " of its chunk index is invalid");
    }
}

hsize_t plausibleValueCount(hid_t ds, hid_t fileType, const std::string &name,
                            const std::vector<hsize_t> &shape)
{
    constexpr hsize_t kMaxExpansion = 1100;
    constexpr hsize_t kUnwrittenAllowance = hsize_t(1) << 20;
    const hsize_t limit = std::numeric_limits<hsize_t>::max() / 16;
    hsize_t total = 1;
    for (const auto d : shape) {
        if (d != 0 && total > limit / d)
            throw StoreError("dataset '" + name + "' claims an impossible number of values");
        total *= d;
    }
    const hsize_t bytes = total * std::max<hsize_t>(H5Tget_size(fileType), 1);
    const hsize_t stored = H5Dget_storage_size(ds);
    if (bytes > kUnwrittenAllowance && bytes / kMaxExpansion > stored)
        throw StoreError("dataset '" + name + "' claims " + std::to_string(total)
                         + " values but the file stores only " + std::to_string(stored)
                         + " bytes of them");
    requireEveryChunk(ds, name);
    return total;
}


template <typename T>
std::vector<T> readArray(hid_t loc, const std::string &name, std::vector<hsize_t> *dimsOut)
{
    Handle ds = openDataset(loc, name);
    Handle fileType(H5Dget_type(ds));
    const auto cls = H5Tget_class(fileType);
    if (cls != H5T_INTEGER && cls != H5T_FLOAT)
        throw StoreError("dataset '" + name + "' is not numeric");
    Handle space(H5Dget_space(ds));
    const int rank = H5Sget_simple_extent_ndims(space);
    std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
    check(H5Sget_simple_extent_dims(space, dims.data(), nullptr), "cannot read the shape of '" + name + "'");
    const hsize_t total = plausibleValueCount(ds, fileType, name, dims);
    std::vector<T> out(total);
    if (total > 0)
        if (H5Dread(ds, nativeType<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0)
            throw readFailure(ds, name);
    if (dimsOut)
        *dimsOut = dims;
    return out;
}

namespace {

/// Row `index` (dimension 0 fixed) or column `index` (dimension 1 fixed) of a two-dimensional dataset.
template <typename T> std::vector<T> readLine(hid_t loc, const std::string &name, hsize_t index, bool column)
{
    Handle ds = openDataset(loc, name);
    Handle space(H5Dget_space(ds));
    if (H5Sget_simple_extent_ndims(space) != 2)
        throw StoreError("dataset '" + name + "' is not two-dimensional");
    hsize_t dims[2];
    check(H5Sget_simple_extent_dims(space, dims, nullptr), "cannot read the shape of '" + name + "'");
    const int fixed = column ? 1 : 0, along = column ? 0 : 1;
    if (index >= dims[fixed])
        throw StoreError("dataset '" + name + "' has no " + (column ? "column " : "row ") + std::to_string(index));
    Handle fileType(H5Dget_type(ds));
    hsize_t start[2] = {0, 0}, count[2] = {dims[0], dims[1]};
    start[fixed] = index;
    count[fixed] = 1;
    check(H5Sselect_hyperslab(space, H5S_SELECT_SET, start, nullptr, count, nullptr),
          "cannot select in dataset '" + name + "'");
    Handle mem(H5Screate_simple(1, &dims[along], nullptr));
    std::vector<T> out(plausibleValueCount(ds, fileType, name, {dims[along]}));
    if (H5Dread(ds, nativeType<T>(), mem, space, H5P_DEFAULT, out.data()) < 0)
        throw readFailure(ds, name);
    return out;
}

} // namespace

template <typename T> std::vector<T> readRow(hid_t loc, const std::string &name, hsize_t row)
{
    return readLine<T>(loc, name, row, false);
}

template <typename T> std::vector<T> readColumn(hid_t loc, const std::string &name, hsize_t col)
{
    return readLine<T>(loc, name, col, true);
}

#define PDS_H5_INSTANTIATE(T)                                                                      \
    template void writeArray<T>(hid_t, const std::string &, const T *, const std::vector<hsize_t> &); \
    template std::vector<T> readArray<T>(hid_t, const std::string &, std::vector<hsize_t> *);      \
    template std::vector<T> readRow<T>(hid_t, const std::string &, hsize_t);                        \
    template std::vector<T> readColumn<T>(hid_t, const std::string &, hsize_t);
PDS_H5_INSTANTIATE(std::uint8_t)
PDS_H5_INSTANTIATE(std::int16_t)
PDS_H5_INSTANTIATE(std::int32_t)
PDS_H5_INSTANTIATE(std::int64_t)
PDS_H5_INSTANTIATE(float)
PDS_H5_INSTANTIATE(double)
#undef PDS_H5_INSTANTIATE

RowAppender::RowAppender(hid_t loc, const std::string &name, hid_t type)
    : RowAppender(loc, name, type, 1, 0)
{
}

RowAppender::RowAppender(hid_t loc, const std::string &name, hid_t type, hsize_t cols)
    : RowAppender(loc, name, type, 2, cols)
{
}

RowAppender::RowAppender(hid_t loc, const std::string &name, hid_t type, int rank, hsize_t cols)
    : m_name(name), m_rank(rank), m_cols(cols)
{
    const hsize_t dims[2] = {0, cols};
    // A fixed dimension may not be smaller than its chunk, so zero columns stay extendible.
    const hsize_t maxDims[2] = {H5S_UNLIMITED, cols ? cols : H5S_UNLIMITED};
    Handle space(H5Screate_simple(rank, dims, maxDims));
    // One chunk per row (split when a row is large) so each epoch is one write.
    const hsize_t chunk[2] = {hsize_t(rank == 2 ? 1 : 256), std::min<hsize_t>(std::max<hsize_t>(cols, 1), 65536)};
    Handle dcpl = chunkedCreateProps(std::vector<hsize_t>(chunk, chunk + rank));
    m_ds = Handle(checkId(H5Dcreate2(loc, name.c_str(), type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
                          "cannot create dataset '" + name + "'"));
}

RowAppender RowAppender::open(hid_t loc, const std::string &name)
{
    RowAppender a;
    a.m_name = name;
    a.m_ds = openDataset(loc, name);
    Handle space(H5Dget_space(a.m_ds));
    hsize_t dims[2] = {0, 0};
    a.m_rank = H5Sget_simple_extent_ndims(space);
    if (a.m_rank != 1 && a.m_rank != 2)
        throw StoreError("dataset '" + name + "' is not one- or two-dimensional");
    check(H5Sget_simple_extent_dims(space, dims, nullptr), "cannot read the shape of '" + name + "'");
    a.m_rows = dims[0];
    a.m_cols = a.m_rank == 2 ? dims[1] : 0;
    return a;
}

void RowAppender::append(const void *row, hid_t memType)
{
    const hsize_t newDims[2] = {m_rows + 1, m_cols};
    check(H5Dset_extent(m_ds, newDims), "cannot extend dataset '" + m_name + "'");
    const hsize_t values = m_rank == 2 ? m_cols : 1;
    if (values > 0) {
        Handle space(H5Dget_space(m_ds));
        const hsize_t start[2] = {m_rows, 0}, count[2] = {1, m_cols};
        check(H5Sselect_hyperslab(space, H5S_SELECT_SET, start, nullptr, count, nullptr),
              "cannot select in dataset '" + m_name + "'");
        Handle mem(H5Screate_simple(1, &values, nullptr));
        check(H5Dwrite(m_ds, memType, mem, space, H5P_DEFAULT, row),
              "cannot write dataset '" + m_name + "'");
    }
    ++m_rows;
}

} // namespace pds::h5
