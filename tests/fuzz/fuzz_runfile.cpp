// libFuzzer target: the run-file reader (RunReader and exportCsv), fuzzed by
// structure. The input is a recipe, not a file: its bytes decide which parts
// of a run file exist and how each is written (right, missing, mistyped,
// mis-shaped, a link to nowhere ...). The file is written with the HDF5 C API,
// so HDF5 only ever reads well-formed files; random bytes inside HDF5's own
// structures are out of scope (HDF5 1.10 is known to crash on those).
//
// Every outcome must be a result or a StoreError; any other exception, a
// sanitizer report or a broken invariant stops the fuzzer.
//
// The recipe is read front to back, one byte per decision; an exhausted input
// reads as zeros, and zero always means "as the writer does it", so the empty
// input is a valid, empty run and tests/fuzz/corpus/fuzz_runfile holds a few
// hand-made recipes (see tests/fuzz/make_corpus.py).

#include "fuzzsupport.h"

#include "store/fields.h"
#include "store/h5file.h"
#include "store/integrity.h"
#include "store/runformat.h"
#include "store/runreader.h"
#include "store/studywriter.h"
#include "util/error.h"

#include <hdf5.h>

#include <cmath>
#include <limits>
#include <optional>

using namespace pds;
using pds::fuzz::require;
using pds::h5::Handle;

namespace {

/// Reads the recipe one decision at a time; zeros once it is used up.
class Recipe {
public:
    Recipe(const std::uint8_t *data, std::size_t size) : m_data(data), m_size(size) {}
    std::uint8_t byte() { return m_pos < m_size ? m_data[m_pos++] : 0; }
    /// 0 .. n-1.
    int below(int n) { return byte() % n; }
    bool flag() { return byte() & 1; }
    /// A short string of raw bytes: NULs and invalid UTF-8 included.
    std::string text()
    {
        const int n = below(12);
        std::string s;
        for (int i = 0; i < n; ++i)
            s.push_back(static_cast<char>(byte()));
        return s;
    }

private:
    const std::uint8_t *m_data;
    std::size_t m_size;
    std::size_t m_pos = 0;
};

const std::int64_t kOddInts[] = {0, 1, -1, 2, 99, 1000, std::numeric_limits<std::int32_t>::max(),
                                 std::int64_t(1) << 31, std::int64_t(1) << 40,
                                 std::numeric_limits<std::int64_t>::min(),
                                 std::numeric_limits<std::int64_t>::max()};
const double kOddDoubles[] = {0.0, -0.0, 0.5, -1.0, 1e300, -1e-300,
                              std::numeric_limits<double>::quiet_NaN(),
                              std::numeric_limits<double>::infinity()};

/// How one attribute is written; 0 is how the writer writes it.
enum class AttrForm {
    Proper,
    Missing,
    OddValue,    ///< the right type, a surprising value
    WrongClass,  ///< a string where a number belongs, or the reverse
    FixedString, ///< a fixed-length string, padding and terminator chosen by the recipe
    Array,       ///< several values where one belongs (a 2-D array where a list belongs)
    Empty,       ///< a null dataspace: a type but no value
    OtherWidth,  ///< big-endian, narrower or unsigned numbers; ASCII or fixed-length strings
    Count
};

/// How one dataset is written; 0 is how the writer writes it.
enum class DataForm {
    Proper,
    Missing,
    WrongLength,  ///< the last dimension one longer or shorter
    ExtraRank,    ///< a leading dimension of 1
    Scalar,
    Empty,        ///< a null dataspace
    OtherType,    ///< another numeric type (e.g. float64 labels, big-endian uint64)
    Strings,      ///< variable-length strings
    ClaimedHuge,  ///< an extendible dataset that claims far more rows than it stores
    Group,        ///< a group where the dataset belongs
    DanglingLink, ///< a soft link to an object that does not exist
    ExternalLink, ///< an external link to a file that does not exist
    Count
};

/// How one group is written; 0 is how the writer writes it.
enum class GroupForm { Proper, Missing, Dataset, DanglingLink, Count };

enum class Elem { I32, I64, U8, F32, F64 };

bool isInteger(Elem e) { return e == Elem::I32 || e == Elem::I64 || e == Elem::U8; }

hid_t fileType(Elem e)
{
    switch (e) {
    case Elem::I32: return H5T_STD_I32LE;
    case Elem::I64: return H5T_STD_I64LE;
    case Elem::U8: return H5T_STD_U8LE;
    case Elem::F32: return H5T_IEEE_F32LE;
    case Elem::F64: return H5T_IEEE_F64LE;
    }
    return H5T_STD_I32LE;
}

Handle vlenString(H5T_cset_t cset = H5T_CSET_UTF8)
{
    Handle t(H5Tcopy(H5T_C_S1));
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, cset);
    return t;
}

Handle linkCreateProps()
{
    Handle lcpl(H5Pcreate(H5P_LINK_CREATE));
    H5Pset_create_intermediate_group(lcpl, 1);
    return lcpl;
}

/// Writes a run file the way the recipe says. Failures of HDF5 calls here are
/// ignored on purpose: whatever could not be written is simply absent.
class Builder {
public:
    explicit Builder(Recipe &r) : m_r(r) {}

    /// An attribute of one value or list; `proper` writes it as the writer does.
    void stringAttr(hid_t obj, const char *name, const std::string &proper)
    {
        switch (form()) {
        case AttrForm::Proper: putStrings(obj, name, {proper}, 0, vlenString()); break;
        case AttrForm::Missing: break;
        case AttrForm::OddValue: putStrings(obj, name, {m_r.text()}, 0, vlenString()); break;
        case AttrForm::WrongClass: putInts(obj, name, {7}, 0, H5T_STD_I64LE); break;
        case AttrForm::FixedString: putFixedString(obj, name, 0); break;
        case AttrForm::Array: putStrings(obj, name, {proper, m_r.text(), proper}, 1, vlenString()); break;
        case AttrForm::Empty: putNull(obj, name, vlenString()); break;
        case AttrForm::OtherWidth: putStrings(obj, name, {proper}, 0, vlenString(H5T_CSET_ASCII)); break;
        case AttrForm::Count: break;
        }
    }

    void intAttr(hid_t obj, const char *name, std::int64_t proper)
    {
        switch (form()) {
        case AttrForm::Proper: putInts(obj, name, {proper}, 0, H5T_STD_I64LE); break;
        case AttrForm::Missing: break;
        case AttrForm::OddValue: putInts(obj, name, {oddInt()}, 0, H5T_STD_I64LE); break;
        case AttrForm::WrongClass:
            if (m_r.flag())
                putStrings(obj, name, {std::to_string(proper)}, 0, vlenString());
            else
                putDoubles(obj, name, {double(proper) + 0.5}, 0, H5T_IEEE_F64LE);
            break;
        case AttrForm::FixedString: putFixedString(obj, name, 0); break;
        case AttrForm::Array: putInts(obj, name, {proper, oddInt(), proper}, 1, H5T_STD_I64LE); break;
        case AttrForm::Empty: putNull(obj, name, H5T_STD_I64LE); break;
        case AttrForm::OtherWidth:
            putInts(obj, name, {m_r.flag() ? proper : oddInt()}, 0,
                    m_r.flag() ? H5T_STD_U64BE : H5T_STD_I8LE);
            break;
        case AttrForm::Count: break;
        }
    }

    void doubleAttr(hid_t obj, const char *name, double proper)
    {
        switch (form()) {
        case AttrForm::Proper: putDoubles(obj, name, {proper}, 0, H5T_IEEE_F64LE); break;
        case AttrForm::Missing: break;
        case AttrForm::OddValue: putDoubles(obj, name, {oddDouble()}, 0, H5T_IEEE_F64LE); break;
        case AttrForm::WrongClass: putStrings(obj, name, {"1.5"}, 0, vlenString()); break;
        case AttrForm::FixedString: putFixedString(obj, name, 0); break;
        case AttrForm::Array: putDoubles(obj, name, {proper, oddDouble()}, 1, H5T_IEEE_F64LE); break;
        case AttrForm::Empty: putNull(obj, name, H5T_IEEE_F64LE); break;
        case AttrForm::OtherWidth:
            if (m_r.flag())
                putInts(obj, name, {oddInt()}, 0, H5T_STD_I64BE);
            else
                putDoubles(obj, name, {oddDouble()}, 0, H5T_IEEE_F32BE);
            break;
        case AttrForm::Count: break;
        }
    }

    void stringsAttr(hid_t obj, const char *name, const std::vector<std::string> &proper)
    {
        switch (form()) {
        case AttrForm::Proper: putStrings(obj, name, proper, 1, vlenString()); break;
        case AttrForm::Missing: break;
        case AttrForm::OddValue: putStrings(obj, name, {m_r.text(), m_r.text()}, 1, vlenString()); break;
        case AttrForm::WrongClass: putInts(obj, name, {1, 2}, 1, H5T_STD_I64LE); break;
        case AttrForm::FixedString: putFixedString(obj, name, 1); break;
        case AttrForm::Array: putStrings(obj, name, {"a", "b", "c", "d"}, 2, vlenString()); break;
        case AttrForm::Empty: putNull(obj, name, vlenString()); break;
        case AttrForm::OtherWidth:
            // A scalar where a list belongs, or an empty list.
            putStrings(obj, name, m_r.flag() ? std::vector<std::string>{"a"} : std::vector<std::string>{},
                       m_r.flag() ? 0 : 1, vlenString());
            break;
        case AttrForm::Count: break;
        }
    }

    void floatsAttr(hid_t obj, const char *name, const std::vector<double> &proper)
    {
        switch (form()) {
        case AttrForm::Proper: putDoubles(obj, name, proper, 1, H5T_IEEE_F32LE); break;
        case AttrForm::Missing: break;
        case AttrForm::OddValue: putDoubles(obj, name, {oddDouble(), oddDouble()}, 1, H5T_IEEE_F32LE); break;
        case AttrForm::WrongClass: putStrings(obj, name, {"0.5"}, 1, vlenString()); break;
        case AttrForm::FixedString: putFixedString(obj, name, 1); break;
        case AttrForm::Array: putDoubles(obj, name, {1, 2, 3, 4}, 2, H5T_IEEE_F32LE); break;
        case AttrForm::Empty: putNull(obj, name, H5T_IEEE_F32LE); break;
        case AttrForm::OtherWidth: putDoubles(obj, name, proper, 1, H5T_IEEE_F64BE); break;
        case AttrForm::Count: break;
        }
    }

    /// Opens or creates the group at `path` (or puts something else there);
    /// returns an invalid handle when there is no group to write into.
    Handle group(hid_t loc, const std::string &path)
    {
        const auto f = static_cast<GroupForm>(m_r.below(int(GroupForm::Count)));
        Handle lcpl = linkCreateProps();
        switch (f) {
        case GroupForm::Proper:
            if (h5::exists(loc, path))
                return Handle(H5Gopen2(loc, path.c_str(), H5P_DEFAULT));
            return Handle(H5Gcreate2(loc, path.c_str(), lcpl, H5P_DEFAULT, H5P_DEFAULT));
        case GroupForm::Missing: return Handle();
        case GroupForm::Dataset: {
            const hsize_t n = 1;
            Handle space(H5Screate_simple(1, &n, nullptr));
            Handle(H5Dcreate2(loc, path.c_str(), H5T_STD_I32LE, space, lcpl, H5P_DEFAULT, H5P_DEFAULT));
            return Handle();
        }
        case GroupForm::DanglingLink:
            H5Lcreate_soft("/no/such/group", loc, path.c_str(), lcpl, H5P_DEFAULT);
            return Handle();
        case GroupForm::Count: break;
        }
        return Handle();
    }

    /// A dataset whose proper shape is `dims`, of `elem`.
    void dataset(hid_t loc, const std::string &path, Elem elem, std::vector<hsize_t> dims)
    {
        if (loc < 0)
            return;
        Handle lcpl = linkCreateProps();
        const auto f = static_cast<DataForm>(m_r.below(int(DataForm::Count)));
        switch (f) {
        case DataForm::Proper: break;
        case DataForm::Missing: return;
        case DataForm::WrongLength:
            if (m_r.flag() && dims.back() > 0)
                --dims.back();
            else
                ++dims.back();
            break;
        case DataForm::ExtraRank: dims.insert(dims.begin(), 1); break;
        case DataForm::Scalar: dims.clear(); break;
        case DataForm::Empty: {
            Handle space(H5Screate(H5S_NULL));
            Handle(H5Dcreate2(loc, path.c_str(), fileType(elem), space, lcpl, H5P_DEFAULT, H5P_DEFAULT));
            return;
        }
        case DataForm::OtherType: {
            const int pick = m_r.below(3);
            if (isInteger(elem))
                elem = pick == 0 ? Elem::F64 : pick == 1 ? Elem::F32 : Elem::U8;
            else
                elem = pick == 0 ? Elem::I32 : pick == 1 ? Elem::I64 : Elem::U8;
            break;
        }
        case DataForm::Strings: {
            Handle space(dims.empty() ? H5Screate(H5S_SCALAR)
                                      : H5Screate_simple(int(dims.size()), dims.data(), nullptr));
            Handle type = vlenString();
            Handle ds(H5Dcreate2(loc, path.c_str(), type, space, lcpl, H5P_DEFAULT, H5P_DEFAULT));
            hsize_t total = 1;
            for (auto d : dims)
                total *= d;
            std::vector<const char *> values(total, "x");
            if (total > 0)
                H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
            return;
        }
        case DataForm::ClaimedHuge: {
            static const hsize_t kHuge[] = {hsize_t(1) << 20, hsize_t(1) << 31, hsize_t(1) << 40,
                                            hsize_t(1) << 62};
            dims.back() = kHuge[m_r.below(4)];
            std::vector<hsize_t> maxDims(dims.size(), H5S_UNLIMITED);
            std::vector<hsize_t> chunk(dims.size(), 1);
            chunk.back() = 64;
            Handle space(H5Screate_simple(int(dims.size()), dims.data(), maxDims.data()));
            Handle dcpl(H5Pcreate(H5P_DATASET_CREATE));
            H5Pset_chunk(dcpl, int(chunk.size()), chunk.data());
            Handle(H5Dcreate2(loc, path.c_str(), fileType(elem), space, lcpl, dcpl, H5P_DEFAULT));
            return;
        }
        case DataForm::Group:
            Handle(H5Gcreate2(loc, path.c_str(), lcpl, H5P_DEFAULT, H5P_DEFAULT));
            return;
        case DataForm::DanglingLink:
            H5Lcreate_soft("/no/such/dataset", loc, path.c_str(), lcpl, H5P_DEFAULT);
            return;
        case DataForm::ExternalLink:
            H5Lcreate_external("no-such-file.h5", "/data", loc, path.c_str(), lcpl, H5P_DEFAULT);
            return;
        case DataForm::Count: return;
        }
        writeNumbers(loc, path, elem, dims, lcpl);
    }

private:
    AttrForm form() { return static_cast<AttrForm>(m_r.below(int(AttrForm::Count))); }
    std::int64_t oddInt() { return kOddInts[m_r.below(int(std::size(kOddInts)))]; }
    double oddDouble() { return kOddDoubles[m_r.below(int(std::size(kOddDoubles)))]; }

    /// A dataspace for `values` values: a scalar (rank 0), a list (rank 1) or a 2×n/2 array.
    static Handle space(std::size_t values, int rank)
    {
        if (rank == 0)
            return Handle(H5Screate(H5S_SCALAR));
        const hsize_t dims[2] = {rank == 1 ? values : 2, rank == 1 ? 1 : values / 2};
        return Handle(H5Screate_simple(rank, dims, nullptr));
    }

    static void put(hid_t obj, const char *name, hid_t type, hid_t space, hid_t memType, const void *buf)
    {
        Handle a(H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT));
        if (a.valid())
            H5Awrite(a, memType, buf);
    }

    static void putStrings(hid_t obj, const char *name, const std::vector<std::string> &values, int rank,
                           const Handle &type)
    {
        std::vector<const char *> ptrs;
        for (const auto &v : values)
            ptrs.push_back(v.c_str());
        put(obj, name, type, space(values.size(), rank), type, ptrs.data());
    }

    static void putInts(hid_t obj, const char *name, const std::vector<std::int64_t> &values, int rank,
                        hid_t type)
    {
        put(obj, name, type, space(values.size(), rank), H5T_NATIVE_INT64, values.data());
    }

    static void putDoubles(hid_t obj, const char *name, const std::vector<double> &values, int rank,
                           hid_t type)
    {
        put(obj, name, type, space(values.size(), rank), H5T_NATIVE_DOUBLE, values.data());
    }

    static void putNull(hid_t obj, const char *name, hid_t type)
    {
        Handle a(H5Acreate2(obj, name, type, Handle(H5Screate(H5S_NULL)), H5P_DEFAULT, H5P_DEFAULT));
    }

    /// `count` fixed-length strings of a recipe-chosen length and padding,
    /// filled with recipe bytes (so a terminator may be missing).
    void putFixedString(hid_t obj, const char *name, int rank)
    {
        const std::size_t length = 1 + m_r.below(8);
        static const H5T_str_t kPads[] = {H5T_STR_NULLTERM, H5T_STR_NULLPAD, H5T_STR_SPACEPAD};
        Handle type(H5Tcopy(H5T_C_S1));
        H5Tset_size(type, length);
        H5Tset_strpad(type, kPads[m_r.below(3)]);
        const std::size_t count = rank == 0 ? 1 : 2;
        std::vector<char> bytes(length * count);
        for (auto &b : bytes)
            b = static_cast<char>(m_r.byte());
        put(obj, name, type, space(count, rank), type, bytes.data());
    }

    void writeNumbers(hid_t loc, const std::string &path, Elem elem, const std::vector<hsize_t> &dims,
                      hid_t lcpl)
    {
        hsize_t total = 1;
        for (auto d : dims)
            total *= d;
        Handle space(dims.empty() ? H5Screate(H5S_SCALAR)
                                  : H5Screate_simple(int(dims.size()), dims.data(), nullptr));
        Handle dcpl(H5Pcreate(H5P_DATASET_CREATE));
        const int layout = m_r.below(3);
        if (layout == 1 && total > 0 && !dims.empty()) {
            // Chunked and compressed, as the writer stores everything.
            H5Pset_chunk(dcpl, int(dims.size()), dims.data());
            H5Pset_shuffle(dcpl);
            H5Pset_deflate(dcpl, 1);
        } else if (layout == 2) {
            H5Pset_layout(dcpl, H5D_COMPACT);
        }
        Handle ds(H5Dcreate2(loc, path.c_str(), fileType(elem), space, lcpl, dcpl, H5P_DEFAULT));
        if (!ds.valid() || total == 0)
            return;
        if (isInteger(elem)) {
            std::vector<std::int64_t> v(total);
            for (auto &x : v)
                x = static_cast<std::int8_t>(m_r.byte());
            H5Dwrite(ds, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
        } else {
            std::vector<double> v(total);
            for (auto &x : v) {
                const std::uint8_t b = m_r.byte();
                x = b < 0xf0 ? b / 16.0 : kOddDoubles[b % std::size(kOddDoubles)];
            }
            H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
        }
    }

    Recipe &m_r;
};

const char *const kSplits[] = {"train", "test"};

struct Sizes {
    hsize_t split[2] = {0, 0}; ///< train, test
    hsize_t epochs = 0;
    int models = 0;
    bool digest = false; ///< give the file a correct attributes digest, so that reading goes past the open
};

void writeRunFile(const std::string &path, Recipe &r, Sizes &n)
{
    n.split[0] = r.below(6);
    n.split[1] = r.below(4);
    n.epochs = r.below(4);
    n.models = r.below(4);
    const bool withSummary = r.flag();
    n.digest = r.below(4) != 0;

    Handle fapl(H5Pcreate(H5P_FILE_ACCESS));
    H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG);
    Handle file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl));
    require(file.valid(), "the recipe's file can be created");
    Builder b(r);

    b.stringAttr(file, "format", runformat::kFormatName);
    b.intAttr(file, "format_version", runformat::kFormatVersion);
    b.stringAttr(file, "software", "pdepth");
    b.stringAttr(file, "software_version", "0.1.0");
    b.stringAttr(file, "status", runformat::kStatusComplete);
    b.stringAttr(file, "status_message", "");
    b.stringAttr(file, "created", "2024-01-01T00:00:00Z");
    b.stringAttr(file, "finished", "2024-01-01T00:01:00Z");
    b.stringAttr(file, "config", "{}");
    b.intAttr(file, "models_completed", n.models);

    if (Handle d = b.group(file, "dataset"); d.valid()) {
        b.stringAttr(d, "name", "tiny");
        b.stringAttr(d, "format", "idx");
        b.stringAttr(d, "source", "/data/tiny");
        b.stringsAttr(d, "class_names", {"cat", "dog"});
        b.intAttr(d, "channels", 1);
        b.intAttr(d, "height", 2);
        b.intAttr(d, "width", 2);
        b.floatsAttr(d, "normalisation_mean", {0.25});
        b.floatsAttr(d, "normalisation_std", {0.5});
        b.intAttr(d, "noisy_labels", 0);
        for (int s = 0; s < 2; ++s) {
            Handle g = b.group(d, kSplits[s]);
            if (!g.valid())
                continue;
            b.intAttr(g, "size", std::int64_t(n.split[s]));
            b.dataset(g, "source_index", Elem::I64, {n.split[s]});
            b.dataset(g, "label", Elem::I32, {n.split[s]});
            b.dataset(g, "clean_label", Elem::I32, {n.split[s]});
            b.dataset(g, "noisy", Elem::U8, {n.split[s]});
        }
    }

    for (int m = 0; m < n.models; ++m) {
        char name[32];
        std::snprintf(name, sizeof name, "models/m%03d", m);
        Handle g = b.group(file, name);
        if (!g.valid())
            continue;
        b.stringAttr(g, "arch", "mlp");
        b.intAttr(g, "seed", 7);
        b.stringAttr(g, "device", "cpu");
        b.stringAttr(g, "status", runformat::kStatusComplete);
        b.stringAttr(g, "status_message", "");
        b.intAttr(g, "epochs_planned", std::int64_t(n.epochs));
        b.intAttr(g, "epochs_completed", std::int64_t(n.epochs));
        b.stringsAttr(g, "probe_names", {"input", "logits"});
        b.doubleAttr(g, "train_seconds", 1.5);
        b.dataset(g, "in_train", Elem::U8, {n.split[0]});
        b.dataset(g, "curves/epoch", Elem::I32, {n.epochs});
        for (const char *c : {"lr", "train_loss", "train_accuracy", "eval_train_loss", "eval_train_accuracy",
                              "test_loss", "test_accuracy", "seconds"})
            b.dataset(g, std::string("curves/") + c, Elem::F64, {n.epochs});
        const bool finished = !r.flag();
        const bool probes = r.flag();
        for (int s = 0; s < 2; ++s) {
            const std::string split = kSplits[s];
            for (const char *d : {"pred", "prob_given", "margin", "loss", "el2n"})
                b.dataset(g, "dynamics/" + split + "/" + d, std::string(d) == "pred" ? Elem::I32 : Elem::F32,
                          {n.epochs, n.split[s]});
            if (finished)
                for (const auto &score : RunReader::scoreNames())
                    b.dataset(g, "scores/" + split + "/" + score,
                              score == "final_pred" || score == "iteration_learned"
                                      || score == "forgetting_events"
                                  ? Elem::I32
                                  : Elem::F32,
                              {n.split[s]});
            if (probes)
                b.dataset(g, "probes/depth_" + split, Elem::F32, {n.split[s]});
        }
    }

    if (withSummary) {
        // The layout StudyWriter::writeSummary writes, each part subject to the recipe.
        namespace sc = schema;
        if (Handle sum = b.group(file, sc::kSummary); sum.valid()) {
            b.stringsAttr(sum, sc::kGroupNames, {"easy", "label issue", "ambiguous", "rare", "other"});
            b.intAttr(sum, sc::kSummaryProbes, 2);
            b.intAttr(sum, sc::kSummaryModels, n.models);
            b.stringAttr(sum, sc::kThresholds, thresholdsToJson(GroupThresholds{}));
            for (int s = 0; s < 2; ++s) {
                const hsize_t size = n.split[s];
                Handle g = b.group(sum, kSplits[s]);
                if (!g.valid())
                    continue;
                for (const auto &f : sc::kSummaryFloats)
                    b.dataset(g, f.name, Elem::F32, {size});
                for (const auto &f : sc::kSummaryInts)
                    b.dataset(g, f.name, Elem::I32, {size});
                b.dataset(g, sc::kHeldOutDistribution, Elem::F32, {size, 2});
                b.dataset(g, sc::kHeldOutProbability, Elem::F32, {size, 2});
                for (const auto &[name, dynamics] : sc::kSplitDynamicsGroups)
                    for (const auto &f : sc::kSplitDynamicsFloats)
                        b.dataset(g, std::string(name) + "/" + f.name, Elem::F32, {size});
                b.dataset(g, sc::kGroup, Elem::I32, {size});
            }
        }
    }
}

/// Gives the file the digest a writer would, over whatever the recipe wrote.
void writeDigest(const std::string &path)
{
    try {
        h5::Handle file = h5::openFile(path, true);
        writeAttributesDigest(file);
    } catch (const StoreError &) {
        // A recipe may leave attributes the digest cannot read; the file then stays without one.
    }
}

/// Runs one accessor; a StoreError is a fine answer to a damaged file.
template <typename F> void tryRead(F &&f)
{
    try {
        f();
    } catch (const StoreError &) {
    }
}

void readRunFile(const std::string &path, const std::string &csvPath, Recipe &r, const Sizes &n)
{
    std::optional<RunReader> run;
    try {
        run.emplace(path);
    } catch (const StoreError &) {
        return;
    }
    const RunSummary &s = run->summary();
    require(s.path == path, "RunReader: summary names the file");
    require(s.models.size() <= std::size_t(n.models), "RunReader: no more models than written");
    for (std::size_t m = 0; m < s.models.size(); ++m)
        require(s.models[m].index == int(m), "RunReader: models are numbered in order");

    for (const char *split : kSplits) {
        const auto size = static_cast<std::size_t>(std::string(split) == "train" ? s.trainSize : s.testSize);
        tryRead([&] { require(run->labels(split).size() == size, "RunReader: one label per example"); });
        tryRead([&] { require(run->cleanLabels(split).size() == size, "RunReader: one clean label per example"); });
        tryRead([&] { require(run->noisy(split).size() == size, "RunReader: one noisy flag per example"); });
        tryRead([&] { require(run->sourceIndices(split).size() == size, "RunReader: one source index per example"); });
        for (int m = 0; m < int(s.models.size()); ++m) {
            for (const auto &name : RunReader::scoreNames())
                tryRead([&] { require(run->score(m, split, name).size() == size, "RunReader: one score per example"); });
            const int epoch = static_cast<std::int8_t>(r.byte());
            tryRead([&] { run->dynamicsRow(m, split, "prob_given", epoch); });
            tryRead([&] {
                if (run->hasProbes(m))
                    require(run->depth(m, split).size() == size, "RunReader: one depth per example");
            });
        }
        if (run->hasSummary())
            for (const auto &name : RunReader::summaryNames())
                tryRead([&] { require(run->summaryColumn(split, name).size() == size, "RunReader: one summary value per example"); });
    }
    for (int m = 0; m < int(s.models.size()); ++m)
        tryRead([&] { require(std::int64_t(run->inTrain(m).size()) == s.trainSize, "RunReader: one in_train flag per train example"); });
    tryRead([&] { run->labels("validation"); });
    tryRead([&] { exportCsv(*run, csvPath); });
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const auto &dir = pds::fuzz::freshScratch();
    const std::string path = (dir.path() / "run.h5").string();
    Recipe recipe(data, size);
    Sizes sizes;
    writeRunFile(path, recipe, sizes);
    if (sizes.digest)
        writeDigest(path);
    readRunFile(path, (dir.path() / "scores.csv").string(), recipe, sizes);
    return 0;
}
