#include "views/modelsizesview.h"

#include "charts/linechart.h"
#include "charts/palette.h"
#include "charts/sizescatterchart.h"
#include "charts/typeshareschart.h"
#include "models/exampleselection.h"
#include "models/rundocument.h"
#include "models/sweepdocument.h"
#include "views/galleryview.h"

#include <QHeaderView>
#include <QLabel>
#include <QScrollArea>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace pds {

namespace {

/// Mean of one quantity over `examples` and the standard error of that mean
/// (the examples' standard errors combined as independent: sqrt(Σ SE²) / n).
struct MeanSe {
    double mean = std::nan(""), se = std::nan("");
};

enum class Quantity { Mem, PIn, POut };

MeanSe meanOf(const SweepEnsemble &e, Quantity q, const std::vector<std::int64_t> &examples)
{
    double sum = 0, var = 0;
    int n = 0;
    for (std::int64_t i : examples) {
        const auto k = static_cast<std::size_t>(i);
        if (k >= e.mem.size())
            continue;
        double v = 0, se = 0;
        if (q == Quantity::Mem) {
            v = e.mem[k];
            se = e.se[k];
        } else {
            v = q == Quantity::PIn ? e.pIn[k] : e.pOut[k];
            const int m = q == Quantity::PIn ? e.mIn[k] : e.mOut[k];
            se = m > 0 ? std::sqrt(v * (1 - v) / m) : std::nan("");
        }
        if (!std::isfinite(v) || !std::isfinite(se))
            continue;
        sum += v;
        var += se * se;
        ++n;
    }
    if (n == 0)
        return {};
    return {sum / n, std::sqrt(var) / n};
}

} // namespace

ModelSizesView::ModelSizesView(ExampleSelection *selection, QWidget *parent)
    : QWidget(parent), m_selection(selection), m_summary(new QLabel(this)), m_curves(new LineChart),
      m_shares(new TypeSharesChart), m_scatter(new SizeScatterChart), m_table(new QTableWidget),
      m_gallery(new GalleryView(selection))
{
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setToolTip(tr("Spearman correlation of each proxy with memorisation at each size, and the share of "
                           "examples whose proxy trajectory has the type of their memorisation trajectory"));

    for (QWidget *chart : std::initializer_list<QWidget *>{m_curves, m_shares, m_scatter})
        chart->setMinimumSize(160, 120);
    auto *top = new QSplitter(Qt::Horizontal);
    top->addWidget(m_curves);
    top->addWidget(m_shares);
    auto *bottom = new QSplitter(Qt::Horizontal);
    bottom->addWidget(m_scatter);
    bottom->addWidget(m_table);
    m_gallery->setMinimumHeight(180);
    auto *rows = new QSplitter(Qt::Vertical);
    rows->addWidget(top);
    rows->addWidget(bottom);
    rows->addWidget(m_gallery);
    // The charts keep a legible size and scroll in a small dock rather than
    // make the dock (and the window) larger.
    rows->setMinimumSize(480, 540);
    auto *scroll = new QScrollArea;
    scroll->setWidget(rows);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_summary);
    layout->addWidget(scroll, 1);

    connect(m_shares, &TypeSharesChart::typeClicked, this, &ModelSizesView::selectType);
    if (m_selection)
        connect(m_selection, &ExampleSelection::selectionChanged, this, [this](QObject *source) {
            if (source != this)
                updateCurves();
        });
    rebuild();
}

ModelSizesView::~ModelSizesView() = default;

void ModelSizesView::setDocument(SweepDocument *doc)
{
    m_doc = doc;
    m_gallery->setDocument(doc ? doc->pool() : nullptr);
    if (doc && doc->pool()) {
        // The sweep's examples are the pool, the member's train split.
        ExampleFilter pool = m_gallery->filter();
        pool.search = QStringLiteral("train");
        m_gallery->setFilter(pool);
    }
    rebuild();
}

void ModelSizesView::rebuild()
{
    if (!m_doc) {
        m_summary->setText(tr("Open a sweep file (pdepth sweep) to compare memorisation across model sizes."));
        m_shares->setShares(tr("No sweep open"), QString(), {}, {}, {});
        m_scatter->setPoints(tr("No sweep open"), QString(), QString(), QString(), {}, {});
        m_table->clear();
        m_table->setRowCount(0);
        m_table->setColumnCount(0);
        updateCurves();
        return;
    }
    const SweepData &d = m_doc->data();
    const QStringList sizes = m_doc->sizeLabels();
    m_summary->setText(tr("%1: %2 by %3 (%4), %5 members per size, ratio %6, %7 train examples%8")
                           .arg(m_doc->title(), QString::fromStdString(d.model), QString::fromStdString(d.axis),
                                sizes.join(QStringLiteral(", ")))
                           .arg(d.members)
                           .arg(d.ratio)
                           .arg(m_doc->exampleCount())
                           .arg(d.distill ? tr("; distilled with T = %1, α = %2").arg(d.temperature).arg(d.alpha)
                                          : QString())
                       + (m_doc->pool() ? QString()
                                        : tr(". No gallery: %1").arg(m_doc->poolNote())));

    const QStringList types = m_doc->trajectoryNames();
    std::vector<long long> counts(static_cast<std::size_t>(types.size()), 0);
    for (std::uint8_t t : d.trajectory)
        if (t < counts.size())
            ++counts[t];
    std::vector<double> shares = d.typeShares;
    shares.resize(counts.size(), 0.0);
    m_shares->setShares(tr("Memorisation trajectories"),
                        tr("%1, delta = %2, z = %3").arg(m_doc->title()).arg(d.delta).arg(d.z), types, shares, counts);

    std::vector<SizeScatterPoint> points;
    if (!d.sizes.empty()) {
        const SweepEnsemble &first = d.sizes.front().plain, &last = d.sizes.back().plain;
        for (std::size_t i = 0; i < d.trajectory.size() && i < first.mem.size() && i < last.mem.size(); ++i)
            points.push_back({static_cast<std::int64_t>(i), first.mem[i], last.mem[i], d.trajectory[i]});
    }
    const QString smallest = sizes.value(0), largest = sizes.value(sizes.size() - 1);
    m_scatter->setPoints(tr("Memorisation, smallest against largest size"), m_doc->title(),
                         tr("mem at %1 %2").arg(QString::fromStdString(d.axis), smallest),
                         tr("mem at %1 %2").arg(QString::fromStdString(d.axis), largest), types, std::move(points));
    fillTable();
    updateCurves();
}

void ModelSizesView::fillTable()
{
    const SweepData &d = m_doc->data();
    const QStringList sizes = m_doc->sizeLabels();
    m_table->clear();
    m_table->setRowCount(static_cast<int>(d.proxyNames.size()));
    m_table->setColumnCount(sizes.size() + 1);
    QStringList headers;
    for (const QString &s : sizes)
        headers << tr("ρ at %1").arg(s);
    headers << tr("Agreement");
    m_table->setHorizontalHeaderLabels(headers);
    for (std::size_t p = 0; p < d.proxyNames.size(); ++p) {
        const int row = static_cast<int>(p);
        m_table->setVerticalHeaderItem(row, new QTableWidgetItem(QString::fromStdString(d.proxyNames[p])));
        auto cell = [](double v) {
            auto *item = new QTableWidgetItem(std::isfinite(v) ? QString::number(v, 'f', 2) : QStringLiteral("–"));
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            return item;
        };
        for (int s = 0; s < sizes.size(); ++s) {
            const auto &rho = d.sizes[static_cast<std::size_t>(s)].spearman;
            m_table->setItem(row, s, cell(p < rho.size() ? rho[p] : std::nan("")));
        }
        m_table->setItem(row, sizes.size(), cell(p < d.agreement.size() ? d.agreement[p] : std::nan("")));
    }
    m_table->resizeColumnsToContents();
}

void ModelSizesView::selectType(int type)
{
    if (!m_doc || !m_selection)
        return;
    const QString name = m_doc->trajectoryNames().value(type);
    m_selection->setExamples(m_doc->examplesOfType(type), tr("%1 memorisation trajectory").arg(name), this,
                             /*filter=*/true);
    updateCurves();
}

void ModelSizesView::updateCurves()
{
    m_curveExamples.clear();
    if (!m_doc) {
        m_curves->setChart(tr("No sweep open"), QString(), QString(), {});
        m_curves->setSubtitle(QString());
        m_scatter->setHighlighted({});
        return;
    }
    const SweepData &d = m_doc->data();
    const std::int64_t n = m_doc->exampleCount();
    if (m_selection)
        for (std::int64_t e : m_selection->examples())
            if (e >= 0 && e < n)
                m_curveExamples.push_back(e);
    m_scatter->setHighlighted(m_curveExamples);
    const bool all = m_curveExamples.empty();
    if (all)
        for (std::int64_t e = 0; e < n; ++e)
            m_curveExamples.push_back(e);

    struct Line {
        Quantity q;
        QString name;
        int colour;
    };
    const Line lines[] = {{Quantity::Mem, tr("mem"), 0}, {Quantity::PIn, tr("P_in"), 1}, {Quantity::POut, tr("P_out"), 2}};
    std::vector<LineSeries> series;
    for (bool distilled : {false, true}) {
        if (distilled && !m_doc->hasDistilled())
            break;
        // Plain and distilled points sit a little apart so that their error bars do not hide each other.
        const double offset = m_doc->hasDistilled() ? (distilled ? 0.06 : -0.06) : 0.0;
        for (const Line &line : lines) {
            LineSeries curve;
            curve.name = distilled ? tr("%1, distilled").arg(line.name) : line.name;
            curve.colour = modelColour(line.colour);
            curve.dashed = distilled;
            // The legend names the quantities; the subtitle says what dashed means.
            curve.inLegend = !distilled;
            std::vector<LineSeries> bars;
            for (std::size_t s = 0; s < d.sizes.size(); ++s) {
                const SweepSize &size = d.sizes[s];
                if (distilled && !size.hasDistilled)
                    continue;
                const MeanSe m = meanOf(distilled ? size.distilled : size.plain, line.q, m_curveExamples);
                if (!std::isfinite(m.mean))
                    continue;
                const double x = double(s) + offset;
                curve.x.push_back(x);
                curve.y.push_back(m.mean);
                LineSeries bar;
                bar.name = curve.name + tr(" ± SE");
                bar.colour = curve.colour;
                bar.inLegend = false;
                bar.x = {x, x};
                bar.y = {m.mean - m.se, m.mean + m.se};
                bars.push_back(std::move(bar));
            }
            series.push_back(std::move(curve));
            for (LineSeries &bar : bars)
                series.push_back(std::move(bar));
        }
    }
    m_curves->setChart(tr("Memorisation against model size"),
                       tr("Model size (%1)").arg(QString::fromStdString(d.axis)), tr("Mean ± SE"),
                       std::move(series));
    m_curves->setXTickLabels(m_doc->sizeLabels());
    const QString which = all ? tr("%1, all %2 train examples").arg(m_doc->title()).arg(n)
                              : tr("%1, %2 selected example(s)").arg(m_doc->title()).arg(m_curveExamples.size());
    m_curves->setSubtitle(m_doc->hasDistilled() ? tr("%1; dashed: distilled students").arg(which) : which);
}

} // namespace pds
