// pdepth-check: checks run files without LibTorch, for `pdepth check` and
// for the check the CLI and the Studio run in a child process before they
// open a file. Usage: pdepth-check [--quick] [--machine] [--] FILE...
// Exit status 0 when every file is sound, 1 when any has a problem, 2 on bad usage.

#include "store/guardedopen.h"
#include "store/integrity.h"

#include <cstdio>
#include <string>
#include <vector>

namespace {

/// Tabs and newlines inside a field would break the one-record-per-line protocol.
std::string oneLine(std::string s)
{
    for (char &c : s)
        if (c == '\t' || c == '\n' || c == '\r')
            c = ' ';
    return s;
}

} // namespace

int main(int argc, char **argv)
{
    namespace cp = pds::checkprotocol;
    bool quick = false, machine = false, options = true;
    std::vector<std::string> files;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (options && a == "--quick")
            quick = true;
        else if (options && a == "--machine")
            machine = true;
        else if (options && a == "--")
            options = false;
        else if (options && a.rfind("-", 0) == 0) {
            std::fprintf(stderr, "pdepth-check: unknown option %s\nusage: pdepth-check [--quick] [--machine] FILE...\n",
                         a.c_str());
            return 2;
        } else
            files.push_back(a);
    }
    if (files.empty()) {
        std::fprintf(stderr, "usage: pdepth-check [--quick] [--machine] FILE...\n");
        return 2;
    }
    // Unbuffered, so the parent sees which object was being read if the library crashes on it.
    std::setvbuf(stdout, nullptr, _IONBF, 0);
    bool allOk = true;
    for (const auto &file : files) {
        pds::h5::ObjectProgress progress;
        if (machine)
            progress = [](const std::string &object) {
                std::printf("%s\t%s\n", cp::kReading, oneLine(object).c_str());
            };
        const pds::FileCheck c = pds::checkRunFile(file, quick, progress);
        allOk = allOk && c.ok();
        for (const auto &note : c.notes) {
            if (machine)
                std::printf("%s\t%s\n", cp::kNote, oneLine(note).c_str());
            else
                std::printf("%s: note: %s\n", file.c_str(), note.c_str());
        }
        for (const auto &p : c.problems) {
            if (machine)
                std::printf("%s\t%s\t%s\n", cp::kProblem, oneLine(p.object).c_str(), oneLine(p.what).c_str());
            else
                std::printf("%s: %s: %s\n", file.c_str(), p.object.c_str(), p.what.c_str());
        }
        if (!machine && c.ok())
            std::printf("%s: ok (format version %d%s)\n", file.c_str(), c.formatVersion,
                        quick ? ", structure and attributes" : ", every dataset read");
    }
    return allOk ? 0 : 1;
}
