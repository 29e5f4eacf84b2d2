// TrainingWizard: every page blocks Next with a message on the page when a
// field is wrong, the defaults pass every page, and configurations round-trip
// through the JSON the Save/Load buttons write.

#include "studiofixture.h"
#include "training/trainingwizard.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <unistd.h>

using namespace pds;

/// Fails unless `message` contains `fragment`, showing both.
#define VERIFY_CONTAINS(message, fragment)                                                         \
    QVERIFY2(QString(message).contains(fragment),                                                  \
             qPrintable(QStringLiteral("\"%1\" lacks \"%2\"").arg(QString(message), QString(fragment))))

class TestWizard : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_home;
    QTemporaryDir m_dir;

    /// The fixture dataset (96 train examples, 4 classes) with a 2-model study.
    RunConfig fixtureConfig() const
    {
        RunConfig c = TrainingWizard::defaultConfig(DeviceInfo{});
        c.dataset.name = "synthetic";
        c.dataset.path = test::fixtureDataset().toStdString();
        c.dataset.format = "idx";
        c.limit = 0;
        c.testLimit = 0;
        c.model.arch = "mlp";
        c.train.epochs = 2;
        c.train.device = DeviceChoice::Cpu;
        c.study.models = 2;
        c.study.k = 5;
        c.output = m_dir.filePath(QStringLiteral("out/run.h5")).toStdString();
        return c;
    }

    /// Presses Next until page `id` is current; fails if a page blocks on the way.
    static bool advanceTo(TrainingWizard &w, int id)
    {
        while (w.currentId() < id) {
            const int before = w.currentId();
            w.next();
            if (w.currentId() == before) {
                qWarning("page %d blocked: %s", before, qPrintable(w.pageError()));
                return false;
            }
        }
        return w.currentId() == id;
    }

    template <typename T> static T *field(TrainingWizard &w, const char *name)
    {
        auto *f = w.findChild<T *>(QString::fromLatin1(name));
        if (!f)
            qFatal("no field %s", name);
        return f;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid() && m_dir.isValid());
        // The default output goes under ~/pdepth-runs: keep it inside the test.
        qputenv("HOME", m_home.path().toLocal8Bit());
    }

    void defaultsPassEveryPage()
    {
        if (!QFileInfo::exists(QStringLiteral("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")))
            QSKIP("Fashion-MNIST (Debian package dataset-fashion-mnist) is not installed");
        TrainingWizard w;
        w.restart();
        QCOMPARE(w.currentId(), int(TrainingWizard::DatasetPage));
        for (int id = TrainingWizard::ModelPage; id <= TrainingWizard::OutputPage; ++id) {
            w.next();
            QVERIFY2(w.currentId() == id, qPrintable(w.pageError()));
        }
        QVERIFY2(w.validateCurrentPage(), qPrintable(w.pageError()));
        QCOMPARE(w.pageError(), QString());
        QCOMPARE(w.previewClassCount(), 10);
        VERIFY_CONTAINS(w.previewStatus(), QStringLiteral("60000 train"));

        const RunConfig c = w.config();
        QCOMPARE(c.dataset.name, std::string("fashion-mnist"));
        QCOMPARE(c.limit, std::int64_t(5000));
        QCOMPARE(c.testLimit, std::int64_t(1000));
        QCOMPARE(c.model.arch, std::string("cnn"));
        QCOMPARE(c.train.epochs, 4);
        QCOMPARE(c.study.models, 4);
        QCOMPARE(c.study.ratio, 0.5);
        QCOMPARE(c.study.k, 30);
        QCOMPARE(c.study.embeddings, std::string("all"));
        QVERIFY(c.study.probe);
        const QString output = m_home.filePath(QStringLiteral("pdepth-runs/fashion-mnist-study.h5"));
        QCOMPARE(QString::fromStdString(c.output), output);
        QVERIFY(QFileInfo(QFileInfo(output).path()).isDir());
        c.validate();
    }

    void missingDatasetBlocksNext()
    {
        TrainingWizard w;
        RunConfig c = fixtureConfig();
        const QString missing = m_dir.filePath(QStringLiteral("no-such-folder"));
        c.dataset.path = missing.toStdString();
        w.setConfig(c);
        w.restart();
        w.next();
        QCOMPARE(w.currentId(), int(TrainingWizard::DatasetPage));
        VERIFY_CONTAINS(w.pageError(), missing);
        QVERIFY(w.currentPage()->findChild<QLabel *>(QStringLiteral("pageError"))->isVisibleTo(&w));
    }

    void unreadableDatasetShowsCoreMessage()
    {
        // A folder that exists but holds no IDX files: the core's DatasetError names the file it wanted.
        QTemporaryDir empty;
        TrainingWizard w;
        RunConfig c = fixtureConfig();
        c.dataset.path = empty.path().toStdString();
        w.setConfig(c);
        w.restart();
        w.next();
        QCOMPARE(w.currentId(), int(TrainingWizard::DatasetPage));
        VERIFY_CONTAINS(w.pageError(), empty.path());
        QCOMPARE(w.previewStatus(), w.pageError());
        QCOMPARE(w.previewClassCount(), 0);

        // Pointing it at the real data lets it pass, with a preview of the four classes.
        // The preview loads in the background as soon as the path changes.
        field<QLineEdit>(w, "datasetPath")->setText(test::fixtureDataset());
        QTRY_COMPARE(w.previewClassCount(), 4);
        w.next();
        QVERIFY2(w.currentId() == TrainingWizard::ModelPage, qPrintable(w.pageError(TrainingWizard::DatasetPage)));
        QCOMPARE(w.pageError(TrainingWizard::DatasetPage), QString());
        QCOMPARE(w.previewClassCount(), 4);
        VERIFY_CONTAINS(w.previewStatus(), QStringLiteral("96 train and 32 test"));
    }

    void zeroModelsBlocked()
    {
        TrainingWizard w;
        w.setConfig(fixtureConfig());
        w.restart();
        QVERIFY(advanceTo(w, TrainingWizard::StudyPage));
        field<QSpinBox>(w, "models")->setValue(0);
        w.next();
        QCOMPARE(w.currentId(), int(TrainingWizard::StudyPage));
        VERIFY_CONTAINS(w.pageError(), QStringLiteral("number of models must be at least 1"));
        field<QSpinBox>(w, "models")->setValue(2);
        w.next();
        QCOMPARE(w.currentId(), int(TrainingWizard::OutputPage));
        QCOMPARE(w.pageError(TrainingWizard::StudyPage), QString());
    }

    void kLargerThanSupportBlocked()
    {
        // Two models on paired halves of 96 examples: each probe's support has 48.
        TrainingWizard w;
        w.setConfig(fixtureConfig());
        w.restart();
        QVERIFY(advanceTo(w, TrainingWizard::StudyPage));
        field<QSpinBox>(w, "k")->setValue(48);
        QVERIFY(!w.validateCurrentPage());
        VERIFY_CONTAINS(w.pageError(), QStringLiteral("k = 48 is too large"));
        VERIFY_CONTAINS(w.pageError(), QStringLiteral("48 examples"));
        field<QSpinBox>(w, "k")->setValue(47);
        QVERIFY2(w.validateCurrentPage(), qPrintable(w.pageError()));
        // A train subset shrinks the support with it.
        w.back();
        w.back();
        w.back();
        field<QSpinBox>(w, "limit")->setValue(40);
        QVERIFY(advanceTo(w, TrainingWizard::StudyPage));
        QVERIFY(!w.validateCurrentPage());
        VERIFY_CONTAINS(w.pageError(), QStringLiteral("20 examples"));
    }

    void ratioOutsideRangeBlocked()
    {
        TrainingWizard w;
        w.setConfig(fixtureConfig());
        w.restart();
        QVERIFY(advanceTo(w, TrainingWizard::StudyPage));
        for (double ratio : {1.5, 0.0}) {
            field<QDoubleSpinBox>(w, "ratio")->setValue(ratio);
            w.next();
            QCOMPARE(w.currentId(), int(TrainingWizard::StudyPage));
            VERIFY_CONTAINS(w.pageError(), QStringLiteral("split ratio must lie in (0, 1]"));
        }
        field<QDoubleSpinBox>(w, "ratio")->setValue(0.5);
        QVERIFY2(w.validateCurrentPage(), qPrintable(w.pageError()));
    }

    void errorsShowOnTheirOwnPage()
    {
        // Zero epochs is a training-page error: the dataset and model pages let it through.
        TrainingWizard w;
        RunConfig c = fixtureConfig();
        c.train.epochs = 0;
        w.setConfig(c);
        w.restart();
        QVERIFY(advanceTo(w, TrainingWizard::TrainingPage));
        w.next();
        QCOMPARE(w.currentId(), int(TrainingWizard::TrainingPage));
        VERIFY_CONTAINS(w.pageError(), QStringLiteral("epochs must be at least 1"));
        field<QSpinBox>(w, "epochs")->setValue(3);
        w.next();
        QCOMPARE(w.currentId(), int(TrainingWizard::StudyPage));

        // A model-page error stays on the model page.
        w.back();
        w.back();
        field<QDoubleSpinBox>(w, "width")->setValue(0.0);
        w.next();
        QCOMPARE(w.currentId(), int(TrainingWizard::ModelPage));
        VERIFY_CONTAINS(w.pageError(), QStringLiteral("width multiplier must be positive"));
    }

    void deviceChoiceFollowsTheMachine()
    {
        const DeviceInfo devices = availableDevices();
        QVERIFY(!devices.description.empty());
        TrainingWizard w;
        bool found = false;
        for (const auto *label : w.findChildren<QLabel *>())
            found |= label->text() == QStringLiteral("Found: ") + QString::fromStdString(devices.description);
        QVERIFY(found);
        auto *device = field<QComboBox>(w, "device");
        QCOMPARE(device->itemText(2), QStringLiteral("cuda"));
        QCOMPARE(qobject_cast<QStandardItemModel *>(device->model())->item(2)->isEnabled(), devices.cuda);
        if (devices.cuda)
            return;
        // A configuration file asking for CUDA on a machine without it is stopped on the training page.
        RunConfig c = fixtureConfig();
        c.train.device = DeviceChoice::Cuda;
        w.setConfig(c);
        w.restart();
        QVERIFY(advanceTo(w, TrainingWizard::TrainingPage));
        w.next();
        QCOMPARE(w.currentId(), int(TrainingWizard::TrainingPage));
        VERIFY_CONTAINS(w.pageError(), QStringLiteral("No CUDA device"));
    }

    void unwritableOutputBlocked()
    {
        TrainingWizard w;
        w.setConfig(fixtureConfig());
        w.restart();
        QVERIFY(advanceTo(w, TrainingWizard::OutputPage));
        auto *output = field<QLineEdit>(w, "output");
        output->setText(QStringLiteral("/proc/pdepth-test/run.h5"));
        QVERIFY(!w.validateCurrentPage());
        VERIFY_CONTAINS(w.pageError(), QStringLiteral("cannot write to /proc/pdepth-test"));

        // A read-only folder (root may write anywhere, so only as another user).
        if (geteuid() != 0) {
            const QString locked = m_dir.filePath(QStringLiteral("locked"));
            QVERIFY(QDir().mkpath(locked));
            QVERIFY(QFile::setPermissions(locked, QFile::ReadOwner | QFile::ExeOwner | QFile::ReadGroup
                                                      | QFile::ExeGroup | QFile::ReadOther | QFile::ExeOther));
            output->setText(locked + QStringLiteral("/run.h5"));
            QVERIFY(!w.validateCurrentPage());
            VERIFY_CONTAINS(w.pageError(), QStringLiteral("cannot write to ") + locked);
            QFile::setPermissions(locked, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        }

        // A missing folder is created.
        const QString fresh = m_dir.filePath(QStringLiteral("new/deeper/run.h5"));
        output->setText(fresh);
        QVERIFY2(w.validateCurrentPage(), qPrintable(w.pageError()));
        QVERIFY(QFileInfo(QFileInfo(fresh).path()).isDir());
    }

    void existingOutputNeedsOverwrite()
    {
        TrainingWizard w;
        w.setConfig(fixtureConfig());
        w.restart();
        QVERIFY(advanceTo(w, TrainingWizard::OutputPage));
        const QString existing = m_dir.filePath(QStringLiteral("existing.h5"));
        QFile f(existing);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        field<QLineEdit>(w, "output")->setText(existing);
        auto *overwrite = field<QCheckBox>(w, "overwrite");
        QVERIFY(overwrite->isVisibleTo(&w));
        QVERIFY(!w.validateCurrentPage());
        VERIFY_CONTAINS(w.pageError(), existing + QStringLiteral(" exists"));
        overwrite->setChecked(true);
        QVERIFY2(w.validateCurrentPage(), qPrintable(w.pageError()));
    }

    void configRoundTripsThroughJson()
    {
        RunConfig c = fixtureConfig();
        c.noise.kind = NoiseSpec::Kind::Symmetric;
        c.noise.fraction = 0.2;
        c.noise.seed = 11;
        c.model.widthMultiplier = 0.5;
        c.model.mlpHiddenUnits = 64;
        c.study.maxFeatures = 1024;
        c.train.optimizer = Optimizer::Adam;
        c.train.lr = 0.003;
        c.train.momentum = 0.8;
        c.train.schedule = Schedule::Step;
        c.train.warmupEpochs = 1;
        c.train.augmentCrop = true;
        c.train.augmentFlip = true;
        c.train.regime = Regime::Seal;
        c.train.generations = 3;
        c.train.sealFraction = 0.3;
        c.train.sealLrFactor = -0.02;
        c.train.seed = 7;
        c.train.threads = 1;
        c.train.mixedPrecision = false;
        c.study.models = 6;
        c.study.ratio = 0.25;
        c.study.k = 9;
        c.study.embeddings = "none";

        TrainingWizard first;
        first.setConfig(c);
        QCOMPARE(toJson(first.config()), toJson(c));
        const QString path = m_dir.filePath(QStringLiteral("config.json"));
        QString error;
        QVERIFY2(first.saveConfiguration(path, &error), qPrintable(error));

        TrainingWizard second;
        QVERIFY(toJson(second.config()) != toJson(c));
        QVERIFY2(second.loadConfiguration(path, &error), qPrintable(error));
        QCOMPARE(toJson(second.config()), toJson(c));
        QCOMPARE(field<QComboBox>(second, "regime")->currentText(), QStringLiteral("seal"));
        QVERIFY(field<QDoubleSpinBox>(second, "sealFraction")->isEnabled());
        QCOMPARE(field<QSpinBox>(second, "models")->value(), 6);
        QVERIFY(!field<QCheckBox>(second, "mixedPrecision")->isChecked());

        // Errors name the file and the bad key, and leave the pages as they were.
        QFile bad(m_dir.filePath(QStringLiteral("bad.json")));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write(R"({"train": {"lrr": 0.1}})");
        bad.close();
        QVERIFY(!second.loadConfiguration(bad.fileName(), &error));
        VERIFY_CONTAINS(error, bad.fileName());
        VERIFY_CONTAINS(error, QStringLiteral("unknown key 'config.train.lrr'"));
        QCOMPARE(toJson(second.config()), toJson(c));
        QVERIFY(!second.loadConfiguration(m_dir.filePath(QStringLiteral("absent.json")), &error));
        VERIFY_CONTAINS(error, QStringLiteral("absent.json"));
        QVERIFY(!second.saveConfiguration(QStringLiteral("/proc/pdepth-test/config.json"), &error));
        VERIFY_CONTAINS(error, QStringLiteral("cannot write /proc/pdepth-test/config.json"));
    }

    void singleModelTrainsOnEverything()
    {
        TrainingWizard w;
        RunConfig c = fixtureConfig();
        c.study.models = 1;
        c.study.ratio = 0.5;
        c.study.probe = false;
        w.setConfig(c);
        QVERIFY(!field<QDoubleSpinBox>(w, "ratio")->isEnabled());
        QVERIFY(field<QCheckBox>(w, "probe")->isEnabled());
        QVERIFY(!field<QSpinBox>(w, "k")->isEnabled());
        const RunConfig out = w.config();
        QCOMPARE(out.study.ratio, 1.0);
        QVERIFY(!out.study.probe);
        out.validate();
    }

    void modelsAtOnceOnlyForStudies()
    {
        // How many models train at once is offered for studies only, and it
        // stays out of the configuration (the same study either way).
        TrainingWizard w;
        RunConfig c = fixtureConfig();
        c.study.models = 4;
        w.setConfig(c);
        auto *jobs = field<QSpinBox>(w, "jobs");
        QVERIFY(jobs->isEnabled());
        QCOMPARE(w.concurrentMembers(), 1);
        const std::string oneAtATime = toJson(w.config());
        w.setConcurrentMembers(3);
        QCOMPARE(jobs->value(), 3);
        QCOMPARE(w.concurrentMembers(), 3);
        QCOMPARE(toJson(w.config()), oneAtATime);
        field<QSpinBox>(w, "models")->setValue(1);
        QVERIFY(!jobs->isEnabled());
        QCOMPARE(w.concurrentMembers(), 1);
    }
};

QTEST_MAIN(TestWizard)
#include "tst_wizard.moc"
