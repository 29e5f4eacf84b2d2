#include "models/model.h"
#include "train/optimizers.h"
#include "train/trainer.h"
#include "testsupport.h"

#include <QtTest/QtTest>

#include <functional>
#include <numeric>
#include <sstream>

using namespace pds;

namespace {

using MakeOptimizer = std::function<std::unique_ptr<torch::optim::Optimizer>(
    std::vector<torch::optim::OptimizerParamGroup>)>;

/// A small CNN (convolutions, BatchNorm, linear) with its parameters in two
/// groups, as the trainer builds them for SEAL; one parameter is frozen out
/// of the backward pass, so it never has a gradient.
struct Net {
    ModelPtr model;
    std::unique_ptr<torch::optim::Optimizer> opt;

    Net(const MakeOptimizer &make)
    {
        torch::manual_seed(7);
        ModelSpec spec;
        spec.arch = "cnn";
        spec.cnnBaseWidth = 4;
        spec.height = spec.width = 12;
        model = makeModel(spec);
        std::vector<torch::Tensor> early, late;
        model->splitParameters("block3", early, late);
        early.front().set_requires_grad(false);
        std::vector<torch::optim::OptimizerParamGroup> groups;
        groups.emplace_back(early);
        groups.emplace_back(late);
        opt = make(std::move(groups));
    }

    void train(int steps, std::uint64_t seed)
    {
        torch::manual_seed(seed);
        model->train();
        for (int s = 0; s < steps; ++s) {
            auto x = torch::randn({8, 1, 12, 12});
            auto y = torch::randint(0, 10, {8});
            auto loss = torch::nn::functional::cross_entropy(model->run(x, false).logits, y);
            clearGradients(*opt);
            loss.backward();
            opt->step();
        }
    }

    std::string savedOptimizer() const
    {
        torch::serialize::OutputArchive archive;
        opt->save(archive);
        std::ostringstream bytes;
        archive.save_to(bytes);
        return bytes.str();
    }

    void loadOptimizer(const std::string &bytes)
    {
        torch::serialize::InputArchive archive;
        archive.load_from(bytes.data(), bytes.size());
        opt->load(archive);
    }
};

void compareBitwise(const Net &a, const Net &b)
{
    const auto pa = a.model->parameters(), pb = b.model->parameters();
    QCOMPARE(pa.size(), pb.size());
    for (std::size_t i = 0; i < pa.size(); ++i)
        QVERIFY2(torch::equal(pa[i], pb[i]), qPrintable(QStringLiteral("parameter %1 differs").arg(i)));
}

template <class O, class Options> MakeOptimizer maker(Options options)
{
    return [options](std::vector<torch::optim::OptimizerParamGroup> groups) {
        return std::make_unique<O>(std::move(groups), options);
    };
}


/// A SEAL run of an mlp on 32 random examples, one full-batch step per epoch
/// (plain SGD, constant lr, no weight decay), with the checkpoint after every epoch.
struct SealSteps {
    TrainConfig config;
    ModelSpec spec;
    DeviceSplit data;
    std::vector<std::string> checkpoints;
    std::string splitStage;

    SealSteps(int epochs, double fraction, double momentum)
    {
        spec.arch = "mlp";
        spec.mlpHiddenLayers = 2;
        spec.mlpHiddenUnits = 16;
        spec.height = spec.width = 6;
        spec.numOutputs = 3;
        config.regime = Regime::Seal;
        config.generations = 2;
        config.epochs = epochs;
        config.sealFraction = fraction;
        config.sealLrFactor = -0.5;
        config.lr = 0.1;
        config.momentum = momentum;
        config.weightDecay = 0.0;
        config.schedule = Schedule::Constant;
        config.warmupEpochs = 0.0;
        config.batchSize = 32;
        config.augmentCrop = config.augmentFlip = false;
        config.mixedPrecision = false;
        torch::manual_seed(3);
        data.images = torch::randn({32, 1, 6, 6});
        data.labels = torch::randint(0, 3, {32}, torch::kLong);
        ModelPtr model = makeModel(spec);
        splitStage = model->stageNames().at(1);
        config.splitStage = splitStage;
        std::vector<std::int64_t> all(32);
        std::iota(all.begin(), all.end(), 0);
        Trainer trainer(config, torch::Device(torch::kCPU));
        CancelToken cancel;
        trainer.train(*model, data, DeviceSplit{}, all,
                      [&](const EpochCurve &, const EpochRecord &, const EpochRecord &, const std::string &c) {
                          checkpoints.push_back(c);
                      },
                      nullptr, cancel);
    }

    /// The model as the checkpoint after `epoch` (1-based) left it.
    ModelPtr modelAfter(int epoch) const
    {
        ModelPtr model = makeModel(spec);
        torch::serialize::InputArchive archive;
        const auto &bytes = checkpoints.at(static_cast<std::size_t>(epoch - 1));
        archive.load_from(bytes.data(), bytes.size());
        model->load(archive);
        return model;
    }

    /// Parameters after `epoch` and the full-batch gradient of the loss there, in training mode.
    void paramsAndGradient(int epoch, std::vector<torch::Tensor> &early, std::vector<torch::Tensor> &late,
                           std::vector<torch::Tensor> &gradEarly, std::vector<torch::Tensor> &gradLate) const
    {
        ModelPtr model = modelAfter(epoch);
        model->train();
        model->splitParameters(splitStage, early, late);
        for (auto &p : model->parameters())
            p.mutable_grad() = torch::Tensor();
        torch::nn::functional::cross_entropy(model->run(data.images, false).logits, data.labels).backward();
        for (auto *part : {&early, &late}) {
            auto &grads = part == &early ? gradEarly : gradLate;
            for (auto &p : *part) {
                grads.push_back(p.grad().clone());
                p = p.detach().clone();
            }
        }
    }

    /// Checks that from the checkpoint after `epoch` to the next one the early
    /// parameters moved by earlyFactor·lr·gradient and the late ones by −lr·gradient.
    void expectStep(int epoch, double earlyFactor) const
    {
        std::vector<torch::Tensor> e0, l0, ge, gl, e1, l1;
        paramsAndGradient(epoch, e0, l0, ge, gl);
        modelAfter(epoch + 1)->splitParameters(splitStage, e1, l1);
        QVERIFY(!e0.empty() && !l0.empty());
        auto check = [](const std::vector<torch::Tensor> &before, const std::vector<torch::Tensor> &after,
                        const std::vector<torch::Tensor> &grads, double factor, const char *what) {
            for (std::size_t i = 0; i < before.size(); ++i) {
                const auto moved = after[i].detach() - before[i];
                const auto expected = grads[i] * factor;
                QVERIFY2(expected.abs().max().item<double>() > 1e-7, what);
                const double err = (moved - expected).abs().max().item<double>();
                const double scale = expected.abs().max().item<double>();
                QVERIFY2(err <= 1e-4 * scale + 1e-8,
                         qPrintable(QStringLiteral("%1 parameter %2: moved %3 off the expected step (scale %4)")
                                        .arg(what).arg(i).arg(err).arg(scale)));
            }
        };
        check(e0, e1, ge, earlyFactor * config.lr, "early");
        check(l0, l1, gl, -config.lr, "late");
    }
};

} // namespace

class TestOptimizers : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void sgdMatchesLibTorch_data()
    {
        QTest::addColumn<double>("momentum");
        QTest::addColumn<double>("dampening");
        QTest::addColumn<bool>("nesterov");
        QTest::addColumn<double>("weightDecay");
        QTest::newRow("plain") << 0.0 << 0.0 << false << 0.0;
        QTest::newRow("weight decay") << 0.0 << 0.0 << false << 5e-4;
        QTest::newRow("momentum") << 0.9 << 0.0 << false << 5e-4;
        QTest::newRow("dampening") << 0.9 << 0.3 << false << 0.0;
        QTest::newRow("nesterov") << 0.9 << 0.0 << true << 1e-3;
    }
    void sgdMatchesLibTorch()
    {
        QFETCH(double, momentum);
        QFETCH(double, dampening);
        QFETCH(bool, nesterov);
        QFETCH(double, weightDecay);
        const auto options = torch::optim::SGDOptions(0.05)
                                 .momentum(momentum)
                                 .dampening(dampening)
                                 .nesterov(nesterov)
                                 .weight_decay(weightDecay);
        Net ours(maker<MultiTensorSGD>(options)), theirs(maker<torch::optim::SGD>(options));
        ours.train(5, 11);
        theirs.train(5, 11);
        compareBitwise(ours, theirs);
    }

    void adamMatchesLibTorch_data()
    {
        QTest::addColumn<double>("weightDecay");
        QTest::addColumn<bool>("amsgrad");
        QTest::newRow("plain") << 0.0 << false;
        QTest::newRow("weight decay") << 1e-2 << false;
        QTest::newRow("amsgrad falls back") << 0.0 << true;
    }
    void adamMatchesLibTorch()
    {
        QFETCH(double, weightDecay);
        QFETCH(bool, amsgrad);
        const auto options = torch::optim::AdamOptions(1e-3).weight_decay(weightDecay).amsgrad(amsgrad);
        Net ours(maker<MultiTensorAdam>(options)), theirs(maker<torch::optim::Adam>(options));
        ours.train(6, 5);
        theirs.train(6, 5);
        compareBitwise(ours, theirs);
    }

    void frozenParameterIsUntouched()
    {
        Net net(maker<MultiTensorSGD>(torch::optim::SGDOptions(0.1).momentum(0.9).weight_decay(1e-2)));
        const auto frozen = net.model->parameters().front().clone();
        net.train(3, 2);
        QVERIFY(torch::equal(net.model->parameters().front(), frozen));
        QVERIFY(!torch::equal(net.model->parameters().back(), torch::zeros_like(net.model->parameters().back())));
    }

    void stateIsInterchangeableWithLibTorch_data()
    {
        QTest::addColumn<bool>("oursFirst");
        QTest::newRow("ours, then LibTorch's") << true;
        QTest::newRow("LibTorch's, then ours") << false;
    }
    void stateIsInterchangeableWithLibTorch()
    {
        // A checkpoint written with one optimiser resumes with the other: the
        // momentum buffers are filed under the same keys, so three steps, a
        // save and a load, then three more equal six uninterrupted steps.
        QFETCH(bool, oursFirst);
        const auto sgd = torch::optim::SGDOptions(0.05).momentum(0.9).weight_decay(5e-4);
        const auto ourMaker = maker<MultiTensorSGD>(sgd), theirMaker = maker<torch::optim::SGD>(sgd);
        Net reference(theirMaker);
        reference.train(3, 3);
        reference.train(3, 4);

        Net first(oursFirst ? ourMaker : theirMaker);
        first.train(3, 3);
        Net second(oursFirst ? theirMaker : ourMaker);
        {
            torch::NoGradGuard noGrad;
            const auto from = first.model->parameters(), to = second.model->parameters();
            for (std::size_t i = 0; i < from.size(); ++i)
                to[i].copy_(from[i]);
            const auto fromBuffers = first.model->buffers(), toBuffers = second.model->buffers();
            for (std::size_t i = 0; i < fromBuffers.size(); ++i)
                toBuffers[i].copy_(fromBuffers[i]);
        }
        second.loadOptimizer(first.savedOptimizer());
        QCOMPARE(second.opt->state().size(), first.opt->state().size());
        QVERIFY(!second.opt->state().empty());
        second.train(3, 4);
        compareBitwise(second, reference);
    }

    void sealEarlyLayersAscend()
    {
        // Generation 2's only epoch ascends: early layers go up the gradient by |factor|·lr.
        SealSteps run(/*epochs=*/1, /*fraction=*/1.0, /*momentum=*/0.0);
        QCOMPARE(run.checkpoints.size(), std::size_t(2));
        run.expectStep(1, -run.config.sealLrFactor);
    }

    void sealRebuildsTheOptimiserWhenTheAscentEnds()
    {
        // With momentum, a step equals −lr·gradient only on a fresh optimiser:
        // the first descending epoch after the ascent must start one.
        SealSteps run(/*epochs=*/2, /*fraction=*/0.5, /*momentum=*/0.9);
        QCOMPARE(run.checkpoints.size(), std::size_t(4));
        run.expectStep(2, -run.config.sealLrFactor); // the ascent, on the generation's fresh optimiser
        run.expectStep(3, -1.0);                     // the descent, on the rebuilt one
    }

    void clearGradientsZeroesOnTheCpu()
    {
        Net net(maker<MultiTensorSGD>(torch::optim::SGDOptions(0.1)));
        net.train(1, 1);
        std::vector<const void *> buffers;
        for (const auto &p : net.model->parameters())
            if (p.grad().defined() && p.grad().abs().sum().item<double>() > 0)
                buffers.push_back(p.grad().data_ptr());
        QVERIFY(!buffers.empty());
        clearGradients(*net.opt);
        std::size_t kept = 0;
        for (const auto &p : net.model->parameters()) {
            if (!p.grad().defined())
                continue;
            QCOMPARE(p.grad().abs().sum().item<double>(), 0.0);
            kept += std::count(buffers.begin(), buffers.end(), p.grad().data_ptr());
        }
        QCOMPARE(kept, buffers.size());
    }
};

QTEST_GUILESS_MAIN(TestOptimizers)
#include "tst_optimizers.moc"
