// Only the header matters: the driver is in the toolchain's libFuzzer.
#include "LibFuzzer.h"
