/* SPDX-License-Identifier: MIT */
/* The public header compiles alone. */
#include <zvfio/vfio_user.h>

int
main(void)
{
    return 0;
}
