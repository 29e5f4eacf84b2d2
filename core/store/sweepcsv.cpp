#include "store/sweepfile.h"

#include "util/error.h"

#include <cmath>
#include <fstream>
#include <sstream>

namespace pds {

namespace {

std::string cell(double v)
{
    if (!std::isfinite(v))
        return {};
    std::ostringstream s;
    s.precision(6);
    s << v;
    return s.str();
}

std::string sizeName(double size)
{
    std::ostringstream s;
    s << "s" << size << "_";
    return s.str();
}

} // namespace

void exportSweepCsv(const SweepReader &sweep, const std::string &outPath)
{
    const SweepData &d = sweep.data();
    std::ofstream out(outPath);
    if (!out)
        throw StoreError(outPath + ": cannot write the CSV file");
    out << "index,label,trajectory";
    for (const auto &s : d.sizes) {
        const std::string p = sizeName(s.size);
        out << "," << p << "p_in," << p << "p_out," << p << "m_in," << p << "m_out," << p << "mem," << p << "se";
        for (const auto &name : d.proxyNames)
            out << "," << p << name;
        if (s.hasDistilled)
            out << "," << p << "distilled_p_in," << p << "distilled_p_out," << p << "distilled_mem," << p
                << "distilled_se";
    }
    out << "\n";
    for (std::size_t i = 0; i < d.labels.size(); ++i) {
        out << i << "," << d.labels[i] << "," << d.trajectoryNames.at(d.trajectory[i]);
        for (const auto &s : d.sizes) {
            const auto &e = s.plain;
            out << "," << cell(e.pIn[i]) << "," << cell(e.pOut[i]) << "," << e.mIn[i] << "," << e.mOut[i] << ","
                << cell(e.mem[i]) << "," << cell(e.se[i]);
            for (const auto &proxy : s.proxies)
                out << "," << cell(proxy[i]);
            if (s.hasDistilled)
                out << "," << cell(s.distilled.pIn[i]) << "," << cell(s.distilled.pOut[i]) << ","
                    << cell(s.distilled.mem[i]) << "," << cell(s.distilled.se[i]);
        }
        out << "\n";
    }
    if (!out)
        throw StoreError(outPath + ": writing the CSV file failed");
}

} // namespace pds
