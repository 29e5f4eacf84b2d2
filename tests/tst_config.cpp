// Tests of the run configuration: JSON round trip, strict reading, validation.

#include "testsupport.h"

#include "train/config.h"
#include "train/presets.h"
#include "util/error.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest/QtTest>

using namespace pds;
using namespace pds::test;

namespace {

/// A configuration with every field away from its default.
RunConfig unusualConfig()
{
    RunConfig c;
    c.dataset.name = "cifar10";
    c.dataset.format = "cifar10";
    c.dataset.path = "/data/cifar-10-batches-bin";
    c.limit = 5000;
    c.testLimit = 700;
    c.noise.kind = NoiseSpec::Kind::Asymmetric;
    c.noise.fraction = 0.35;
    c.noise.classMap = {0, 1, 0, 5, 7, 3, 6, 7, 8, 1};
    c.noise.seed = 99;
    c.model.arch = "resnet18";
    c.model.widthMultiplier = 0.5;
    c.model.cnnBaseWidth = 24;
    c.model.mlpHiddenLayers = 3;
    c.model.mlpHiddenUnits = 256;
    auto &t = c.train;
    t.optimizer = Optimizer::Adam;
    t.lr = 0.003;
    t.momentum = 0.8;
    t.weightDecay = 1e-4;
    t.schedule = Schedule::Step;
    t.warmupEpochs = 1.5;
    t.stepEvery = 3;
    t.stepGamma = 0.5;
    t.epochs = 7;
    t.batchSize = 64;
    t.evalBatchSize = 512;
    t.augmentCrop = true;
    t.cropPadding = 2;
    t.augmentFlip = true;
    t.mixedPrecision = false;
    t.memoryFormat = MemoryFormat::Contiguous;
    t.cudnnBenchmark = false;
    t.device = DeviceChoice::Cpu;
    t.threads = 3;
    t.seed = 12345678901ULL;
    t.regime = Regime::Seal;
    t.generations = 3;
    t.splitStage = "layer2";
    t.sealLrFactor = -0.02;
    t.sealFraction = 0.5;
    t.el2nEpoch = 20;
    t.dynamics = DynamicsSource::EvalPass;
    t.evalEvery = 3;
    c.study.models = 4;
    c.study.ratio = 0.5;
    c.study.member = 3;
    c.study.probe = true;
    c.study.k = 15;
    c.study.maxFeatures = 2048;
    c.study.embeddings = "stem,logits";
    c.output = "/tmp/out/run.h5";
    return c;
}

/// Applies `patch` (a JSON object) to the defaults and validates the result.
QString validationMessage(const QString &patch)
{
    return messageOf<ConfigError>([&] { runConfigFromJson(patch.toStdString()).validate(); });
}

} // namespace

class TestConfig : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void roundTrip();
    void defaultsValidate();
    void absentKeysKeepDefaults();
    void reading_data();
    void reading();
    void validate_data();
    void validate();
    void validateAccepts_data();
    void validateAccepts();
    void totalEpochs();
    void settingNamesRoundTrip();
    void errorsNameTheirField_data();
    void errorsNameTheirField();
    void fieldKeysRoundTrip();
};

void TestConfig::roundTrip()
{
    const RunConfig c = unusualConfig();
    c.validate();
    const std::string json = toJson(c);
    const RunConfig back = runConfigFromJson(json);
    QCOMPARE(toJson(back), json);

    QCOMPARE(back.dataset.path, c.dataset.path);
    QCOMPARE(back.limit, c.limit);
    QCOMPARE(back.testLimit, c.testLimit);
    QVERIFY(back.noise.kind == NoiseSpec::Kind::Asymmetric);
    QCOMPARE(back.noise.fraction, 0.35);
    QCOMPARE(back.noise.classMap, c.noise.classMap);
    QCOMPARE(back.noise.seed, c.noise.seed);
    QCOMPARE(back.model.arch, std::string("resnet18"));
    QCOMPARE(back.model.widthMultiplier, 0.5);
    QCOMPARE(back.model.mlpHiddenUnits, 256);
    QVERIFY(back.train.optimizer == Optimizer::Adam);
    QCOMPARE(back.train.lr, 0.003);
    QCOMPARE(back.train.weightDecay, 1e-4);
    QCOMPARE(back.train.warmupEpochs, 1.5);
    QCOMPARE(back.train.augmentCrop, true);
    QCOMPARE(back.train.mixedPrecision, false);
    QVERIFY(back.train.memoryFormat == MemoryFormat::Contiguous);
    QCOMPARE(back.train.cudnnBenchmark, false);
    QCOMPARE(back.train.seed, std::uint64_t(12345678901ULL));
    QVERIFY(back.train.regime == Regime::Seal);
    QCOMPARE(back.train.splitStage, std::string("layer2"));
    QCOMPARE(back.train.sealLrFactor, -0.02);
    QCOMPARE(back.train.el2nEpoch, 20);
    QVERIFY(back.train.dynamics == DynamicsSource::EvalPass);
    QCOMPARE(back.train.evalEvery, 3);
    QCOMPARE(back.study.member, 3);
    QCOMPARE(back.study.embeddings, std::string("stem,logits"));
    QCOMPARE(back.output, c.output);

    // Indentation changes only the layout.
    QCOMPARE(toJson(runConfigFromJson(toJson(c, -1))), json);

    // Symmetric noise and "none" survive too.
    RunConfig s;
    s.noise.kind = NoiseSpec::Kind::Symmetric;
    s.noise.fraction = 0.2;
    QVERIFY(runConfigFromJson(toJson(s)).noise.kind == NoiseSpec::Kind::Symmetric);
    QVERIFY(runConfigFromJson(toJson(RunConfig{})).noise.kind == NoiseSpec::Kind::None);
}

void TestConfig::defaultsValidate()
{
    RunConfig{}.validate();
    runConfigFromJson("{}").validate();
}

void TestConfig::absentKeysKeepDefaults()
{
    // Whole numbers may be written as such in any integer field, large seeds included.
    QCOMPARE(runConfigFromJson(R"({"train": {"seed": 18446744073709551615}})").train.seed,
             std::uint64_t(18446744073709551615ULL));
    // An integer literal is a fine value for a real-valued field.
    QCOMPARE(runConfigFromJson(R"({"train": {"lr": 1}})").train.lr, 1.0);

    const RunConfig c = runConfigFromJson(R"({"train": {"lr": 0.2}, "model": {}})");
    QCOMPARE(c.train.lr, 0.2);
    QCOMPARE(c.train.epochs, TrainConfig{}.epochs);
    QCOMPARE(c.model.arch, ModelSpec{}.arch);
    QCOMPARE(c.output, RunConfig{}.output);
}

void TestConfig::reading_data()
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("message");

    QTest::newRow("not JSON") << "{\"train\": {\"lr\": 0.1,}" << "configuration is not valid JSON";
    QTest::newRow("empty text") << "" << "configuration is not valid JSON";
    QTest::newRow("top level array") << "[1, 2]" << "config must be a JSON object";
    QTest::newRow("unknown top-level key") << R"({"trian": {}})" << "unknown key 'config.trian'";
    QTest::newRow("unknown train key") << R"({"train": {"lr": 0.1, "learning_rate": 0.1}})"
                                       << "unknown key 'config.train.learning_rate'";
    QTest::newRow("unknown dataset key") << R"({"dataset": {"root": "/x"}})" << "unknown key 'config.dataset.root'";
    QTest::newRow("unknown model key") << R"({"model": {"depth": 3}})" << "unknown key 'config.model.depth'";
    QTest::newRow("unknown noise key") << R"({"noise": {"rate": 0.1}})" << "unknown key 'config.noise.rate'";
    QTest::newRow("unknown study key") << R"({"study": {"members": 4}})" << "unknown key 'config.study.members'";
    QTest::newRow("section not an object") << R"({"train": 5})" << "config.train must be a JSON object";
    QTest::newRow("string for number") << R"({"train": {"lr": "fast"}})"
                                       << "'config.train.lr' has the wrong type (string)";
    QTest::newRow("number for string") << R"({"model": {"arch": 18}})"
                                       << "'config.model.arch' has the wrong type (number)";
    QTest::newRow("string for bool") << R"({"train": {"augment_flip": "yes"}})"
                                     << "'config.train.augment_flip' has the wrong type (string)";
    QTest::newRow("number for bool") << R"({"train": {"mixed_precision": 1}})"
                                     << "'config.train.mixed_precision' has the wrong type (number)";
    QTest::newRow("bool for number") << R"({"train": {"lr": true}})"
                                     << "'config.train.lr' has the wrong type (boolean)";
    QTest::newRow("fraction for integer") << R"({"train": {"epochs": 2.5}})"
                                          << "'config.train.epochs' must be a whole number in "
                                             "-2147483648..2147483647, got 2.5";
    QTest::newRow("integer too large") << R"({"train": {"batch_size": 3000000000}})"
                                       << "'config.train.batch_size' must be a whole number in "
                                          "-2147483648..2147483647, got 3000000000";
    QTest::newRow("negative for unsigned") << R"({"train": {"seed": -1}})"
                                           << "'config.train.seed' must be a whole number in "
                                              "0..18446744073709551615, got -1";
    QTest::newRow("null for number") << R"({"dataset": {"limit": null}})"
                                     << "'config.dataset.limit' has the wrong type (null)";
    QTest::newRow("object for string") << R"({"output": {}})" << "'config.output' has the wrong type (object)";
    QTest::newRow("map of strings") << R"({"noise": {"class_map": ["a", "b"]}})"
                                    << "'config.noise.class_map' has the wrong type (array)";
    QTest::newRow("map of fractions") << R"({"noise": {"class_map": [0, 1.5]}})"
                                      << "'config.noise.class_map' must hold whole numbers in "
                                         "-2147483648..2147483647, got [0,1.5]";
    QTest::newRow("bad noise kind") << R"({"noise": {"kind": "pink"}})"
                                    << "'config.noise.kind' must be none, symmetric, asymmetric or gaussian, got 'pink'";
}

void TestConfig::reading()
{
    QFETCH(QString, json);
    QFETCH(QString, message);
    PDS_VERIFY_MESSAGE(messageOf<ConfigError>([&] { runConfigFromJson(json.toStdString()); }), message);
}

void TestConfig::validate_data()
{
    QTest::addColumn<QString>("patch");
    QTest::addColumn<QString>("message");

    QTest::newRow("negative lr") << R"({"train": {"lr": -1}})" << "learning rate must be positive, got -1";
    QTest::newRow("zero lr") << R"({"train": {"lr": 0}})" << "learning rate must be positive";
    QTest::newRow("zero epochs") << R"({"train": {"epochs": 0}})" << "epochs must be at least 1";
    QTest::newRow("bad optimizer") << R"({"train": {"optimizer": "rmsprop"}})"
                                   << "optimizer must be sgd or adam, got 'rmsprop'";
    QTest::newRow("bad schedule") << R"({"train": {"schedule": "linear"}})"
                                  << "schedule must be constant, step or cosine, got 'linear'";
    QTest::newRow("bad regime") << R"({"train": {"regime": "sam"}})"
                                << "regime must be standard, llf or seal, got 'sam'";
    QTest::newRow("bad device") << R"({"train": {"device": "tpu"}})" << "device must be auto, cpu or cuda, got 'tpu'";
    QTest::newRow("bad dynamics") << R"({"train": {"dynamics": "both"}})"
                                  << "dynamics must be train_pass or eval_pass, got 'both'";
    QTest::newRow("eval every below end") << R"({"train": {"eval_every": -2}})"
                                          << "eval_every must be auto (0), end (-1) or a number of epochs, got -2";
    QTest::newRow("bad memory format") << R"({"train": {"memory_format": "nhwc"}})"
                                       << "memory format must be auto, channels_last or contiguous, got 'nhwc'";
    QTest::newRow("noise fraction above 1") << R"({"noise": {"kind": "symmetric", "fraction": 1.2}})"
                                            << "noise fraction must lie in [0, 1]";
    QTest::newRow("negative noise fraction") << R"({"noise": {"fraction": -0.1}})"
                                             << "noise fraction must lie in [0, 1]";
    QTest::newRow("el2n epoch after the last") << R"({"train": {"epochs": 3, "el2n_epoch": 4}})"
                                               << "EL2N epoch must lie in 0..3";
    QTest::newRow("negative el2n epoch") << R"({"train": {"epochs": 3, "el2n_epoch": -1}})"
                                         << "EL2N epoch must lie in 0..3";
    QTest::newRow("el2n epoch after the last generation")
        << R"({"train": {"epochs": 3, "regime": "llf", "generations": 2, "el2n_epoch": 7}})"
        << "EL2N epoch must lie in 0..6";
    QTest::newRow("negative limit") << R"({"dataset": {"limit": -5}})" << "limit must not be negative";
    QTest::newRow("class count 300") << R"({"dataset": {"classes": 300}})"
                                     << "the class count must lie in 1..256 (0 = from the labels), got 300";
    QTest::newRow("negative test limit") << R"({"dataset": {"test_limit": -5}})" << "test limit must not be negative";
    QTest::newRow("momentum 1") << R"({"train": {"momentum": 1.0}})" << "momentum must lie in [0, 1)";
    QTest::newRow("negative weight decay") << R"({"train": {"weight_decay": -0.1}})"
                                           << "weight decay must not be negative";
    QTest::newRow("warm-up longer than training") << R"({"train": {"epochs": 3, "warmup_epochs": 4}})"
                                                  << "warm-up must lie between 0 and the number of epochs";
    QTest::newRow("step every 0") << R"({"train": {"step_every": 0}})"
                                  << "step schedule interval must be at least one epoch";
    QTest::newRow("step gamma 0") << R"({"train": {"step_gamma": 0}})" << "step decay factor must lie in (0, 1]";
    QTest::newRow("batch 0") << R"({"train": {"batch_size": 0}})" << "batch size must be at least 1";
    QTest::newRow("eval batch 0") << R"({"train": {"eval_batch_size": 0}})"
                                  << "evaluation batch size must be at least 1";
    QTest::newRow("crop padding 65") << R"({"train": {"crop_padding": 65}})" << "crop padding must lie in 0..64";
    QTest::newRow("negative threads") << R"({"train": {"threads": -2}})" << "threads must not be negative";
    QTest::newRow("zero generations") << R"({"train": {"regime": "llf", "generations": 0}})"
                                      << "generations must be at least 1";
    QTest::newRow("seal fraction 0") << R"({"train": {"seal_fraction": 0}})" << "SEAL fraction must lie in (0, 1]";
    QTest::newRow("empty output") << R"({"output": ""})" << "output path is empty";
    QTest::newRow("zero models") << R"({"study": {"models": 0}})" << "the number of models must be at least 1, got 0";
    QTest::newRow("ratio 0") << R"({"study": {"models": 2, "ratio": 0}})" << "the split ratio must lie in (0, 1]";
    QTest::newRow("half ratio, one model") << R"({"study": {"models": 1, "ratio": 0.5}})"
                                           << "a split ratio below 1 needs at least two models";
    QTest::newRow("member outside study") << R"({"study": {"models": 2, "member": 2}})" << "member must lie in 0..1";
    QTest::newRow("k 0") << R"({"study": {"k": 0}})" << "k must be at least 1, got 0";
    QTest::newRow("no probe features") << R"({"study": {"max_features": 0}})"
                                       << "the probe feature limit must be at least 1";
}

void TestConfig::validate()
{
    QFETCH(QString, patch);
    QFETCH(QString, message);
    PDS_VERIFY_MESSAGE(validationMessage(patch), message);
}

void TestConfig::validateAccepts_data()
{
    QTest::addColumn<QString>("patch");
    QTest::newRow("el2n at the last epoch") << R"({"train": {"epochs": 3, "el2n_epoch": 3}})";
    QTest::newRow("el2n in the last generation")
        << R"({"train": {"epochs": 3, "regime": "seal", "generations": 2, "el2n_epoch": 6}})";
    QTest::newRow("noise fraction 1") << R"({"noise": {"kind": "symmetric", "fraction": 1}})";
    QTest::newRow("warm-up of every epoch") << R"({"train": {"epochs": 3, "warmup_epochs": 3}})";
    QTest::newRow("constant schedule, adam, cuda") << R"({"train": {"schedule": "constant", "optimizer": "adam", "device": "cuda"}})";
}

void TestConfig::validateAccepts()
{
    QFETCH(QString, patch);
    runConfigFromJson(patch.toStdString()).validate();
}

void TestConfig::totalEpochs()
{
    TrainConfig t;
    t.epochs = 4;
    t.generations = 3;
    QCOMPARE(t.totalEpochs(), 4); // standard ignores generations
    t.regime = Regime::Llf;
    QCOMPARE(t.totalEpochs(), 12);
    t.regime = Regime::Seal;
    QCOMPARE(t.totalEpochs(), 12);
}

namespace {

/// Every value of E maps to a name and back, and an unknown name is refused
/// with a message that names the valid ones.
template <typename E> void checkSetting(const char *label)
{
    const auto names = settingNames<E>();
    QVERIFY(!names.empty());
    for (const auto &[value, name] : SettingNames<E>::entries) {
        QCOMPARE(std::string(settingName(value)), std::string(name));
        QVERIFY(settingFromName<E>(name) == value);
        QVERIFY(parseSetting<E>(name, label, "x") == value);
    }
    QVERIFY(!settingFromName<E>("bogus"));
    try {
        parseSetting<E>("bogus", label, "train.x");
        QFAIL("expected a ConfigError");
    } catch (const ConfigError &e) {
        const std::string message = e.what();
        QCOMPARE(message, std::string(label) + " must be " + settingChoices<E>() + ", got 'bogus'");
        for (const auto &n : names)
            QVERIFY2(message.find(n) != std::string::npos, e.what());
        QCOMPARE(e.field(), std::string("train.x"));
    }
}

} // namespace

void TestConfig::settingNamesRoundTrip()
{
    checkSetting<Optimizer>("optimizer");
    checkSetting<Schedule>("schedule");
    checkSetting<Regime>("regime");
    checkSetting<MemoryFormat>("memory format");
    checkSetting<DeviceChoice>("device");
    checkSetting<NoiseSpec::Kind>("noise");
    checkSetting<Preset>("preset");
    QCOMPARE(settingChoices<Optimizer>(), std::string("sgd or adam"));
    QCOMPARE(settingChoices<DeviceChoice>(), std::string("auto, cpu or cuda"));
}

void TestConfig::errorsNameTheirField_data()
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("field");
    QTest::newRow("lr") << R"({"train": {"lr": -1}})" << "train.lr";
    QTest::newRow("optimizer") << R"({"train": {"optimizer": "rmsprop"}})" << "train.optimizer";
    QTest::newRow("noise kind") << R"({"noise": {"kind": "gaussian"}})" << "noise.kind";
    QTest::newRow("noise fraction") << R"({"noise": {"fraction": 2}})" << "noise.fraction";
    QTest::newRow("limit") << R"({"dataset": {"limit": -1}})" << "dataset.limit";
    QTest::newRow("wrong type") << R"({"train": {"epochs": "many"}})" << "train.epochs";
    QTest::newRow("fraction for an integer") << R"({"train": {"batch_size": 2.5}})" << "train.batch_size";
    QTest::newRow("models") << R"({"study": {"models": 0}})" << "study.models";
    QTest::newRow("ratio") << R"({"study": {"ratio": 0.5}})" << "study.ratio";
    QTest::newRow("k") << R"({"study": {"k": 0}})" << "study.k";
    QTest::newRow("probe features") << R"({"study": {"max_features": 0}})" << "study.max_features";
    QTest::newRow("output") << R"({"output": ""})" << "output";
    QTest::newRow("unknown key") << R"({"trian": {}})" << "";
}

void TestConfig::errorsNameTheirField()
{
    QFETCH(QString, json);
    QFETCH(QString, field);
    try {
        runConfigFromJson(json.toStdString()).validate();
        QFAIL("expected a ConfigError");
    } catch (const ConfigError &e) {
        QCOMPARE(QString::fromStdString(e.field()), field);
        QCOMPARE(configFieldKey(configField(e)), field.toStdString());
    }
}

void TestConfig::fieldKeysRoundTrip()
{
    QCOMPARE(configFieldKey(ConfigField::None), std::string());
    QVERIFY(configFieldFromKey("") == ConfigField::None);
    QVERIFY(configFieldFromKey("train.nothing") == ConfigField::None);
    for (int f = static_cast<int>(ConfigField::DatasetName); f <= static_cast<int>(ConfigField::Output); ++f) {
        const std::string key = configFieldKey(static_cast<ConfigField>(f));
        QVERIFY2(!key.empty(), qPrintable(QString::number(f)));
        QVERIFY(configFieldFromKey(key) == static_cast<ConfigField>(f));
    }
    // Every key is one the JSON configuration has.
    const auto json = QJsonDocument::fromJson(QByteArray::fromStdString(toJson(RunConfig{}))).object();
    for (int f = static_cast<int>(ConfigField::DatasetName); f <= static_cast<int>(ConfigField::Output); ++f) {
        const QString key = QString::fromStdString(configFieldKey(static_cast<ConfigField>(f)));
        const QStringList parts = key.split('.');
        const bool present = parts.size() == 1 ? json.contains(parts[0]) : json[parts[0]].toObject().contains(parts[1]);
        QVERIFY2(present, qPrintable(key));
    }
}

QTEST_GUILESS_MAIN(TestConfig)
#include "tst_config.moc"
