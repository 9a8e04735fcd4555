/* SPDX-License-Identifier: MIT */
/*
 * zvfio-guest as a process against devices served in this process (an
 * FBA and a CDL ECKD): what online prints, write/read round trips through
 * the tool, verify, bench's summary, the refused usages and their exit
 * codes, the missing-socket hint, and watch: a channel path configured
 * off shows as a CRW and a path change, a vanished subchannel (REQ IRQ)
 * ends the tool with "device lost".
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "vfu_dasd_host.h"

#define OUT_MAX 65536

struct proc {
    pid_t pid;
    int fd; /* stdout + stderr */
    char out[OUT_MAX];
    size_t len;
};

static void
spawn(struct proc *p, char *const *argv)
{
    int pfd[2];

    assert_int_equal(pipe(pfd), 0);
    p->len = 0;
    p->out[0] = '\0';
    p->pid = fork();
    assert_true(p->pid >= 0);
    if (p->pid == 0) {
        dup2(pfd[1], STDOUT_FILENO);
        dup2(pfd[1], STDERR_FILENO);
        close(pfd[0]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(pfd[1]);
    p->fd = pfd[0];
}

/* Read output until needle shows up (NULL: until EOF) or timeout_ms. */
static bool
read_until(struct proc *p, const char *needle, int timeout_ms)
{
    struct pollfd pf = {.fd = p->fd, .events = POLLIN};

    while (!needle || !strstr(p->out, needle)) {
        ssize_t n;

        if (poll(&pf, 1, timeout_ms) <= 0)
            return false;
        n = read(p->fd, p->out + p->len, OUT_MAX - 1 - p->len);
        if (n <= 0)
            return needle == NULL;
        p->len += (size_t)n;
        p->out[p->len] = '\0';
    }
    return true;
}

static int
finish(struct proc *p)
{
    int status;

    read_until(p, NULL, 30000);
    close(p->fd);
    assert_int_equal(waitpid(p->pid, &status, 0), p->pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* Run the tool with the arguments (NULL-terminated) and its exit code. */
static int
tool(struct proc *p, ...)
{
    char *argv[24];
    va_list ap;
    int n = 0;

    argv[n++] = getenv("ZVFIO_GUEST");
    assert_non_null(argv[0]);
    va_start(ap, p);
    while (n < 23 && (argv[n] = va_arg(ap, char *)))
        n++;
    va_end(ap);
    argv[n] = NULL;
    spawn(p, argv);
    return finish(p);
}

static struct vfu_dasd_host host;
static struct proc pr;

static int
setup(void **state)
{
    signal(SIGPIPE, SIG_IGN);
    if (vfu_dasd_host_new(&host, "FE", 0, 0, NULL) ||
        vfu_dasd_host_start(&host))
        return -1;
    return 0;
}

static int
teardown(void **state)
{
    vfu_dasd_host_free(&host);
    return 0;
}

static void
online_prints_what_it_found(void **state)
{
    assert_int_equal(tool(&pr, "-s", host.d[0].path, "online", NULL), 0);
    assert_non_null(strstr(pr.out, "9336"));
    assert_non_null(strstr(pr.out, "(FBA)"));
    assert_non_null(strstr(pr.out, "block size:  512"));
    assert_non_null(strstr(pr.out, "blocks:      16384"));
    assert_int_equal(tool(&pr, "-s", host.d[1].path, "online", NULL), 0);
    assert_non_null(strstr(pr.out, "3390"));
    assert_non_null(strstr(pr.out, "10 cylinders, 15 heads"));
    assert_non_null(strstr(pr.out, "layout:      CDL"));
    assert_non_null(strstr(pr.out, "volser:      ZV0001"));
}

static void
write_then_read_back(void **state)
{
    char file[192], in[192];
    uint8_t buf[1024], src[1000];
    int fd;

    assert_int_equal(tool(&pr, "-s", host.d[0].path, "write", "100", "2",
                          "--pattern", "0xa5", NULL),
                     0);
    assert_int_equal(tool(&pr, "-s", host.d[0].path, "read", "100", NULL), 0);
    assert_non_null(strstr(pr.out, "0000c800  a5 a5 a5"));
    /* from a file shorter than the blocks: the rest is zeros */
    snprintf(in, sizeof(in), "%s/in.bin", host.dir);
    snprintf(file, sizeof(file), "%s/out.bin", host.dir);
    for (size_t i = 0; i < sizeof(src); i++)
        src[i] = (uint8_t)(i * 7);
    fd = open(in, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_int_equal(write(fd, src, sizeof(src)), (ssize_t)sizeof(src));
    close(fd);
    assert_int_equal(
        tool(&pr, "-s", host.d[0].path, "write", "7", "--from", in, NULL), 0);
    assert_non_null(strstr(pr.out, "wrote 2 blocks at 7"));
    assert_int_equal(
        tool(&pr, "-s", host.d[0].path, "read", "7", "2", "--out", file, NULL),
        0);
    fd = open(file, O_RDONLY);
    assert_int_equal(read(fd, buf, sizeof(buf)), 1024);
    close(fd);
    assert_memory_equal(buf, src, sizeof(src));
    for (size_t i = sizeof(src); i < sizeof(buf); i++)
        assert_int_equal(buf[i], 0);
    unlink(in);
    unlink(file);
}

static void
verify_and_bench(void **state)
{
    assert_int_equal(
        tool(&pr, "-s", host.d[1].path, "verify", "--count", "16", NULL), 0);
    assert_non_null(strstr(pr.out, "verify: 16 runs, 0 mismatches"));
    assert_int_equal(tool(&pr, "-s", host.d[0].path, "-s", host.d[1].path,
                          "bench", "--rw", "randwrite", "--time", "0.5", NULL),
                     0);
    assert_non_null(strstr(pr.out, "devices=2"));
    assert_non_null(strstr(pr.out, "IOPS="));
    assert_non_null(strstr(pr.out, "p99.9="));
}

static void
refusals_have_messages_and_exit_codes(void **state)
{
    assert_int_equal(tool(&pr, "-s", "/nonexistent/x.sock", "online", NULL), 1);
    assert_non_null(strstr(pr.out, "zvfiod"));
    assert_int_equal(tool(&pr, "online", NULL), 2);
    assert_int_equal(tool(&pr, "-s", host.d[0].path, "frobnicate", NULL), 2);
    assert_int_equal(
        tool(&pr, "-s", host.d[0].path, "bench", "--iodepth", "4", NULL), 2);
    assert_int_equal(tool(&pr, "-s", host.d[0].path, "read", "16384", NULL), 1);
    assert_non_null(strstr(pr.out, "past the end"));
    assert_int_equal(tool(&pr, "-s", host.d[0].path, "bench", "--bs", "100",
                          "--time", "0.2", NULL),
                     2);
    assert_int_equal(tool(&pr, "--help", NULL), 0);
    assert_non_null(strstr(pr.out, "EXIT STATUS"));
}

static void
chp_off(void *arg)
{
    css_chp_configure(host.css, 0x51, false);
}

static void
sch_gone(void *arg)
{
    css_sch_undefine(host.css, host.d[1].sch);
}

static void
watch_sees_crw_path_change_and_device_loss(void **state)
{
    char s_opt[] = "-s", watch[] = "watch";
    char *argv[] = {getenv("ZVFIO_GUEST"), s_opt, host.d[1].path, watch, NULL};

    assert_non_null(argv[0]);
    spawn(&pr, argv);
    assert_true(read_until(&pr, "watching devno 0.0.0201", 5000));
    vfu_dasd_host_call(&host, chp_off, NULL);
    assert_true(read_until(&pr, "CRW rsc", 5000));
    assert_true(read_until(&pr, "paths PIM", 5000));
    vfu_dasd_host_call(&host, sch_gone, NULL);
    assert_true(read_until(&pr, "device lost", 5000));
    assert_int_equal(finish(&pr), 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(online_prints_what_it_found),
        cmocka_unit_test(write_then_read_back),
        cmocka_unit_test(verify_and_bench),
        cmocka_unit_test(refusals_have_messages_and_exit_codes),
        cmocka_unit_test(watch_sees_crw_path_change_and_device_loss),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
