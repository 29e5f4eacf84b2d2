#include "store/h5inspect.h"

#include <algorithm>
#include <cstring>

namespace pds::h5 {

namespace {

struct Walk {
    hid_t file;
    const ObjectProgress *progress;
    std::vector<ObjectEntry> out;
    std::string error;
};

herr_t visitLink(hid_t loc, const char *name, const H5L_info_t *info, void *data)
{
    auto &walk = *static_cast<Walk *>(data);
    ObjectEntry e;
    e.path = std::string("/") + name;
    if (info->type == H5L_TYPE_EXTERNAL) {
        e.kind = ObjectEntry::Kind::ExternalLink;
        std::string file, object;
        if (!externalLink(loc, name, &file, &object)) {
            walk.error = "cannot read the external link '" + e.path + "'";
            return -1;
        }
        e.target = file + ":" + object;
    } else if (info->type == H5L_TYPE_HARD) {
        if (*walk.progress)
            (*walk.progress)(e.path);
        Handle obj(H5Oopen(loc, name, H5P_DEFAULT));
        if (!obj.valid()) {
            walk.error = "cannot open '" + e.path + "'";
            return -1;
        }
        const H5I_type_t type = H5Iget_type(obj);
        e.kind = type == H5I_GROUP ? ObjectEntry::Kind::Group
                 : type == H5I_DATASET ? ObjectEntry::Kind::Dataset
                                       : ObjectEntry::Kind::Other;
    }
    walk.out.push_back(std::move(e));
    return 0;
}

herr_t collectName(hid_t, const char *name, const H5A_info_t *, void *names)
{
    static_cast<std::vector<std::string> *>(names)->emplace_back(name);
    return 0;
}

void appendValue(std::string &out, const void *p, std::size_t size)
{
    const auto size64 = static_cast<std::uint64_t>(size);
    out.append(reinterpret_cast<const char *>(&size64), sizeof size64);
    out.append(static_cast<const char *>(p), size);
}

/// Reads `count` values of attribute `a` converted to `memType` and appends them.
template <typename T> void appendConverted(std::string &out, hid_t a, hid_t memType, std::size_t count)
{
    std::vector<T> values(count);
    if (count && H5Aread(a, memType, values.data()) < 0)
        throw StoreError("cannot read attribute");
    for (const T &v : values)
        appendValue(out, &v, sizeof v);
}

std::vector<hsize_t> extent(hid_t space)
{
    const int rank = H5Sget_simple_extent_ndims(space);
    if (rank < 0)
        throw StoreError("cannot read a dataspace");
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    if (H5Sget_simple_extent_dims(space, dims.data(), nullptr) < 0)
        throw StoreError("cannot read a dataspace");
    return dims;
}

} // namespace

std::vector<ObjectEntry> listObjects(hid_t file, const ObjectProgress &progress)
{
    Walk walk{file, &progress, {}, {}};
    if (H5Lvisit(file, H5_INDEX_NAME, H5_ITER_INC, visitLink, &walk) < 0)
        throw StoreError(walk.error.empty() ? "cannot walk the file's groups" : walk.error);
    return std::move(walk.out);
}

std::vector<std::string> attributeNames(hid_t obj)
{
    std::vector<std::string> names;
    hsize_t index = 0;
    if (H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, &index, collectName, &names) < 0)
        throw StoreError("cannot list the attributes");
    return names;
}

std::string attributeBytes(hid_t obj, const std::string &name)
{
    Handle a(H5Aopen(obj, name.c_str(), H5P_DEFAULT));
    if (!a.valid())
        throw StoreError("cannot open attribute '" + name + "'");
    Handle type(H5Aget_type(a));
    Handle space(H5Aget_space(a));
    const hssize_t n = H5Sget_simple_extent_npoints(space);
    if (!type.valid() || n < 0 || n > (hssize_t(1) << 24))
        throw StoreError("attribute '" + name + "' has a damaged type or size");
    const auto count = static_cast<std::size_t>(n);
    const H5T_class_t cls = H5Tget_class(type);
    std::string out;
    appendValue(out, name.data(), name.size());
    out.push_back(static_cast<char>(cls));
    try {
        if (cls == H5T_STRING && H5Tis_variable_str(type) > 0) {
            std::vector<char *> ptrs(count, nullptr);
            Handle mem(H5Tcopy(H5T_C_S1));
            // HDF5 converts no strings between character sets, so read in the stored one.
            H5Tset_size(mem, H5T_VARIABLE);
            H5Tset_cset(mem, H5Tget_cset(type));
            if (count && H5Aread(a, mem, ptrs.data()) < 0)
                throw StoreError("cannot read attribute");
            for (char *p : ptrs) {
                appendValue(out, p ? p : "", p ? std::strlen(p) : 0);
                H5free_memory(p);
            }
        } else if (cls == H5T_INTEGER) {
            appendConverted<std::int64_t>(out, a, H5T_NATIVE_INT64, count);
        } else if (cls == H5T_FLOAT) {
            appendConverted<double>(out, a, H5T_NATIVE_DOUBLE, count);
        } else {
            const std::size_t size = H5Tget_size(type);
            if (size == 0 || size > (std::size_t(1) << 20) || H5Tdetect_class(type, H5T_VLEN) > 0)
                throw StoreError("cannot read attribute");
            std::vector<char> raw(size * count);
            if (count && H5Aread(a, type, raw.data()) < 0)
                throw StoreError("cannot read attribute");
            appendValue(out, raw.data(), raw.size());
        }
    } catch (const StoreError &) {
        throw StoreError("cannot read attribute '" + name + "'");
    }
    return out;
}

std::string datasetLayout(hid_t file, const std::string &path)
{
    Handle ds = openDataset(file, path);
    Handle type(H5Dget_type(ds));
    Handle space(H5Dget_space(ds));
    if (!type.valid() || !space.valid())
        throw StoreError("cannot read the type or shape of '" + path + "'");
    // The encoded type covers byte order, sign and floating-point fields, not just class and size.
    std::size_t encodedSize = 0;
    if (H5Tencode(type, nullptr, &encodedSize) < 0 || encodedSize > 4096)
        throw StoreError("cannot read the type of '" + path + "'");
    std::string text(encodedSize, '\0');
    if (H5Tencode(type, text.data(), &encodedSize) < 0)
        throw StoreError("cannot read the type of '" + path + "'");
    text += "[";
    const auto dims = extent(space);
    for (std::size_t i = 0; i < dims.size(); ++i)
        text += (i ? "," : "") + std::to_string(dims[i]);
    text += "]";
    Handle dcpl(H5Dget_create_plist(ds));
    if (!dcpl.valid())
        throw StoreError("cannot read the storage properties of '" + path + "'");
    if (H5Pget_layout(dcpl) == H5D_CHUNKED) {
        std::vector<hsize_t> chunk(dims.size());
        if (H5Pget_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data()) != static_cast<int>(chunk.size()))
            throw StoreError("cannot read the chunk shape of '" + path + "'");
        text += "chunked";
        for (const auto c : chunk)
            text += " " + std::to_string(c);
    } else {
        text += "whole";
    }
    const int filters = H5Pget_nfilters(dcpl);
    for (int i = 0; i < filters; ++i) {
        // The parameters matter as much as the filter: shuffle undone with a
        // damaged element size scrambles values that passed the checksum.
        unsigned flags = 0, values[16] = {};
        std::size_t count = 16;
        const H5Z_filter_t id =
            H5Pget_filter2(dcpl, static_cast<unsigned>(i), &flags, &count, values, 0, nullptr, nullptr);
        text += " filter" + std::to_string(id) + "/" + std::to_string(flags);
        for (std::size_t v = 0; v < std::min<std::size_t>(count, 16); ++v)
            text += "," + std::to_string(values[v]);
    }
    return text;
}

std::uint64_t walkChunkIndex(hid_t file, const std::string &path)
{
    Handle ds = openDataset(file, path);
    Handle type(H5Dget_type(ds));
    Handle space(H5Dget_space(ds));
    if (!type.valid() || !space.valid())
        throw StoreError("cannot read the type or shape of '" + path + "'");
    // Both walk the chunk index: the stored size and the number of chunks against the shape.
    plausibleValueCount(ds, type, path, extent(space));
    return H5Dget_storage_size(ds);
}

bool isChunked(hid_t file, const std::string &path)
{
    Handle ds = openDataset(file, path);
    Handle dcpl(H5Dget_create_plist(ds));
    return dcpl.valid() && H5Pget_layout(dcpl) == H5D_CHUNKED;
}

bool hasChecksum(hid_t file, const std::string &path)
{
    Handle ds = openDataset(file, path);
    Handle dcpl(H5Dget_create_plist(ds));
    return dcpl.valid() && H5Pget_filter_by_id2(dcpl, H5Z_FILTER_FLETCHER32, nullptr, nullptr, nullptr, 0,
                                                nullptr, nullptr) >= 0;
}

void readThrough(hid_t file, const std::string &path)
{
    Handle ds = openDataset(file, path);
    Handle type(H5Dget_type(ds));
    Handle space(H5Dget_space(ds));
    if (!type.valid() || !space.valid())
        throw StoreError("cannot read the type or shape of '" + path + "'");
    if (H5Tdetect_class(type, H5T_VLEN) > 0 || H5Tis_variable_str(type) > 0)
        return;
    const auto dims = extent(space);
    plausibleValueCount(ds, type, path, dims);
    if (dims.empty() || dims[0] == 0)
        return;
    hsize_t rowValues = 1;
    for (std::size_t i = 1; i < dims.size(); ++i)
        rowValues *= dims[i];
    const std::size_t valueSize = std::max<std::size_t>(H5Tget_size(type), 1);
    Handle dcpl(H5Dget_create_plist(ds));
    hsize_t rows = std::max<hsize_t>(1, (hsize_t(1) << 20) / std::max<hsize_t>(rowValues * valueSize, 1));
    if (dcpl.valid() && H5Pget_layout(dcpl) == H5D_CHUNKED) {
        std::vector<hsize_t> chunk(dims.size());
        if (H5Pget_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data()) == static_cast<int>(chunk.size()))
            rows = std::max<hsize_t>(1, chunk[0]);
    }
    if (rowValues == 0)
        return;
    std::vector<char> buffer(static_cast<std::size_t>(std::min(rows, dims[0]) * rowValues) * valueSize);
    for (hsize_t start = 0; start < dims[0]; start += rows) {
        std::vector<hsize_t> offset(dims.size(), 0), count = dims;
        offset[0] = start;
        count[0] = std::min(rows, dims[0] - start);
        Handle fileSpace(H5Dget_space(ds));
        Handle mem(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr));
        if (H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, offset.data(), nullptr, count.data(), nullptr) < 0
            || H5Dread(ds, type, mem, fileSpace, H5P_DEFAULT, buffer.data()) < 0)
            throw readFailure(ds, path);
    }
}

} // namespace pds::h5
