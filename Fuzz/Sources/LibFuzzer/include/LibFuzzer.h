#ifndef LVC_FUZZ_LIBFUZZER_H
#define LVC_FUZZ_LIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

// libFuzzer's driver, for programs that have a main of their own (SwiftPM gives every executable
// one). Linked from the toolchain's libclang_rt.fuzzer by -sanitize=fuzzer.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
