#ifndef LVC_MALLOC_SHIM_H
#define LVC_MALLOC_SHIM_H

// glibc's malloc controls, which the Glibc module does not import (decision 0023).
#if __has_include(<malloc.h>)
#include <malloc.h>
#endif

// Gives the memory that malloc holds free back to the system; a no-op where glibc is not the
// allocator.
static inline void lvc_release_free_memory(void) {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

#endif
