#include "study/members.h"

#include "data/transforms.h"
#include "util/seeds.h"

#include <cmath>

namespace pds {

std::uint64_t memberSeed(std::uint64_t seed, int member)
{
    return seed + static_cast<std::uint64_t>(member);
}

std::vector<std::uint8_t> memberMask(const std::vector<std::int32_t> &labels, int numClasses,
                                     const StudyConfig &study, std::uint64_t seed)
{
    const auto n = static_cast<std::int64_t>(labels.size());
    std::vector<std::uint8_t> mask(labels.size(), 0);
    if (study.ratio >= 1.0) {
        mask.assign(labels.size(), 1);
        return mask;
    }
    const bool paired = study.ratio == 0.5 && study.models % 2 == 0;
    if (paired) {
        const int pair = study.member / 2;
        const auto half = stratifiedSubset(labels, numClasses, n / 2,
                                           seed * seeds::kSpread + seeds::kPair + std::uint64_t(pair));
        for (auto i : half)
            mask[static_cast<std::size_t>(i)] = 1;
        if (study.member % 2 == 1)
            for (auto &m : mask)
                m = m ? 0 : 1;
        return mask;
    }
    const auto count = static_cast<std::int64_t>(std::llround(study.ratio * double(n)));
    const auto subset = stratifiedSubset(labels, numClasses, count,
                                         seed * seeds::kSpread + seeds::kMember
                                             + std::uint64_t(study.member));
    for (auto i : subset)
        mask[static_cast<std::size_t>(i)] = 1;
    return mask;
}

} // namespace pds
