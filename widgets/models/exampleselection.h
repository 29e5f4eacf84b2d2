#pragma once

#include <QObject>
#include <QString>

#include <cstdint>
#include <vector>

namespace pds {

/// The examples selected in the Studio, shared by every view so that a
/// selection made anywhere shows everywhere. Examples are numbered as in
/// RunDocument (train split, then test split) of the active run.
class ExampleSelection : public QObject {
    Q_OBJECT
public:
    explicit ExampleSelection(QObject *parent = nullptr);

    /// Sorted, unique example numbers.
    const std::vector<std::int64_t> &examples() const { return m_examples; }
    bool contains(std::int64_t example) const;
    bool isEmpty() const { return m_examples.empty(); }
    /// The example the example view and trajectory show (-1 if none).
    std::int64_t current() const { return m_current; }
    /// What made the selection, e.g. "train-split depth 3, class Shirt".
    QString description() const { return m_description; }

    /// Replaces the selection; `source` is the sender (a view ignores
    /// changes it made itself). `filter` asks the gallery to show only these.
    void setExamples(std::vector<std::int64_t> examples, const QString &description,
                     QObject *source = nullptr, bool filter = false);
    void setCurrent(std::int64_t example, QObject *source = nullptr);
    void clear(QObject *source = nullptr);

Q_SIGNALS:
    /// `filter`: the selection should also filter the gallery (a bar or a lasso).
    void selectionChanged(QObject *source, bool filter);
    void currentChanged(std::int64_t example, QObject *source);

private:
    std::vector<std::int64_t> m_examples;
    std::int64_t m_current = -1;
    QString m_description;
};

} // namespace pds
