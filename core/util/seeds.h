#pragma once

#include <cstdint>

namespace pds {

/// The constants that derive one random stream from a run's seed. Each stream
/// (shuffle order, LLF re-initialisation, label noise, study subsets) adds its
/// own salt, so that two streams of the same seed never draw the same numbers;
/// the salts spell the stream's name in ASCII, which keeps them distinct and
/// readable in a debugger. Changing any of them changes every result.
namespace seeds {

/// 2^64 divided by the golden ratio (Fibonacci hashing): multiplying by it
/// spreads consecutive seeds over the whole 64-bit range.
constexpr std::uint64_t kSpread = 0x9e3779b97f4a7c15ULL;
/// A prime that keeps LibTorch's per-epoch seeds of seeds s and s + 1 apart
/// for any run shorter than a million epochs.
constexpr std::uint64_t kEpochStride = 1000003ULL;
/// "train": the order in which each epoch visits the training examples.
constexpr std::uint64_t kShuffle = 0x747261696eULL;
/// "llf": the weights drawn when LLF re-initialises the late layers.
constexpr std::uint64_t kLlf = 0x6c6c66ULL;
/// "noise": which labels label noise changes (xor-ed with the noise seed).
constexpr std::uint64_t kNoise = 0x6e6f697365ULL;
/// "pair": which half of the train split each pair of study members takes.
constexpr std::uint64_t kPair = 0x70616972ULL;
/// The test split's --test-limit subset draws with seed + 1, so that it is not
/// the same draw as the train split's --limit subset (which uses the seed).
constexpr std::uint64_t kTestSubset = 1ULL;
/// "memb": the subset a study member trains on when the ratio is not one half.
constexpr std::uint64_t kMember = 0x6d656d62ULL;

/// "regr": which regression targets noise changes (xor-ed with the noise seed).
constexpr std::uint64_t kTargetNoise = 0x72656772ULL;
/// "jitt": the window of target values each expert epoch of ConFrag trains on.
constexpr std::uint64_t kJitter = 0x6a697474ULL;
/// "sele": the Bernoulli draws of ConFrag's selection.
constexpr std::uint64_t kSelection = 0x73656c65ULL;
/// "rota": the angle each image of the rotation benchmark is turned by.
constexpr std::uint64_t kRotation = 0x726f7461ULL;

} // namespace seeds
} // namespace pds
