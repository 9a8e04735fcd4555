/* SPDX-License-Identifier: MIT */
/* All architected formats.  Byte order is converted here and nowhere else. */
#ifndef ZV_ARCH_ARCH_H
#define ZV_ARCH_ARCH_H

#include "arch/ap.h"
#include "arch/ap_msg.h"
#include "arch/ccw.h"
#include "arch/cmb.h"
#include "arch/crw.h"
#include "arch/irb.h"
#include "arch/orb.h"
#include "arch/pic.h"
#include "arch/schib.h"
#include "arch/schid.h"
#include "arch/sense.h"

#include "base/bytes.h"

#endif
