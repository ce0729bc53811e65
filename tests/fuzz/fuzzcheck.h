#pragma once
// Shared by the fuzz targets: an invariant that must hold for every input. A break prints what
// was expected and abort()s, which libFuzzer reports as a crash (and saves the input) and the
// replay tests report as a failed test.
#include <cstdio>
#include <cstdlib>

#define SETIA_FUZZ_CHECK(cond)                                                                          \
    do {                                                                                               \
        if (!(cond)) {                                                                                 \
            std::fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond);           \
            std::abort();                                                                              \
        }                                                                                              \
    } while (false)

// The fuzz entry point every target defines (libFuzzer's, also called by fuzz_replay.cpp).
extern "C" int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
