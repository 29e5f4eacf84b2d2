#include "models/exampleselection.h"

#include <algorithm>

namespace pds {

ExampleSelection::ExampleSelection(QObject *parent) : QObject(parent) {}

bool ExampleSelection::contains(std::int64_t example) const
{
    return std::binary_search(m_examples.begin(), m_examples.end(), example);
}

void ExampleSelection::setExamples(std::vector<std::int64_t> examples, const QString &description,
                                   QObject *source, bool filter)
{
    std::sort(examples.begin(), examples.end());
    examples.erase(std::unique(examples.begin(), examples.end()), examples.end());
    m_examples = std::move(examples);
    m_description = description;
    Q_EMIT selectionChanged(source, filter);
    if (m_examples.size() == 1)
        setCurrent(m_examples.front(), source);
}

void ExampleSelection::setCurrent(std::int64_t example, QObject *source)
{
    if (example == m_current)
        return;
    m_current = example;
    Q_EMIT currentChanged(example, source);
}

void ExampleSelection::clear(QObject *source)
{
    setExamples({}, QString(), source, false);
}

} // namespace pds
