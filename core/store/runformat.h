#pragma once

/// Names and version of the run file layout, documented in docs/run-format.md.
namespace pds::runformat {

inline constexpr const char *kFormatName = "pdepth-run";
inline constexpr int kFormatVersion = 1;

inline constexpr const char *kStatusRunning = "running";
inline constexpr const char *kStatusComplete = "complete";
inline constexpr const char *kStatusIncomplete = "incomplete"; ///< cancelled; finished parts are valid
inline constexpr const char *kStatusFailed = "failed";

/// Suffix of the file while it is being written.
inline constexpr const char *kPartialSuffix = ".part";
/// Group of a model holding the probe layers finished so far while its probe stage runs.
inline constexpr const char *kProbesPartial = "probes_partial";

} // namespace pds::runformat
