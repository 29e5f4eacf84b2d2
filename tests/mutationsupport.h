#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

/// Damaged copies of real run files for the tests of crash-proof opening
/// (tst_mutation, tst_openguard): the files, the mutations, and what each
/// changed byte belonged to, so that a mutation nobody noticed can be told
/// apart from one that changed what the reader returns.
namespace pds::test {

/// A tiny single run and a two-member study, trained in this process on a
/// synthetic dataset in `dir` (a few seconds on one CPU thread).
struct RunFiles {
    std::string run, study;
};
RunFiles makeTinyRunFiles(const std::string &dir);

/// One damaged copy of a file.
struct Mutation {
    std::string kind; ///< random bytes, bit flips, truncation, zeroed block, shuffled pages
    std::vector<std::pair<std::size_t, std::size_t>> ranges; ///< [begin, end) of the original's bytes changed
    std::vector<char> bytes;
};
/// Applies one of the five kinds of damage, chosen by `rng`.
Mutation mutate(const std::vector<char> &original, std::mt19937_64 &rng);

std::vector<char> readAll(const std::string &path);
void writeAll(const std::string &path, const std::vector<char> &bytes);

/// Everything a reader can get out of a run file: every attribute and every
/// dataset's values, as text; StoreError when some part cannot be read.
std::string contentDump(const std::string &path);

/// What the bytes of `ranges` held in the (undamaged) file at `path`:
/// "dataset chunks" (stored values, guarded by checksums), "file end"
/// (truncation), or "metadata or free space" (object headers, indexes,
/// heaps and the gaps between them).
std::string regionOf(const std::string &path, const std::vector<std::pair<std::size_t, std::size_t>> &ranges);

} // namespace pds::test
