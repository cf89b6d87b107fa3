/* xv6 compatibility: struct stat and T_DIR/T_FILE/T_DEVICE (lazuli/stat.h). */
#ifndef LAZULI_COMPAT_STAT_H
#define LAZULI_COMPAT_STAT_H

#include "lazuli/stat.h"

#endif
