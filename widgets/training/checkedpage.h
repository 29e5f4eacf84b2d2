#pragma once

#include <QWizardPage>

#include <functional>

class QLabel;

namespace pds {

struct RunConfig;
class TrainingWizard;

/// A page of the TrainingWizard whose Next runs its check and shows the
/// message on the page itself, under its fields, until the check passes.
/// Each page subclass owns its fields and says what is wrong with them in
/// problem().
class CheckedPage : public QWizardPage {
    Q_OBJECT
public:
    /// `id` is the page's TrainingWizard::PageId.
    CheckedPage(int id, const QString &title, const QString &subTitle, QWidget *parent = nullptr);

    int pageId() const { return m_id; }
    /// The message shown on the page (empty when it passed).
    QString error() const;
    void setError(const QString &text);
    /// Runs problem(), shows its message on the page and returns it ("" = fine).
    QString check();
    bool validatePage() override { return check().isEmpty(); }

protected:
    /// What is wrong with the page's fields, "" when nothing is.
    virtual QString problem() = 0;
    /// Puts the page's fields above the error line.
    void setContent(QWidget *content);
    /// RunConfig::validate()'s message if it concerns a field on this page or
    /// an earlier one (see TrainingWizard::configError).
    QString configProblem() const;
    /// configProblem(), else the message of the pds::Error that `check`
    /// throws on the wizard's configuration (a page's own whole-job check).
    QString configProblem(const std::function<void(const RunConfig &)> &check) const;
    /// The wizard the page is on; nullptr until it is added to one.
    const TrainingWizard *trainingWizard() const;

private:
    int m_id;
    QLabel *m_error;
};

} // namespace pds
