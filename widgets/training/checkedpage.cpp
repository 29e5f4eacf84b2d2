#include "training/checkedpage.h"

#include "training/trainingwizard.h"

#include "util/error.h"

#include <QLabel>
#include <QVBoxLayout>

namespace pds {

CheckedPage::CheckedPage(int id, const QString &title, const QString &subTitle, QWidget *parent)
    : QWizardPage(parent), m_id(id), m_error(new QLabel(this))
{
    setTitle(title);
    setSubTitle(subTitle);
    m_error->setObjectName(QStringLiteral("pageError"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #c62828; font-weight: bold;"));
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->hide();
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_error);
}

void CheckedPage::setContent(QWidget *content)
{
    static_cast<QVBoxLayout *>(layout())->insertWidget(0, content, 1);
}

QString CheckedPage::error() const
{
    return m_error->text();
}

void CheckedPage::setError(const QString &text)
{
    m_error->setText(text);
    m_error->setVisible(!text.isEmpty());
}

QString CheckedPage::check()
{
    const QString text = problem();
    setError(text);
    return text;
}

const TrainingWizard *CheckedPage::trainingWizard() const
{
    return qobject_cast<const TrainingWizard *>(wizard());
}

QString CheckedPage::configProblem() const
{
    const TrainingWizard *w = trainingWizard();
    return w ? w->configError(m_id) : QString();
}

QString CheckedPage::configProblem(const std::function<void(const RunConfig &)> &check) const
{
    if (const QString e = configProblem(); !e.isEmpty())
        return e;
    const TrainingWizard *w = trainingWizard();
    if (!w)
        return {};
    try {
        check(w->config());
    } catch (const Error &e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

} // namespace pds
