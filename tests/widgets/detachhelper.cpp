// The Studio side of a training job, alone in a process a test can kill:
// starts the job of a configuration file through TrainingRunner (as the
// wizard does) and follows it until it ends.
//   pds_detach_helper CONFIG.json [MEMBERS_AT_ONCE]

#include "training/trainingrunner.h"

#include "train/config.h"

#include <QCoreApplication>

#include <cstdio>
#include <fstream>
#include <sstream>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc < 2) {
        std::fprintf(stderr, "usage: pds_detach_helper CONFIG.json [MEMBERS_AT_ONCE]\n");
        return 2;
    }
    std::ifstream in(argv[1]);
    std::stringstream text;
    text << in.rdbuf();
    pds::TrainingRunner runner;
    if (argc > 2)
        runner.setConcurrentMembers(std::atoi(argv[2]));
    QObject::connect(&runner, &pds::TrainingRunner::epochFinished, [](int model, int epoch) {
        std::printf("epoch %d %d\n", model, epoch);
        std::fflush(stdout);
    });
    QObject::connect(&runner, &pds::TrainingRunner::finished, &app, [] { QCoreApplication::exit(0); });
    QObject::connect(&runner, &pds::TrainingRunner::cancelled, &app, [] { QCoreApplication::exit(1); });
    QObject::connect(&runner, &pds::TrainingRunner::failed, &app, [](const QString &message) {
        std::fprintf(stderr, "failed: %s\n", qPrintable(message));
        QCoreApplication::exit(1);
    });
    QString error;
    if (!runner.start(pds::runConfigFromJson(text.str()), &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    std::printf("started %lld\n", static_cast<long long>(runner.jobProcess()));
    std::fflush(stdout);
    return QCoreApplication::exec();
}
