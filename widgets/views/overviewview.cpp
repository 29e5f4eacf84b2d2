#include "views/overviewview.h"

#include "charts/linechart.h"
#include "charts/palette.h"
#include "models/rundocument.h"

#include <QSplitter>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <cmath>

namespace pds {
namespace {

QString meanText(const std::vector<double> &v, int decimals, double scale = 1.0)
{
    if (v.empty())
        return QStringLiteral("–");
    double sum = 0, sq = 0;
    for (double x : v)
        sum += x * scale;
    const double mean = sum / double(v.size());
    for (double x : v)
        sq += (x * scale - mean) * (x * scale - mean);
    if (v.size() == 1)
        return QString::number(mean, 'f', decimals);
    return QStringLiteral("%1 ± %2").arg(mean, 0, 'f', decimals).arg(std::sqrt(sq / double(v.size())), 0, 'f', decimals);
}

double columnMean(const RunDocument &doc, const QString &name)
{
    const ScoreColumn *c = doc.column(name);
    if (!c)
        return std::nan("");
    double sum = 0;
    std::size_t n = 0;
    for (float v : c->values)
        if (!std::isnan(v)) {
            sum += v;
            ++n;
        }
    return n ? sum / double(n) : std::nan("");
}

} // namespace

OverviewView::OverviewView(QWidget *parent)
    : QWidget(parent), m_text(new QTextBrowser), m_curves(new LineChart), m_probes(new LineChart)
{
    auto *split = new QSplitter(Qt::Vertical);
    split->addWidget(m_text);
    split->addWidget(m_curves);
    split->addWidget(m_probes);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);
    m_curves->setMinimumHeight(180);
    m_probes->setMinimumHeight(180);
    refresh();
}

void OverviewView::setDocument(RunDocument *doc)
{
    if (m_doc)
        disconnect(m_doc, nullptr, this, nullptr);
    m_doc = doc;
    if (m_doc)
        connect(m_doc, &RunDocument::reloaded, this, &OverviewView::refresh);
    refresh();
}

QString OverviewView::summaryHtml() const
{
    return m_text->toHtml();
}

void OverviewView::refresh()
{
    if (!m_doc) {
        m_text->setHtml(tr("<h3>No run open</h3><p>Open a run or study file (Ctrl+O), drop one here, "
                           "or start a new study (Ctrl+N).</p>"));
        m_curves->setChart(tr("Training curves"), tr("Epoch"), tr("Accuracy"), {});
        m_probes->setChart(tr("k-NN probe accuracy per layer"), tr("Probe"), tr("Accuracy"), {});
        m_curves->setSubtitle({});
        m_probes->setSubtitle({});
        return;
    }
    const RunDocument &d = *m_doc;
    const RunSummary &s = d.summary();
    std::vector<double> testAcc, trainAcc, logitsProbe;
    int finished = 0;
    for (const auto &m : s.models) {
        if (m.status == "complete")
            ++finished;
        if (!m.curves.empty()) {
            testAcc.push_back(m.curves.back().testAccuracy);
            trainAcc.push_back(m.curves.back().evalTrainAccuracy);
        }
    }
    QString html;
    html += QStringLiteral("<h3>%1</h3>").arg(d.title().toHtmlEscaped());
    html += QStringLiteral("<p><b>Status:</b> %1%2</p>")
                .arg(QString::fromStdString(s.status).toHtmlEscaped(),
                     s.statusMessage.empty() ? QString()
                                             : QStringLiteral(" — ") + QString::fromStdString(s.statusMessage).toHtmlEscaped());
    html += QStringLiteral("<table cellspacing=4>");
    auto row = [&](const QString &k, const QString &v) {
        html += QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>").arg(k, v.toHtmlEscaped());
    };
    row(tr("Dataset"), QStringLiteral("%1 (%2), %3×%4×%5, %6 classes")
                           .arg(QString::fromStdString(s.datasetName), QString::fromStdString(s.datasetFormat))
                           .arg(s.channels).arg(s.height).arg(s.width).arg(d.numClasses()));
    row(tr("Examples"), tr("%1 train, %2 test, %3 noisy labels").arg(s.trainSize).arg(s.testSize).arg(s.noisyLabels));
    if (!s.models.empty())
        row(tr("Model"), QStringLiteral("%1, %2 of %3 models finished, %4 epochs")
                             .arg(QString::fromStdString(s.models.front().arch))
                             .arg(finished).arg(s.models.size()).arg(s.models.front().epochsPlanned));
    row(tr("Test accuracy"), meanText(testAcc, 2, 100.0) + QStringLiteral(" %"));
    row(tr("Train accuracy"), meanText(trainAcc, 2, 100.0) + QStringLiteral(" %"));
    if (d.probeCount() > 0) {
        row(tr("Probes"), QString::number(d.probeCount()) + QStringLiteral(": ") + d.probeNames().join(QStringLiteral(", ")));
        const double dt = columnMean(d, QStringLiteral("depth_train")), dv = columnMean(d, QStringLiteral("depth_val"));
        row(tr("Mean depth"), tr("train split %1, validation split %2").arg(dt, 0, 'f', 2).arg(dv, 0, 'f', 2));
    }
    if (d.hasGroups()) {
        std::vector<int> counts(static_cast<std::size_t>(RunDocument::groupLabels().size()), 0);
        for (auto g : d.groups())
            if (g >= 0 && static_cast<std::size_t>(g) < counts.size())
                ++counts[static_cast<std::size_t>(g)];
        QStringList parts;
        for (int g = 0; g < RunDocument::groupLabels().size(); ++g)
            parts << QStringLiteral("%1 %2").arg(RunDocument::groupLabels()[g]).arg(counts[static_cast<std::size_t>(g)]);
        row(tr("Groups"), parts.join(QStringLiteral(", ")));
    }
    row(tr("Created"), QString::fromStdString(s.created));
    if (!s.finished.empty())
        row(tr("Finished"), QString::fromStdString(s.finished));
    html += QStringLiteral("</table>");
    if (!s.configJson.empty())
        html += QStringLiteral("<h4>%1</h4><pre>%2</pre>").arg(tr("Configuration"), d.configJson().toHtmlEscaped());
    m_text->setHtml(html);

    std::vector<LineSeries> curves;
    for (std::size_t m = 0; m < s.models.size(); ++m) {
        // One legend entry per model (its colour); the line style tells the curves apart.
        LineSeries loss{tr("%1 train loss").arg(modelLabel(int(m))), {}, {}, modelColour(int(m)), true, false};
        LineSeries acc{modelLabel(int(m)), {}, {}, modelColour(int(m)), false};
        for (const auto &c : s.models[m].curves) {
            loss.x.push_back(c.epoch);
            loss.y.push_back(c.trainLoss);
            if (std::isfinite(c.testAccuracy)) { // NaN at epochs without a held-out evaluation
                acc.x.push_back(c.epoch);
                acc.y.push_back(c.testAccuracy);
            }
        }
        curves.push_back(std::move(loss));
        curves.push_back(std::move(acc));
    }
    m_curves->setChart(tr("Training curves"), tr("Epoch"), tr("Accuracy, loss"), std::move(curves));
    m_curves->setSubtitle(tr("%1 · solid: test accuracy, dashed: train loss").arg(d.title()));

    std::vector<LineSeries> probes;
    for (int m = 0; m < d.modelCount(); ++m) {
        if (!d.hasProbes(m))
            continue;
        LineSeries train{tr("%1 train split").arg(modelLabel(m)), {}, d.probeAccuracy(m, ProbeCurve::TrainAccuracy),
                         modelColour(m), true, false};
        LineSeries val{modelLabel(m), {}, d.probeAccuracy(m, ProbeCurve::ValidationAccuracy),
                       modelColour(m), false};
        for (std::size_t i = 0; i < val.y.size(); ++i) {
            train.x.push_back(double(i));
            val.x.push_back(double(i));
        }
        probes.push_back(std::move(train));
        probes.push_back(std::move(val));
    }
    m_probes->setChart(tr("k-NN probe accuracy per layer"), tr("Probe"), tr("Accuracy (given label)"), std::move(probes));
    m_probes->setSubtitle(tr("%1 · solid: validation split, dashed: train split").arg(d.title()));
    m_probes->setXTickLabels(d.probeNames());
    m_probes->setYRange(0.0, 1.0);
}

} // namespace pds
