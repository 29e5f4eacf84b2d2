#include "views/stateoverlay.h"

#include "models/rundocument.h"

#include <QEvent>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace pds {

StateOverlay::StateOverlay(QWidget *covered, Placement placement) : QLabel(covered), m_placement(placement)
{
    setObjectName(QStringLiteral("stateOverlay"));
    setWordWrap(true);
    setAlignment(Qt::AlignCenter);
    setTextFormat(Qt::RichText);
    setTextInteractionFlags(Qt::TextSelectableByMouse);
    setMargin(12);
    setAutoFillBackground(true);
    QPalette p = palette();
    QColor back = p.color(QPalette::Window);
    back.setAlpha(placement == Placement::Fill ? 255 : 230);
    p.setColor(QPalette::Window, back);
    setPalette(p);
    covered->installEventFilter(this);
    hide();
}

void StateOverlay::setMessage(const QString &text)
{
    setText(text);
    setVisible(!text.isEmpty());
    if (!text.isEmpty()) {
        place();
        raise();
    }
}

QString StateOverlay::message() const
{
    return isHidden() ? QString() : text();
}

bool StateOverlay::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == parent() && event->type() == QEvent::Resize)
        place();
    return QLabel::eventFilter(watched, event);
}

void StateOverlay::place()
{
    const QWidget *covered = parentWidget();
    if (m_placement == Placement::Fill) {
        setGeometry(covered->rect());
        return;
    }
    const int width = covered->width();
    setGeometry(0, 0, width, std::min(covered->height(), heightForWidth(width)));
}

QString StateOverlay::noDepthMessage(const RunDocument *doc)
{
    if (!doc)
        return {};
    for (int m = 0; m < doc->modelCount(); ++m)
        if (doc->hasProbes(m))
            return {};
    const QJsonObject study = QJsonDocument::fromJson(doc->configJson().toUtf8()).object().value(QStringLiteral("study")).toObject();
    const bool probing = study.value(QStringLiteral("probe")).toBool(doc->isStudy());
    if (doc->isLive() && probing) {
        int finished = 0;
        for (const auto &m : doc->summary().models)
            finished += m.status == "complete" ? 1 : 0;
        return tr("<b>%1 is still training.</b><br>Prediction depth appears once its models have finished "
                  "and the k-NN probes have run (%2 of %3 models finished so far).")
            .arg(doc->title().toHtmlEscaped())
            .arg(finished)
            .arg(std::max(doc->modelCount(), study.value(QStringLiteral("models")).toInt(1)));
    }
    return tr("<b>%1 has no prediction depth:</b> it was trained without the k-NN probes.<br>"
              "To get depth, train with <tt>pdepth train --probe</tt> or run a study with "
              "<tt>pdepth study</tt>, or tick <i>Compute prediction depth</i> on the Study page of "
              "<i>File ▸ New study</i>.")
        .arg(doc->title().toHtmlEscaped());
}

QString StateOverlay::selectExampleMessage(const QString &what)
{
    return tr("Select an example (click it in the gallery, the table or any chart) to see %1.").arg(what);
}

} // namespace pds
