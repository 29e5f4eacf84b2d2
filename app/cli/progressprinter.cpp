#include "progressprinter.h"

#include "store/runwriter.h"
#include "store/schema.h"

#include <unistd.h>

#include <cmath>
#include <string>

namespace pds {

std::string formatDuration(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0)
        return "?";
    const long s = std::lround(seconds);
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s / 60) % 60);
    else if (s >= 60)
        std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%lds", s);
    return buf;
}

ProgressPrinter::ProgressPrinter(std::FILE *out) : m_out(out), m_tty(isatty(fileno(out)) != 0) {}

void ProgressPrinter::clearLine()
{
    if (m_lineOpen) {
        std::fprintf(m_out, "\r\033[K");
        m_lineOpen = false;
    }
}

void ProgressPrinter::progress(const Progress &p)
{
    if (!m_tty)
        return;
    if (p.phase == JobPhase::Embedding || p.phase == JobPhase::Probing) {
        std::fprintf(m_out, "\r\033[K%s: layer %lld/%lld", phaseName(p.phase), p.step, p.steps);
        std::fflush(m_out);
        m_lineOpen = true;
        return;
    }
    if (p.phase != JobPhase::Training || p.steps <= 0)
        return;
    const int width = 24;
    const double frac = double(p.step) / double(p.steps);
    const int filled = static_cast<int>(frac * width);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.append(static_cast<std::size_t>(width - filled), '.');
    std::fprintf(m_out, "\r\033[Kmodel %s (of %d) epoch %d/%d [%s] %3.0f%% loss %.4f acc %.2f%% %.0f ex/s ETA %s",
                 schema::modelName(p.model).c_str(), p.models, p.epoch, p.epochs, bar.c_str(), frac * 100.0, p.loss,
                 p.accuracy * 100.0, p.examplesPerSecond, formatDuration(p.etaSeconds).c_str());
    std::fflush(m_out);
    m_lineOpen = true;
}

void ProgressPrinter::epochFinished(int model, const EpochCurve &c)
{
    clearLine();
    std::fprintf(m_out,
                 "model %s epoch %d: lr %.4g  train loss %.4f acc %.2f%%  test loss %.4f acc %.2f%%  (%.1f s)\n",
                 schema::modelName(model).c_str(), c.epoch, c.lr, c.trainLoss, c.trainAccuracy * 100.0, c.testLoss,
                 c.testAccuracy * 100.0, c.seconds);
    std::fflush(m_out);
}

void ProgressPrinter::message(const std::string &text)
{
    clearLine();
    std::fprintf(m_out, "%s\n", text.c_str());
    std::fflush(m_out);
}

} // namespace pds
