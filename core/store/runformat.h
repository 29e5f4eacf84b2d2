#pragma once

/// Name, version and status values of the run file, documented in
/// docs/run-format.md; the names of its groups, datasets and attributes are
/// in store/schema.h.
namespace pds::runformat {

inline constexpr const char *kFormatName = "pdepth-run";
/// Version 2 adds the Fletcher32 checksum on every chunked dataset and the
/// attributes digest; version 1 files are still read, without those checks.
inline constexpr int kFormatVersion = 2;
/// The first version whose files carry checksums and the digest.
inline constexpr int kFirstChecksummedVersion = 2;

inline constexpr const char *kStatusRunning = "running";
inline constexpr const char *kStatusComplete = "complete";
inline constexpr const char *kStatusIncomplete = "incomplete"; ///< cancelled; finished parts are valid
inline constexpr const char *kStatusFailed = "failed";

/// Suffix of the file while it is being written.
inline constexpr const char *kPartialSuffix = ".part";

} // namespace pds::runformat
