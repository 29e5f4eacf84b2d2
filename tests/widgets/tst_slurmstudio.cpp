// The Studio's side of Slurm: the wizard's "Run on: Slurm cluster" leads to
// the Slurm page, whose fields are checked there and whose Finish submits the
// study (here to stand-in sbatch, squeue and sacct scripts on PATH); the Slurm
// dock shows each member pending, running, failed (with its log) and finished,
// and announces the study once the merge job has written it. The member and
// merge scripts the submission wrote are run for real, as Slurm would.

#include "slurmstandin.h"
#include "studiofixture.h"
#include "training/slurmprogressview.h"
#include "training/trainingwizard.h"

#include <QComboBox>
#include <QLineEdit>
#include <QProcess>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest/QtTest>

using namespace pds;

namespace {

QString readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

} // namespace

class TestSlurmStudio : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_home, m_bin, m_dir;
    QString m_stateFile;

    /// Runs task `task` of the submitted array (or the merge, task -1) as
    /// Slurm would: in the submission's folder, its output appended to its log.
    bool runTask(int task)
    {
        const QString members = QFileInfo(m_stateFile).path();
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("SLURM_ARRAY_JOB_ID"), QStringLiteral("812"));
        env.insert(QStringLiteral("SLURM_ARRAY_TASK_ID"), QString::number(task));
        p.setProcessEnvironment(env);
        p.setWorkingDirectory(m_dir.path());
        p.setStandardOutputFile(members + (task >= 0 ? QStringLiteral("/m%1.log").arg(task, 3, 10, QLatin1Char('0'))
                                                     : QStringLiteral("/merge.log")),
                                QIODevice::Append);
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(QStringLiteral("bash"), {members + (task >= 0 ? "/slurm-member.sh" : "/slurm-merge.sh")});
        return p.waitForFinished(120000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    }

    static bool refreshed(SlurmProgressView &view)
    {
        QSignalSpy spy(&view, &SlurmProgressView::refreshed);
        view.refresh();
        return spy.wait(10000);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid() && m_bin.isValid() && m_dir.isValid());
        qputenv("HOME", m_home.path().toLocal8Bit());
        test::writeStandInSlurm(m_bin.path());
        qputenv("PATH", (m_bin.path() + QLatin1Char(':') + qEnvironmentVariable("PATH")).toLocal8Bit());
        QVERIFY(QDir::setCurrent(m_dir.path()));
    }

    void wizardSubmitsToSlurm()
    {
        RunConfig c = test::fixtureConfig();
        c.dataset.path = test::fixtureDataset().toStdString();
        c.train.epochs = 1;
        c.study.models = 2;
        c.study.embeddings = "none";
        c.output = m_dir.filePath(QStringLiteral("slurm.h5")).toStdString();
        TrainingWizard w;
        w.setConfig(c);
        w.restart();
        while (w.currentId() < TrainingWizard::OutputPage) {
            const int before = w.currentId();
            w.next();
            QVERIFY2(w.currentId() != before, qPrintable(w.pageError()));
        }
        QVERIFY(w.currentPage()->isFinalPage());
        w.findChild<QComboBox *>(QStringLiteral("runOn"))->setCurrentIndex(1);
        QVERIFY(w.runOnSlurm());
        QVERIFY(!w.currentPage()->isFinalPage());
        w.next();
        QCOMPARE(w.currentId(), int(TrainingWizard::SlurmPage));

        // A field Slurm would not read is shown on the page, and nothing is submitted.
        auto *time = w.findChild<QLineEdit *>(QStringLiteral("slurmTime"));
        time->setText(QStringLiteral("2h"));
        w.accept();
        QCOMPARE(w.result(), int(QDialog::Rejected));
        QVERIFY2(w.pageError().contains(QStringLiteral("Slurm time limit '2h'")), qPrintable(w.pageError()));
        QVERIFY(!QFile::exists(m_bin.filePath("sbatch.args")));

        // sbatch's own refusal is shown on the page.
        time->setText(QStringLiteral("0:30:00"));
        w.findChild<QLineEdit *>(QStringLiteral("slurmPartition"))->setText(QStringLiteral("nope"));
        w.accept();
        QCOMPARE(w.result(), int(QDialog::Rejected));
        QCOMPARE(w.pageError(), QStringLiteral("Not submitted: sbatch refused the member array: sbatch: error: "
                                               "invalid partition specified: nope"));

        w.findChild<QLineEdit *>(QStringLiteral("slurmPartition"))->setText(QStringLiteral("local"));
        w.findChild<QSpinBox *>(QStringLiteral("slurmAtOnce"))->setValue(1);
        w.findChild<QSpinBox *>(QStringLiteral("slurmCpus"))->setValue(1);
        w.findChild<QLineEdit *>(QStringLiteral("slurmArgs"))->setText(QStringLiteral(" --account=lab  --qos=low"));
        w.accept();
        QVERIFY2(w.result() == QDialog::Accepted, qPrintable(w.pageError()));
        QCOMPARE(w.slurmSubmission().arrayJob, std::string("812"));
        QCOMPARE(w.slurmSubmission().mergeJob, std::string("813"));
        const QStringList calls = readFile(m_bin.filePath("sbatch.args")).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(calls.size(), 2);
        for (const QString &part : {QStringLiteral("--partition=local"), QStringLiteral("--time=0:30:00"),
                                    QStringLiteral("--array=0-1%1"), QStringLiteral("--cpus-per-task=1"),
                                    QStringLiteral("--account=lab --qos=low")})
            QVERIFY2(calls[0].contains(part), qPrintable(calls[0]));
        QVERIFY2(calls[1].contains(QStringLiteral("--dependency=afterok:812")), qPrintable(calls[1]));
        m_stateFile = QString::fromStdString(w.slurmSubmission().stateFile);
        QCOMPARE(m_stateFile, m_dir.filePath(QStringLiteral("slurm.members/slurm.json")));
    }

    void viewShowsEachState()
    {
        QVERIFY(!m_stateFile.isEmpty());
        SlurmProgressView view;
        view.resize(500, 600);
        view.setRefreshInterval(3600 * 1000); // reads only when the test asks
        QSignalSpy merged(&view, &SlurmProgressView::studyMerged);

        test::writeTextFile(m_bin.filePath("squeue.txt"), "812_0|RUNNING\n812_1|PENDING\n813|PENDING\n");
        QSignalSpy first(&view, &SlurmProgressView::refreshed);
        view.follow(m_stateFile);
        QVERIFY(first.wait(10000));
        QCOMPARE(view.memberState(0), QStringLiteral("running"));
        QCOMPARE(view.memberState(1), QStringLiteral("pending"));
        QVERIFY2(view.stateText().contains(QStringLiteral("slurm.h5 on Slurm, 2 members: 1 running, 1 pending")),
                 qPrintable(view.stateText()));
        QVERIFY2(view.mergeText().contains(QStringLiteral("Merge job 813: pending")), qPrintable(view.mergeText()));
        QVERIFY2(view.sourceText().contains(QStringLiteral("sacct: error: Slurm accounting storage is disabled")),
                 qPrintable(view.sourceText()));

        // Member 0 fails: its state and the end of its log.
        test::writeTextFile(QFileInfo(m_stateFile).path() + "/m000.log",
                  "pdepth: Slurm job 812_0 on node1, restart 0\npdepth: out of memory\n");
        test::writeTextFile(m_bin.filePath("squeue.txt"), "812_0|OUT_OF_MEMORY\n812_1|RUNNING\n813|PENDING\n");
        QVERIFY(refreshed(view));
        QCOMPARE(view.memberState(0), QStringLiteral("failed"));
        QCOMPARE(view.memberState(1), QStringLiteral("running"));
        QVERIFY2(view.failuresText().contains(QStringLiteral("m000 failed (OUT_OF_MEMORY)")), qPrintable(view.failuresText()));
        QVERIFY2(view.failuresText().contains(QStringLiteral("  pdepth: out of memory")), qPrintable(view.failuresText()));

        // The tasks run (member 0 again, as a resubmission would) and finish;
        // then the merge writes the study, and the view announces it once.
        QFile::remove(QFileInfo(m_stateFile).path() + "/m000.log");
        QVERIFY(runTask(0));
        QVERIFY(runTask(1));
        test::writeTextFile(m_bin.filePath("squeue.txt"), "812_0|COMPLETED\n812_1|COMPLETED\n813|RUNNING\n");
        QVERIFY(refreshed(view));
        QCOMPARE(view.memberState(0), QStringLiteral("finished"));
        QCOMPARE(view.memberState(1), QStringLiteral("finished"));
        QVERIFY2(view.mergeText().contains(QStringLiteral("running")), qPrintable(view.mergeText()));
        QCOMPARE(merged.count(), 0);
        QVERIFY2(runTask(-1), qPrintable(readFile(QFileInfo(m_stateFile).path() + "/merge.log")));
        test::writeTextFile(m_bin.filePath("squeue.txt"), "812_0|COMPLETED\n812_1|COMPLETED\n813|COMPLETED\n");
        QVERIFY(refreshed(view));
        QCOMPARE(merged.count(), 1);
        QCOMPARE(merged.at(0).at(0).toString(), m_dir.filePath(QStringLiteral("slurm.h5")));
        QVERIFY2(view.mergeText().contains(QStringLiteral("finished")), qPrintable(view.mergeText()));
        QVERIFY(refreshed(view));
        QCOMPARE(merged.count(), 1);
    }
};

QTEST_MAIN(TestSlurmStudio)
#include "tst_slurmstudio.moc"
