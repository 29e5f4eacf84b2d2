#pragma once

#include <QColor>
#include <QString>

namespace pds {

// Colour-blind-safe palettes, one per kind of thing, the same in every
// view and figure: a class, a group or a model has one colour everywhere.

/// Classes: Paul Tol's "muted" scheme (9 colours, a dark grey 10th), repeated.
QColor classColour(int label);
/// Difficulty groups (other, easy, ambiguous, mislabeled, rare): Okabe–Ito
/// grey, bluish green, orange, vermillion, reddish purple.
QColor groupColour(int group);
/// Models m000, m001, …: the Okabe–Ito scheme (8 colours), repeated.
QColor modelColour(int model);
/// The name of model `model` as the file, `pdepth info` and every view write it: m000, m001, …
QString modelLabel(int model);
/// Runs overlaid side by side (the open run, the compare run, further runs):
/// Tol's bright scheme (blue, red, green, yellow, cyan, purple, grey), repeated.
QColor seriesColour(int series);
/// Training regimes (standard, llf, seal; others grey): Tol's vibrant blue,
/// orange and teal, the same in every regime view and figure.
QColor regimeColour(const QString &regime);
/// Dataset splits (train, test): Tol's high-contrast dark blue and yellow-brown.
QColor splitColour(bool test);
/// Memorisation trajectory types across model sizes (constant, decreasing,
/// increasing, cap-shaped, undetermined): Tol's bright grey, blue, red, green, yellow.
QColor trajectoryColour(int type);
/// Regression sample selection (0 rejected, 1 selected): Tol's bright grey and blue.
QColor selectionColour(int selected);
/// Regression methods in the order of SelectMethod (confrag, small-loss, none,
/// clean): Tol's vibrant orange, teal, grey and blue; other values black.
QColor selectMethodColour(int method);

} // namespace pds
