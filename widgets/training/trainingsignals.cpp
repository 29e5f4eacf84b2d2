// Only the meta-object of TrainingSignals, which AUTOMOC writes for the
// header beside this file.
#include "training/trainingsignals.h"
