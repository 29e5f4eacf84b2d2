#include "store/integrity.h"

#include "store/runformat.h"
#include "store/schema.h"

#include <cstdio>

namespace pds {

namespace sc = schema;

namespace {

/// FNV-1a, 64 bit: enough to tell a damaged file from its writer's, which is
/// all the digest is for (it is no defence against deliberate forgery).
class Fnv1a64 {
public:
    void add(const std::string &bytes)
    {
        const auto size = static_cast<std::uint64_t>(bytes.size());
        addRaw(&size, sizeof size);
        addRaw(bytes.data(), bytes.size());
    }
    std::string text() const
    {
        char buf[32];
        std::snprintf(buf, sizeof buf, "fnv1a64:%016llx", static_cast<unsigned long long>(m_hash));
        return buf;
    }

private:
    void addRaw(const void *p, std::size_t n)
    {
        const auto *bytes = static_cast<const unsigned char *>(p);
        for (std::size_t i = 0; i < n; ++i) {
            m_hash ^= bytes[i];
            m_hash *= 1099511628211ULL;
        }
    }
    std::uint64_t m_hash = 14695981039346656037ULL;
};

void addAttributes(Fnv1a64 &digest, hid_t obj, bool root)
{
    for (const auto &name : h5::attributeNames(obj))
        if (!root || name != sc::kAttributesDigest)
            digest.add(h5::attributeBytes(obj, name));
}

/// The digest over `entries` (from listObjects) and the attributes of the root and each object.
std::string digestOf(hid_t file, const std::vector<h5::ObjectEntry> &entries, const h5::ObjectProgress &progress)
{
    Fnv1a64 digest;
    if (progress)
        progress("/");
    addAttributes(digest, file, true);
    for (const auto &e : entries) {
        if (progress)
            progress(e.path);
        digest.add(e.path);
        digest.add(std::string(1, static_cast<char>('0' + static_cast<int>(e.kind))));
        if (e.kind == h5::ObjectEntry::Kind::ExternalLink) {
            digest.add(e.target);
            continue;
        }
        if (e.kind == h5::ObjectEntry::Kind::Other)
            continue;
        try {
            if (e.kind == h5::ObjectEntry::Kind::Dataset)
                digest.add(h5::datasetLayout(file, e.path));
            addAttributes(digest, h5::openObject(file, e.path), false);
        } catch (const StoreError &err) {
            throw StoreError(e.path + ": " + err.what());
        }
    }
    return digest.text();
}

/// A file format the checks know: its format attribute, the newest version
/// readers accept and the first version that carries the attributes digest.
struct FileFormat {
    const char *name;
    const char *what;
    int newestVersion;
    int firstDigestVersion;
};

/// The run file first: its version 1 also lacks the checksums.
const FileFormat kFormats[] = {
    {runformat::kFormatName, "run file", runformat::kFormatVersion, runformat::kFirstChecksummedVersion},
    {sc::regression::kFormatName, "regression run file", sc::regression::kFormatVersion, 1},
    {sc::sweep::kSweepFormatName, "sweep file", sc::sweep::kSweepFormatVersion, 1},
    {sc::compare::kFormatName, "comparison file", sc::compare::kVersion, sc::compare::kFirstDigestVersion},
};

const FileFormat *formatOf(const std::string &name)
{
    for (const auto &f : kFormats)
        if (name == f.name)
            return &f;
    return nullptr;
}

/// `message` without the "path: " prefix a lower layer may have given it.
std::string withoutFile(const std::string &message, const std::string &path)
{
    const std::string prefix = path + ": ";
    return message.rfind(prefix, 0) == 0 ? message.substr(prefix.size()) : message;
}

void checkDigest(const std::string &stored, const std::string &computed, const std::string &path)
{
    if (stored != computed)
        throw StoreError(path + ": the file's structure or attributes were changed or damaged (digest "
                         + computed + ", but the file records " + stored + ")");
}

} // namespace

std::string noChecksumsNote()
{
    return "format version 1: the file carries no checksums, so damage to its stored values cannot be detected";
}

void expectLength(std::size_t got, std::size_t expected, const std::string &object)
{
    if (got != expected)
        throw StoreError(object + " holds " + std::to_string(got) + " values where " + std::to_string(expected)
                         + " are expected");
}

std::string noDigestNote()
{
    return "format version 1: the file carries no attributes digest, so a change to its attributes cannot be "
           "detected";
}

std::string attributesDigest(hid_t file, const h5::ObjectProgress &progress)
{
    return digestOf(file, h5::listObjects(file, progress), progress);
}

void writeAttributesDigest(hid_t file)
{
    h5::writeAttr(file, sc::kAttributesDigest, attributesDigest(file));
}

void verifyAttributesDigest(hid_t file, const std::string &path)
{
    if (!h5::hasAttr(file, sc::kAttributesDigest))
        throw StoreError(path + ": the attributes digest of a format version "
                         + std::to_string(runformat::kFirstChecksummedVersion) + " file is missing");
    std::string computed;
    try {
        computed = attributesDigest(file);
    } catch (const StoreError &e) {
        throw StoreError(path + ": " + withoutFile(e.what(), path));
    }
    checkDigest(h5::readAttrString(file, sc::kAttributesDigest), computed, path);
}

FileCheck checkRunFile(const std::string &path, bool quick, const h5::ObjectProgress &progress)
{
    FileCheck r;
    auto problem = [&](const std::string &object, const std::string &what) {
        r.problems.push_back({path, object, withoutFile(what, path)});
    };
    h5::Handle file;
    std::vector<h5::ObjectEntry> entries;
    const FileFormat *kind = nullptr;
    try {
        if (progress)
            progress("/");
        file = h5::openFile(path, false);
        const std::string format = h5::hasAttr(file, sc::kFormat) ? h5::readAttrString(file, sc::kFormat) : "";
        kind = formatOf(format);
        if (!kind)
            throw StoreError("not a Prediction Depth Studio run file (no 'format' attribute '"
                             + std::string(runformat::kFormatName) + "')");
        r.formatVersion = static_cast<int>(h5::readAttrInt(file, sc::kFormatVersion));
        if (r.formatVersion > kind->newestVersion || r.formatVersion < 1)
            throw StoreError("unknown " + std::string(kind->what) + " format version " + std::to_string(r.formatVersion));
        entries = h5::listObjects(file, progress);
    } catch (const StoreError &e) {
        problem("/", e.what());
        return r;
    }
    const bool digested = r.formatVersion >= kind->firstDigestVersion;
    if (!digested)
        r.notes.push_back(kind == &kFormats[0] ? noChecksumsNote() : noDigestNote());
    try {
        const std::string digest = digestOf(file, entries, progress);
        if (digested)
            checkDigest(h5::hasAttr(file, sc::kAttributesDigest) ? h5::readAttrString(file, sc::kAttributesDigest)
                                                                 : "(none)",
                        digest, path);
        else if (h5::hasAttr(file, sc::kAttributesDigest))
            throw StoreError("the file says format version " + std::to_string(r.formatVersion)
                             + " but carries a digest: its version was changed");
    } catch (const StoreError &e) {
        problem("/", e.what());
    }
    for (const auto &e : entries) {
        if (e.kind != h5::ObjectEntry::Kind::Dataset)
            continue;
        if (progress)
            progress(e.path);
        try {
            if (quick)
                h5::walkChunkIndex(file, e.path);
            else
                h5::readThrough(file, e.path);
        } catch (const StoreError &err) {
            problem(e.path, err.what());
        }
    }
    return r;
}

} // namespace pds
