#pragma once

#include "store/h5inspect.h"

#include <string>
#include <vector>

/// What guards a run file against silent change (format version 2): the
/// digest over its structure and attributes, and the complete check of a
/// file that `pdepth check` and `pdepth-check` run (docs/run-format.md).
namespace pds {

/// The digest of an open file: FNV-1a (64 bit) over every object's path and
/// kind, each dataset's element type and shape, each external link's target,
/// and every attribute of every object, in name order, except the digest
/// itself. Written as "fnv1a64:" and 16 hex digits.
std::string attributesDigest(hid_t file, const h5::ObjectProgress &progress = {});
/// Stores the digest of `file` in its root attribute; the writers call it
/// before each commit, so every change of status or attributes rewrites it.
void writeAttributesDigest(hid_t file);
/// Throws StoreError naming `path` when the stored digest is missing or does not match.
void verifyAttributesDigest(hid_t file, const std::string &path);

/// One problem a check found: the file, the object (a path in the file, or
/// "/" for the file as a whole) and what is wrong.
struct FileProblem {
    std::string file, object, what;
};

/// What a check of one file found.
struct FileCheck {
    int formatVersion = 0;
    std::vector<FileProblem> problems;
    std::vector<std::string> notes; ///< not problems, e.g. a version 1 file carries no checksums
    bool ok() const { return problems.empty(); }
};

/// Checks a run (classification or regression), sweep or comparison file: that it opens and is ours, its
/// structure, attributes and digest, and unless `quick` every dataset read in
/// full (chunk by chunk, so each checksum is verified); quick reads each
/// dataset's chunk index only. `progress` is told each object before it is
/// read. A file of another format is a problem that says it is not a run file.
FileCheck checkRunFile(const std::string &path, bool quick, const h5::ObjectProgress &progress = {});

/// Throws StoreError unless an array read from a file holds `expected`
/// values (`got`), naming the object: a reader's check of the shapes it later
/// indexes by, so that a damaged shape is an error, not a read past the end.
void expectLength(std::size_t got, std::size_t expected, const std::string &object);

/// The note a version 1 run file gets.
std::string noChecksumsNote();
/// The note a version 1 comparison file gets (written before it carried a digest).
std::string noDigestNote();

} // namespace pds
