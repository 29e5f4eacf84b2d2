#include "views/embeddingview.h"

#include "charts/palette.h"
#include "charts/vtkhost.h"
#include "models/rundocument.h"
#include "views/elidedlabel.h"

#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <exception>

namespace pds {

void EmbeddingView::request()
{
    if (!m_doc) {
        showMessage(tr("No run open."));
        return;
    }
    if (m_model < 0 || m_doc->probeCount() == 0) {
        showMessage(tr("This run stores no embeddings — train with --embeddings all "
                       "(or choose which layers' embeddings to keep in the wizard) to see them here."));
        return;
    }
    if (!m_doc->hasEmbeddings(m_model)) {
        showMessage(tr("Model %1 stores no embeddings; choose another model.").arg(modelLabel(m_model)));
        return;
    }
    if (const auto it = m_cache.find({m_model, m_probe}); it != m_cache.end()) {
        showProjection(it->second);
        return;
    }
    // One projection at a time: a slider dragged across layers computes only
    // the layer it stops at once the running one is done (onProjected asks again).
    if (m_watcher.isRunning()) {
        m_status->setFullText(tr("Waiting to project %1…").arg(probeName()));
        return;
    }
    RunDocument::EmbeddingRequest request;
    try {
        request = m_doc->embeddingRequest(m_model, m_probe);
    } catch (const std::exception &e) {
        showMessage(tr("No embeddings of model %1 at %2: %3").arg(modelLabel(m_model)).arg(probeName(), QString::fromUtf8(e.what())));
        return;
    }
    const std::int64_t n = m_doc->size();
    const QString progress = tr("Reading and projecting %1 embeddings at %2…").arg(n).arg(probeName());
    m_status->setFullText(progress);
    // A new layer keeps the old cloud until its own is ready; a new run has nothing to show yet.
    if (!m_shown) {
        m_messageLabel->setText(progress);
        m_stack->setCurrentWidget(m_messageLabel);
    }
    Projection job;
    job.model = m_model;
    job.probe = m_probe;
    job.generation = m_generation;
    // Reading (seconds for 60,000 × 4,096) and the PCA both run off the GUI thread.
    m_watcher.setFuture(QtConcurrent::run([job, request, n]() mutable {
        try {
            int dim = 0;
            const auto embeddings = RunDocument::readEmbeddings(request, &dim);
            job.dim = dim;
            const auto *data = &embeddings;
            const int components = static_cast<int>(std::min<std::int64_t>(3, job.dim));
            job.pca = pcaProject(data->data(), n, job.dim, components);
            if (components < 3) {
                std::vector<float> padded(static_cast<std::size_t>(n * 3), 0.0f);
                for (std::int64_t i = 0; i < n; ++i)
                    for (int c = 0; c < components; ++c)
                        padded[static_cast<std::size_t>(i * 3 + c)] = job.pca.projected[static_cast<std::size_t>(i * components + c)];
                job.pca.projected = std::move(padded);
                job.pca.explained.resize(3, 0.0f);
                job.pca.components = 3;
            }
        } catch (const std::exception &e) {
            job.error = QString::fromUtf8(e.what());
        }
        return job;
    }));
}

void EmbeddingView::onProjected()
{
    Projection p = m_watcher.result();
    if (p.generation == m_generation) {
        // A bounded cache: 3 floats per example per entry.
        if (m_cache.size() >= 64) {
            m_cache.clear();
            m_shown = nullptr;
        }
        m_cache[{p.model, p.probe}] = std::move(p);
    }
    request();
}

void EmbeddingView::showProjection(const Projection &p)
{
    if (!p.error.isEmpty()) {
        showMessage(tr("Could not project the embeddings of model %1 at %2: %3").arg(modelLabel(p.model)).arg(probeName(), p.error));
        return;
    }
    const bool newData = m_shown != &p;
    m_shown = &p;
    m_stack->setCurrentWidget(m_host);
    const auto &e = p.pca.explained;
    m_status->setFullText(tr("PC1–3 explain %1 % of the variance (%2 features)")
                          .arg((e[0] + e[1] + e[2]) * 100.0, 0, 'f', 1)
                          .arg(p.dim));
    updatePositions();
    updateColours();
    updateLabels();
    if (newData)
        fitCamera(!m_cameraPlaced);
    Q_EMIT projectionShown();
}

} // namespace pds
