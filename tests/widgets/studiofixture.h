#pragma once

#include "train/config.h"

#include <QImage>
#include <QSet>
#include <QString>

namespace pds::test {

/// The configuration the fixtures train with (mlp, 3 epochs, 10 % symmetric
/// noise, k = 5, every embedding stored), for tests that need a variant.
RunConfig fixtureConfig();

/// A small finished study file for Studio tests, made once per test process
/// in a temporary folder: a synthetic 4-class 12×12 IDX dataset (96 train,
/// 32 test examples, a few labels flipped), 4 mlp members of 3 epochs each,
/// probes with k = 5 and every embedding stored. Takes a few seconds.
QString studyFixture();

/// A finished single run (one model, with probes) on the same data.
QString runFixture();

/// The distinct colours of every `step`-th pixel in both directions (a
/// rendered view with data has many; a blank one has one or two).
QSet<QRgb> coloursOf(const QImage &image, int step = 2);

/// The synthetic dataset folder the fixtures were trained on.
QString fixtureDataset();

} // namespace pds::test
