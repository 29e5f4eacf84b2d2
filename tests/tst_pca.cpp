#include "probe/pca.h"
#include "testsupport.h"
#include "util/error.h"

#include <QtTest/QtTest>

#include <cmath>

using namespace pds;

namespace {

std::vector<float> toVector(const torch::Tensor &t)
{
    const torch::Tensor c = t.to(torch::kFloat).contiguous();
    return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
}

PcaResult project(const torch::Tensor &x, int components, std::uint64_t seed = 0)
{
    const std::vector<float> v = toVector(x);
    return pcaProject(v.data(), x.size(0), x.size(1), components, seed);
}

torch::Tensor projectedTensor(const PcaResult &r)
{
    const auto n = static_cast<std::int64_t>(r.projected.size()) / r.components;
    return torch::from_blob(const_cast<float *>(r.projected.data()), {n, r.components}, torch::kFloat).clone();
}

double correlation(const torch::Tensor &a, const torch::Tensor &b)
{
    const torch::Tensor x = a.to(torch::kDouble) - a.to(torch::kDouble).mean();
    const torch::Tensor y = b.to(torch::kDouble) - b.to(torch::kDouble).mean();
    return (x * y).sum().item<double>() / std::sqrt((x * x).sum().item<double>() * (y * y).sum().item<double>());
}

} // namespace

class TestPca : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void lineProjectsToOneComponent()
    {
        // Points a + t·u on a line in 3-D, far from the origin. u's largest entry
        // is −3, so the sign rule picks −u and the projection is −(t − mean t).
        const std::vector<double> ts{-4, -1, 0, 0.5, 2, 7.5};
        const double norm = std::sqrt(14.0);
        const double u[3] = {1 / norm, 2 / norm, -3 / norm}, a[3] = {1000, -500, 250};
        std::vector<float> data;
        for (double t : ts)
            for (int d = 0; d < 3; ++d)
                data.push_back(static_cast<float>(a[d] + t * u[d]));
        const double mean = 5.0 / 6.0;

        const PcaResult one = pcaProject(data.data(), 6, 3, 1);
        QCOMPARE(one.components, 1);
        QCOMPARE(one.projected.size(), std::size_t(6));
        QCOMPARE(one.explained.size(), std::size_t(1));
        QVERIFY2(std::abs(one.explained[0] - 1.0f) < 1e-4f, qPrintable(QString::number(one.explained[0])));
        for (std::size_t i = 0; i < ts.size(); ++i)
            QVERIFY2(std::abs(one.projected[i] + (ts[i] - mean)) < 2e-3,
                     qPrintable(QStringLiteral("point %1: %2").arg(i).arg(one.projected[i])));

        const PcaResult three = pcaProject(data.data(), 6, 3, 3);
        QCOMPARE(three.projected.size(), std::size_t(18));
        QVERIFY(std::abs(three.explained[0] - 1.0f) < 1e-4f);
        QVERIFY(std::abs(three.explained[1]) < 1e-4f && std::abs(three.explained[2]) < 1e-4f);
        for (std::size_t i = 0; i < ts.size(); ++i)
            QVERIFY(std::abs(three.projected[3 * i] - one.projected[i]) < 1e-3f);
    }

    void anisotropicCloudRecoversAxisOrder()
    {
        // Independent Gaussian coordinates with standard deviations 1, 5, 0.2,
        // 3, 0.5, rotated by an orthogonal matrix: the components come out in
        // the order 5, 3, 1, 0.5, 0.2, each the rotated axis with the sign that
        // makes its largest entry positive. The rotation is kept near the
        // identity so that each axis has one clearly largest entry.
        torch::manual_seed(7);
        const torch::Tensor sd = torch::tensor({1.0, 5.0, 0.2, 3.0, 0.5}, torch::kDouble);
        const torch::Tensor z = torch::randn({4000, 5}, torch::kDouble) * sd;
        const torch::Tensor rotation = std::get<0>(
            torch::linalg_qr(torch::eye(5, torch::kDouble) + 0.15 * torch::randn({5, 5}, torch::kDouble)));
        const torch::Tensor x = z.matmul(rotation.t()) + 3.0;

        const PcaResult r = project(x, 5);
        const torch::Tensor p = projectedTensor(r);
        const int order[5] = {1, 3, 0, 4, 2};
        const double variance[5] = {25, 9, 1, 0.25, 0.04};
        for (int j = 0; j < 5; ++j) {
            const torch::Tensor axis = rotation.select(1, order[j]);
            const torch::Tensor magnitudes = std::get<0>(axis.abs().sort(0, /*descending=*/true));
            QVERIFY((magnitudes[0] - magnitudes[1]).item<double>() > 0.2);
            const double sign = axis[axis.abs().argmax()].item<double>() > 0 ? 1.0 : -1.0;
            const double c = sign * correlation(p.select(1, j), z.select(1, order[j]));
            QVERIFY2(c > 0.99, qPrintable(QStringLiteral("component %1: correlation %2").arg(j).arg(c)));
            QVERIFY2(std::abs(r.explained[j] - variance[j] / 35.29) < 0.02,
                     qPrintable(QStringLiteral("component %1 explains %2").arg(j).arg(r.explained[j])));
            if (j > 0)
                QVERIFY(r.explained[j] <= r.explained[j - 1]);
        }
        double sum = 0;
        for (float e : r.explained)
            sum += e;
        QVERIFY2(std::abs(sum - 1.0) < 1e-4, qPrintable(QString::number(sum)));
    }

    void randomizedPathMatchesExactDecomposition()
    {
        // 2500 features (past the exact path's limit), 300 points with three
        // strong directions plus noise. Reference: the eigenvectors of the
        // 300×300 Gram matrix, written plainly, under the same sign rule.
        torch::manual_seed(11);
        const torch::Tensor basis = std::get<0>(torch::linalg_qr(torch::randn({2500, 3}, torch::kDouble)));
        const torch::Tensor x = (torch::randn({300, 3}, torch::kDouble) * torch::tensor({20.0, 10.0, 5.0}, torch::kDouble))
                                    .matmul(basis.t()) +
                                0.1 * torch::randn({300, 2500}, torch::kDouble);
        const torch::Tensor xc = x.to(torch::kFloat).to(torch::kDouble);
        const torch::Tensor centred = xc - xc.mean(0);
        auto [values, vectors] = torch::linalg_eigh(centred.matmul(centred.t()));
        const torch::Tensor s = values.flip({0}).narrow(0, 0, 3).sqrt();
        torch::Tensor v = centred.t().matmul(vectors.flip({1}).narrow(1, 0, 3)) / s;
        v = v * (1.0 - 2.0 * (v.gather(0, v.abs().argmax(0).unsqueeze(0)) < 0).to(torch::kDouble));
        const torch::Tensor expected = centred.matmul(v);
        const torch::Tensor total = centred.square().sum();

        const PcaResult r = project(x, 3, 42);
        const torch::Tensor p = projectedTensor(r).to(torch::kDouble);
        const double error = (p - expected).abs().max().item<double>();
        QVERIFY2(error < 1e-2 * expected.abs().max().item<double>(), qPrintable(QString::number(error)));
        for (int j = 0; j < 3; ++j) {
            const double ratio = (values.flip({0})[j] / total).item<double>();
            QVERIFY2(std::abs(r.explained[j] - ratio) < 1e-4,
                     qPrintable(QStringLiteral("component %1: %2 vs %3").arg(j).arg(r.explained[j]).arg(ratio)));
        }
    }

    void deterministic_data()
    {
        QTest::addColumn<int>("dim");
        QTest::newRow("exact") << 40;
        QTest::newRow("randomized") << 2100;
    }
    void deterministic()
    {
        QFETCH(int, dim);
        torch::manual_seed(3);
        // A decaying spectrum, as real embeddings have, so the top components are well defined.
        const torch::Tensor x = torch::randn({300, dim}) / torch::arange(1, dim + 1, torch::kFloat);
        const PcaResult a = project(x, 3, 5), b = project(x, 3, 5);
        QVERIFY(a.projected == b.projected);
        QVERIFY(a.explained == b.explained);
        // Another seed starts the randomized iteration elsewhere; the sign rule
        // still gives the same picture rather than a mirrored one.
        const PcaResult other = project(x, 3, 6);
        const torch::Tensor pa = projectedTensor(a), po = projectedTensor(other);
        const double error = (pa - po).abs().max().item<double>();
        QVERIFY2(error < 1e-3 * pa.abs().max().item<double>(), qPrintable(QString::number(error)));
    }

    void badArguments_data()
    {
        QTest::addColumn<bool>("nullData");
        QTest::addColumn<qint64>("n");
        QTest::addColumn<qint64>("dim");
        QTest::addColumn<int>("components");
        QTest::addColumn<bool>("nan");
        QTest::addColumn<QString>("message");
        QTest::newRow("null data") << true << qint64(4) << qint64(3) << 2 << false << "no data given";
        QTest::newRow("one point") << false << qint64(1) << qint64(3) << 2 << false << "at least 2 points, got 1";
        QTest::newRow("no features") << false << qint64(4) << qint64(0) << 1 << false << "at least 1 feature per point, got 0";
        QTest::newRow("zero components") << false << qint64(4) << qint64(3) << 0 << false
                                         << "components must be between 1 and the 3 features, got 0";
        QTest::newRow("too many components") << false << qint64(4) << qint64(3) << 4 << false
                                             << "components must be between 1 and the 3 features, got 4";
        QTest::newRow("nan") << false << qint64(4) << qint64(3) << 2 << true << "NaN or infinite";
    }
    void badArguments()
    {
        QFETCH(bool, nullData);
        QFETCH(qint64, n);
        QFETCH(qint64, dim);
        QFETCH(int, components);
        QFETCH(bool, nan);
        QFETCH(QString, message);
        std::vector<float> data(12, 1.0f);
        data[1] = 2.0f;
        if (nan)
            data[5] = std::nanf("");
        PDS_VERIFY_MESSAGE(test::messageOf<Error>([&] {
                               pcaProject(nullData ? nullptr : data.data(), n, dim, components);
                           }),
                           message);
    }

    void identicalPointsExplainNothing()
    {
        const std::vector<float> data(4 * 3, 2.5f);
        const PcaResult r = pcaProject(data.data(), 4, 3, 2);
        for (float v : r.projected)
            QCOMPARE(v, 0.0f);
        QCOMPARE(r.explained, (std::vector<float>{0.0f, 0.0f}));
    }
};

QTEST_GUILESS_MAIN(TestPca)
#include "tst_pca.moc"
