/* SPDX-License-Identifier: MIT */
/*
 * The client library against a hostile server: a VMM links libzvfio, so a
 * server that answers a batch of region accesses with replies out of
 * order, with more data than asked for, with a reply to nothing, or that
 * hangs up half way must cost the client its connection and nothing
 * else: an error, a dead handle (every later call -ENOTCONN), and not a
 * byte written outside the buffers the caller gave.  The "server" is the
 * other end of a socketpair; its replies are in the socket before the
 * client asks, so every case is deterministic.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "vfu/msg.h"
#include "zvfio/client.h"

#define RLEN   64 /* bytes each read of a batch asks for */
#define CANARY 0xA5

struct peer {
    struct zv_vfu_client *c;
    int fd; /* the server's end */
};

/* Queue one reply (header + payload) on the server's end. */
static void
put_reply(int fd, uint16_t id, uint16_t cmd, uint32_t flags, uint32_t error,
          const uint8_t *payload, size_t len)
{
    uint8_t buf[ZV_VFU_HDR_SIZE + 256];
    struct vfu_hdr h = {.id = id,
                        .cmd = cmd,
                        .size = (uint32_t)(ZV_VFU_HDR_SIZE + len),
                        .flags = ZV_VFU_F_TYPE_REPLY | flags,
                        .error = error};

    assert_true(len <= 256);
    vfu_hdr_encode(buf, &h);
    if (len)
        memcpy(buf + ZV_VFU_HDR_SIZE, payload, len);
    assert_int_equal(send(fd, buf, ZV_VFU_HDR_SIZE + len, MSG_NOSIGNAL),
                     (ssize_t)(ZV_VFU_HDR_SIZE + len));
}

/* A REGION_READ reply carrying count bytes of 0x5a (count may exceed
 * what was asked: that is the attack). */
static void
put_read_reply(int fd, uint16_t id, uint32_t count)
{
    uint8_t p[ZV_VFU_REGION_RW_SIZE + 200];
    struct vfu_region_rw rw = {.region = 0, .count = count};

    assert_true(count <= 200);
    vfu_region_rw_encode(p, &rw);
    memset(p + ZV_VFU_REGION_RW_SIZE, 0x5a, count);
    put_reply(fd, id, ZV_VFU_CMD_REGION_READ, 0, 0, p,
              ZV_VFU_REGION_RW_SIZE + count);
}

static void
put_write_reply(int fd, uint16_t id, uint32_t count)
{
    uint8_t p[ZV_VFU_REGION_RW_SIZE];
    struct vfu_region_rw rw = {.region = 0, .count = count};

    vfu_region_rw_encode(p, &rw);
    put_reply(fd, id, ZV_VFU_CMD_REGION_WRITE, 0, 0, p, sizeof(p));
}

/* Connected and negotiated: the VERSION reply (id 1) is queued first. */
static void
peer_open(struct peer *p)
{
    char json[200];
    uint8_t pl[256];
    struct vfu_caps caps;
    struct vfu_version v = {.major = 0, .minor = 2, .json = json};
    int sv[2], n;

    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    p->fd = sv[0];
    vfu_caps_default(&caps);
    caps.max_data_xfer_size = 1u << 20;
    assert_true(vfu_caps_format(&caps, json, sizeof(json)) > 0);
    n = vfu_version_encode(pl, sizeof(pl), &v);
    assert_true(n > 0);
    put_reply(p->fd, 1, ZV_VFU_CMD_VERSION, 0, 0, pl, (size_t)n);
    assert_int_equal(zv_vfu_client_from_fd(sv[1], &p->c), 0);
    assert_int_equal(zv_vfu_client_set_timeout(p->c, 2000), 0);
}

static void
peer_close(struct peer *p)
{
    zv_vfu_client_close(p->c);
    close(p->fd);
}

/* Read 1 + write + read 2: ids 2, 3, 4.  Buffers sit between canaries. */
struct batch {
    uint8_t r1[RLEN + 32], w[8], r2[RLEN + 32];
    struct zv_vfu_region_io ops[3];
};

static void
batch_init(struct batch *b)
{
    memset(b, CANARY, sizeof(*b));
    memset(b->w, 0x11, sizeof(b->w));
    b->ops[0] = (struct zv_vfu_region_io){
        .write = 0, .index = 0, .buf = b->r1 + 16, .len = RLEN};
    b->ops[1] = (struct zv_vfu_region_io){
        .write = 1, .index = 1, .buf = b->w, .len = sizeof(b->w)};
    b->ops[2] = (struct zv_vfu_region_io){
        .write = 0, .index = 0, .buf = b->r2 + 16, .len = RLEN};
}

/* Nothing outside the read areas changed (and inside them only the
 * reply's bytes when it was taken). */
static void
batch_canaries(const struct batch *b)
{
    for (size_t i = 0; i < 16; i++) {
        assert_int_equal(b->r1[i], CANARY);
        assert_int_equal(b->r2[i], CANARY);
        assert_int_equal(b->r1[16 + RLEN + i], CANARY);
        assert_int_equal(b->r2[16 + RLEN + i], CANARY);
    }
}

static void
assert_dead(struct peer *p)
{
    uint8_t x[4];

    assert_int_equal(zv_vfu_client_region_read(p->c, 0, 0, x, sizeof(x)),
                     -ENOTCONN);
}

static void
well_formed_replies_are_taken(void **state)
{
    struct peer p;
    struct batch b;

    peer_open(&p);
    batch_init(&b);
    put_read_reply(p.fd, 2, RLEN);
    put_reply(p.fd, 3, ZV_VFU_CMD_REGION_WRITE, ZV_VFU_F_ERROR, EBUSY, NULL, 0);
    put_read_reply(p.fd, 4, 10); /* short read: fine */
    assert_int_equal(zv_vfu_client_region_batch(p.c, b.ops, 3), 0);
    assert_int_equal(b.ops[0].result, RLEN);
    assert_int_equal(b.ops[1].result, -EBUSY);
    assert_int_equal(b.ops[2].result, 10);
    for (size_t i = 0; i < RLEN; i++)
        assert_int_equal(b.r1[16 + i], 0x5a);
    assert_int_equal(b.r2[16 + 9], 0x5a);
    assert_int_equal(b.r2[16 + 10], CANARY);
    batch_canaries(&b);
    /* the handle goes on: a plain write answered next */
    put_write_reply(p.fd, 5, 8);
    assert_int_equal(zv_vfu_client_region_write(p.c, 1, 0, b.w, 8), 8);
    peer_close(&p);
}

static void
replies_out_of_order_kill_the_handle(void **state)
{
    struct peer p;
    struct batch b;

    peer_open(&p);
    batch_init(&b);
    /* the two reads swapped: same command, the ids tell */
    put_read_reply(p.fd, 4, RLEN);
    put_write_reply(p.fd, 3, 8);
    put_read_reply(p.fd, 2, RLEN);
    assert_int_equal(zv_vfu_client_region_batch(p.c, b.ops, 3), -EPROTO);
    batch_canaries(&b);
    assert_dead(&p);
    peer_close(&p);
}

static void
more_data_than_asked_for_is_refused(void **state)
{
    struct peer p;
    struct batch b;

    peer_open(&p);
    batch_init(&b);
    put_read_reply(p.fd, 2, RLEN + 16); /* would run over r1 */
    put_write_reply(p.fd, 3, 8);
    put_read_reply(p.fd, 4, RLEN);
    assert_int_equal(zv_vfu_client_region_batch(p.c, b.ops, 3), -EPROTO);
    batch_canaries(&b);
    for (size_t i = 0; i < RLEN; i++)
        assert_int_equal(b.r1[16 + i], CANARY);
    assert_dead(&p);
    peer_close(&p);
}

static void
a_write_reply_claiming_more_than_written_is_refused(void **state)
{
    struct peer p;
    struct batch b;

    peer_open(&p);
    batch_init(&b);
    put_read_reply(p.fd, 2, RLEN);
    put_write_reply(p.fd, 3, 9); /* 8 were written */
    put_read_reply(p.fd, 4, RLEN);
    assert_int_equal(zv_vfu_client_region_batch(p.c, b.ops, 3), -EPROTO);
    batch_canaries(&b);
    assert_dead(&p);
    peer_close(&p);
}

static void
a_reply_of_the_wrong_command_or_a_request_is_refused(void **state)
{
    struct peer p;
    struct batch b;
    uint8_t rw[ZV_VFU_REGION_RW_SIZE] = {0};

    for (int round = 0; round < 2; round++) {
        peer_open(&p);
        batch_init(&b);
        if (round == 0) {
            /* a write reply where the read's belongs */
            put_write_reply(p.fd, 2, RLEN);
        } else {
            /* a command (not a reply) with the right id */
            uint8_t buf[ZV_VFU_HDR_SIZE + ZV_VFU_REGION_RW_SIZE];
            struct vfu_hdr h = {.id = 2,
                                .cmd = ZV_VFU_CMD_REGION_READ,
                                .size = sizeof(buf),
                                .flags = ZV_VFU_F_TYPE_COMMAND};

            vfu_hdr_encode(buf, &h);
            memcpy(buf + ZV_VFU_HDR_SIZE, rw, sizeof(rw));
            assert_int_equal(send(p.fd, buf, sizeof(buf), MSG_NOSIGNAL),
                             (ssize_t)sizeof(buf));
        }
        assert_int_equal(zv_vfu_client_region_batch(p.c, b.ops, 3), -EPROTO);
        batch_canaries(&b);
        assert_dead(&p);
        peer_close(&p);
    }
}

static void
a_hang_up_half_way_is_a_reset(void **state)
{
    struct peer p;
    struct batch b;
    uint8_t half[ZV_VFU_HDR_SIZE + 4];
    struct vfu_hdr h = {.id = 4,
                        .cmd = ZV_VFU_CMD_REGION_READ,
                        .size = ZV_VFU_HDR_SIZE + ZV_VFU_REGION_RW_SIZE + RLEN,
                        .flags = ZV_VFU_F_TYPE_REPLY};

    peer_open(&p);
    batch_init(&b);
    put_read_reply(p.fd, 2, RLEN);
    put_write_reply(p.fd, 3, 8);
    /* the third reply's header and 4 bytes, then gone */
    vfu_hdr_encode(half, &h);
    memset(half + ZV_VFU_HDR_SIZE, 0, 4);
    assert_int_equal(send(p.fd, half, sizeof(half), MSG_NOSIGNAL),
                     (ssize_t)sizeof(half));
    shutdown(p.fd, SHUT_WR);
    assert_int_equal(zv_vfu_client_region_batch(p.c, b.ops, 3), -ECONNRESET);
    batch_canaries(&b);
    assert_dead(&p);
    peer_close(&p);
}

static void
a_silent_server_times_out(void **state)
{
    struct peer p;
    struct batch b;

    peer_open(&p);
    batch_init(&b);
    assert_int_equal(zv_vfu_client_set_timeout(p.c, 100), 0);
    put_read_reply(p.fd, 2, RLEN); /* and then nothing */
    assert_int_equal(zv_vfu_client_region_batch(p.c, b.ops, 3), -ETIMEDOUT);
    batch_canaries(&b);
    assert_dead(&p);
    peer_close(&p);
}

/* A client that polls for its replies before sleeping (set_spin) reads
 * them as one that sleeps, and still times out on a silent server. */
static void
a_spinning_client_behaves_as_a_sleeping_one(void **state)
{
    struct peer p;
    struct batch b;

    peer_open(&p);
    assert_int_equal(zv_vfu_client_set_spin(p.c, 1001), -EINVAL);
    assert_int_equal(zv_vfu_client_set_spin(p.c, 200), 0);
    batch_init(&b);
    put_read_reply(p.fd, 2, RLEN);
    put_write_reply(p.fd, 3, 8);
    put_read_reply(p.fd, 4, RLEN);
    assert_int_equal(zv_vfu_client_region_batch(p.c, b.ops, 3), 0);
    assert_int_equal(b.ops[0].result, RLEN);
    assert_int_equal(b.ops[2].result, RLEN);
    batch_canaries(&b);
    assert_int_equal(zv_vfu_client_set_timeout(p.c, 100), 0);
    assert_int_equal(zv_vfu_client_region_batch(p.c, b.ops, 3), -ETIMEDOUT);
    assert_dead(&p);
    peer_close(&p);
}

/* A server that takes its time: it reads each request a while after it
 * came and answers a while later, so the client is asleep for both. */
#define SLOW_CALLS 16

static void
sleep_ms(long ms)
{
    struct timespec ts = {0, ms * 1000000L};

    while (nanosleep(&ts, &ts) && errno == EINTR)
        ;
}

static void *
slow_server(void *arg)
{
    struct peer *p = arg;

    for (uint16_t id = 2; id < 2 + SLOW_CALLS + 1; id++) {
        uint8_t req[ZV_VFU_HDR_SIZE + ZV_VFU_REGION_RW_SIZE + 8];
        size_t got = 0;

        sleep_ms(3);
        while (got < sizeof(req)) {
            ssize_t n = recv(p->fd, req + got, sizeof(req) - got, 0);

            if (n <= 0)
                return NULL;
            got += (size_t)n;
        }
        sleep_ms(3);
        put_write_reply(p->fd, id, 8);
    }
    return NULL;
}

static long
voluntary_switches(void)
{
    struct rusage ru;

    assert_int_equal(getrusage(RUSAGE_THREAD, &ru), 0);
    return ru.ru_nvcsw;
}

/*
 * The client sleeps once per reply.  It used to sleep in a blocking
 * recvmsg, and a UNIX stream socket wakes such a reader on every wake-up
 * of its wait queue: the server's reading of the request (which frees the
 * request's bytes and reports write space to the client's socket) woke it
 * for nothing, a second sleep and a second wake-up per call, the largest
 * single cost of the server's loop in `vfu_dasd_bench` with 4 devices.
 */
static void
a_client_sleeps_once_per_reply(void **state)
{
    struct peer p;
    pthread_t t;
    uint8_t w[8] = {0};
    long before;

    peer_open(&p);
    assert_int_equal(pthread_create(&t, NULL, slow_server, &p), 0);
    /* the first call warms up (and under qemu-user translates) the path */
    assert_int_equal(zv_vfu_client_region_write(p.c, 1, 0, w, sizeof(w)), 8);
    before = voluntary_switches();
    for (unsigned i = 0; i < SLOW_CALLS; i++)
        assert_int_equal(zv_vfu_client_region_write(p.c, 1, 0, w, sizeof(w)),
                         8);
    /* one sleep per call; two per call is the spurious wake-up */
    assert_in_range(voluntary_switches() - before, SLOW_CALLS / 2,
                    SLOW_CALLS + SLOW_CALLS / 4);
    pthread_join(t, NULL);
    peer_close(&p);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(well_formed_replies_are_taken),
        cmocka_unit_test(replies_out_of_order_kill_the_handle),
        cmocka_unit_test(more_data_than_asked_for_is_refused),
        cmocka_unit_test(a_write_reply_claiming_more_than_written_is_refused),
        cmocka_unit_test(a_reply_of_the_wrong_command_or_a_request_is_refused),
        cmocka_unit_test(a_hang_up_half_way_is_a_reset),
        cmocka_unit_test(a_silent_server_times_out),
        cmocka_unit_test(a_spinning_client_behaves_as_a_sleeping_one),
        cmocka_unit_test(a_client_sleeps_once_per_reply),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
