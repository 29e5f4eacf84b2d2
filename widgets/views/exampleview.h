#pragma once

#include <QPointer>
#include <QWidget>

#include <cstdint>
#include <vector>

class QFormLayout;
class QLabel;
class QTreeWidget;

namespace pds {

class DistributionBars;
class ExampleSelection;
class RunDocument;

/// Everything about the shared selection's current example: the image
/// enlarged, its name, given and clean label, group, the held-out prediction
/// distribution of a study, each model's final prediction and depth, and
/// every per-example score.
class ExampleView : public QWidget {
    Q_OBJECT
public:
    explicit ExampleView(ExampleSelection *selection, QWidget *parent = nullptr);

    void setDocument(RunDocument *doc);
    /// Shows an example (-1: none); the shared selection's current example calls this.
    void showExample(std::int64_t example);
    std::int64_t example() const { return m_example; }

    /// Share of the models that held `example` out predicting each class
    /// (from their final predictions); empty when no finished model held it out.
    static std::vector<double> heldOutDistribution(const RunDocument &doc, std::int64_t example,
                                                   int *models = nullptr);
    /// The text shown for a field: "name", "label", "clean_label", "group",
    /// "distribution" or a score column name (for tests).
    QString fieldText(const QString &key) const;

private:
    void rebuildScores();

    QPointer<RunDocument> m_doc;
    std::int64_t m_example = -1;
    QLabel *m_image, *m_name, *m_label, *m_clean, *m_group, *m_distributionTitle;
    DistributionBars *m_distribution;
    QTreeWidget *m_models;
    QFormLayout *m_scores;
    std::vector<std::pair<QString, QLabel *>> m_scoreLabels;
};

} // namespace pds
