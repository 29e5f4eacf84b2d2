#pragma once

#include "probe/neighbours.h"

#include <QFutureWatcher>
#include <QPointer>
#include <QWidget>

#include <cstdint>
#include <memory>

class QComboBox;
class QLabel;
class QTableView;

namespace pds {

class CancelToken;
class ExampleSelection;
class NeighboursModel;
class RunDocument;
class StateOverlay;

/// The Neighbours view: for the current example, probe by probe, its k nearest
/// training examples as the k-NN probe found them, their labels and the vote,
/// so one sees why each layer's probe predicted what it did and where the
/// decision settles (the depth row is marked). The search runs off the GUI
/// thread (NeighbourSearch over the run's stored embeddings), a newer example
/// cancels an older search, and clicking a neighbour selects it everywhere.
class NeighboursView : public QWidget {
    Q_OBJECT
public:
    explicit NeighboursView(ExampleSelection *selection, QWidget *parent = nullptr);
    ~NeighboursView() override;

    void setDocument(RunDocument *doc);
    /// Which model's probes to show (the first one with stored embeddings by default).
    void setModel(int model);
    int model() const { return m_model; }

    NeighboursModel *neighboursModel() const { return m_neighbours; }
    QTableView *table() const { return m_table; }
    QComboBox *modelBox() const { return m_modelBox; }
    /// What the view says instead of neighbours; empty while it shows them.
    QString emptyMessage() const;
    /// The line above the table (whose neighbours, or why there are none).
    QString statusText() const;

Q_SIGNALS:
    /// The neighbours of the current example are in the table (or an error in the status line).
    void neighboursShown();

private:
    struct Result {
        std::int64_t example = -1;
        ExampleNeighbours neighbours;
        QString error;
    };
    struct Search;

    void refillModels();
    /// Why no neighbours can be shown for `current` (HTML), or empty.
    QString missing(std::int64_t current) const;
    void refresh();
    void showResult();
    void neighbourClicked(const QModelIndex &index);
    void cancelSearch();

    QPointer<ExampleSelection> m_selection;
    QPointer<RunDocument> m_doc;
    int m_model = -1;
    NeighboursModel *m_neighbours;
    QTableView *m_table;
    QComboBox *m_modelBox;
    QLabel *m_status;
    StateOverlay *m_empty;
    std::shared_ptr<Search> m_search;
    std::shared_ptr<CancelToken> m_cancel;
    QFutureWatcher<Result> m_watcher;
};

} // namespace pds
