#include "training/studywizardpage.h"

#include "training/datasetwizardpage.h"
#include "training/trainingwizard.h"
#include "training/wizardfields.h"

#include "train/config.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QSpinBox>

#include <algorithm>
#include <cmath>

namespace pds {

StudyWizardPage::StudyWizardPage(const DatasetWizardPage *dataset, QWidget *parent)
    : CheckedPage(TrainingWizard::StudyPage, tr("Study"),
                  tr("Several models on complementary subsets give prediction depth, "
                     "consistency and memorisation per example."),
                  parent),
      m_dataset(dataset)
{
    auto *w = new QWidget;
    m_models = spin(QStringLiteral("models"), 0, 100000);
    m_ratio = doubleSpin(QStringLiteral("ratio"), 0.0, 10.0, 3, 0.05);
    m_ratio->setToolTip(tr("Share of the train examples each model trains on; 0.5 pairs complementary halves, "
                           "so every example is held out from half of the models"));
    m_jobs = spin(QStringLiteral("jobs"), 1, 64);
    m_jobs->setToolTip(tr("Train this many models at the same time, each in its own pdepth process, to keep a "
                          "big GPU busy; each model appears in the views when it finishes (no live curves)"));
    m_k = spin(QStringLiteral("k"), 0, 1000000);
    m_probe = new QCheckBox(tr("Compute prediction depth (k-NN probes after training)"));
    m_probe->setObjectName(QStringLiteral("probe"));
    m_embeddings = combo(QStringLiteral("embeddings"), {QStringLiteral("none"), QStringLiteral("all")});
    m_embeddings->setToolTip(tr("Store every probe's embeddings for the 3-D embedding view"));
    m_embeddingsDtype = combo(QStringLiteral("embeddingsDtype"), {QStringLiteral("float16"), QStringLiteral("float32")});
    m_embeddingsDtype->setToolTip(tr("Precision the k-NN probes compute in and embeddings are stored in; "
                                     "float32 doubles the embeddings file"));
    auto *form = new QFormLayout(w);
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("Models"), m_models);
    form->addRow(tr("Split ratio"), m_ratio);
    form->addRow(tr("Models at once"), m_jobs);
    form->addRow(QString(), m_probe);
    form->addRow(tr("k (neighbours)"), m_k);
    form->addRow(tr("Store embeddings"), m_embeddings);
    form->addRow(tr("Embeddings precision"), m_embeddingsDtype);
    setContent(w);
    connect(m_models, &QSpinBox::valueChanged, this, [this] { updateEnabled(); });
    connect(m_probe, &QCheckBox::toggled, this, [this] { updateEnabled(); });
}

void StudyWizardPage::applyTo(RunConfig &c) const
{
    c.study.models = m_models->value();
    // One model trains on everything; a share below 1 needs partners that see the rest.
    c.study.ratio = c.study.models == 1 ? 1.0 : m_ratio->value();
    c.study.member = std::min(c.study.member, std::max(0, c.study.models - 1));
    c.study.probe = c.study.models > 1 || m_probe->isChecked();
    c.study.k = m_k->value();
    c.study.embeddings = m_embeddings->currentText().toStdString();
    c.study.embeddingsDtype = settingFromName<EmbeddingsDtype>(m_embeddingsDtype->currentText().toStdString())
                                  .value_or(EmbeddingsDtype::Float16);
}

void StudyWizardPage::setFrom(const RunConfig &c)
{
    m_models->setValue(c.study.models);
    m_ratio->setValue(c.study.ratio);
    m_k->setValue(c.study.k);
    m_probe->setChecked(c.study.probe);
    selectText(m_embeddings, QString::fromStdString(c.study.embeddings));
    selectText(m_embeddingsDtype, QString::fromLatin1(settingName(c.study.embeddingsDtype)));
    updateEnabled();
}

bool StudyWizardPage::isStudy() const
{
    return m_models->value() > 1;
}

int StudyWizardPage::concurrentMembers() const
{
    return isStudy() ? m_jobs->value() : 1;
}

void StudyWizardPage::setConcurrentMembers(int members)
{
    m_jobs->setValue(members);
}

void StudyWizardPage::updateEnabled()
{
    const bool study = isStudy();
    m_ratio->setEnabled(study);
    m_jobs->setEnabled(study);
    m_probe->setEnabled(!study);
    const bool probe = study || m_probe->isChecked();
    m_k->setEnabled(probe);
    m_embeddings->setEnabled(probe);
    m_embeddingsDtype->setEnabled(probe);
}

QString StudyWizardPage::problem()
{
    if (const QString e = configProblem(); !e.isEmpty())
        return e;
    const TrainingWizard *w = trainingWizard();
    return w ? supportProblem(w->config()) : QString();
}

QString StudyWizardPage::supportProblem(const RunConfig &c) const
{
    const std::optional<qint64> trainSize = m_dataset->loadedTrainSize();
    if (!c.study.probe || !trainSize)
        return {};
    // The probes of a model use the examples it trained on as their k-NN support
    // (see memberMask): half of the kept train split for paired halves.
    const std::int64_t n = c.limit > 0 ? std::min<std::int64_t>(c.limit, *trainSize) : *trainSize;
    const bool paired = c.study.ratio == 0.5 && c.study.models % 2 == 0;
    const std::int64_t support = c.study.ratio >= 1.0 ? n
                                 : paired             ? n / 2
                                                      : std::llround(c.study.ratio * double(n));
    if (c.study.k >= support)
        return tr("k = %1 is too large: each model trains on %2 examples (ratio %3 of %4), and the k-NN "
                  "probes need more support examples than k.")
            .arg(c.study.k)
            .arg(support)
            .arg(c.study.ratio)
            .arg(n);
    return {};
}

} // namespace pds
