// Plants each kind of difficult example in Fashion-MNIST, runs a small study
// on the CPU, and reports how well the difficulty groups find them.
//   mislabeled: labels moved to another class
//   ambiguous:  50/50 blends of two images of different classes
//   rare:       a small rotated (180°) sub-population of one class
// Set PDS_PLANTED_REPORT to a path to keep the table as Markdown.

#include "data/catalogue.h"
#include "data/transforms.h"
#include "store/runreader.h"
#include "study/study.h"
#include "study/summary.h"
#include "testsupport.h"
#include "util/error.h"

#include <QtTest/QtTest>

#include <fstream>

using namespace pds;

class TestPlanted : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void plantedDifficulty()
    {
        DatasetSpec spec;
        Dataset fm;
        try {
            fm = loadDataset(spec);
        } catch (const pds::Error &e) {
            QSKIP(qPrintable(QString("Fashion-MNIST is not installed: ") + e.what()));
        }
        const std::int64_t pool = qEnvironmentVariableIntValue("PDS_PLANTED_POOL") > 0
                                      ? qEnvironmentVariableIntValue("PDS_PLANTED_POOL")
                                      : 10000;
        const auto image = fm.imageSize();
        Split train = selectExamples(fm.train, stratifiedSubset(fm.train.labels, 10, pool, 5), image);
        Split test = selectExamples(fm.test, stratifiedSubset(fm.test.labels, 10, 2000, 6), image);
        const auto n = static_cast<std::size_t>(train.size());

        // 0 = untouched, 1 = flipped label, 2 = blend, 3 = rare sub-population
        std::vector<int> planted(n, 0);
        std::vector<std::size_t> order(n);
        for (std::size_t i = 0; i < n; ++i)
            order[i] = i;
        Rng rng(2024);
        rng.shuffle(order);
        const std::size_t flips = n * 8 / 100, blends = n * 3 / 100;
        std::size_t next = 0;
        for (; next < flips; ++next) {
            const auto i = order[next];
            int to = static_cast<int>(rng.below(9));
            if (to >= train.labels[i])
                ++to;
            train.labels[i] = to;
            planted[i] = 1;
        }
        for (std::size_t b = 0; b < blends; ++next) {
            const auto i = order[next], j = order[next + n / 2];
            if (train.labels[i] == train.labels[j] || planted[j])
                continue;
            for (std::int64_t p = 0; p < image; ++p)
                train.images[i * image + p] = static_cast<std::uint8_t>(
                    (int(train.images[i * image + p]) + int(train.images[j * image + p])) / 2);
            planted[i] = 2;
            ++b;
        }
        // A rotated sub-population of 0.4 % of the data, all of one class (Ankle boot).
        std::size_t rare = 0;
        for (std::size_t k = next; k < n && rare < n * 4 / 1000; ++k) {
            const auto i = order[k];
            if (train.labels[i] != 9 || planted[i])
                continue;
            std::reverse(train.images.begin() + i * image, train.images.begin() + (i + 1) * image);
            planted[i] = 3;
            ++rare;
        }

        QTemporaryDir dir;
        auto write = [&](const Split &s, const std::string &images, const std::string &labels) {
            std::vector<std::uint8_t> l(s.labels.begin(), s.labels.end());
            test::writeBytes(dir.filePath(QString::fromStdString(images)).toStdString(),
                             test::idxBytes({std::uint32_t(s.size()), 28, 28}, s.images));
            test::writeBytes(dir.filePath(QString::fromStdString(labels)).toStdString(),
                             test::idxBytes({std::uint32_t(s.size())}, l));
        };
        write(train, "train-images-idx3-ubyte", "train-labels-idx1-ubyte");
        write(test, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

        RunConfig c;
        c.dataset.name = "fashion-mnist-planted";
        c.dataset.format = "idx";
        c.dataset.path = dir.path().toStdString();
        c.model.arch = "cnn";
        c.train.epochs = 8;
        c.train.device = DeviceChoice::Auto;
        c.train.threads = 0;
        c.study.models = 4;
        c.study.ratio = 0.5;
        c.output = dir.filePath("planted.h5").toStdString();
        CancelToken cancel;
        QElapsedTimer timer;
        timer.start();
        const StudyResult r = StudyJob(c).run(nullptr, cancel);
        QCOMPARE(r.status, std::string("complete"));

        RunReader run(c.output);
        const auto group = run.summaryColumn("train", "group");
        const char *kinds[] = {"", "mislabeled", "ambiguous", "rare"};
        const DifficultyGroup groups[] = {DifficultyGroup::Other, DifficultyGroup::Mislabeled,
                                          DifficultyGroup::Ambiguous, DifficultyGroup::Rare};
        std::string table = "| planted kind | planted | group size | precision | recall |\n|---|---|---|---|---|\n";
        double mislabeledPrecision = 0, mislabeledRecall = 0;
        for (int kind = 1; kind <= 3; ++kind) {
            std::size_t inGroup = 0, hits = 0, total = 0;
            for (std::size_t i = 0; i < n; ++i) {
                const bool g = int(group[i]) == int(groups[kind]);
                inGroup += g;
                total += planted[i] == kind;
                hits += g && planted[i] == kind;
            }
            const double precision = inGroup ? double(hits) / double(inGroup) : 0.0;
            const double recall = total ? double(hits) / double(total) : 0.0;
            char row[160];
            std::snprintf(row, sizeof row, "| %s | %zu | %zu | %.3f | %.3f |\n", kinds[kind], total, inGroup,
                          precision, recall);
            table += row;
            if (kind == 1) {
                mislabeledPrecision = precision;
                mislabeledRecall = recall;
            }
        }
        char footer[200];
        std::snprintf(footer, sizeof footer,
                      "\ncnn, %zu pool + 2000 test examples, 4 models (paired halves), 8 epochs; %.0f s in all.\n",
                      n, timer.elapsed() / 1000.0);
        table += footer;
        qInfo().noquote() << "\n" << QString::fromStdString(table);
        if (qEnvironmentVariableIsSet("PDS_PLANTED_REPORT"))
            std::ofstream(qEnvironmentVariable("PDS_PLANTED_REPORT").toStdString()) << table;
        QVERIFY2(mislabeledRecall >= 0.8, qPrintable(QString("mislabeled recall %1").arg(mislabeledRecall)));
        QVERIFY2(mislabeledPrecision >= 0.6, qPrintable(QString("mislabeled precision %1").arg(mislabeledPrecision)));
    }
};

QTEST_GUILESS_MAIN(TestPlanted)
#include "tst_planted.moc"
