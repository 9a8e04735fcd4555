/* SPDX-License-Identifier: MIT */
/* The public header compiles alone. */
#include <zvfio/client.h>

int
main(void)
{
    return 0;
}
