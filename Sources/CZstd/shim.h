#ifndef SEDIMENT_CZSTD_SHIM_H
#define SEDIMENT_CZSTD_SHIM_H

/* zstd from the system (Debian: libzstd-dev): the one-shot calls the pack store uses. */
#include <zstd.h>

#endif
