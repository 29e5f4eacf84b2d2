#pragma once

#include "store/sweepfile.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <memory>
#include <vector>

namespace pds {

class RunDocument;

/// One open sweep file (memorisation across model sizes, `pdepth sweep`) for
/// the Model sizes view: a thin layer over SweepReader that answers in Qt
/// types. Its train examples are numbered as in the run files of its members
/// (the sweep copies their /dataset), so a selection made over the sweep
/// means the same examples in a member run open beside it.
class SweepDocument : public QObject {
    Q_OBJECT
public:
    /// Reads `path`; throws pds::Error naming the file and what is missing.
    explicit SweepDocument(const QString &path, QObject *parent = nullptr);
    ~SweepDocument() override;

    /// Whether `path` is a sweep file, found without opening it in this
    /// process first: the checker child (pds::verifyBeforeOpening) opens it
    /// and names it a file of another format; one it passes is a run file.
    /// Throws pds::StoreError when the child found the file damaged. Without a
    /// checker, looks in this process and says so in `unguardedNote`.
    static bool isCheckedSweep(const QString &path, QString *unguardedNote = nullptr);

    QString path() const { return m_path; }
    /// File name, for titles.
    QString title() const;
    const SweepData &data() const { return m_reader->data(); }
    QString status() const { return QString::fromStdString(m_reader->status()); }
    QStringList classNames() const;
    /// Notes from opening (opened without the crash guard); shown with the title.
    QStringList warnings() const { return m_warnings; }
    void addWarning(const QString &note) { m_warnings << note; }

    /// Train examples of the sweep.
    std::int64_t exampleCount() const { return static_cast<std::int64_t>(data().labels.size()); }
    int sizeCount() const { return static_cast<int>(data().sizes.size()); }
    /// Sizes as tick labels, e.g. "4", "0.25".
    QStringList sizeLabels() const;
    QStringList trajectoryNames() const;
    /// The examples whose memorisation trajectory is `type` (index into trajectoryNames()).
    std::vector<std::int64_t> examplesOfType(int type) const;
    /// Whether any size has distilled students.
    bool hasDistilled() const;

    /// The sweep's pool as a run document, for its gallery: the first of its
    /// member run files that opens (their train split is the pool, numbered as
    /// the sweep's examples, and their configuration names the dataset the
    /// images come from). Null when none opens; poolNote() says why.
    RunDocument *pool() const { return m_pool.get(); }
    QString poolNote() const { return m_poolNote; }

private:
    void openPool();

    QString m_path;
    QStringList m_warnings;
    std::unique_ptr<SweepReader> m_reader;
    std::unique_ptr<RunDocument> m_pool;
    QString m_poolNote;
};

} // namespace pds
