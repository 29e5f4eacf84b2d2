#include "store/sweepfile.h"

#include "store/h5file.h"
#include "store/integrity.h"
#include "store/runformat.h"
#include "store/schema.h"
#include "util/error.h"

#include <ctime>
#include <filesystem>

namespace fs = std::filesystem;

namespace pds {

namespace sc = schema;
namespace sw = schema::sweep;

namespace {

std::string isoNow()
{
    const std::time_t now = std::time(nullptr);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    return stamp;
}

/// Writes rows of equal length as one [rows, cols] dataset.
template <typename T> void writeRows(hid_t loc, const std::string &name, const std::vector<std::vector<T>> &rows)
{
    const std::size_t cols = rows.empty() ? 0 : rows.front().size();
    std::vector<T> flat;
    flat.reserve(rows.size() * cols);
    for (const auto &r : rows) {
        if (r.size() != cols)
            throw StoreError("sweep file: the rows of " + name + " differ in length");
        flat.insert(flat.end(), r.begin(), r.end());
    }
    h5::writeArray<T>(loc, name, flat.data(), {static_cast<hsize_t>(rows.size()), static_cast<hsize_t>(cols)});
}

template <typename T> std::vector<std::vector<T>> readRows(hid_t loc, const std::string &name)
{
    std::vector<hsize_t> dims;
    const std::vector<T> flat = h5::readArray<T>(loc, name, &dims);
    std::vector<std::vector<T>> rows;
    if (dims.size() != 2)
        throw StoreError(name + " is not two-dimensional");
    for (hsize_t r = 0; r < dims[0]; ++r)
        rows.emplace_back(flat.begin() + static_cast<std::ptrdiff_t>(r * dims[1]),
                          flat.begin() + static_cast<std::ptrdiff_t>((r + 1) * dims[1]));
    return rows;
}

void writeEnsemble(hid_t g, const SweepEnsemble &e)
{
    h5::writeVector(g, sw::kPIn, e.pIn);
    h5::writeVector(g, sw::kPOut, e.pOut);
    h5::writeVector(g, sw::kMem, e.mem);
    h5::writeVector(g, sw::kSe, e.se);
    h5::writeVector(g, sw::kMIn, e.mIn);
    h5::writeVector(g, sw::kMOut, e.mOut);
    h5::writeVector(g, sw::kTestAccuracy, e.testAccuracy);
    h5::writeVector(g, sw::kTrainAccuracy, e.trainAccuracy);
}

SweepEnsemble readEnsemble(hid_t g)
{
    SweepEnsemble e;
    e.pIn = h5::readArray<float>(g, sw::kPIn);
    e.pOut = h5::readArray<float>(g, sw::kPOut);
    e.mem = h5::readArray<float>(g, sw::kMem);
    e.se = h5::readArray<float>(g, sw::kSe);
    e.mIn = h5::readArray<std::int32_t>(g, sw::kMIn);
    e.mOut = h5::readArray<std::int32_t>(g, sw::kMOut);
    e.testAccuracy = h5::readArray<double>(g, sw::kTestAccuracy);
    e.trainAccuracy = h5::readArray<double>(g, sw::kTrainAccuracy);
    return e;
}

void checkEnsemble(const SweepEnsemble &e, std::size_t n, const std::string &group)
{
    for (const auto &[name, length] : {std::pair<const char *, std::size_t>{sw::kPIn, e.pIn.size()},
                                       {sw::kPOut, e.pOut.size()}, {sw::kMem, e.mem.size()},
                                       {sw::kSe, e.se.size()}, {sw::kMIn, e.mIn.size()},
                                       {sw::kMOut, e.mOut.size()}})
        expectLength(length, n, sc::join({group, name}));
}

template <typename T>
void checkRows(const std::vector<std::vector<T>> &rows, std::size_t count, std::size_t length, const std::string &name)
{
    expectLength(rows.size(), count, name + " (rows)");
    for (const auto &r : rows)
        expectLength(r.size(), length, name);
}

/// The lengths the printers, the CSV export and the Studio index by, so a
/// damaged shape is an error here rather than a read past the end later.
void checkShapes(const SweepData &d)
{
    const std::size_t n = d.labels.size(), types = d.trajectoryNames.size(), proxies = d.proxyNames.size();
    const std::string g = sw::kSweep;
    if (d.sizes.empty())
        throw StoreError(sc::join({g, sw::kSizeValues}) + " holds no size");
    expectLength(d.trajectory.size(), n, sc::join({g, sw::kTrajectory}));
    for (const auto t : d.trajectory)
        if (t >= types)
            throw StoreError(sc::join({g, sw::kTrajectory}) + " holds type " + std::to_string(t) + " of "
                             + std::to_string(types));
    expectLength(d.typeShares.size(), types, sc::join({g, sw::kTypeShares}));
    checkRows(d.sharesByDelta, d.deltaGrid.size(), types, sc::join({g, sw::kSharesByDelta}));
    expectLength(d.agreement.size(), proxies, sc::join({g, sw::kAgreement}));
    checkRows(d.proxyTrajectory, proxies, n, sc::join({g, sw::kProxyTrajectory}));
    for (std::size_t i = 0; i < d.sizes.size(); ++i) {
        const SweepSize &s = d.sizes[i];
        const std::string sg = sw::sizeGroup(static_cast<int>(i));
        checkEnsemble(s.plain, n, sg);
        checkRows(s.proxies, proxies, n, sc::join({sg, sw::kProxies}));
        expectLength(s.spearman.size(), proxies, sc::join({sg, sw::kSpearman}));
        if (!s.hasDistilled)
            continue;
        checkEnsemble(s.distilled, n, sc::join({sg, sw::kDistilled}));
        const std::string bt = sc::join({sg, sw::kDistilled, sw::kByType});
        expectLength(s.byType.count.size(), types, sc::join({bt, sw::kCount}));
    }
}

/// The by-type table's columns, in one list for the writer and the reader.
const std::pair<const char *, std::vector<double> SweepByType::*> kByTypeColumns[] = {
    {sw::kMemPlain, &SweepByType::memPlain},         {sw::kMemDistilled, &SweepByType::memDistilled},
    {sw::kPInPlain, &SweepByType::pInPlain},         {sw::kPInDistilled, &SweepByType::pInDistilled},
    {sw::kPOutPlain, &SweepByType::pOutPlain},       {sw::kPOutDistilled, &SweepByType::pOutDistilled},
};

void writeSweepGroup(hid_t file, const SweepData &d)
{
    h5::Handle g = h5::requireGroup(file, sw::kSweep);
    h5::writeAttr(g, sw::kModel, d.model);
    h5::writeAttr(g, sw::kAxis, d.axis);
    h5::writeAttr(g, sw::kMembers, std::int64_t(d.members));
    h5::writeAttr(g, sw::kRatio, d.ratio);
    h5::writeAttr(g, sw::kDelta, d.delta);
    h5::writeAttr(g, sw::kZ, d.z);
    h5::writeAttr(g, sw::kDistill, std::int64_t(d.distill ? 1 : 0));
    h5::writeAttr(g, sw::kTemperature, d.temperature);
    h5::writeAttr(g, sw::kAlpha, d.alpha);
    h5::writeAttr(g, sw::kTrajectoryNames, d.trajectoryNames);
    h5::writeAttr(g, sw::kProxyNames, d.proxyNames);
    std::vector<double> values;
    std::vector<std::string> archs;
    for (const auto &s : d.sizes) {
        values.push_back(s.size);
        archs.push_back(s.arch);
    }
    h5::writeVector(g, sw::kSizeValues, values);
    h5::writeAttr(g, sw::kSizeArchs, archs);
    h5::writeVector(g, sw::kLabels, d.labels);
    h5::writeVector(g, sw::kTrajectory, d.trajectory);
    h5::writeVector(g, sw::kTypeShares, d.typeShares);
    h5::writeVector(g, sw::kDeltaGrid, d.deltaGrid);
    writeRows(g, sw::kSharesByDelta, d.sharesByDelta);
    h5::writeVector(g, sw::kAgreement, d.agreement);
    writeRows(g, sw::kProxyTrajectory, d.proxyTrajectory);
    for (std::size_t i = 0; i < d.sizes.size(); ++i) {
        const SweepSize &s = d.sizes[i];
        h5::Handle sg = h5::requireGroup(file, sw::sizeGroup(static_cast<int>(i)));
        h5::writeAttr(sg, sw::kSize, s.size);
        h5::writeAttr(sg, sw::kArch, s.arch);
        writeEnsemble(sg, s.plain);
        writeRows(sg, sw::kProxies, s.proxies);
        h5::writeVector(sg, sw::kSpearman, s.spearman);
        if (!s.hasDistilled)
            continue;
        h5::Handle dg = h5::requireGroup(sg, sw::kDistilled);
        writeEnsemble(dg, s.distilled);
        h5::Handle bt = h5::requireGroup(dg, sw::kByType);
        h5::writeVector(bt, sw::kCount, s.byType.count);
        for (const auto &[name, column] : kByTypeColumns)
            h5::writeVector(bt, name, s.byType.*column);
    }
}

} // namespace

void writeSweepFile(const std::string &path, const SweepData &data, const std::string &datasetFrom)
{
    const std::string partial = path + runformat::kPartialSuffix;
    {
        h5::Handle file = h5::createFile(partial);
        h5::writeAttr(file, sc::kFormat, sw::kSweepFormatName);
        h5::writeAttr(file, sc::kFormatVersion, std::int64_t(sw::kSweepFormatVersion));
        h5::writeAttr(file, sc::kSoftware, "Prediction Depth Studio");
        h5::writeAttr(file, sc::kSoftwareVersion, PDS_VERSION);
        h5::writeAttr(file, sc::kCreated, isoNow());
        h5::writeAttr(file, sw::kSweepConfig, data.configJson);
        h5::writeAttr(file, sw::kMemberFiles, data.memberFiles);
        {
            h5::Handle from = h5::openFile(datasetFrom, false);
            try {
                h5::copyObject(from, sc::kDataset, file, sc::kDataset);
            } catch (const StoreError &) {
                throw StoreError(partial + ": cannot copy the dataset group of " + datasetFrom);
            }
        }
        writeSweepGroup(file, data);
        h5::writeAttr(file, sc::kStatus, runformat::kStatusComplete);
        h5::writeAttr(file, sc::kFinished, isoNow());
        writeAttributesDigest(file);
    }
    std::error_code ec;
    fs::rename(partial, path, ec);
    if (ec)
        throw StoreError("cannot move " + partial + " to " + path + ": " + ec.message());
}

bool isSweepFile(const std::string &path)
{
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        return false;
    try {
        h5::Handle file = h5::openFile(path, false);
        return h5::hasAttr(file, sc::kFormat) && h5::readAttrString(file, sc::kFormat) == sw::kSweepFormatName;
    } catch (const StoreError &) {
        return false;
    }
}

SweepReader::SweepReader(const std::string &path)
{
    try {
        h5::Handle file = h5::openFile(path, false);
        if (!h5::hasAttr(file, sc::kFormat) || h5::readAttrString(file, sc::kFormat) != sw::kSweepFormatName)
            throw StoreError("not a sweep file (its format attribute is not " + std::string(sw::kSweepFormatName)
                             + ")");
        const auto version = h5::readAttrInt(file, sc::kFormatVersion);
        if (version < 1 || version > sw::kSweepFormatVersion)
            throw StoreError("unknown sweep file format version " + std::to_string(version));
        verifyAttributesDigest(file, path);
        m_status = h5::readAttrString(file, sc::kStatus);
        m_created = h5::readAttrString(file, sc::kCreated);
        SweepData &d = m_data;
        d.configJson = h5::readAttrString(file, sw::kSweepConfig);
        d.memberFiles = h5::readAttrStrings(file, sw::kMemberFiles);
        {
            h5::Handle ds = h5::openGroup(file, sc::kDataset);
            m_classNames = h5::readAttrStrings(ds, sc::kClassNames);
        }
        h5::Handle g = h5::openGroup(file, sw::kSweep);
        d.model = h5::readAttrString(g, sw::kModel);
        d.axis = h5::readAttrString(g, sw::kAxis);
        d.members = static_cast<int>(h5::readAttrInt(g, sw::kMembers));
        d.ratio = h5::readAttrDouble(g, sw::kRatio);
        d.delta = h5::readAttrDouble(g, sw::kDelta);
        d.z = h5::readAttrDouble(g, sw::kZ);
        d.distill = h5::readAttrInt(g, sw::kDistill) != 0;
        d.temperature = h5::readAttrDouble(g, sw::kTemperature);
        d.alpha = h5::readAttrDouble(g, sw::kAlpha);
        d.trajectoryNames = h5::readAttrStrings(g, sw::kTrajectoryNames);
        d.proxyNames = h5::readAttrStrings(g, sw::kProxyNames);
        d.labels = h5::readArray<std::int32_t>(g, sw::kLabels);
        d.trajectory = h5::readArray<std::uint8_t>(g, sw::kTrajectory);
        d.typeShares = h5::readArray<double>(g, sw::kTypeShares);
        d.deltaGrid = h5::readArray<double>(g, sw::kDeltaGrid);
        d.sharesByDelta = readRows<double>(g, sw::kSharesByDelta);
        d.agreement = h5::readArray<double>(g, sw::kAgreement);
        d.proxyTrajectory = readRows<std::uint8_t>(g, sw::kProxyTrajectory);
        const auto values = h5::readArray<double>(g, sw::kSizeValues);
        for (std::size_t i = 0; i < values.size(); ++i) {
            h5::Handle sg = h5::openGroup(file, sw::sizeGroup(static_cast<int>(i)));
            SweepSize s;
            s.size = h5::readAttrDouble(sg, sw::kSize);
            s.arch = h5::readAttrString(sg, sw::kArch);
            s.plain = readEnsemble(sg);
            s.proxies = readRows<float>(sg, sw::kProxies);
            s.spearman = h5::readArray<double>(sg, sw::kSpearman);
            s.hasDistilled = h5::exists(sg, sw::kDistilled);
            if (s.hasDistilled) {
                h5::Handle dg = h5::openGroup(sg, sw::kDistilled);
                s.distilled = readEnsemble(dg);
                h5::Handle bt = h5::openGroup(dg, sw::kByType);
                s.byType.count = h5::readArray<std::int64_t>(bt, sw::kCount);
                for (const auto &[name, column] : kByTypeColumns) {
                    s.byType.*column = h5::readArray<double>(bt, name);
                    expectLength((s.byType.*column).size(), d.trajectoryNames.size(),
                                 sc::join({sw::sizeGroup(static_cast<int>(i)), sw::kDistilled, sw::kByType, name}));
                }
            }
            d.sizes.push_back(std::move(s));
        }
        checkShapes(d);
    } catch (const StoreError &e) {
        const std::string what = e.what(), prefix = path + ": ";
        throw StoreError(what.rfind(prefix, 0) == 0 ? what : prefix + what);
    }
}

} // namespace pds
