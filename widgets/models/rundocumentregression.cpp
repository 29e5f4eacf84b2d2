// RunDocument's side of a regression run file (docs/regression.md): its
// examples, columns and "selected" mask. Kept apart from rundocument.cpp,
// which reads classification runs and studies.
#include "models/rundocument.h"

#include "models/regressionrun.h"

#include <cmath>
#include <limits>

namespace pds {
namespace {

constexpr float kMissing = std::numeric_limits<float>::quiet_NaN();

/// The train split's values followed by the test split's, as the document numbers examples.
template <typename T> std::vector<T> bothSplits(const std::vector<T> &train, const std::vector<T> &test)
{
    std::vector<T> out(train);
    out.insert(out.end(), test.begin(), test.end());
    return out;
}

} // namespace

void RunDocument::loadRegression()
{
    auto run = std::make_shared<const RegressionRun>(m_path);
    m_summary = RunSummary{};
    m_summary.status = run->status();
    m_summary.configJson = run->configJson();
    m_summary.datasetSource = run->datasetInfo().source;
    m_summary.channels = run->datasetInfo().channels;
    m_summary.height = run->datasetInfo().height;
    m_summary.width = run->datasetInfo().width;
    m_trainSize = run->trainSize();
    m_testSize = run->testSize();
    m_classNames.clear();
    m_probeNames.clear();
    m_isStudy = false;
    const std::vector<float> target = bothSplits(run->noisyTrain(), run->cleanTest());
    const std::vector<float> clean = bothSplits(run->cleanTrain(), run->cleanTest());
    m_labels.clear();
    m_cleanLabels.clear();
    m_noisy.clear();
    std::vector<float> error;
    for (std::size_t i = 0; i < target.size(); ++i) {
        m_labels.push_back(static_cast<std::int32_t>(std::lround(target[i])));
        m_cleanLabels.push_back(static_cast<std::int32_t>(std::lround(clean[i])));
        m_noisy.push_back(target[i] != clean[i] ? 1 : 0);
        error.push_back(std::abs(target[i] - clean[i]));
    }
    m_sourceIndices = bothSplits(run->sourceIndices(false), run->sourceIndices(true));
    m_columns.clear();
    m_splitSummaries.clear();
    m_groups.assign(static_cast<std::size_t>(size()), static_cast<std::int8_t>(DifficultyGroup::Other));
    auto add = [this](const QString &name, const QString &label, const QString &description, bool integer,
                      std::vector<float> values) {
        m_columns.push_back({name, label, description, integer, std::move(values)});
    };
    add(QStringLiteral("target"), tr("Target ỹ"), tr("The target training saw (noisy on the train split)"), false, target);
    add(QStringLiteral("clean_target"), tr("Clean target y"), tr("The target before noise"), false, clean);
    add(QStringLiteral("target_error"), tr("|ỹ − y|"), tr("How far the target training saw lies from the clean one"), false,
        std::move(error));
    // The last epoch of the first method until the regression view picks another.
    std::vector<float> selected(static_cast<std::size_t>(size()), kMissing);
    if (!run->methods().empty()) {
        const auto &mask = run->selection(0, static_cast<int>(run->methods()[0].curves.size()));
        for (std::size_t i = 0; i < mask.size() && i < selected.size(); ++i)
            selected[i] = mask[i];
    }
    add(QStringLiteral("selected"), tr("Selected"),
        tr("1 where the chosen method trained on the example after the chosen epoch, 0 where it rejected it"), true,
        std::move(selected));
    m_reader.reset();
    m_regression = std::move(run);
}

void RunDocument::setSelectedColumn(const std::vector<std::uint8_t> &mask, const QString &what)
{
    for (ScoreColumn &c : m_columns) {
        if (c.name != QLatin1String("selected"))
            continue;
        std::fill(c.values.begin(), c.values.end(), kMissing);
        for (std::size_t i = 0; i < mask.size() && i < c.values.size() && i < static_cast<std::size_t>(m_trainSize); ++i)
            c.values[i] = mask[i];
        c.label = tr("Selected (%1)").arg(what);
    }
    Q_EMIT reloaded();
}

} // namespace pds
