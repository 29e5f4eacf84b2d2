#pragma once

#include <QLabel>

namespace pds {

/// A one-line label that shows as much of its text as its width allows,
/// elided in the middle, with the full text in its tooltip. It asks for the
/// full text's width (up to maxTextWidth) but accepts far less, so a long
/// text never widens the window around it.
class ElidedLabel : public QLabel {
    Q_OBJECT
public:
    explicit ElidedLabel(QWidget *parent = nullptr);

    void setFullText(const QString &text);
    QString fullText() const { return m_text; }
    void setMaxTextWidth(int pixels);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void elide();

    QString m_text;
    int m_maxTextWidth = 360;
};

} // namespace pds
