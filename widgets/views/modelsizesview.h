#pragma once

#include <QPointer>
#include <QWidget>

#include <cstdint>
#include <vector>

class QLabel;
class QTableWidget;

namespace pds {

class ExampleSelection;
class GalleryView;
class LineChart;
class SizeScatterChart;
class SweepDocument;
class TypeSharesChart;

/// The Model sizes view of a sweep file (memorisation across model sizes):
/// mem, P_in and P_out of the selected examples against size with standard
/// errors, the distilled students dashed beside them; the shares of the
/// trajectory types as bars that select (and filter the gallery to) a type;
/// mem at the smallest against the largest size per example, coloured by
/// type; a table of each proxy's Spearman correlation with mem per size
/// and its trajectory agreement; and a gallery of the sweep's pool (the
/// Studio's gallery over SweepDocument::pool()), filtered by the bars. Examples are the sweep's train examples,
/// numbered as in its members' run files, so the shared selection links it
/// with the views of a member run open beside it.
class ModelSizesView : public QWidget {
    Q_OBJECT
public:
    explicit ModelSizesView(ExampleSelection *selection, QWidget *parent = nullptr);
    ~ModelSizesView() override;

    /// Shows `doc` (null: empty charts). Not owned.
    void setDocument(SweepDocument *doc);
    SweepDocument *document() const { return m_doc; }

    LineChart *curvesChart() const { return m_curves; }
    TypeSharesChart *sharesChart() const { return m_shares; }
    SizeScatterChart *scatterChart() const { return m_scatter; }
    QTableWidget *proxyTable() const { return m_table; }
    /// The gallery of the sweep's train examples.
    GalleryView *gallery() const { return m_gallery; }
    /// The examples the curves average over (the selection inside the sweep, else all).
    const std::vector<std::int64_t> &curveExamples() const { return m_curveExamples; }

private:
    void rebuild();
    void updateCurves();
    void fillTable();
    void selectType(int type);

    QPointer<ExampleSelection> m_selection;
    QPointer<SweepDocument> m_doc;
    QLabel *m_summary;
    LineChart *m_curves;
    TypeSharesChart *m_shares;
    SizeScatterChart *m_scatter;
    QTableWidget *m_table;
    GalleryView *m_gallery;
    std::vector<std::int64_t> m_curveExamples;
};

} // namespace pds
