#pragma once

#include "train/config.h"

#include <cstdint>
#include <vector>

namespace pds {

/// Which train-split examples member `study.member` trains on (1) and holds
/// out (0). Ratio 1: all. Ratio 0.5 with an even ensemble: paired halves as in
/// Baldock et al. — members 2i and 2i+1 split the examples into complementary,
/// class-stratified halves, so every example is in the train split of half the
/// models and held out by the other half. Any other ratio: a class-stratified
/// random subset of round(ratio·N) per member.
std::vector<std::uint8_t> memberMask(const std::vector<std::int32_t> &labels, int numClasses,
                                     const StudyConfig &study, std::uint64_t seed);

/// The seed a member trains with.
std::uint64_t memberSeed(std::uint64_t seed, int member);

} // namespace pds
