#include "views/exampleview.h"

#include "models/exampleselection.h"
#include "models/gallerymodel.h"
#include "models/numberformat.h"
#include "models/rundocument.h"
#include "views/distributionbars.h"

#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QScrollArea>
#include <QScrollBar>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace pds {
namespace {
constexpr int kImageSide = 196;
} // namespace

// ---------------------------------------------------------------------------
// ExampleView

ExampleView::ExampleView(ExampleSelection *selection, QWidget *parent) : QWidget(parent)
{
    auto *content = new QWidget;
    auto *layout = new QVBoxLayout(content);
    m_image = new QLabel;
    m_image->setFixedSize(kImageSide, kImageSide);
    m_image->setAlignment(Qt::AlignCenter);
    m_image->setStyleSheet(QStringLiteral("QLabel { background: #202020; }"));
    m_name = new QLabel;
    QFont bold = m_name->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.2);
    m_name->setFont(bold);
    m_name->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_image, 0, Qt::AlignHCenter);
    layout->addWidget(m_name, 0, Qt::AlignHCenter);

    auto *facts = new QFormLayout;
    m_label = new QLabel;
    m_clean = new QLabel;
    m_clean->setTextFormat(Qt::RichText);
    m_group = new QLabel;
    facts->addRow(tr("Given label"), m_label);
    facts->addRow(tr("Clean label"), m_clean);
    facts->addRow(tr("Group"), m_group);
    layout->addLayout(facts);

    m_distributionTitle = new QLabel;
    m_distributionTitle->setWordWrap(true);
    m_distribution = new DistributionBars;
    layout->addWidget(m_distributionTitle);
    layout->addWidget(m_distribution);

    m_models = new QTreeWidget;
    m_models->setRootIsDecorated(false);
    m_models->setHeaderLabels({tr("Model"), tr("Trained on it"), tr("Final prediction"), tr("Depth")});
    m_models->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    layout->addWidget(m_models);

    m_scores = new QFormLayout;
    layout->addLayout(m_scores);
    layout->addStretch(1);

    auto *scroll = new QScrollArea;
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(scroll);

    if (selection)
        connect(selection, &ExampleSelection::currentChanged, this,
                [this](std::int64_t example) { showExample(example); });
    showExample(-1);
}

void ExampleView::setDocument(RunDocument *doc)
{
    if (m_doc)
        disconnect(m_doc, nullptr, this, nullptr);
    m_doc = doc;
    if (doc) {
        connect(doc, &RunDocument::reloaded, this, [this] {
            rebuildScores();
            showExample(m_example);
        });
        connect(doc, &RunDocument::groupsChanged, this, [this] { showExample(m_example); });
    }
    rebuildScores();
    showExample(-1);
}

void ExampleView::rebuildScores()
{
    while (m_scores->rowCount() > 0)
        m_scores->removeRow(0);
    m_scoreLabels.clear();
    if (!m_doc)
        return;
    for (const ScoreColumn &c : m_doc->columns()) {
        auto *value = new QLabel;
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        auto *name = new QLabel(c.label);
        name->setToolTip(c.description);
        m_scores->addRow(name, value);
        m_scoreLabels.emplace_back(c.name, value);
    }
}

std::vector<double> ExampleView::heldOutDistribution(const RunDocument &doc, std::int64_t example, int *models)
{
    std::vector<double> shares(static_cast<std::size_t>(doc.numClasses()), 0.0);
    int count = 0;
    for (int m = 0; m < doc.modelCount(); ++m) {
        if (doc.trainedOn(m, example))
            continue;
        const int pred = doc.finalPrediction(m, example);
        if (pred < 0 || pred >= doc.numClasses())
            continue;
        shares[static_cast<std::size_t>(pred)] += 1.0;
        ++count;
    }
    if (models)
        *models = count;
    if (count == 0)
        return {};
    for (double &s : shares)
        s /= count;
    return shares;
}

void ExampleView::showExample(std::int64_t example)
{
    const bool valid = m_doc && example >= 0 && example < m_doc->size();
    m_example = valid ? example : -1;
    m_models->clear();
    if (!valid) {
        m_image->clear();
        m_name->setText(tr("No example selected"));
        for (QLabel *l : {m_label, m_clean, m_group, m_distributionTitle})
            l->clear();
        m_distribution->setDistribution({}, {}, -1);
        for (auto &s : m_scoreLabels)
            s.second->clear();
        return;
    }
    const RunDocument &doc = *m_doc;
    const auto i = static_cast<std::size_t>(example);

    const QImage image = doc.image(example);
    if (image.isNull()) {
        m_image->setText(tr("image unavailable"));
        m_image->setToolTip(doc.imageError());
    } else {
        m_image->setPixmap(QPixmap::fromImage(GalleryModel::thumbnail(image, kImageSide)));
        m_image->setToolTip({});
    }
    m_name->setText(QStringLiteral("%1  (source index %2)").arg(doc.exampleName(example)).arg(doc.sourceIndices()[i]));
    const int given = doc.labels()[i], clean = doc.cleanLabels()[i];
    m_label->setText(doc.className(given));
    m_clean->setText(doc.noisy()[i] ? tr("%1 <span style='color:#c62828; font-weight:bold'>(noisy label)</span>")
                                          .arg(doc.className(clean).toHtmlEscaped())
                                    : doc.className(clean).toHtmlEscaped());
    m_group->setText(doc.hasGroups() && i < doc.groups().size() ? RunDocument::groupLabels().value(doc.groups()[i])
                                                                : tr("—"));

    int heldOut = 0;
    const std::vector<double> shares = heldOutDistribution(doc, example, &heldOut);
    if (!doc.isStudy())
        m_distributionTitle->setText({});
    else if (shares.empty())
        m_distributionTitle->setText(tr("No finished model held this example out."));
    else
        m_distributionTitle->setText(heldOut == 1 ? tr("Held-out prediction (1 model)")
                                                  : tr("Held-out predictions (%1 models)").arg(heldOut));
    m_distribution->setDistribution(doc.classNames(), doc.isStudy() ? shares : std::vector<double>(), given);

    for (int m = 0; m < doc.modelCount(); ++m) {
        const int pred = doc.finalPrediction(m, example);
        const int depth = doc.depth(m, example);
        auto *item = new QTreeWidgetItem(m_models);
        item->setText(0, QStringLiteral("m%1").arg(m, 3, 10, QLatin1Char('0')));
        item->setText(1, doc.trainedOn(m, example) ? tr("yes") : tr("no"));
        item->setText(2, pred < 0 ? tr("unfinished") : doc.className(pred));
        if (pred >= 0)
            item->setForeground(2, pred == given ? QColor(0x2e, 0x7d, 0x32) : QColor(0xc6, 0x28, 0x28));
        item->setText(3, depth < 0 ? QString() : QString::number(depth));
    }
    // As tall as its rows (up to ten), so the scores below stay in view.
    const int rows = std::clamp(doc.modelCount(), 1, 10);
    m_models->setFixedHeight(m_models->header()->sizeHint().height() + rows * (fontMetrics().height() + 4)
                             + 2 * m_models->frameWidth() + m_models->horizontalScrollBar()->sizeHint().height());

    for (auto &[name, label] : m_scoreLabels) {
        const ScoreColumn *c = doc.column(name);
        const QString v = c ? formatScore(c->values[i], c->integer, 4) : QString();
        label->setText(v.isEmpty() ? tr("—") : v);
    }
}

QString ExampleView::fieldText(const QString &key) const
{
    if (key == QLatin1String("name"))
        return m_name->text();
    if (key == QLatin1String("label"))
        return m_label->text();
    if (key == QLatin1String("clean_label"))
        return m_clean->text();
    if (key == QLatin1String("group"))
        return m_group->text();
    if (key == QLatin1String("distribution"))
        return m_distributionTitle->text();
    for (const auto &[name, label] : m_scoreLabels)
        if (name == key)
            return label->text();
    return {};
}

} // namespace pds
