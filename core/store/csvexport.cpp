// exportCsv: the per-example scores of a run as CSV, read through RunReader.

#include "store/runreader.h"

#include "store/fields.h"
#include "util/error.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iomanip>

namespace pds {

namespace {

/// Removes a temporary file when it goes out of scope; once the file has been
/// renamed into place there is nothing left to remove.
struct TempFileRemover {
    std::string path;
    ~TempFileRemover()
    {
        std::error_code ec;
        std::filesystem::remove(path, ec);
    }
};

} // namespace

void exportCsv(const RunReader &run, const std::string &outPath)
{
    const auto &s = run.summary();
    std::vector<int> models;
    for (const auto &m : s.models)
        if (m.hasScores)
            models.push_back(m.index);

    const std::string tmp = outPath + ".tmp";
    // A damaged array found halfway through must not leave half an export behind.
    const TempFileRemover removeTmp{tmp};
    {
        std::ofstream out(tmp, std::ios::trunc);
        if (!out)
            throw StoreError(outPath + ": cannot write (folder missing or not writable)");
        out << std::setprecision(7);
        out << "split,index,source_index,label,clean_label,noisy";
        const bool suffix = models.size() > 1;
        for (int m : models) {
            const std::string sfx = suffix ? "_m" + std::to_string(m) : "";
            out << ",in_train" << sfx;
            for (const auto &name : RunReader::scoreNames())
                out << "," << name << sfx;
            if (run.hasProbes(m))
                out << ",prediction_depth" << sfx;
        }
        if (run.hasSummary())
            for (auto name : RunReader::summaryNames()) {
                std::replace(name.begin(), name.end(), '/', '_');
                out << ",study_" << name;
            }
        out << "\n";
        for (const auto *split : {"train", "test"}) {
            const auto labels = run.labels(split);
            const auto clean = run.cleanLabels(split);
            const auto noisy = run.noisy(split);
            const auto src = run.sourceIndices(split);
            std::vector<std::vector<std::vector<float>>> scores;
            std::vector<std::vector<std::uint8_t>> inTrain;
            for (int m : models) {
                std::vector<std::vector<float>> cols;
                for (const auto &name : RunReader::scoreNames())
                    cols.push_back(run.score(m, split, name));
                if (run.hasProbes(m))
                    cols.push_back(run.depth(m, split));
                scores.push_back(std::move(cols));
                inTrain.push_back(std::string(split) == "train"
                                      ? run.inTrain(m)
                                      : std::vector<std::uint8_t>(labels.size(), 0));
            }
            std::vector<std::vector<float>> summary;
            if (run.hasSummary()) {
                const SplitSummary study = run.splitSummary(split);
                for (const auto &name : RunReader::summaryNames())
                    summary.push_back(schema::summaryValues(study, name));
            }
            for (std::size_t i = 0; i < labels.size(); ++i) {
                out << split << ',' << i << ',' << src[i] << ',' << labels[i] << ',' << clean[i]
                    << ',' << int(noisy[i]);
                for (std::size_t k = 0; k < models.size(); ++k) {
                    out << ',' << int(inTrain[k][i]);
                    for (const auto &col : scores[k])
                        out << ',' << col[i];
                }
                for (const auto &col : summary)
                    out << ',' << col[i];
                out << '\n';
            }
        }
        out.flush();
        if (!out)
            throw StoreError(outPath + ": write failed (disk full?)");
    }
    std::error_code ec;
    std::filesystem::rename(tmp, outPath, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        throw StoreError(outPath + ": cannot move the finished export into place");
    }
}

} // namespace pds
