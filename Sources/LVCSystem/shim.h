#ifndef LVC_SYSTEM_SHIM_H
#define LVC_SYSTEM_SHIM_H

// glibc calls that the Swift Glibc module does not import: malloc's controls (decision 0023),
// sync_file_range (decision 0024) and O_PATH, both GNU extensions. Each is a no-op where glibc or
// Linux is not there.

#include <sys/types.h>
#include <fcntl.h>
#if __has_include(<malloc.h>)
#include <malloc.h>
#endif

// Gives the memory that malloc holds free back to the system.
static inline void lvc_release_free_memory(void) {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

#if defined(__linux__) && defined(__GLIBC__)
// As <fcntl.h> declares it with _GNU_SOURCE, which the Glibc module is built without.
extern int sync_file_range(int fd, __off64_t offset, __off64_t count, unsigned int flags);
#endif

// Starts writing the given range of an open file's dirty pages to the disk, without waiting for
// it and without committing any metadata: a later fsync then waits only for what is still in
// flight. Returns 0, or -1 with errno set (the caller may ignore it: nothing depends on it).
static inline int lvc_start_writeback(int fd, long long offset, long long count) {
#if defined(__linux__) && defined(__GLIBC__)
    return sync_file_range(fd, offset, count, 2 /* SYNC_FILE_RANGE_WRITE */);
#else
    (void)fd; (void)offset; (void)count;
    return 0;
#endif
}

// The open flag for a descriptor that only names a folder for the *at calls (fstatat, openat),
// without opening it for reading: Linux's O_PATH, which <fcntl.h> defines only with _GNU_SOURCE.
// Where there is none, 0 (O_RDONLY): an ordinary descriptor serves the same calls.
static inline int lvc_path_only_flag(void) {
#if defined(__linux__) && defined(__O_PATH)
    return __O_PATH;
#else
    return 0;
#endif
}

#endif
