// Tests of the networks: probe points, stages, parameter split and re-initialisation.

#include "testsupport.h"

#include "models/architectures.h"
#include "models/model.h"
#include "probe/embeddings.h"
#include "util/error.h"

#include <QtTest/QtTest>

#include <functional>
#include <map>
#include <numeric>
#include <set>

using namespace pds;
using namespace pds::test;

namespace {

ModelSpec specFor(const QString &arch, int channels, int size, double width = 0.25)
{
    ModelSpec s;
    s.arch = arch.toStdString();
    s.widthMultiplier = width;
    s.mlpHiddenLayers = 3;
    s.mlpHiddenUnits = 64;
    s.inChannels = channels;
    s.height = size;
    s.width = size;
    s.numOutputs = 7;
    return s;
}

QStringList toQ(const std::vector<std::string> &v)
{
    QStringList out;
    for (const auto &s : v)
        out << QString::fromStdString(s);
    return out;
}

std::int64_t parameterCount(const ProbedModelImpl &m)
{
    std::int64_t n = 0;
    for (const auto &p : m.parameters())
        n += p.numel();
    return n;
}

std::set<const void *> identities(const std::vector<torch::Tensor> &tensors)
{
    std::set<const void *> out;
    for (const auto &t : tensors)
        out.insert(t.unsafeGetTensorImpl());
    return out;
}

void addArchRows()
{
    QTest::addColumn<QString>("arch");
    QTest::addColumn<int>("channels");
    QTest::addColumn<int>("size");
    QTest::addColumn<QStringList>("probes");
    QTest::addColumn<QStringList>("stages");

    const QStringList mlpProbes{"input", "hidden1", "hidden2", "hidden3", "logits"};
    const QStringList mlpStages{"hidden1", "hidden2", "hidden3", "out"};
    const QStringList cnnProbes{"input", "block1", "block2", "block3", "block4", "logits"};
    const QStringList cnnStages{"block1", "block2", "block3", "block4", "fc"};
    QStringList resnetProbes{"input", "stem"};
    for (int s = 1; s <= 4; ++s)
        resnetProbes << QStringLiteral("layer%1.0").arg(s) << QStringLiteral("layer%1.1").arg(s);
    resnetProbes << "logits";
    const QStringList resnetStages{"stem", "layer1", "layer2", "layer3", "layer4", "fc"};
    QStringList vggProbes{"input"}, vggStages;
    for (int i = 1; i <= 13; ++i) {
        vggProbes << QStringLiteral("conv%1").arg(i);
        vggStages << QStringLiteral("conv%1").arg(i);
    }
    vggProbes << "logits";
    vggStages << "fc";

    // The CIFAR ResNet family: input, stem, n blocks per stage, logits.
    auto cifarProbes = [](int n) {
        QStringList p{"input", "stem"};
        for (int s = 1; s <= 3; ++s)
            for (int b = 0; b < n; ++b)
                p << QStringLiteral("layer%1.%2").arg(s).arg(b);
        return p << "logits";
    };
    const QStringList cifarStages{"stem", "layer1", "layer2", "layer3", "fc"};

    for (const auto &[channels, size] : {std::pair{1, 28}, std::pair{3, 32}}) {
        const QString shape = QStringLiteral(" %1x%2x%2").arg(channels).arg(size);
        for (int depth : {8, 14, 20})
            QTest::newRow(qPrintable(QStringLiteral("resnet%1").arg(depth) + shape))
                << QStringLiteral("resnet%1").arg(depth) << channels << size << cifarProbes((depth - 2) / 6)
                << cifarStages;
        QTest::newRow(qPrintable("mlp" + shape)) << "mlp" << channels << size << mlpProbes << mlpStages;
        QTest::newRow(qPrintable("cnn" + shape)) << "cnn" << channels << size << cnnProbes << cnnStages;
        QTest::newRow(qPrintable("resnet18" + shape)) << "resnet18" << channels << size << resnetProbes << resnetStages;
        QTest::newRow(qPrintable("vgg16" + shape)) << "vgg16" << channels << size << vggProbes << vggStages;
    }
}

} // namespace

class TestModels : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void probes_data();
    void probes();
    void stages_data();
    void stages();
    void widthMultiplier_data();
    void widthMultiplier();
    void reinitialise_data();
    void reinitialise();
    void tinyInputs_data();
    void tinyInputs();
    void errors_data();
    void errors();
    void unknownStage();
    void channelsLast_data();
    void channelsLast();
    void depthFamily();
    void scaledWidths();
};

void TestModels::initTestCase()
{
    at::set_num_threads(2);
    torch::manual_seed(0);
}

void TestModels::probes_data()
{
    addArchRows();
}

void TestModels::probes()
{
    QFETCH(QString, arch);
    QFETCH(int, channels);
    QFETCH(int, size);
    QFETCH(QStringList, probes);

    ModelPtr m = makeModel(specFor(arch, channels, size));
    QCOMPARE(toQ(m->probeNames()), probes);
    m->eval();
    torch::NoGradGuard noGrad;
    const auto x = torch::randn({3, channels, size, size});
    const ModelOutput out = m->run(x, true);
    QCOMPARE(int(out.probes.size()), probes.size());
    QVERIFY(torch::equal(out.probes.front(), x));
    QVERIFY(torch::equal(out.probes.back(), out.logits));
    QCOMPARE(out.logits.sizes().vec(), (std::vector<std::int64_t>{3, 7}));
    for (const auto &p : out.probes)
        QCOMPARE(p.size(0), std::int64_t(3));
    // Pooled down for the k-NN probes, every (square) map stays square.
    for (const auto &p : out.probes)
        for (std::int64_t limit : {64, 700, 4096}) {
            std::vector<std::int64_t> shape;
            const auto flat = reduceProbe(p, limit, &shape);
            if (p.dim() == 4) {
                QCOMPARE(shape[1], shape[2]);
                QVERIFY(shape[0] * shape[1] * shape[2] <= limit || shape[1] == 1);
            }
            QCOMPARE(flat.size(1), std::accumulate(shape.begin(), shape.end(), std::int64_t(1), std::multiplies<>()));
        }
    // Without probes only the logits come back, and they are the same.
    const ModelOutput plain = m->run(x, false);
    QVERIFY(plain.probes.empty());
    QVERIFY(torch::allclose(plain.logits, out.logits));
    QVERIFY(torch::allclose(m->forward(x), out.logits));
}

void TestModels::stages_data()
{
    addArchRows();
}

void TestModels::stages()
{
    QFETCH(QString, arch);
    QFETCH(int, channels);
    QFETCH(int, size);
    QFETCH(QStringList, stages);

    ModelPtr m = makeModel(specFor(arch, channels, size));
    QCOMPARE(toQ(m->stageNames()), stages);
    QVERIFY(stages.contains(QString::fromStdString(m->defaultSplitStage())));

    const auto all = identities(m->parameters());
    for (int s = 0; s < stages.size(); ++s) {
        std::vector<torch::Tensor> early, late;
        m->splitParameters(stages[s].toStdString(), early, late);
        // early and late partition the parameters: disjoint, nothing missing.
        const auto e = identities(early), l = identities(late);
        QCOMPARE(e.size() + l.size(), all.size());
        QCOMPARE(early.size() + late.size(), all.size());
        std::set<const void *> both = e;
        both.insert(l.begin(), l.end());
        QVERIFY(both == all);
        QCOMPARE(early.empty(), s == 0);
        QVERIFY(!late.empty());
    }
}

void TestModels::widthMultiplier_data()
{
    QTest::addColumn<QString>("arch");
    QTest::newRow("mlp") << "mlp";
    QTest::newRow("cnn") << "cnn";
    QTest::newRow("resnet18") << "resnet18";
    QTest::newRow("vgg16") << "vgg16";
    QTest::newRow("resnet8") << "resnet8";
}

void TestModels::widthMultiplier()
{
    QFETCH(QString, arch);
    const auto narrow = parameterCount(*makeModel(specFor(arch, 1, 28, 0.25)));
    const auto wide = parameterCount(*makeModel(specFor(arch, 1, 28, 0.5)));
    QVERIFY2(wide > narrow, qPrintable(QStringLiteral("%1 vs %2").arg(wide).arg(narrow)));
}

void TestModels::reinitialise_data()
{
    widthMultiplier_data();
}

void TestModels::reinitialise()
{
    QFETCH(QString, arch);
    ModelPtr m = makeModel(specFor(arch, 3, 32));
    const std::string stage = m->defaultSplitStage();
    const auto stages = m->stageNames();
    const auto split = std::find(stages.begin(), stages.end(), stage) - stages.begin();

    // Give BatchNorm values its initialiser would not produce, so a reset would show.
    {
        torch::NoGradGuard noGrad;
        for (const auto &mod : m->modules(/*include_self=*/false))
            if (auto *bn = mod->as<torch::nn::BatchNorm2d>()) {
                bn->weight.fill_(0.7);
                bn->bias.fill_(0.1);
                bn->running_mean.fill_(0.3);
                bn->running_var.fill_(2.0);
            }
    }
    std::map<const void *, torch::Tensor> before;
    for (const auto &t : m->parameters())
        before[t.unsafeGetTensorImpl()] = t.detach().clone();
    for (const auto &t : m->buffers())
        before[t.unsafeGetTensorImpl()] = t.detach().clone();

    const auto paramIds = identities(m->parameters());
    m->reinitialiseFrom(stage);
    QVERIFY2(identities(m->parameters()) == paramIds, "parameters must be reset in place");

    int changedLate = 0, keptEarly = 0, keptNorm = 0;
    const auto children = m->named_children();
    for (std::size_t i = 0; i < children.size(); ++i) {
        const bool late = static_cast<std::ptrdiff_t>(i) >= split;
        for (const auto &mod : children[i].value()->modules()) {
            const bool weighted = mod->as<torch::nn::Conv2d>() || mod->as<torch::nn::Linear>();
            const bool norm = mod->as<torch::nn::BatchNorm2d>() != nullptr;
            if (!weighted && !norm)
                continue;
            std::vector<std::pair<std::string, torch::Tensor>> tensors;
            for (const auto &p : mod->named_parameters(/*recurse=*/false))
                tensors.emplace_back(p.key(), p.value());
            for (const auto &b : mod->named_buffers(/*recurse=*/false))
                tensors.emplace_back(b.key(), b.value());
            for (const auto &[name, t] : tensors) {
                if (!t.is_floating_point())
                    continue; // BatchNorm's batch counter
                const bool same = torch::equal(before.at(t.unsafeGetTensorImpl()), t);
                const QString where = QString::fromStdString(children[i].key() + " " + mod->name() + " " + name);
                // Weights only: biases keep their values, as in LLF's and SEAL's reference code.
                if (weighted && late && name == "weight") {
                    QVERIFY2(!same, qPrintable(where + " should have been re-drawn"));
                    ++changedLate;
                } else {
                    QVERIFY2(same, qPrintable(where + " should be unchanged"));
                    (norm ? keptNorm : keptEarly) += 1;
                }
            }
        }
    }
    QVERIFY(changedLate > 0);
    QVERIFY(keptEarly > 0);
    if (arch != "mlp")
        QVERIFY(keptNorm > 0);
}

void TestModels::tinyInputs_data()
{
    widthMultiplier_data();
}

void TestModels::tinyInputs()
{
    // Pooling stops at 1×1, so even a 2×2 input goes through every block.
    QFETCH(QString, arch);
    ModelPtr m = makeModel(specFor(arch, 1, 2));
    m->eval();
    torch::NoGradGuard noGrad;
    const ModelOutput out = m->run(torch::randn({2, 1, 2, 2}), true);
    QCOMPARE(out.logits.sizes().vec(), (std::vector<std::int64_t>{2, 7}));
    QCOMPARE(out.probes.size(), m->probeNames().size());
}

void TestModels::errors_data()
{
    QTest::addColumn<QString>("arch");
    QTest::addColumn<double>("width");
    QTest::addColumn<int>("hiddenLayers");
    QTest::addColumn<int>("outputs");
    QTest::addColumn<int>("size");
    QTest::addColumn<QString>("message");

    QTest::newRow("unknown arch") << "transformer" << 1.0 << 2 << 10 << 28
                                  << "unknown model 'transformer' (expected mlp, cnn, resnet18, vgg16 or a CIFAR "
                                     "ResNet resnetD of depth D = 6n+2";
    QTest::newRow("resnet of depth 6n") << "resnet12" << 1.0 << 2 << 10 << 28 << "unknown model 'resnet12'";
    QTest::newRow("resnet of depth 2") << "resnet2" << 1.0 << 2 << 10 << 28 << "unknown model 'resnet2'";
    QTest::newRow("resnet of no depth") << "resnet" << 1.0 << 2 << 10 << 28 << "unknown model 'resnet'";
    QTest::newRow("empty arch") << "" << 1.0 << 2 << 10 << 28 << "unknown model ''";
    QTest::newRow("zero width") << "cnn" << 0.0 << 2 << 10 << 28 << "width multiplier must lie in (0, 64], got 0";
    QTest::newRow("negative width") << "cnn" << -1.0 << 2 << 10 << 28 << "width multiplier must lie in (0, 64]";
    QTest::newRow("huge width") << "cnn" << 65.0 << 2 << 10 << 28 << "width multiplier must lie in (0, 64]";
    QTest::newRow("mlp without hidden layers") << "mlp" << 1.0 << 0 << 10 << 28
                                               << "an mlp needs at least one hidden layer";
    QTest::newRow("no outputs") << "cnn" << 1.0 << 2 << 0 << 28 << "model needs at least one output";
    QTest::newRow("empty input") << "cnn" << 1.0 << 2 << 10 << 0 << "model input shape must be positive";
}

void TestModels::errors()
{
    QFETCH(QString, arch);
    QFETCH(double, width);
    QFETCH(int, hiddenLayers);
    QFETCH(int, outputs);
    QFETCH(int, size);
    QFETCH(QString, message);
    ModelSpec s = specFor(arch, 1, size, width);
    s.mlpHiddenLayers = hiddenLayers;
    s.numOutputs = outputs;
    PDS_VERIFY_MESSAGE(messageOf<ConfigError>([&] { makeModel(s); }), message);
}

void TestModels::unknownStage()
{
    ModelPtr m = makeModel(specFor("cnn", 1, 28));
    std::vector<torch::Tensor> early, late;
    const QString expected = "the model has no stage 'layer3' (stages: block1, block2, block3, block4, fc)";
    QCOMPARE(messageOf<ConfigError>([&] { m->splitParameters("layer3", early, late); }), expected);
    QCOMPARE(messageOf<ConfigError>([&] { m->reinitialiseFrom("layer3"); }), expected);
    QVERIFY(early.empty() && late.empty());
}

void TestModels::depthFamily()
{
    // 6n+2 layers with weights: the stem, two convs per block, the classifier.
    for (int depth : {8, 14, 20, 32, 44, 56}) {
        ModelPtr m = makeModel(specFor(QStringLiteral("resnet%1").arg(depth), 3, 32, 1.0));
        int weighted = 0;
        for (const auto &mod : m->modules(/*include_self=*/false))
            if (auto *conv = mod->as<torch::nn::Conv2d>())
                weighted += conv->options.kernel_size()->at(0) == 3;
            else if (mod->as<torch::nn::Linear>())
                ++weighted;
        QCOMPARE(weighted, depth);
        QCOMPARE(int(m->probeNames().size()), 3 * (depth - 2) / 6 + 3);
    }
    QCOMPARE(cifarResNetDepth("resnet56"), 56);
    QCOMPARE(cifarResNetDepth("resnet18"), 0);
    QCOMPARE(cifarResNetDepth("resnet08"), 0);
    QCOMPARE(cifarResNetDepth("resnet-8"), 0);
}

void TestModels::scaledWidths()
{
    QCOMPARE(scaledWidth(64, 0.25), 16);
    QCOMPARE(scaledWidth(16, 1.0), 16);
    QCOMPARE(scaledWidth(10, 0.15), 2); // 1.5 rounds up
    QCOMPARE(scaledWidth(4, 0.01), 1);  // never below one channel
}

QTEST_GUILESS_MAIN(TestModels)
#include "tst_models.moc"

void TestModels::channelsLast_data()
{
    addArchRows();
}

void TestModels::channelsLast()
{
    // The layout changes where values sit in memory, not what they are: the
    // same weights give the same logits and probes (up to summation order),
    // and a probe flattens to the same features.
    QFETCH(QString, arch);
    QFETCH(int, channels);
    QFETCH(int, size);
    ModelPtr m = makeModel(specFor(arch, channels, size));
    m->eval();
    torch::NoGradGuard noGrad;
    const auto x = torch::randn({4, channels, size, size});
    const ModelOutput nchw = m->run(x, true);

    m->setChannelsLast(true);
    QVERIFY(m->channelsLast());
    for (const auto &p : m->parameters())
        if (p.dim() == 4)
            QVERIFY(p.is_contiguous(torch::MemoryFormat::ChannelsLast));
    const ModelOutput nhwc = m->run(x, true);
    QVERIFY(nhwc.probes.front().is_contiguous(torch::MemoryFormat::ChannelsLast));
    QCOMPARE(nhwc.probes.size(), nchw.probes.size());
    for (std::size_t l = 0; l < nchw.probes.size(); ++l) {
        QCOMPARE(nhwc.probes[l].sizes().vec(), nchw.probes[l].sizes().vec());
        QVERIFY2(torch::allclose(nhwc.probes[l].flatten(1), nchw.probes[l].flatten(1), 1e-4, 1e-4),
                 qPrintable(QStringLiteral("probe %1 differs").arg(l)));
    }

    m->setChannelsLast(false);
    for (const auto &p : m->parameters())
        QVERIFY(p.is_contiguous());
    QVERIFY(torch::allclose(m->run(x, false).logits, nchw.logits, 1e-4, 1e-4));
}
