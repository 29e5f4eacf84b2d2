#pragma once

#include "train/job.h"

#include <chrono>
#include <cstdio>

namespace pds {

/// Prints job progress: a redrawn bar with ETA on a terminal, plain lines
/// (one per epoch) when the output is a file or pipe.
class ProgressPrinter : public JobObserver {
public:
    explicit ProgressPrinter(std::FILE *out);
    void progress(const Progress &p) override;
    void epochFinished(int model, const EpochCurve &curve) override;
    void message(const std::string &text) override;

private:
    void clearLine();

    std::FILE *m_out;
    bool m_tty;
    bool m_lineOpen = false;
};

/// "1h02m", "3m05s", "12s".
std::string formatDuration(double seconds);

} // namespace pds
