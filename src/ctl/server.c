/* SPDX-License-Identifier: MIT */
/*
 * The control socket: line-delimited JSON on a UNIX stream socket (mode
 * 0600: the file permissions are the access control; the peer's
 * credentials are logged).  A line that is not JSON, too long, or not a
 * request gets an error reply and the connection goes on; a client that
 * does not read its replies (more than ZV_CTL_OUT_MAX queued) is dropped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/log.h"
#include "ctl/ctl_priv.h"

static void client_io(void *arg, int fd, unsigned events);

static void
client_drop(struct zv_ctl *ctl, unsigned slot)
{
    struct ctl_client *c = ctl->clients[slot];

    zv_loop_unwatch_fd(ctl->loop, c->fd);
    close(c->fd);
    free(c->in);
    free(c->out);
    free(c);
    ctl->clients[slot] = NULL;
    zv_log(ZV_LOG_DEBUG, "ctl: client %u gone", slot);
}

static unsigned
client_slot(struct zv_ctl *ctl, const struct ctl_client *c)
{
    for (unsigned i = 0; i < ZV_CTL_MAX_CLIENTS; i++)
        if (ctl->clients[i] == c)
            return i;
    return ZV_CTL_MAX_CLIENTS;
}

/* Try to write what is queued; watch for OUT while something is left.
 * -1 if the client must go. */
static int
client_flush(struct zv_ctl *ctl, struct ctl_client *c)
{
    while (c->out_len) {
        ssize_t n = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            break;
        if (n <= 0)
            return -1;
        memmove(c->out, c->out + n, c->out_len - (size_t)n);
        c->out_len -= (size_t)n;
    }
    zv_loop_unwatch_fd(ctl->loop, c->fd);
    if (zv_loop_watch_fd(ctl->loop, c->fd,
                         ZV_LOOP_IN | (c->out_len ? ZV_LOOP_OUT : 0), client_io,
                         ctl) < 0)
        return -1;
    return 0;
}

static int
client_send(struct zv_ctl *ctl, struct ctl_client *c, struct json_object *o)
{
    const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
    size_t len = strlen(s);
    char *p;

    if (c->out_len + len + 1 > ZV_CTL_OUT_MAX) {
        zv_log(ZV_LOG_WARNING,
               "ctl: control client does not read its "
               "replies (%zu bytes queued): dropped",
               c->out_len);
        return -1;
    }
    p = realloc(c->out, c->out_len + len + 1);
    if (!p)
        return -1;
    c->out = p;
    memcpy(c->out + c->out_len, s, len);
    c->out[c->out_len + len] = '\n';
    c->out_len += len + 1;
    return client_flush(ctl, c);
}

void
zv_ctl_event(struct zv_ctl *ctl, const char *name, struct json_object *data)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "event", json_object_new_string(name));
    json_object_object_add(o, "data", data);
    for (unsigned i = 0; i < ZV_CTL_MAX_CLIENTS; i++)
        if (ctl->clients[i] && client_send(ctl, ctl->clients[i], o))
            client_drop(ctl, i);
    json_object_put(o);
}

static struct json_object *
line_error(const char *desc)
{
    struct json_object *r = json_object_new_object();
    struct json_object *e = json_object_new_object();

    json_object_object_add(e, "class", json_object_new_string("GenericError"));
    json_object_object_add(e, "desc", json_object_new_string(desc));
    json_object_object_add(r, "error", e);
    return r;
}

/* One complete line. -1 if the client must go. */
static int
client_line(struct zv_ctl *ctl, struct ctl_client *c, const char *line,
            size_t len)
{
    struct json_tokener *tok;
    struct json_object *req, *rep;
    int rc;

    while (len && (line[len - 1] == '\r' || line[len - 1] == ' '))
        len--;
    if (len == 0)
        return 0;
    if (memchr(line, '\0', len))
        rep = line_error("request contains a NUL byte");
    else if (!(tok = json_tokener_new()))
        return -1;
    else {
        req = json_tokener_parse_ex(tok, line, (int)len);
        if (!req || json_tokener_get_error(tok) != json_tokener_success ||
            json_tokener_get_parse_end(tok) != len) {
            char desc[160];
            enum json_tokener_error je = json_tokener_get_error(tok);

            snprintf(desc, sizeof(desc), "request is not one JSON value: %s",
                     req && je == json_tokener_success
                         ? "trailing data after it"
                         : json_tokener_error_desc(je));
            rep = line_error(desc);
        } else {
            rep = zv_ctl_execute(ctl, req);
        }
        json_object_put(req);
        json_tokener_free(tok);
    }
    rc = client_send(ctl, c, rep);
    json_object_put(rep);
    return rc;
}

static int
client_read(struct zv_ctl *ctl, struct ctl_client *c)
{
    char buf[8192];
    ssize_t n = recv(c->fd, buf, sizeof(buf), 0);

    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
    if (n <= 0)
        return -1;
    for (ssize_t i = 0; i < n;) {
        char *nl = memchr(buf + i, '\n', (size_t)(n - i));
        size_t take = nl ? (size_t)(nl - (buf + i)) : (size_t)(n - i);

        if (c->discarding) {
            if (nl)
                c->discarding = false;
        } else if (c->in_len + take > ZV_CTL_LINE_MAX) {
            struct json_object *e = line_error("request line too long (the "
                                               "limit is 65536 bytes)");
            int rc = client_send(ctl, c, e);

            json_object_put(e);
            if (rc)
                return -1;
            c->in_len = 0;
            c->discarding = !nl;
        } else {
            char *p = realloc(c->in, c->in_len + take + 1);

            if (!p)
                return -1;
            c->in = p;
            memcpy(c->in + c->in_len, buf + i, take);
            c->in_len += take;
            if (nl) {
                size_t len = c->in_len;

                c->in_len = 0;
                if (client_line(ctl, c, c->in, len))
                    return -1;
                if (ctl->quit)
                    return 0;
            }
        }
        i += (ssize_t)take + (nl ? 1 : 0);
    }
    return 0;
}

static void
client_io(void *arg, int fd, unsigned events)
{
    struct zv_ctl *ctl = arg;
    struct ctl_client *c = NULL;
    unsigned slot;

    for (slot = 0; slot < ZV_CTL_MAX_CLIENTS; slot++)
        if (ctl->clients[slot] && ctl->clients[slot]->fd == fd) {
            c = ctl->clients[slot];
            break;
        }
    if (!c)
        return;
    if (((events & ZV_LOOP_OUT) && client_flush(ctl, c)) ||
        ((events & (ZV_LOOP_IN | ZV_LOOP_ERR)) && client_read(ctl, c)))
        client_drop(ctl, client_slot(ctl, c));
}

static void
accept_io(void *arg, int fd, unsigned events)
{
    struct zv_ctl *ctl = arg;
    struct json_object *g, *v;
    struct ctl_client *c;
    struct ucred cred;
    socklen_t clen = sizeof(cred);
    unsigned slot;
    int cfd;

    (void)events;
    cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (cfd < 0)
        return;
    if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0)
        zv_log(ZV_LOG_INFO, "ctl: control client pid=%d uid=%d gid=%d",
               (int)cred.pid, (int)cred.uid, (int)cred.gid);
    for (slot = 0; slot < ZV_CTL_MAX_CLIENTS && ctl->clients[slot]; slot++)
        ;
    c = slot < ZV_CTL_MAX_CLIENTS ? calloc(1, sizeof(*c)) : NULL;
    if (!c) {
        static const char busy[] = "{\"error\": {\"class\": \"GenericError\", "
                                   "\"desc\": \"too many control clients\"}}\n";

        zv_log(ZV_LOG_WARNING, "ctl: control client refused: too many");
        (void)!send(cfd, busy, sizeof(busy) - 1, MSG_NOSIGNAL);
        close(cfd);
        return;
    }
    c->fd = cfd;
    ctl->clients[slot] = c;
    g = json_object_new_object();
    v = json_object_new_object();
    json_object_object_add(v, "version",
                           json_object_new_string(ZV_CTL_VERSION));
    json_object_object_add(v, "capabilities", ctl_capabilities());
    json_object_object_add(g, "zvfio", v);
    if (client_send(ctl, c, g))
        client_drop(ctl, slot);
    json_object_put(g);
}

int
zv_ctl_listen(struct zv_ctl *ctl, const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    mode_t old;
    int fd, rc;

    if (strlen(path) >= sizeof(sa.sun_path))
        return -ENAMETOOLONG;
    strcpy(sa.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    old = umask(0177); /* the socket is born 0600 */
    rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
    umask(old);
    if (rc < 0 || listen(fd, 16) < 0) {
        rc = -errno;
        close(fd);
        return rc;
    }
    rc = zv_loop_watch_fd(ctl->loop, fd, ZV_LOOP_IN, accept_io, ctl);
    if (rc < 0) {
        close(fd);
        unlink(path);
        return rc;
    }
    ctl->listen_fd = fd;
    snprintf(ctl->listen_path, sizeof(ctl->listen_path), "%s", path);
    return 0;
}

void
ctl_server_close(struct zv_ctl *ctl)
{
    for (unsigned i = 0; i < ZV_CTL_MAX_CLIENTS; i++)
        if (ctl->clients[i])
            client_drop(ctl, i);
    if (ctl->listen_fd >= 0) {
        zv_loop_unwatch_fd(ctl->loop, ctl->listen_fd);
        close(ctl->listen_fd);
        unlink(ctl->listen_path);
        ctl->listen_fd = -1;
    }
}
