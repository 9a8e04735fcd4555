/* SPDX-License-Identifier: MIT */
/*
 * vfu_dasd_server: the test DASD host (vfu_dasd_host.h) as a process, for
 * the zvfio-guest tests, the kill test and the bench, until zvfiod serves
 * its default host.  Prints one socket path per device, then "ready", and
 * serves until SIGINT, SIGTERM or the end of stdin.
 *   vfu_dasd_server KINDS [LATENCY_US]     (KINDS: e.g. FE, FFFF)
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vfu_dasd_host.h"

int
main(int argc, char **argv)
{
    struct dasd_config cfg = {0};
    struct vfu_dasd_host h;
    sigset_t set;
    int sig;

    if (argc < 2) {
        fprintf(stderr, "usage: vfu_dasd_server KINDS [LATENCY_US]\n");
        return 2;
    }
    if (argc > 2)
        cfg.latency_ns = strtoull(argv[2], NULL, 0) * 1000;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (vfu_dasd_host_new(&h, argv[1], 0, 0, &cfg) || vfu_dasd_host_start(&h)) {
        fprintf(stderr, "vfu_dasd_server: cannot set up the host\n");
        return 1;
    }
    for (unsigned i = 0; i < h.n; i++)
        printf("%s\n", h.d[i].path);
    printf("ready\n");
    fflush(stdout);
    if (isatty(STDIN_FILENO) || argc > 3) {
        sigwait(&set, &sig);
    } else {
        char c;

        pthread_sigmask(SIG_UNBLOCK, &set, NULL);
        while (read(STDIN_FILENO, &c, 1) > 0)
            ;
    }
    vfu_dasd_host_free(&h);
    return 0;
}
