#pragma once

#include "store/integrity.h"

#include <string>
#include <vector>

/// Opening a file the program has not yet seen in a short-lived child
/// process first, so that a file which makes the HDF5 library crash or hang
/// ends the child, not the CLI or the Studio. POSIX only, no Qt: the CLI and
/// the Studio share it.
namespace pds {

/// How a check of one file in a child process (`pdepth-check`) ended.
struct ChildCheck {
    enum class Outcome {
        Passed,      ///< no problems (notes may say more)
        Problems,    ///< the check ran and found problems
        Crashed,     ///< the child died of a signal
        TimedOut,    ///< the child did not finish within the time limit and was killed
        Unavailable, ///< no checker to run, or it could not be started
    };
    Outcome outcome = Outcome::Unavailable;
    std::vector<FileProblem> problems;
    std::vector<std::string> notes;
    std::string lastObject; ///< the object the child said it was reading last
    /// For Crashed and TimedOut the sentence for the user ("x.h5 is damaged: …"),
    /// for Unavailable why no check ran.
    std::string message;
};

/// Runs `pdepth-check [--quick] --machine path` and reads what it reports.
ChildCheck checkInChildProcess(const std::string &path, bool quick, double timeLimitSeconds);

/// Before `path` is read in this process: unless it passed before (same
/// size and modification time), checks it quickly in a child process and
/// throws StoreError with a clear message when the child found problems,
/// crashed or hung. Without a checker to run it lets the caller go on and
/// returns the sentence that says the file was opened unguarded and why (the
/// CLI prints it, the Studio shows it with the file's other warnings); empty
/// when the file was checked.
[[nodiscard]] std::string verifyBeforeOpening(const std::string &path);

/// The checker program: $PDEPTH_CHECK if set, else `pdepth-check` beside the
/// running executable; empty when neither exists.
std::string checkerExecutable();
/// Overrides the checker program (tests, or a Studio installed elsewhere).
void setCheckerExecutable(const std::string &path);
/// Seconds a quick check in the child may take (default 10).
void setCheckTimeLimit(double seconds);

/// The lines `pdepth-check --machine` writes, one record per line.
namespace checkprotocol {
inline constexpr const char *kReading = "reading"; ///< reading\t<object>
inline constexpr const char *kProblem = "problem"; ///< problem\t<object>\t<what>
inline constexpr const char *kNote = "note";       ///< note\t<text>
} // namespace checkprotocol

} // namespace pds
