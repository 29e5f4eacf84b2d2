#include "models/sweepdocument.h"

#include "models/rundocument.h"
#include "util/error.h"
#include "store/guardedopen.h"

#include <QDir>
#include <QFileInfo>

namespace pds {

SweepDocument::SweepDocument(const QString &path, QObject *parent)
    : QObject(parent), m_path(path), m_reader(std::make_unique<SweepReader>(path.toStdString()))
{
    openPool();
}

SweepDocument::~SweepDocument() = default;

bool SweepDocument::isCheckedSweep(const QString &path, QString *unguardedNote)
{
    const std::string file = path.toStdString();
    try {
        const std::string unguarded = verifyBeforeOpening(file);
        if (unguardedNote && !unguarded.empty())
            *unguardedNote = QString::fromStdString(unguarded);
    } catch (const StoreError &e) {
        // The checker knows run, sweep and comparison files and names a file of another format so.
        if (std::string(e.what()).find("not a Prediction Depth Studio run file") == std::string::npos)
            throw;
    }
    return isSweepFile(file);
}

QString SweepDocument::title() const
{
    return QFileInfo(m_path).fileName();
}

QStringList SweepDocument::classNames() const
{
    QStringList out;
    for (const std::string &name : m_reader->classNames())
        out << QString::fromStdString(name);
    return out;
}

QStringList SweepDocument::sizeLabels() const
{
    QStringList out;
    for (const SweepSize &s : data().sizes)
        out << QString::number(s.size, 'g', 4);
    return out;
}

QStringList SweepDocument::trajectoryNames() const
{
    QStringList out;
    for (const std::string &name : data().trajectoryNames)
        out << QString::fromStdString(name);
    return out;
}

std::vector<std::int64_t> SweepDocument::examplesOfType(int type) const
{
    std::vector<std::int64_t> out;
    const auto &t = data().trajectory;
    for (std::size_t i = 0; i < t.size(); ++i)
        if (t[i] == type)
            out.push_back(static_cast<std::int64_t>(i));
    return out;
}

bool SweepDocument::hasDistilled() const
{
    for (const SweepSize &s : data().sizes)
        if (s.hasDistilled)
            return true;
    return false;
}

void SweepDocument::openPool()
{
    const QDir folder = QFileInfo(m_path).absoluteDir();
    const auto &files = data().memberFiles;
    QStringList tried;
    for (const std::string &name : files) {
        const QString member = folder.filePath(QString::fromStdString(name));
        if (!QFileInfo::exists(member))
            continue;
        try {
            auto doc = RunDocument::openChecked(member);
            if (doc->trainSize() != exampleCount()) {
                tried << tr("%1 has %2 train examples, the sweep %3").arg(member).arg(doc->trainSize()).arg(exampleCount());
                continue;
            }
            m_pool = std::move(doc);
            return;
        } catch (const std::exception &e) {
            tried << QString::fromStdString(e.what());
        }
    }
    m_poolNote = files.empty() ? tr("the sweep names no member files")
                 : tried.isEmpty()
                     ? tr("none of its %1 member files is in %2").arg(files.size()).arg(folder.path())
                     : tried.join(QStringLiteral("; "));
}

} // namespace pds
