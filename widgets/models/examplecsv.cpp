#include "models/examplecsv.h"

#include "models/rundocument.h"

#include <QSaveFile>

#include <cmath>

namespace pds {

namespace {
QByteArray csvField(const QString &text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n')))
        return text.toUtf8();
    QString quoted = text;
    quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
    return '"' + quoted.toUtf8() + '"';
}
} // namespace

bool writeExampleCsv(const RunDocument &doc, const std::vector<std::int64_t> &rows, const QString &path,
                     QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
        if (error)
            *error = QObject::tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    const auto &columns = doc.columns();
    QByteArray out = "example,split,index,source_index,label,label_name,clean_label,clean_label_name,noisy,group";
    for (const ScoreColumn &c : columns)
        out += ',' + csvField(c.name);
    out += '\n';
    const QStringList groups = RunDocument::groupLabels();
    for (std::int64_t e : rows) {
        const auto i = static_cast<std::size_t>(e);
        const ExampleRef r = doc.ref(e);
        out += QByteArray::number(static_cast<qlonglong>(e)) + ',' + r.split() + ','
               + QByteArray::number(static_cast<qlonglong>(r.index)) + ','
               + QByteArray::number(static_cast<qlonglong>(doc.sourceIndices()[i])) + ','
               + QByteArray::number(doc.labels()[i]) + ',' + csvField(doc.className(doc.labels()[i])) + ','
               + QByteArray::number(doc.cleanLabels()[i]) + ',' + csvField(doc.className(doc.cleanLabels()[i]))
               + ',' + QByteArray::number(doc.noisy()[i]) + ',';
        if (doc.hasGroups() && i < doc.groups().size())
            out += csvField(groups.value(doc.groups()[i]));
        for (const ScoreColumn &c : columns) {
            out += ',';
            const float v = c.values[i];
            if (!std::isnan(v))
                out += c.integer && v == std::round(v) ? QByteArray::number(static_cast<qlonglong>(v))
                                                       : QByteArray::number(v, 'g', 9);
        }
        out += '\n';
        if (out.size() > (1 << 20)) {
            file.write(out);
            out.clear();
        }
    }
    file.write(out);
    if (!file.commit()) {
        if (error)
            *error = QObject::tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace pds
