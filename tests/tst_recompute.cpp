// Recomputes every k-NN prediction and prediction depth of a small study from
// its file alone, with an implementation that shares nothing with the probe
// code (NumPy in float64, read through h5py), and requires exact equality.

#include "study/study.h"
#include "testsupport.h"

#include <QtTest/QtTest>

using namespace pds;

namespace {

/// Each class lights a square of its own on noise, except the last: its images
/// are exact copies of the image before them (of the class before it), so equal
/// distances occur at every probe and the tie rule decides many predictions.
void writeDataWithDuplicates(const std::string &dir, int classes, int perClass, int perClassTest, int size)
{
    std::uint32_t state = 12345;
    auto below = [&](std::uint32_t n) {
        state = state * 1664525u + 1013904223u;
        return (state >> 8) % n;
    };
    auto make = [&](int perClassCount, const std::string &images, const std::string &labelsName) {
        std::vector<std::uint8_t> pixels, labels;
        const int n = classes * perClassCount;
        const auto area = static_cast<std::size_t>(size * size);
        for (int i = 0; i < n; ++i) {
            const int c = i % classes;
            labels.push_back(static_cast<std::uint8_t>(c));
            if (c == classes - 1) {
                const std::vector<std::uint8_t> previous(pixels.end() - static_cast<std::ptrdiff_t>(area), pixels.end());
                pixels.insert(pixels.end(), previous.begin(), previous.end());
                continue;
            }
            const int cy = (c / 3) * 4, cx = (c % 3) * 4;
            for (int y = 0; y < size; ++y)
                for (int x = 0; x < size; ++x) {
                    const bool on = y >= cy && y < cy + 3 && x >= cx && x < cx + 3;
                    pixels.push_back(static_cast<std::uint8_t>(on ? 190 + below(60) : below(80)));
                }
        }
        pds::test::writeBytes(dir + "/" + images,
                              pds::test::idxBytes({std::uint32_t(n), std::uint32_t(size), std::uint32_t(size)}, pixels));
        pds::test::writeBytes(dir + "/" + labelsName, pds::test::idxBytes({std::uint32_t(n)}, labels));
    };
    make(perClass, "train-images-idx3-ubyte", "train-labels-idx1-ubyte");
    make(perClassTest, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");
}

/// The definitions of docs/difficulty.md, written plainly in NumPy: float64
/// distances Σ(x − s)², neighbours ordered by (distance, support row), uniform
/// vote, a tied vote to the class of the nearest tied neighbour; depth the
/// first probe from which every k-NN prediction equals the final prediction.
const char *kRecompute = R"PY(
import sys, h5py, numpy as np

def knn(support, labels, queries, self_rows, k, classes):
    out = np.empty(len(queries), dtype=np.int64)
    rows = np.arange(len(support))
    for q in range(len(queries)):
        d = ((queries[q][None, :] - support) ** 2).sum(axis=1)
        keep = rows != self_rows[q]
        order = np.lexsort((rows[keep], d[keep]))[:k]
        near = labels[keep][order]
        counts = np.bincount(near, minlength=classes)
        tied = counts == counts.max()
        out[q] = next(c for c in near if tied[c])
    return out

def depth(knn_rows, final):
    p = knn_rows.shape[0]
    d = np.full(final.shape, p, dtype=np.int64)
    for i in range(final.shape[0]):
        l = p
        while l > 0 and knn_rows[l - 1, i] == final[i]:
            l -= 1
        d[i] = l
    return d

f = h5py.File(sys.argv[1], 'r')
labels = f['dataset/train/label'][:].astype(np.int64)
classes = len(f['dataset'].attrs['class_names'])
models = predictions = depths = ties = 0
bad = []
for name in sorted(f['models']):
    m = f['models'][name]
    pr = m['probes']
    k = int(pr.attrs['k'])
    in_train = m['in_train'][:].astype(bool)
    support_rows = np.flatnonzero(in_train)
    position = np.full(len(in_train), -1)
    position[support_rows] = np.arange(len(support_rows))
    probes = [p.decode() if isinstance(p, bytes) else p for p in pr.attrs['probe_names']]
    dtype = pr.attrs['embeddings_dtype']
    dtype = np.dtype(dtype.decode() if isinstance(dtype, bytes) else dtype)
    for split in ('train', 'test'):
        rows = []
        for probe in probes:
            stored = m['embeddings'][split][probe]
            assert stored.dtype == dtype == np.dtype(sys.argv[2]), (stored.dtype, dtype)
            train_emb = m['embeddings']['train'][probe][:].astype(np.float64)
            queries = stored[:].astype(np.float64)
            self_rows = position if split == 'train' else np.full(len(queries), -1)
            s = train_emb[support_rows]
            dd = ((s[:, None, :] - s[None, :, :]) ** 2).sum(axis=2)
            ties += int((dd[np.triu_indices(len(s), 1)] == 0).sum())
            rows.append(knn(s, labels[support_rows], queries, self_rows, k, classes))
        rows = np.array(rows)
        got = pr['knn_pred_' + split][:]
        for l in range(len(probes)):
            for i in np.flatnonzero(rows[l] != got[l]):
                bad.append('%s %s probe %s example %d: recomputed %d, stored %d' % (name, split, probes[l], i, rows[l][i], got[l][i]))
        final = m['scores'][split]['final_pred'][:].astype(np.int64)
        d = depth(rows, final)
        stored_depth = pr['depth_' + split][:]
        for i in np.flatnonzero(d != stored_depth):
            bad.append('%s %s depth of example %d: recomputed %d, stored %d' % (name, split, i, d[i], stored_depth[i]))
        predictions += rows.size
        depths += d.size
    models += 1
for b in bad[:20]:
    print(b)
print('models %d predictions %d depths %d equal-pairs %d mismatches %d' % (models, predictions, depths, ties, len(bad)))
)PY";

} // namespace

class TestRecompute : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void depthsRecomputeExactlyFromTheFile_data()
    {
        QTest::addColumn<QString>("dtype");
        QTest::newRow("float16") << QString("float16");
        QTest::newRow("float32") << QString("float32");
    }

    void depthsRecomputeExactlyFromTheFile()
    {
        QFETCH(QString, dtype);
        QTemporaryDir dir;
        RunConfig c;
        c.dataset.name = "synthetic";
        c.dataset.format = "idx";
        c.dataset.path = dir.filePath("data").toStdString();
        QVERIFY(QDir().mkpath(dir.filePath("data")));
        writeDataWithDuplicates(c.dataset.path, 4, 35, 10, 12);
        c.model.arch = "cnn";
        c.model.widthMultiplier = 0.25;
        c.train.epochs = 2;
        c.train.batchSize = 32;
        c.train.device = DeviceChoice::Cpu;
        c.train.threads = 1;
        c.study.models = 2;
        c.study.ratio = 0.5;
        c.study.k = 30;
        c.study.maxFeatures = 64; // pools every convolutional probe
        c.study.embeddings = "all";
        c.study.embeddingsDtype = parseSetting<EmbeddingsDtype>(dtype.toStdString(), "dtype", {});
        c.output = dir.filePath("study.h5").toStdString();
        CancelToken cancel;
        const StudyResult r = StudyJob(c).run(nullptr, cancel);
        QCOMPARE(r.status, std::string("complete"));

        const QString script = QString::fromUtf8(kRecompute)
                                   .replace("sys.argv[1]", "r'" + QString::fromStdString(c.output) + "'")
                                   .replace("sys.argv[2]", "'" + dtype + "'");
        bool ok = false;
        const QString out = pds::test::runPython(script, &ok);
        QVERIFY2(ok, qPrintable(out));
        qInfo().noquote() << out.trimmed().split('\n').last();
        // 2 models × 6 probes × (140 train + 40 test) predictions; 2 × 180 depths.
        PDS_VERIFY_MESSAGE(out, "models 2 predictions 2160 depths 360");
        // Exact for both dtypes: the probe's final distances are fixed-order
        // sums, so duplicates are equally far and the index rule settles them
        // (docs/difficulty.md).
        QVERIFY2(out.contains(" mismatches 0\n"), qPrintable(out));

        // The same recompute with equal distances ordered the other way (higher
        // row first) disagrees: the ties in this data decide real predictions,
        // so the check above would notice a probe that settled them otherwise.
        QString reversed = script;
        reversed.replace("np.lexsort((rows[keep], d[keep]))", "np.lexsort((-rows[keep], d[keep]))");
        QVERIFY(reversed != script);
        const QString outReversed = pds::test::runPython(reversed, &ok);
        QVERIFY2(ok, qPrintable(outReversed));
        qInfo().noquote() << "higher row first:" << outReversed.trimmed().split('\n').last();
        QVERIFY2(!outReversed.contains(" mismatches 0\n"), qPrintable(outReversed));
    }
};

QTEST_GUILESS_MAIN(TestRecompute)
#include "tst_recompute.moc"
