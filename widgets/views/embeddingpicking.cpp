#include "views/embeddingview.h"

#include "charts/pointcloud.h"
#include "charts/vtkhost.h"
#include "models/exampleselection.h"
#include "models/rundocument.h"

#include <vtkPolyData.h>

#include <algorithm>
#include <limits>

namespace pds {
namespace {

/// How far (logical pixels) from a point a click still picks it.
constexpr double kPickRadius = 8.0;


/// The drawn point nearest `pos` within `radius`, nearer to the camera on ties; -1 if none.
std::int64_t nearest(const std::vector<float> &screen, QPoint pos, double radius)
{
    std::int64_t best = -1;
    double bestDistance = radius * radius, bestDepth = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < screen.size() / 3; ++i) {
        const double dx = screen[3 * i] - pos.x(), dy = screen[3 * i + 1] - pos.y();
        const double d = dx * dx + dy * dy; // NaN (behind the camera) never compares true
        if (d < bestDistance - 1e-9 || (d <= bestDistance + 1e-9 && screen[3 * i + 2] < bestDepth)) {
            best = static_cast<std::int64_t>(i);
            bestDistance = d;
            bestDepth = screen[3 * i + 2];
        }
    }
    return best;
}

} // namespace

std::int64_t EmbeddingView::pickAt(QPoint pos)
{
    const std::int64_t example = nearest(screenPositions(), pos, std::max(kPickRadius, pointSize(pointCount())));
    if (example >= 0 && m_selection) {
        m_selection->setCurrent(example, this);
        m_selection->setExamples({example}, tr("%1, picked in the embedding at %2").arg(describe(example), probeName()),
                                 this);
    }
    return example;
}

void EmbeddingView::selectRect(QRect rect)
{
    if (!m_selection || !m_shown)
        return;
    const std::vector<float> screen = screenPositions();
    std::vector<std::int64_t> inside;
    for (std::size_t i = 0; i < screen.size() / 3; ++i)
        if (rect.contains(QPointF(screen[3 * i], screen[3 * i + 1]).toPoint()))
            inside.push_back(static_cast<std::int64_t>(i));
    const QString description = tr("%n example(s) boxed in the embedding at %1", nullptr, static_cast<int>(inside.size()))
                                    .arg(probeName());
    m_selection->setExamples(std::move(inside), description, this, /*filter=*/true);
}

QString EmbeddingView::describe(std::int64_t example) const
{
    return tr("%1 (class %2)").arg(m_doc->exampleName(example),
                                   m_doc->className(m_doc->labels()[static_cast<std::size_t>(example)]));
}

QString EmbeddingView::hoverText(QPoint pos) const
{
    if (!m_shown)
        return {};
    const std::int64_t example = nearest(screenPositions(), pos, std::max(kPickRadius, pointSize(pointCount())));
    if (example < 0)
        return {};
    QString text = describe(example);
    const int depth = m_doc->depth(m_model, example);
    if (depth >= 0)
        text += tr("\nprediction depth %1 under model %2").arg(depth).arg(m_model);
    if (m_doc->hasGroups())
        text += tr("\ngroup: %1").arg(RunDocument::groupLabels().value(m_doc->groups()[static_cast<std::size_t>(example)]));
    return text;
}

} // namespace pds