#pragma once

#include <QLabel>

namespace pds {

class RunDocument;

/// A message laid over a chart or view that says what is missing and how to
/// get it (a run without prediction depth, no example selected, a study still
/// training). It is a child of the widget it covers, outside any layout, so
/// showing it never changes a dock's size; an empty text hides it.
class StateOverlay : public QLabel {
    Q_OBJECT
public:
    /// Fill covers the whole widget (nothing useful is drawn under it);
    /// Banner is a strip along the top edge over a chart that stays useful.
    enum class Placement { Fill, Banner };

    StateOverlay(QWidget *covered, Placement placement = Placement::Fill);

    /// Shows `text`, or hides the overlay when it is empty.
    void setMessage(const QString &text);
    /// The text shown, empty while hidden.
    QString message() const;

    /// Why `doc` has no prediction depth and how to get one; empty when some
    /// model of it has depth (or there is no document).
    static QString noDepthMessage(const RunDocument *doc);
    /// The hint shown while no example is selected, naming what `what` is.
    static QString selectExampleMessage(const QString &what);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void place();

    Placement m_placement;
};

} // namespace pds
