#pragma once

#include "study/summary.h"

#include <memory>
#include <string>

namespace pds {

namespace h5 {
class Handle;
}

/// The thresholds as the JSON text of the summary's `thresholds` attribute.
std::string thresholdsToJson(const GroupThresholds &thresholds);
/// Thresholds from that JSON text; defaults for what is missing or not a number.
GroupThresholds thresholdsFromJson(const std::string &text);

/// Writes a study file from the run files of its members: the root attributes
/// and dataset of the first member, each member's model (its embeddings link
/// re-pointed to resolve from the study file's folder) and the summary. The
/// file is written as `<output>.part` and moved to `output` by finish().
class StudyWriter {
public:
    /// Creates `<output>.part` with the root attributes and dataset of `firstMember`.
    StudyWriter(std::string output, const std::string &firstMember);
    ~StudyWriter();
    StudyWriter(const StudyWriter &) = delete;
    StudyWriter &operator=(const StudyWriter &) = delete;

    /// Copies the model of a member's run file as model `member` of the study.
    void addMember(const std::string &memberFile, int member);
    /// The per-example aggregates over `models` models, K classes and P probes.
    void writeSummary(const SplitSummary &train, const SplitSummary &test, int numClasses, int probes, int models,
                      const GroupThresholds &thresholds);
    /// Marks the study complete with `models` models, closes it and moves it into place.
    void finish(int models);

private:
    std::string partialPath() const;

    std::string m_output;
    std::unique_ptr<h5::Handle> m_file;
};

} // namespace pds
