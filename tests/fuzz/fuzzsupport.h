#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

/// Helpers shared by the libFuzzer targets: a scratch folder per process and
/// a way to stop the fuzzer when a result breaks a reader's promise.
namespace pds::fuzz {

/// A folder of its own under the temporary folder ($TMPDIR), created on first
/// use, emptied before each input and removed when the process exits normally.
class ScratchDir {
public:
    ScratchDir()
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "pds-fuzz-XXXXXX").string();
        if (!mkdtemp(pattern.data())) {
            std::perror("pds fuzz: mkdtemp");
            std::abort();
        }
        m_path = pattern;
    }
    ~ScratchDir()
    {
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }
    ScratchDir(const ScratchDir &) = delete;
    ScratchDir &operator=(const ScratchDir &) = delete;

    const std::filesystem::path &path() const { return m_path; }

    /// Removes everything the previous input left behind.
    void clear() const
    {
        std::error_code ec;
        for (const auto &e : std::filesystem::directory_iterator(m_path, ec))
            std::filesystem::remove_all(e.path(), ec);
    }

private:
    std::filesystem::path m_path;
};

/// The process's scratch folder, emptied.
inline const ScratchDir &freshScratch()
{
    static const ScratchDir dir;
    dir.clear();
    return dir;
}

/// Writes bytes to a file, creating its folder; aborts when that fails, since
/// a fuzz input that never reaches the reader would hide nothing but waste time.
inline void writeFile(const std::filesystem::path &path, const std::uint8_t *data, std::size_t size)
{
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char *>(data), static_cast<std::streamsize>(size));
    if (!out) {
        std::fprintf(stderr, "pds fuzz: cannot write %s\n", path.c_str());
        std::abort();
    }
}

/// Stops the fuzzer with a message when a reader's result breaks an invariant
/// it promises (the message shows in the crash report).
inline void require(bool condition, const char *what)
{
    if (!condition) {
        std::fprintf(stderr, "pds fuzz: invariant broken: %s\n", what);
        std::abort();
    }
}

} // namespace pds::fuzz
