// A fuzz target without libFuzzer: the ordinary (gcc, asan) builds link each target's
// LLVMFuzzerTestOneInput with this main, so every harness is compiled and run by ctest
// (fuzz_*_replay, label fuzz).
//
//   fuzz_hid_replay [FILE|DIR]...
//
// Without arguments: every file of the target's seed corpus (SETIA_FUZZ_CORPUS_DIR), then
// kGenerated deterministic pseudo-random inputs — random bytes, and seeds with bytes flipped,
// inserted, removed and spliced — from a fixed xorshift seed, so every run feeds the same
// inputs. With arguments: exactly those files (a crash input from the libFuzzer build, say).
// An invariant break abort()s (the test fails); a missing or empty corpus fails too.
#include "fuzzcheck.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

constexpr int kGenerated = 3000;
constexpr size_t kMaxGeneratedSize = 600;

using Bytes = std::vector<unsigned char>;

bool readFile(const fs::path &path, Bytes &out)
{
    std::ifstream f(path, std::ios::binary);
    if (!f)
        return false;
    out.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    return true;
}

// Regular files under path (itself when it is one), sorted for a stable order.
std::vector<fs::path> filesUnder(const fs::path &path)
{
    std::vector<fs::path> files;
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) {
        files.push_back(path);
    } else if (fs::is_directory(path, ec)) {
        for (const auto &entry : fs::recursive_directory_iterator(path, ec))
            if (entry.is_regular_file())
                files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

struct XorShift {
    uint64_t s = 0x5E71A5EEDULL;
    uint64_t next()
    {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
    size_t below(size_t n) { return n ? size_t(next() % n) : 0; }
};

Bytes generate(XorShift &rng, const std::vector<Bytes> &seeds)
{
    Bytes b;
    if (seeds.empty() || rng.below(4) == 0) {
        b.resize(rng.below(kMaxGeneratedSize));
        for (auto &c : b)
            c = static_cast<unsigned char>(rng.next());
        return b;
    }
    b = seeds[rng.below(seeds.size())];
    const size_t edits = 1 + rng.below(8);
    for (size_t e = 0; e < edits; ++e) {
        switch (rng.below(5)) {
        case 0: // flip a bit
            if (!b.empty())
                b[rng.below(b.size())] ^= static_cast<unsigned char>(1u << rng.below(8));
            break;
        case 1: // a random byte
            if (!b.empty())
                b[rng.below(b.size())] = static_cast<unsigned char>(rng.next());
            break;
        case 2: // insert a byte
            if (b.size() < kMaxGeneratedSize)
                b.insert(b.begin() + long(rng.below(b.size() + 1)), static_cast<unsigned char>(rng.next()));
            break;
        case 3: // remove a byte
            if (!b.empty())
                b.erase(b.begin() + long(rng.below(b.size())));
            break;
        default: { // splice in a piece of another seed
            const Bytes &other = seeds[rng.below(seeds.size())];
            if (other.empty())
                break;
            const size_t from = rng.below(other.size());
            const size_t len = std::min(other.size() - from, 1 + rng.below(64));
            b.insert(b.begin() + long(rng.below(b.size() + 1)), other.begin() + long(from),
                     other.begin() + long(from + len));
            break;
        }
        }
    }
    if (b.size() > kMaxGeneratedSize)
        b.resize(kMaxGeneratedSize);
    return b;
}

void run(const Bytes &b)
{
    LLVMFuzzerTestOneInput(b.empty() ? nullptr : b.data(), b.size());
}

} // namespace

int main(int argc, char **argv)
{
    if (argc > 1) {
        int n = 0;
        for (int i = 1; i < argc; ++i)
            for (const fs::path &file : filesUnder(argv[i])) {
                Bytes b;
                if (!readFile(file, b)) {
                    std::fprintf(stderr, "cannot read %s\n", file.c_str());
                    return 1;
                }
                std::fprintf(stderr, "running %s (%zu bytes)\n", file.c_str(), b.size());
                run(b);
                ++n;
            }
        if (n == 0) {
            std::fprintf(stderr, "no input files in the arguments\n");
            return 1;
        }
        std::printf("%d inputs: no invariant broken\n", n);
        return 0;
    }

    std::vector<Bytes> seeds;
    for (const fs::path &file : filesUnder(SETIA_FUZZ_CORPUS_DIR)) {
        Bytes b;
        if (!readFile(file, b)) {
            std::fprintf(stderr, "cannot read %s\n", file.c_str());
            return 1;
        }
        seeds.push_back(std::move(b));
    }
    if (seeds.empty()) {
        std::fprintf(stderr, "no seed files in %s: the corpus is missing\n", SETIA_FUZZ_CORPUS_DIR);
        return 1;
    }
    for (const Bytes &b : seeds)
        run(b);
    run({});
    XorShift rng;
    for (int i = 0; i < kGenerated; ++i)
        run(generate(rng, seeds));
    std::printf("%zu seeds from %s and %d generated inputs: no invariant broken\n", seeds.size(),
                SETIA_FUZZ_CORPUS_DIR, kGenerated);
    return 0;
}
