/* SPDX-License-Identifier: MIT */
/*
 * Raw vfio-user for tests: what a hostile client sends, byte by byte,
 * with any fds, and the reply it gets back.
 */
#ifndef ZV_TESTS_VFU_WIRE_H
#define ZV_TESTS_VFU_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfu/msg.h"

int wire_connect(const char *path);
/* Send bytes with fds attached (SCM_RIGHTS); 0 or -errno. */
int wire_send_raw(int fd, const void *buf, size_t len, const int *fds,
                  size_t nfds);
/* A command: header (size from len) + payload. */
int wire_send(int fd, uint16_t id, uint16_t cmd, uint32_t flags,
              const void *payload, size_t len, const int *fds, size_t nfds);
/* The next message: payload length, -ECONNRESET on EOF, -ETIMEDOUT. */
int wire_recv(int fd, struct vfu_hdr *h, uint8_t *payload, size_t max,
              int timeout_ms);
/* Send a command and get its reply: the errno of an error reply as a
 * negative number, or the payload length. */
int wire_call(int fd, uint16_t cmd, const void *payload, size_t len,
              const int *fds, size_t nfds, uint8_t *reply, size_t max);
/* VERSION with default caps; 0 or -errno. */
int wire_negotiate(int fd);
/* Did the peer close (EOF within timeout_ms, nothing else arriving)? */
bool wire_closed(int fd, int timeout_ms);

#endif
