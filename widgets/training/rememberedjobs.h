#pragma once

#include <QString>

namespace pds {

/// The training jobs a Studio started and has not seen end, kept in its
/// settings (by output path) so that the next Studio follows them again.
class RememberedJobs {
public:
    static void add(const QString &output);
    static void remove(const QString &output);
    /// The job to follow now: a live one first, else one that ended (or
    /// died) while no Studio watched; empty when none. Forgets jobs that
    /// left no event log.
    static QString next();
};

} // namespace pds
