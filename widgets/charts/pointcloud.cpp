#include "charts/pointcloud.h"

#include <vtkCamera.h>
#include <vtkMatrix4x4.h>
#include <vtkPolyData.h>
#include <vtkRenderer.h>

#include <limits>

namespace pds {

double pointSize(std::int64_t n)
{
    return n <= 2000 ? 8.0 : n <= 20000 ? 5.0 : 3.0;
}

std::vector<float> displayPositions(vtkRenderer *renderer, vtkPolyData *cloud)
{
    const vtkIdType n = cloud->GetNumberOfPoints();
    const int *size = renderer->GetSize();
    if (n == 0 || size[0] <= 0 || size[1] <= 0)
        return {};
    vtkMatrix4x4 *m = renderer->GetActiveCamera()->GetCompositeProjectionTransformMatrix(
        renderer->GetTiledAspectRatio(), -1, 1);
    const int *origin = renderer->GetOrigin();
    std::vector<float> out(static_cast<std::size_t>(n * 3), std::numeric_limits<float>::quiet_NaN());
    for (vtkIdType i = 0; i < n; ++i) {
        double p[3], v[4];
        cloud->GetPoint(i, p);
        for (int r = 0; r < 4; ++r)
            v[r] = m->GetElement(r, 0) * p[0] + m->GetElement(r, 1) * p[1] + m->GetElement(r, 2) * p[2] + m->GetElement(r, 3);
        if (v[3] <= 0)
            continue;
        out[static_cast<std::size_t>(3 * i)] = static_cast<float>((v[0] / v[3] + 1.0) * size[0] / 2.0 + origin[0]);
        out[static_cast<std::size_t>(3 * i + 1)] = static_cast<float>((v[1] / v[3] + 1.0) * size[1] / 2.0 + origin[1]);
        out[static_cast<std::size_t>(3 * i + 2)] = static_cast<float>(v[2] / v[3]);
    }
    return out;
}

} // namespace pds
