#include "comparecommand.h"

#include "progressprinter.h"
#include "store/comparefile.h"
#include "store/runformat.h"
#include "store/schema.h"
#include "study/memberprocess.h"
#include "util/error.h"

#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <ostream>

namespace pds::cli {

void addCompareOptions(CLI::App *cmd, CompareOptions &o)
{
    cmd->add_option("--regimes", o.regimes, "Regimes to compare, comma-separated: standard, llf, seal")
        ->capture_default_str();
    cmd->add_option("--transfer", o.transfer,
                    "Dataset of the transfer probe (same image size), e.g. mnist for fashion-mnist models");
    cmd->add_option("--transfer-path", o.transferPath, "Folder of the transfer dataset");
    cmd->add_option("--transfer-format", o.transferFormat, "Format of the transfer dataset (default: from name or folder)");
    cmd->add_option("--transfer-limit", o.transferLimit, "Transfer train examples to keep, stratified (0 = all)")
        ->capture_default_str();
    cmd->add_option("--transfer-test-limit", o.transferTestLimit, "Transfer test examples to keep (0 = all)")
        ->capture_default_str();
    cmd->add_option("--bootstrap", o.bootstrap, "Bootstrap resamples of each 95% interval")->capture_default_str();
    cmd->add_option("-j,--jobs", o.jobs, "Members to train at once, each in its own pdepth process")
        ->capture_default_str()
        ->check(CLI::Range(1, 1024));
}

CompareConfig compareConfig(const CLI::App *cmd, const RunConfig &base, const CompareOptions &o)
{
    if (cmd->count("--regime") > 0)
        throw ConfigError("--regime trains one regime; compare takes the list in --regimes, e.g. standard,llf,seal",
                          "compare.regimes");
    CompareConfig c;
    c.base = base;
    c.base.study.probe = true;
    c.regimes = parseRegimes(o.regimes);
    c.transfer.name = o.transfer;
    c.transfer.path = o.transferPath;
    c.transfer.format = o.transferFormat;
    c.transferLimit = o.transferLimit;
    c.transferTestLimit = o.transferTestLimit;
    c.bootstrapResamples = o.bootstrap;
    checkComparison(c);
    return c;
}

bool runCompare(const CompareConfig &config, int jobs, JobObserver *observer, const CancelToken &cancel)
{
    CompareJob job(config);
    if (jobs > 1)
        job.setMemberRunner(childProcessRunner(selfExecutable()), jobs);
    const CompareResult r = job.run(observer, cancel);
    if (r.status != runformat::kStatusComplete) {
        std::fprintf(stderr, "pdepth: comparison interrupted; finished members are kept and reused when it runs again\n");
        return false;
    }
    std::printf("comparison finished in %s: %d members trained, %d reused\ncomparison file: %s\n",
                formatDuration(r.seconds).c_str(), r.membersTrained, r.membersReused, r.output.c_str());
    printComparison(r.output, std::cout);
    return true;
}

namespace {

std::string interval(const MeanInterval &m)
{
    std::ostringstream s;
    s << std::fixed << std::setprecision(3) << m.mean << " [" << m.low << ", " << m.high << "]";
    return s.str();
}

} // namespace

void printComparison(const std::string &path, std::ostream &out)
{
    const Comparison c = readComparison(path);
    out << "file        " << path << "\n"
        << "format      " << schema::compare::kFormatName << "\n"
        << "regimes     " << c.regimes.size() << ", " << c.generations << " generations of "
        << c.epochsPerGeneration << " epochs (standard: " << c.generations * c.epochsPerGeneration
        << " epochs in one)\n"
        << "intervals   bootstrap over examples, " << c.bootstrapResamples << " resamples, "
        << c.bootstrapLevel * 100 << "%\n";
    out << std::fixed << std::setprecision(3);
    for (const auto &r : c.regimes) {
        double last = 0.0;
        for (int m = 0; m < r.models; ++m)
            last += r.generationAccuracy[static_cast<std::size_t>(m * r.generations + r.generations - 1)];
        out << "\n" << r.regime << " (" << r.models << " models, study " << r.studyFile << ")\n"
            << "  test accuracy    " << (r.models ? last / r.models : 0.0) << " (mean over models)\n"
            << "  depth train      " << interval(r.train.mean) << "\n"
            << "  depth test       " << interval(r.test.mean) << "\n";
        if (!r.transferAccuracy.empty())
            out << "  transfer         " << r.transferMean << " ± " << r.transferSpread << " on "
                << c.transferDataset << "\n";
    }
    for (const auto &d : c.differences) {
        out << "\n" << d.a << " − " << d.b << " depth per example\n";
        for (const auto *split : {"train", "test"}) {
            const SplitDifference &s = std::string(split) == "train" ? d.train : d.test;
            out << "  " << split << (std::string(split) == "train" ? "  " : "   ") << interval(s.mean)
                << "  lower " << s.shares.lower << ", same " << s.shares.same << ", higher " << s.shares.higher
                << "\n";
        }
    }
}

} // namespace pds::cli
