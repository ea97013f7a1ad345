#ifndef LVC_OPENSSL_SHIM_H
#define LVC_OPENSSL_SHIM_H
// SHA-256 from the system's OpenSSL libcrypto (Debian: libssl-dev). lvc uses the low-level
// SHA256_CTX API, deprecated in OpenSSL 3 but kept, because its state is a plain struct: a hash of
// a package prefix can be saved and resumed later (Documentation/Decisions/0013-sha256.md).
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>
#endif
