#pragma once

/// Name, version and status values of the run file, documented in
/// docs/run-format.md; the names of its groups, datasets and attributes are
/// in store/schema.h.
namespace pds::runformat {

inline constexpr const char *kFormatName = "pdepth-run";
inline constexpr int kFormatVersion = 1;

inline constexpr const char *kStatusRunning = "running";
inline constexpr const char *kStatusComplete = "complete";
inline constexpr const char *kStatusIncomplete = "incomplete"; ///< cancelled; finished parts are valid
inline constexpr const char *kStatusFailed = "failed";

/// Suffix of the file while it is being written.
inline constexpr const char *kPartialSuffix = ".part";

} // namespace pds::runformat
