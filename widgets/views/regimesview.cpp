#include "views/regimesview.h"

#include "charts/examplescatterchart.h"
#include "charts/intervalchart.h"
#include "charts/palette.h"
#include "models/exampleselection.h"

#include "compare/statistics.h"

#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>

namespace pds {

namespace {

/// A table cell showing `text` that keeps `value` for sorting and tests.
QTableWidgetItem *numberItem(const QString &text, double value, const QString &tip = QString())
{
    auto *item = new QTableWidgetItem(text);
    item->setData(Qt::UserRole, value);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    item->setToolTip(tip);
    return item;
}

QString percent(double v)
{
    return std::isnan(v) ? QStringLiteral("–") : QStringLiteral("%1 %").arg(v * 100, 0, 'f', 1);
}

QString interval(const MeanInterval &m)
{
    if (m.count == 0)
        return QStringLiteral("–");
    return QStringLiteral("%1 [%2, %3]").arg(m.mean, 0, 'f', 2).arg(m.low, 0, 'f', 2).arg(m.high, 0, 'f', 2);
}

/// Mean and spread over members of generation `g`'s test accuracy.
void generationStats(const RegimeResult &r, int g, double &mean, double &spread)
{
    std::vector<double> values;
    for (int m = 0; m < r.models; ++m)
        values.push_back(r.generationAccuracy[static_cast<std::size_t>(m * r.generations + g)]);
    mean = spread = NAN;
    if (!values.empty())
        meanAndSpread(values, mean, spread);
}

} // namespace

RegimesView::RegimesView(ExampleSelection *selection, QWidget *parent)
    : QWidget(parent), m_selection(selection), m_summary(new QLabel), m_tabs(new QTabWidget),
      m_table(new QTableWidget), m_accuracy(new IntervalChart), m_depth(new IntervalChart),
      m_transfer(new IntervalChart), m_scatter(new ExampleScatterChart), m_regimeX(new QComboBox),
      m_regimeY(new QComboBox), m_split(new QComboBox)
{
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    for (QWidget *chart : std::initializer_list<QWidget *>{m_accuracy, m_depth, m_transfer, m_scatter})
        chart->setMinimumSize(240, 180);

    m_split->addItem(tr("Train split"), false);
    m_split->addItem(tr("Test split"), true);
    m_regimeX->setToolTip(tr("The regime on the x axis"));
    m_regimeY->setToolTip(tr("The regime on the y axis: points below the diagonal are shallower under it"));
    m_split->setToolTip(tr("Train split: depth of examples in a member's training set; test split: of held-out examples"));
    for (QComboBox *box : {m_regimeX, m_regimeY, m_split}) {
        box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        box->setMinimumContentsLength(6);
    }
    auto *scatterPage = new QWidget;
    auto *controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Depth under")));
    controls->addWidget(m_regimeX, 1);
    controls->addWidget(new QLabel(tr("against")));
    controls->addWidget(m_regimeY, 1);
    controls->addWidget(m_split, 1);
    auto *scatterLayout = new QVBoxLayout(scatterPage);
    scatterLayout->setContentsMargins(0, 0, 0, 0);
    scatterLayout->addLayout(controls);
    scatterLayout->addWidget(m_scatter, 1);
    m_scatter->setPickingEnabled(true);
    m_scatter->setToolTip(tr("Drag a box or click a point to select those examples in every view"));

    m_tabs->addTab(m_table, tr("Table"));
    m_tabs->addTab(m_accuracy, tr("Accuracy"));
    m_tabs->addTab(m_depth, tr("Depth"));
    m_tabs->addTab(m_transfer, tr("Transfer"));
    m_tabs->addTab(scatterPage, tr("Depth scatter"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_summary);
    layout->addWidget(m_tabs, 1);

    for (QComboBox *box : {m_regimeX, m_regimeY, m_split})
        connect(box, QOverload<int>::of(&QComboBox::activated), this, &RegimesView::updateScatter);
    connect(m_scatter, &ExampleScatterChart::examplesPicked, this, &RegimesView::pickExamples);
    if (m_selection)
        connect(m_selection, &ExampleSelection::selectionChanged, this, &RegimesView::updateHighlight);
    setComparison(QString(), Comparison{});
}

RegimesView::~RegimesView() = default;

void RegimesView::setComparison(const QString &path, const Comparison &comparison)
{
    m_path = path;
    m_comparison = comparison;
    m_regimeX->clear();
    m_regimeY->clear();
    for (const RegimeResult &r : m_comparison.regimes) {
        m_regimeX->addItem(QString::fromStdString(r.regime));
        m_regimeY->addItem(QString::fromStdString(r.regime));
    }
    // Default: the first regime against the last (standard against seal as given).
    m_regimeY->setCurrentIndex(m_regimeY->count() - 1);
    if (m_path.isEmpty()) {
        m_summary->setText(tr("Open a comparison file (pdepth compare) to see its regimes side by side."));
    } else {
        const RegimeResult *first = m_comparison.regimes.empty() ? nullptr : &m_comparison.regimes.front();
        m_summary->setText(tr("%1: %2 regimes, %3 members each, %4 generations of %5 epochs; intervals: %6 % bootstrap over examples (%7 resamples)%8")
                               .arg(QFileInfo(m_path).fileName())
                               .arg(m_comparison.regimes.size())
                               .arg(first ? first->models : 0)
                               .arg(m_comparison.generations)
                               .arg(m_comparison.epochsPerGeneration)
                               .arg(m_comparison.bootstrapLevel * 100, 0, 'g', 3)
                               .arg(m_comparison.bootstrapResamples)
                               .arg(m_comparison.transferDataset.empty()
                                        ? QString()
                                        : tr("; transfer to %1").arg(QString::fromStdString(m_comparison.transferDataset))));
    }
    fillTable();
    fillCharts();
    updateScatter();
}

void RegimesView::fillTable()
{
    const int generations = m_comparison.generations;
    QStringList headers{tr("Regime")};
    for (int g = 0; g < generations; ++g)
        headers << tr("Test acc. gen %1").arg(g + 1);
    headers << tr("Train depth [95 % CI]") << tr("Test depth [95 % CI]") << tr("Transfer acc. ± sd");
    m_table->clear();
    m_table->setColumnCount(headers.size());
    m_table->setHorizontalHeaderLabels(headers);
    m_table->setRowCount(static_cast<int>(m_comparison.regimes.size()));
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const RegimeResult &r = m_comparison.regimes[static_cast<std::size_t>(row)];
        auto *name = new QTableWidgetItem(QString::fromStdString(r.regime));
        name->setForeground(regimeColour(name->text()));
        m_table->setItem(row, 0, name);
        for (int g = 0; g < generations; ++g) {
            double mean = NAN, spread = NAN;
            if (g < r.generations)
                generationStats(r, g, mean, spread);
            m_table->setItem(row, 1 + g,
                             numberItem(percent(mean), mean,
                                        tr("Mean over %1 members; sd %2").arg(r.models).arg(percent(spread))));
        }
        const auto depthTip = tr("Mean effective depth over %1 examples, %2 % bootstrap interval");
        m_table->setItem(row, 1 + generations,
                         numberItem(interval(r.train.mean), r.train.mean.mean,
                                    depthTip.arg(r.train.mean.count).arg(m_comparison.bootstrapLevel * 100)));
        m_table->setItem(row, 2 + generations,
                         numberItem(interval(r.test.mean), r.test.mean.mean,
                                    depthTip.arg(r.test.mean.count).arg(m_comparison.bootstrapLevel * 100)));
        const bool transfer = !r.transferAccuracy.empty();
        m_table->setItem(row, 3 + generations,
                         numberItem(transfer ? QStringLiteral("%1 ± %2").arg(percent(r.transferMean), percent(r.transferSpread))
                                             : tr("no probe"),
                                    transfer ? r.transferMean : NAN,
                                    tr("Linear probe on frozen penultimate features; spread over members")));
    }
}

void RegimesView::fillCharts()
{
    const QString subtitle = m_path.isEmpty() ? QString() : QFileInfo(m_path).fileName();
    QStringList regimes;
    for (const RegimeResult &r : m_comparison.regimes)
        regimes << QString::fromStdString(r.regime);
    if (m_path.isEmpty()) {
        for (IntervalChart *chart : {m_accuracy, m_depth, m_transfer})
            chart->setChart(tr("No comparison open"), QString(), QString(), QString(), {});
        return;
    }

    std::vector<IntervalSeries> accuracy;
    for (const RegimeResult &r : m_comparison.regimes) {
        IntervalSeries s{QString::fromStdString(r.regime), regimeColour(QString::fromStdString(r.regime)), {}, {}, {}, {}, true};
        for (int g = 0; g < r.generations; ++g) {
            double mean = NAN, spread = NAN;
            generationStats(r, g, mean, spread);
            s.x.push_back(g + 1);
            s.y.push_back(mean);
            s.low.push_back(mean - spread);
            s.high.push_back(mean + spread);
        }
        accuracy.push_back(std::move(s));
    }
    m_accuracy->setChart(tr("Test accuracy after each generation (mean ± sd over members)"), subtitle,
                         tr("Generation"), tr("Test accuracy"), std::move(accuracy), {}, 0, 1);

    std::vector<IntervalSeries> depth;
    for (const bool test : {false, true}) {
        IntervalSeries s{test ? tr("test split") : tr("train split"), splitColour(test), {}, {}, {}, {}, false};
        for (std::size_t i = 0; i < m_comparison.regimes.size(); ++i) {
            const MeanInterval &m = test ? m_comparison.regimes[i].test.mean : m_comparison.regimes[i].train.mean;
            s.x.push_back(double(i));
            s.y.push_back(m.count ? m.mean : NAN);
            s.low.push_back(m.low);
            s.high.push_back(m.high);
        }
        depth.push_back(std::move(s));
    }
    m_depth->setChart(tr("Mean effective prediction depth (%1 % bootstrap interval)").arg(m_comparison.bootstrapLevel * 100),
                      subtitle, tr("Regime"), tr("Mean depth (probe)"), std::move(depth), regimes);

    std::vector<IntervalSeries> transfer;
    for (std::size_t i = 0; i < m_comparison.regimes.size(); ++i) {
        const RegimeResult &r = m_comparison.regimes[i];
        if (r.transferAccuracy.empty())
            continue;
        transfer.push_back({QString::fromStdString(r.regime), regimeColour(QString::fromStdString(r.regime)),
                            {double(i)}, {r.transferMean}, {r.transferMean - r.transferSpread},
                            {r.transferMean + r.transferSpread}, false});
    }
    const QString transferTitle = m_comparison.transferDataset.empty()
                                      ? tr("Transfer accuracy: no transfer probe in this comparison")
                                      : tr("Transfer accuracy on %1 (mean ± sd over members)")
                                            .arg(QString::fromStdString(m_comparison.transferDataset));
    m_transfer->setChart(transferTitle, subtitle, tr("Regime"), tr("Linear-probe accuracy"), std::move(transfer),
                         regimes, 0, 1);
}

void RegimesView::updateScatter()
{
    const int a = m_regimeX->currentIndex(), b = m_regimeY->currentIndex();
    const int n = static_cast<int>(m_comparison.regimes.size());
    if (m_path.isEmpty() || a < 0 || b < 0 || a >= n || b >= n) {
        m_scatter->setPoints(tr("No comparison open"), QString(), QString(), QString(), {}, {}, {});
        return;
    }
    const bool test = m_split->currentData().toBool();
    const RegimeResult &ra = m_comparison.regimes[static_cast<std::size_t>(a)];
    const RegimeResult &rb = m_comparison.regimes[static_cast<std::size_t>(b)];
    const std::vector<float> &xs = test ? ra.test.exampleDepth : ra.train.exampleDepth;
    const std::vector<float> &ys = test ? rb.test.exampleDepth : rb.train.exampleDepth;
    // Test-split examples follow the train split's in the studies' numbering.
    const std::int64_t first = test ? static_cast<std::int64_t>(ra.train.exampleDepth.size()) : 0;
    const QString nameA = QString::fromStdString(ra.regime), nameB = QString::fromStdString(rb.regime);
    std::vector<ExamplePoint> points;
    for (std::size_t i = 0; i < std::min(xs.size(), ys.size()); ++i) {
        const int type = ys[i] < xs[i] ? 0 : ys[i] > xs[i] ? 2 : 1;
        points.push_back({first + static_cast<std::int64_t>(i), xs[i], ys[i], type});
    }
    const QString split = test ? tr("test split") : tr("train split");
    m_scatter->setPoints(tr("Effective depth per example, %1 against %2 (%3)").arg(nameB, nameA, split),
                         QFileInfo(m_path).fileName(), tr("Depth under %1").arg(nameA), tr("Depth under %1").arg(nameB),
                         {tr("shallower under %1").arg(nameB), tr("same"), tr("deeper under %1").arg(nameB)},
                         {regimeColour(nameB), QColor(0xBB, 0xBB, 0xBB), regimeColour(nameA)}, std::move(points));
    updateHighlight();
}

void RegimesView::pickExamples(const std::vector<std::int64_t> &examples)
{
    if (!m_selection || examples.empty())
        return;
    const QString description = tr("%1 picked in the %2 against %3 depth scatter")
                                    .arg(examples.size())
                                    .arg(m_regimeY->currentText(), m_regimeX->currentText());
    m_selection->setExamples(examples, description, this, /*filter=*/true);
}

void RegimesView::updateHighlight()
{
    m_scatter->setHighlighted(m_selection ? m_selection->examples() : std::vector<std::int64_t>{});
}

} // namespace pds
