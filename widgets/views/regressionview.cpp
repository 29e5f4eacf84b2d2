#include "views/regressionview.h"

#include "charts/linechart.h"
#include "charts/palette.h"
#include "charts/sizescatterchart.h"
#include "models/regressionrun.h"
#include "models/rundocument.h"
#include "train/settings.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace pds {

namespace {

/// The colour of a method by its name, so that ConFrag is one colour in every run and figure.
QColor methodColour(const std::string &method)
{
    const auto m = settingFromName<SelectMethod>(method);
    return selectMethodColour(m ? static_cast<int>(*m) : -1);
}

} // namespace

RegressionView::RegressionView(QWidget *parent) : QWidget(parent)
{
    m_method = new QComboBox;
    m_method->setObjectName(QStringLiteral("regressionMethod"));
    m_method->setToolTip(tr("The method whose selection the scatter and the gallery's Selected column show"));
    m_method->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_method->setMinimumContentsLength(10);
    m_epochBox = new QSpinBox;
    m_epochBox->setObjectName(QStringLiteral("regressionEpoch"));
    m_epochBox->setToolTip(tr("The epoch whose selection is shown"));
    auto *add = new QPushButton(tr("Add run…"));
    add->setObjectName(QStringLiteral("regressionAddRun"));
    add->setToolTip(tr("Overlay another regression run of the same data (e.g. the same noise with another method)"));
    m_runsLabel = new QLabel;
    m_runsLabel->setObjectName(QStringLiteral("regressionRuns"));
    m_runsLabel->setWordWrap(true);

    auto button = [](const QString &text, const QString &name, const QString &tip) {
        auto *b = new QToolButton;
        b->setText(text);
        b->setObjectName(name);
        b->setToolTip(tip);
        return b;
    };
    QToolButton *all = button(tr("All"), QStringLiteral("showAll"), tr("Gallery: every example"));
    QToolButton *selected = button(tr("Selected"), QStringLiteral("showSelected"), tr("Gallery: the examples the method trained on"));
    QToolButton *rejected = button(tr("Rejected"), QStringLiteral("showRejected"), tr("Gallery: the train examples the method left out"));
    QToolButton *noisy = button(tr("Noisy"), QStringLiteral("showNoisy"), tr("Gallery: the examples whose target the noise changed (ỹ ≠ y)"));
    QToolButton *byError = button(tr("|ỹ − y| ↓"), QStringLiteral("sortByError"), tr("Gallery: largest label error first"));
    connect(all, &QToolButton::clicked, this, [this] { Q_EMIT filterRequested(ExampleFilter{}); });
    connect(selected, &QToolButton::clicked, this, [this] { Q_EMIT filterRequested(selectedFilter(true)); });
    connect(rejected, &QToolButton::clicked, this, [this] { Q_EMIT filterRequested(selectedFilter(false)); });
    connect(noisy, &QToolButton::clicked, this, [this] { Q_EMIT filterRequested(noisyFilter()); });
    connect(byError, &QToolButton::clicked, this,
            [this] { Q_EMIT sortRequested(QStringLiteral("target_error"), Qt::DescendingOrder); });
    connect(add, &QPushButton::clicked, this, &RegressionView::addRunWithDialog);
    connect(m_method, &QComboBox::currentIndexChanged, this, &RegressionView::controlsChanged);
    connect(m_epochBox, &QSpinBox::valueChanged, this, &RegressionView::controlsChanged);

    m_rate = new LineChart;
    m_err = new LineChart;
    m_mae = new LineChart;
    m_scatter = new SizeScatterChart;
    m_scatter->setTypeColours(&selectionColour);
    m_tabs = new QTabWidget;
    m_tabs->addTab(m_rate, tr("Selection rate"));
    m_tabs->addTab(m_err, tr("ERR"));
    m_tabs->addTab(m_mae, tr("MAE"));
    m_tabs->addTab(m_scatter, tr("Noisy vs clean"));

    // Two short rows, so that the dock fits beside the gallery on a 1366-pixel screen.
    auto *controls = new QGridLayout;
    auto *row1 = new QHBoxLayout;
    row1->addWidget(new QLabel(tr("Method")));
    row1->addWidget(m_method, 1);
    row1->addWidget(new QLabel(tr("epoch")));
    row1->addWidget(m_epochBox);
    row1->addWidget(add);
    auto *row2 = new QHBoxLayout;
    row2->addWidget(new QLabel(tr("Gallery")));
    for (QToolButton *b : {all, selected, rejected, noisy, byError})
        row2->addWidget(b);
    row2->addStretch(1);
    controls->addLayout(row1, 0, 0);
    controls->addLayout(row2, 1, 0);
    controls->addWidget(m_runsLabel, 2, 0);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(controls);
    layout->addWidget(m_tabs, 1);
    setDocument(nullptr);
}

RegressionView::~RegressionView() = default;

ExampleFilter RegressionView::selectedFilter(bool selected)
{
    ExampleFilter f;
    f.depthColumn = QStringLiteral("selected");
    f.depthMin = f.depthMax = selected ? 1.0 : 0.0;
    return f;
}

ExampleFilter RegressionView::noisyFilter()
{
    ExampleFilter f;
    f.noisyOnly = true;
    return f;
}

void RegressionView::setDocument(RunDocument *doc)
{
    if (m_doc)
        disconnect(m_doc, nullptr, this, nullptr);
    m_doc = doc;
    if (doc)
        connect(doc, &RunDocument::reloaded, this, &RegressionView::documentReloaded);
    m_runs.clear();
    if (doc && doc->isRegression())
        m_runs.push_back(doc->regression());
    m_shown = 0;
    m_epoch = 0;
    rebuildCurves();
}

void RegressionView::documentReloaded()
{
    // A live run wrote another epoch (a new RegressionRun); a changed "selected" column keeps the run.
    if (!m_doc || !m_doc->isRegression() || m_runs.empty() || m_doc->regression() == m_runs.front())
        return;
    m_runs.front() = m_doc->regression();
    rebuildCurves();
}

bool RegressionView::addRun(const QString &path, QString *error)
{
    auto fail = [error](const QString &text) {
        if (error)
            *error = text;
        return false;
    };
    if (m_runs.empty())
        return fail(tr("Open a regression run first, then add runs of the same data to it"));
    std::shared_ptr<const RegressionRun> run;
    try {
        run = std::make_shared<const RegressionRun>(path);
    } catch (const std::exception &e) {
        return fail(tr("Cannot add %1: %2").arg(path, QString::fromStdString(e.what())));
    }
    for (const auto &open : m_runs)
        if (QFileInfo(open->path()).absoluteFilePath() == QFileInfo(path).absoluteFilePath())
            return fail(tr("%1 is shown already").arg(path));
    const QString different = m_runs.front()->sameDataAs(*run);
    if (!different.isEmpty())
        return fail(tr("Cannot overlay %1: %2").arg(path, different));
    m_runs.push_back(std::move(run));
    rebuildCurves();
    return true;
}

void RegressionView::addRunWithDialog()
{
    const QStringList files = QFileDialog::getOpenFileNames(this, tr("Add regression runs of the same data"), QString(),
                                                            tr("Run files (*.h5 *.part);;All files (*)"));
    for (const QString &f : files) {
        QString error;
        if (!addRun(f, &error))
            QMessageBox::warning(this, tr("Add run"), error);
    }
}

void RegressionView::rebuildCurves()
{
    m_curves.clear();
    for (std::size_t r = 0; r < m_runs.size(); ++r) {
        const auto &methods = m_runs[r]->methods();
        for (std::size_t m = 0; m < methods.size(); ++m) {
            QString label = QString::fromStdString(methods[m].method);
            if (r > 0)
                label += QStringLiteral(" (%1)").arg(m_runs[r]->title());
            m_curves.push_back({static_cast<int>(r), static_cast<int>(m), label});
        }
    }
    m_updating = true;
    m_method->clear();
    for (const Curve &c : m_curves)
        m_method->addItem(c.label);
    m_shown = std::clamp(m_shown, 0, std::max(0, static_cast<int>(m_curves.size()) - 1));
    m_method->setCurrentIndex(m_curves.empty() ? -1 : m_shown);
    m_updating = false;
    QStringList files;
    for (const auto &run : m_runs)
        files << run->title();
    m_runsLabel->setText(files.isEmpty() ? tr("Open a regression run (File › Open) to see its selection.")
                                         : tr("Runs: %1").arg(files.join(QStringLiteral(", "))));
    drawCurves();
    showSelection(m_shown, m_epoch);
}

void RegressionView::drawCurves()
{
    struct Metric {
        LineChart *chart;
        QString title, axis;
        double RegressionEpoch::*value;
    };
    const QString subtitle = m_runs.empty() ? QString() : m_runs.front()->title();
    for (const Metric &metric : {Metric{m_rate, tr("Selection rate per epoch"), tr("share of the train split"), &RegressionEpoch::selectionRate},
                                 Metric{m_err, tr("Error Residual Ratio per epoch (lower is better)"), tr("ERR"), &RegressionEpoch::err},
                                 Metric{m_mae, tr("Test MAE per epoch (clean targets)"), tr("MAE"), &RegressionEpoch::mae}}) {
        std::vector<LineSeries> series;
        for (const Curve &c : m_curves) {
            const RegressionMethodData &data = m_runs[static_cast<std::size_t>(c.run)]->methods()[static_cast<std::size_t>(c.method)];
            LineSeries s;
            s.name = c.label;
            s.colour = methodColour(data.method);
            s.dashed = c.run > 0;
            // ERR is undefined (NaN) for the clean-target model: such epochs are left out.
            for (const RegressionEpoch &e : data.curves)
                if (std::isfinite(e.*metric.value)) {
                    s.x.push_back(e.epoch);
                    s.y.push_back(e.*metric.value);
                }
            if (!s.x.empty())
                series.push_back(std::move(s));
        }
        metric.chart->setChart(metric.title, tr("epoch"), metric.axis, std::move(series));
        metric.chart->setSubtitle(subtitle);
    }
    m_rate->setYRange(0.0, 1.0);
}

void RegressionView::controlsChanged()
{
    if (!m_updating)
        showSelection(m_method->currentIndex(), m_epochBox->value());
}

const std::vector<std::uint8_t> &RegressionView::shownMask() const
{
    static const std::vector<std::uint8_t> none;
    if (m_shown < 0 || m_shown >= static_cast<int>(m_curves.size()))
        return none;
    const Curve &c = m_curves[static_cast<std::size_t>(m_shown)];
    return m_runs[static_cast<std::size_t>(c.run)]->selection(c.method, m_epoch);
}

void RegressionView::showSelection(int curve, int epoch)
{
    m_shown = curve;
    const bool valid = curve >= 0 && curve < static_cast<int>(m_curves.size());
    const int epochs = valid ? static_cast<int>(m_runs[static_cast<std::size_t>(m_curves[static_cast<std::size_t>(curve)].run)]
                                                     ->methods()[static_cast<std::size_t>(m_curves[static_cast<std::size_t>(curve)].method)]
                                                     .curves.size())
                             : 0;
    // Epoch 0 (or past the end) means the last completed one.
    m_epoch = epoch <= 0 || epoch > epochs ? epochs : epoch;
    m_updating = true;
    m_method->setCurrentIndex(valid ? curve : -1);
    m_epochBox->setRange(std::min(1, epochs), epochs);
    m_epochBox->setValue(m_epoch);
    m_epochBox->setEnabled(epochs > 1);
    m_updating = false;
    drawScatter();
    if (valid && m_doc && m_doc->isRegression())
        m_doc->setSelectedColumn(shownMask(), tr("%1, epoch %2").arg(m_curves[static_cast<std::size_t>(curve)].label).arg(m_epoch));
}

void RegressionView::drawScatter()
{
    const QStringList types{tr("not selected"), tr("selected")};
    if (m_runs.empty() || m_shown < 0 || m_shown >= static_cast<int>(m_curves.size())) {
        m_scatter->setPoints(tr("No regression run open"), QString(), QString(), QString(), types, {});
        return;
    }
    const RegressionRun &run = *m_runs.front();
    const std::vector<std::uint8_t> &mask = shownMask();
    std::vector<SizeScatterPoint> points;
    points.reserve(run.noisyTrain().size());
    for (std::size_t i = 0; i < run.noisyTrain().size(); ++i)
        points.push_back({static_cast<std::int64_t>(i), run.cleanTrain()[i], run.noisyTrain()[i],
                          i < mask.size() && mask[i] ? 1 : 0});
    // The figure font has no combining tilde, so the axes spell ỹ and y out.
    m_scatter->setPoints(tr("Noisy against clean target (train split)"),
                         tr("%1, epoch %2").arg(m_curves[static_cast<std::size_t>(m_shown)].label).arg(m_epoch),
                         tr("clean target"), tr("noisy target (trained on)"), types, std::move(points));
}

void RegressionView::showChart(QWidget *chart)
{
    m_tabs->setCurrentWidget(chart);
}

} // namespace pds
