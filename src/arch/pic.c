/* SPDX-License-Identifier: MIT */
#include "arch/pic.h"

/* Names as in PoP Figure 6-1, for logs and test messages. */
const char *
zv_pic_name(enum zv_pic pic)
{
    switch (pic) {
    case ZV_PIC_NONE:
        return "none";
    case ZV_PIC_OPERATION:
        return "operation";
    case ZV_PIC_PRIVILEGED:
        return "privileged-operation";
    case ZV_PIC_PROTECTION:
        return "protection";
    case ZV_PIC_ADDRESSING:
        return "addressing";
    case ZV_PIC_SPECIFICATION:
        return "specification";
    case ZV_PIC_OPERAND:
        return "operand";
    }
    return "unknown";
}
