#pragma once

#include "charts/figureinspect.h"
#include "train/config.h"

#include <QImage>
#include <QSet>
#include <QSignalSpy>
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

/// Points QSettings at a private, empty configuration folder for the rest of
/// the process, so recent files and layouts neither leak in nor out.
void useFreshSettings(const QString &application);

/// The messages of every `failed(QString)` signal a spy caught, joined by "; ".
QString failures(const QSignalSpy &failed);

/// The synthetic dataset folder the fixtures were trained on.
QString fixtureDataset();

/// What a hand-made run file holds (see handMadeRun()).
enum class HandMade { Probed, WithoutProbes, StillTraining };

/// A hand-made one-model run, written with RunWriter and the run fixtures, on
/// a synthetic dataset of 2 classes (label = index % 2): 8 train examples (the
/// model trains on all but train 6) and 4 test examples, k = 3, two probes
/// "p0" and "p1" with one-dimensional embeddings (stored as float16) chosen so
/// that no two neighbours of any example are equally far:
///   p0: train 40 48 23 54 38 16 19 50, test 48 13 3 16;
///   p1: train 39 284 34 286 41 279 55 268, test 13 297 42 284.
/// The stored k-NN predictions are the votes these give, the final
/// predictions the labels. WithoutProbes stops after training (no probes, no
/// embeddings); StillTraining leaves a `.part` file after one epoch of a run
/// configured to probe.
QString handMadeRun(HandMade kind);

} // namespace pds::test
