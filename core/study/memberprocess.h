#pragma once

#include "study/study.h"

#include <memory>
#include <string>

namespace pds {

/// A MemberRunner that trains each member in a child process of `executable`
/// (this `pdepth`): `train --config <member>.json -o <member>.h5`, or
/// `resume <member>.h5`, with its output in `<member>.log` beside the run
/// file. The child runs in its own process group, so a Ctrl-C reaches the
/// parent only; cancelling sends the child one SIGINT, which leaves its run
/// file valid and resumable. The child's typed events reach the observer
/// (see reportToStudyParent). A child that fails raises an Error naming its
/// exit status, its last line of output and its log.
MemberRunner childProcessRunner(const std::string &executable);

/// The observer a `pdepth train` or `resume` process reports to: passes every
/// call on to `inner`, and in a member process started by childProcessRunner
/// also sends the typed events (epoch finished, probe layer finished, file
/// committed) to the study process, which passes them on to its own observer
/// as they arrive (log lines remain for people).
std::unique_ptr<JobObserver> reportToStudyParent(JobObserver *inner);

/// In a member process started by childProcessRunner: has the kernel signal
/// it (SIGHUP, handled by `cancel`, which must only cancel) when the study
/// process dies, so that no member trains on, orphaned, into files a rerun of
/// the study would use; it stops as if interrupted. Elsewhere it does nothing.
void stopWithStudyParent(void (*cancel)(int));

/// The path of the running executable (from /proc/self/exe).
std::string selfExecutable();

} // namespace pds
