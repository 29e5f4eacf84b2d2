#include "models/regressionrun.h"

#include <QCoreApplication>
#include <QFileInfo>

#include <algorithm>

namespace pds {

RegressionRun::RegressionRun(const QString &path)
    : m_path(path), m_reader(std::make_unique<RegressionReader>(path.toStdString()))
{
    m_status = m_reader->status();
    m_configJson = m_reader->configJson();
    m_info = m_reader->datasetInfo();
    for (const std::string &name : m_reader->methods())
        m_methods.push_back(m_reader->method(name));
    m_noisyTrain = m_reader->targets("train", false);
    m_cleanTrain = m_reader->targets("train", true);
    m_cleanTest = m_reader->targets("test", true);
    m_sourceTrain = m_reader->sourceIndices("train");
    m_sourceTest = m_reader->sourceIndices("test");
}

RegressionRun::~RegressionRun() = default;

QString RegressionRun::title() const
{
    return QFileInfo(m_path).fileName();
}

int RegressionRun::methodIndex(const QString &method) const
{
    for (std::size_t i = 0; i < m_methods.size(); ++i)
        if (QString::fromStdString(m_methods[i].method) == method)
            return static_cast<int>(i);
    return -1;
}

const std::vector<std::uint8_t> &RegressionRun::selection(int method, int epoch) const
{
    static const std::vector<std::uint8_t> none;
    if (method < 0 || method >= static_cast<int>(m_methods.size()))
        return none;
    const int completed = static_cast<int>(m_methods[static_cast<std::size_t>(method)].curves.size());
    if (completed == 0)
        return none;
    epoch = std::clamp(epoch, 1, completed);
    std::lock_guard<std::mutex> lock(m_maskMutex);
    auto it = m_masks.find({method, epoch});
    if (it == m_masks.end())
        it = m_masks.emplace(std::make_pair(method, epoch),
                             m_reader->selection(m_methods[static_cast<std::size_t>(method)].method, epoch))
                 .first;
    return it->second;
}

QString RegressionRun::sameDataAs(const RegressionRun &other) const
{
    auto tr = [](const char *text) { return QCoreApplication::translate("pds::RegressionRun", text); };
    if (other.trainSize() != trainSize() || other.testSize() != testSize())
        return tr("%1 has %2 train and %3 test examples, %4 has %5 and %6")
            .arg(other.title()).arg(other.trainSize()).arg(other.testSize())
            .arg(title()).arg(trainSize()).arg(testSize());
    if (other.m_sourceTrain != m_sourceTrain || other.m_cleanTrain != m_cleanTrain || other.m_cleanTest != m_cleanTest)
        return tr("%1 holds other images or clean targets than %2").arg(other.title(), title());
    if (other.m_noisyTrain != m_noisyTrain)
        return tr("%1 has other noisy targets than %2 (another noise kind, fraction or seed)").arg(other.title(), title());
    return {};
}

} // namespace pds
