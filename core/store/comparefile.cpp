#include "store/comparefile.h"

#include "store/h5file.h"
#include "store/integrity.h"
#include "store/runformat.h"
#include "store/schema.h"
#include "util/error.h"
#include "version.h"

#include <cmath>
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <sstream>

namespace pds {

namespace sc = schema;
namespace cs = schema::compare;

namespace {

std::string utcNow()
{
    const std::time_t t = std::time(nullptr);
    std::ostringstream s;
    s << std::put_time(std::gmtime(&t), "%FT%TZ");
    return s.str();
}

void writeInterval(hid_t obj, const MeanInterval &m)
{
    h5::writeAttr(obj, cs::kMean, m.mean);
    h5::writeAttr(obj, cs::kLow, m.low);
    h5::writeAttr(obj, cs::kHigh, m.high);
    h5::writeAttr(obj, cs::kCount, m.count);
}

MeanInterval readInterval(hid_t obj)
{
    MeanInterval m;
    m.mean = h5::readAttrDouble(obj, cs::kMean);
    m.low = h5::readAttrDouble(obj, cs::kLow);
    m.high = h5::readAttrDouble(obj, cs::kHigh);
    m.count = h5::readAttrInt(obj, cs::kCount);
    return m;
}

void writeMatrix(hid_t loc, const std::string &name, const std::vector<double> &v, int rows, int cols)
{
    h5::writeArray<double>(loc, name, v.data(), {hsize_t(rows), hsize_t(cols)});
}

void writeRegime(hid_t file, const RegimeResult &r)
{
    h5::Handle g = h5::requireGroup(file, cs::regimeGroup(r.regime));
    h5::writeAttr(g, cs::kStudyFile, r.studyFile);
    writeMatrix(g, cs::kGenerationAccuracy, r.generationAccuracy, r.models, r.generations);
    writeMatrix(g, cs::kProbeAccuracy, r.probeAccuracy, r.models, r.probes);
    {
        h5::Handle ds = h5::openDataset(g, cs::kProbeAccuracy);
        h5::writeAttr(ds, sc::kProbeNames, r.probeNames);
    }
    for (const auto *split : sc::kSplits) {
        const RegimeDepth &d = std::string(split) == "train" ? r.train : r.test;
        h5::Handle sg = h5::requireGroup(g, sc::join({cs::kDepth, split}));
        h5::writeVector(sg, cs::kExampleDepth, d.exampleDepth);
        h5::writeVector(sg, cs::kHistogram, d.histogram);
        writeInterval(sg, d.mean);
    }
    if (!r.transferAccuracy.empty()) {
        h5::Handle tg = h5::requireGroup(g, cs::kTransfer);
        h5::writeVector(tg, cs::kAccuracy, r.transferAccuracy);
        h5::writeAttr(tg, cs::kMean, r.transferMean);
        h5::writeAttr(tg, cs::kSpread, r.transferSpread);
    }
}

void writeDifference(hid_t file, const DepthDifference &d)
{
    for (const auto *split : sc::kSplits) {
        const SplitDifference &s = std::string(split) == "train" ? d.train : d.test;
        h5::Handle g = h5::requireGroup(file, sc::join({cs::differenceGroup(d.a, d.b), split}));
        h5::writeVector(g, cs::kDifference, s.depth);
        writeInterval(g, s.mean);
        h5::writeAttr(g, cs::kLower, s.shares.lower);
        h5::writeAttr(g, cs::kSame, s.shares.same);
        h5::writeAttr(g, cs::kHigher, s.shares.higher);
    }
}

void writeAll(hid_t file, const Comparison &c, const std::vector<std::string> &studyPaths)
{
    h5::writeAttr(file, sc::kFormat, cs::kFormatName);
    h5::writeAttr(file, sc::kFormatVersion, std::int64_t(cs::kVersion));
    h5::writeAttr(file, sc::kSoftware, "pdepth");
    h5::writeAttr(file, sc::kSoftwareVersion, version());
    h5::writeAttr(file, sc::kCreated, utcNow());
    h5::writeAttr(file, sc::kConfig, c.configJson);
    std::vector<std::string> names;
    for (const auto &r : c.regimes)
        names.push_back(r.regime);
    h5::writeAttr(file, cs::kRegimeNames, names);
    h5::writeAttr(file, cs::kGenerations, std::int64_t(c.generations));
    h5::writeAttr(file, cs::kEpochsPerGeneration, std::int64_t(c.epochsPerGeneration));
    h5::writeAttr(file, cs::kBootstrapResamples, std::int64_t(c.bootstrapResamples));
    h5::writeAttr(file, cs::kBootstrapLevel, c.bootstrapLevel);
    h5::writeAttr(file, cs::kTransferDataset, c.transferDataset);
    for (std::size_t i = 0; i < c.regimes.size(); ++i) {
        writeRegime(file, c.regimes[i]);
        h5::Handle study = h5::openFile(studyPaths.at(i), false);
        h5::copyObject(study, "/", file, sc::join({cs::regimeGroup(c.regimes[i].regime), cs::kStudy}));
    }
    for (const auto &d : c.differences)
        writeDifference(file, d);
}

} // namespace

void writeComparison(const std::string &path, const Comparison &c, const std::vector<std::string> &studyPaths)
{
    if (studyPaths.size() != c.regimes.size())
        throw StoreError(path + ": " + std::to_string(c.regimes.size()) + " regimes but "
                         + std::to_string(studyPaths.size()) + " study files");
    const std::string part = path + runformat::kPartialSuffix;
    try {
        h5::Handle file = h5::createFile(part);
        writeAll(file, c, studyPaths);
        writeAttributesDigest(file);
        h5::flush(file);
    } catch (...) {
        std::error_code ec;
        std::filesystem::remove(part, ec);
        throw;
    }
    std::error_code ec;
    std::filesystem::rename(part, path, ec);
    if (ec)
        throw StoreError(path + ": cannot move the finished comparison into place: " + ec.message());
}

namespace {

std::vector<double> readMatrix(hid_t loc, const std::string &name, int &rows, int &cols, const std::string &where)
{
    std::vector<hsize_t> dims;
    auto v = h5::readArray<double>(loc, name, &dims);
    if (dims.size() != 2)
        throw StoreError(where + "/" + name + ": expected a two-dimensional array");
    rows = static_cast<int>(dims[0]);
    cols = static_cast<int>(dims[1]);
    return v;
}

RegimeResult readRegime(hid_t file, const std::string &regime, const std::string &path)
{
    const std::string where = path + ": " + cs::regimeGroup(regime);
    if (!h5::exists(file, cs::regimeGroup(regime)))
        throw StoreError(where + " is missing");
    RegimeResult r;
    r.regime = regime;
    h5::Handle g = h5::openGroup(file, cs::regimeGroup(regime));
    r.studyFile = h5::readAttrString(g, cs::kStudyFile);
    int models = 0;
    r.generationAccuracy = readMatrix(g, cs::kGenerationAccuracy, models, r.generations, where);
    r.probeAccuracy = readMatrix(g, cs::kProbeAccuracy, r.models, r.probes, where);
    if (models != r.models)
        throw StoreError(where + ": " + std::to_string(models) + " models in " + cs::kGenerationAccuracy + " but "
                         + std::to_string(r.models) + " in " + cs::kProbeAccuracy);
    {
        h5::Handle ds = h5::openDataset(g, cs::kProbeAccuracy);
        r.probeNames = h5::readAttrStrings(ds, sc::kProbeNames);
    }
    for (const auto *split : sc::kSplits) {
        RegimeDepth &d = std::string(split) == "train" ? r.train : r.test;
        h5::Handle sg = h5::openGroup(g, sc::join({cs::kDepth, split}));
        d.exampleDepth = h5::readArray<float>(sg, cs::kExampleDepth);
        d.histogram = h5::readArray<std::int64_t>(sg, cs::kHistogram);
        d.mean = readInterval(sg);
    }
    if (h5::exists(g, cs::kTransfer)) {
        h5::Handle tg = h5::openGroup(g, cs::kTransfer);
        r.transferAccuracy = h5::readArray<double>(tg, cs::kAccuracy);
        r.transferMean = h5::readAttrDouble(tg, cs::kMean);
        r.transferSpread = h5::readAttrDouble(tg, cs::kSpread);
    }
    return r;
}

} // namespace

namespace {

/// The lengths readers and printers rely on, so a damaged shape is an error
/// here rather than a read past the end later.
void checkShapes(const Comparison &c)
{
    std::size_t examples[2] = {0, 0};
    for (std::size_t i = 0; i < c.regimes.size(); ++i) {
        const RegimeResult &r = c.regimes[i];
        const std::string g = cs::regimeGroup(r.regime);
        if (r.models > 0 && r.generations < 1)
            throw StoreError(g + "/" + cs::kGenerationAccuracy + " holds no generation");
        expectLength(r.probeNames.size(), static_cast<std::size_t>(r.probes),
                     g + "/" + cs::kProbeAccuracy + " attribute " + sc::kProbeNames);
        for (int split = 0; split < 2; ++split) {
            const RegimeDepth &d = split == 0 ? r.train : r.test;
            const std::string where = sc::join({g, cs::kDepth, sc::kSplits[split]});
            expectLength(d.histogram.size(), static_cast<std::size_t>(r.probes) + 1, where + "/" + cs::kHistogram);
            if (i == 0)
                examples[split] = d.exampleDepth.size();
            expectLength(d.exampleDepth.size(), examples[split], where + "/" + cs::kExampleDepth);
        }
        if (!r.transferAccuracy.empty())
            expectLength(r.transferAccuracy.size(), static_cast<std::size_t>(r.models),
                         sc::join({g, cs::kTransfer, cs::kAccuracy}));
    }
    for (const DepthDifference &d : c.differences)
        for (int split = 0; split < 2; ++split)
            expectLength((split == 0 ? d.train : d.test).depth.size(), examples[split],
                         sc::join({cs::differenceGroup(d.a, d.b), sc::kSplits[split], cs::kDifference}));
}

/// Everything but the checks, from a file already opened and found ours.
Comparison readOpenComparison(hid_t file, const std::string &path)
{
    Comparison c;
    c.configJson = h5::readAttrString(file, sc::kConfig);
    c.generations = static_cast<int>(h5::readAttrInt(file, cs::kGenerations));
    c.epochsPerGeneration = static_cast<int>(h5::readAttrInt(file, cs::kEpochsPerGeneration));
    c.bootstrapResamples = static_cast<int>(h5::readAttrInt(file, cs::kBootstrapResamples));
    c.bootstrapLevel = h5::readAttrDouble(file, cs::kBootstrapLevel);
    c.transferDataset = h5::readAttrString(file, cs::kTransferDataset);
    const auto names = h5::readAttrStrings(file, cs::kRegimeNames);
    for (const auto &name : names)
        c.regimes.push_back(readRegime(file, name, path));
    for (std::size_t i = 0; i < names.size(); ++i)
        for (std::size_t j = i + 1; j < names.size(); ++j) {
            DepthDifference d;
            d.a = names[i];
            d.b = names[j];
            for (const auto *split : sc::kSplits) {
                SplitDifference &s = std::string(split) == "train" ? d.train : d.test;
                const std::string group = sc::join({cs::differenceGroup(d.a, d.b), split});
                if (!h5::exists(file, group))
                    throw StoreError(path + ": " + group + " is missing");
                h5::Handle g = h5::openGroup(file, group);
                s.depth = h5::readArray<float>(g, cs::kDifference);
                s.mean = readInterval(g);
                s.shares.lower = h5::readAttrDouble(g, cs::kLower);
                s.shares.same = h5::readAttrDouble(g, cs::kSame);
                s.shares.higher = h5::readAttrDouble(g, cs::kHigher);
                s.shares.count = s.mean.count;
            }
            c.differences.push_back(std::move(d));
        }
    return c;
}

} // namespace

Comparison readComparison(const std::string &path)
{
    if (!isComparisonFile(path))
        throw StoreError(path + ": not a comparison file (its root attribute format is not "
                         + std::string(cs::kFormatName) + ")");
    const std::string prefix = path + ": ";
    try {
        h5::Handle file = h5::openFile(path, false);
        const auto version = h5::readAttrInt(file, sc::kFormatVersion);
        if (version < 1 || version > cs::kVersion)
            throw StoreError("unknown comparison file format version " + std::to_string(version));
        if (version >= cs::kFirstDigestVersion)
            verifyAttributesDigest(file, path);
        Comparison c = readOpenComparison(file, path);
        checkShapes(c);
        return c;
    } catch (const StoreError &e) {
        const std::string what = e.what();
        throw StoreError(what.rfind(prefix, 0) == 0 ? what : prefix + what);
    }
}

bool isComparisonFile(const std::string &path)
{
    try {
        h5::Handle file = h5::openFile(path, false);
        return h5::hasAttr(file, sc::kFormat) && h5::readAttrString(file, sc::kFormat) == cs::kFormatName;
    } catch (const std::exception &) {
        return false;
    }
}

} // namespace pds
