/* SPDX-License-Identifier: MIT */
/*
 * vfio_ap/matrix: the matrix mdev's attributes, the guest matrix (shadow
 * APCB) and the flows that change it (reference §2.4, §2.5, §3).
 *
 * Every flow ends in vap_refresh(): the whole matrix is filtered again
 * (§3.2, the Jan-2024 "always filter entire AP matrix" rule), an attached
 * guest is told if its matrix changed (CFG_CHG IRQ), and the queues of
 * adapters that were plugged and are now filtered out are reset.  Where
 * the kernel only clears bits (unassign, config shrink) we filter again
 * as well, so the guest matrix is always exactly what the filter gives
 * (docs/ap.md "Deviations").
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "vfio_ap/vfio_ap_priv.h"

/* A set of APQNs (8 KiB): the queues one flow resets. */
struct vap_qset {
    uint8_t b[VAP_NQUEUES / 8];
    unsigned n;
};

static void
qset_add(struct vap_qset *s, uint16_t apqn)
{
    if (!(s->b[apqn >> 3] & (1u << (apqn & 7)))) {
        s->b[apqn >> 3] |= (uint8_t)(1u << (apqn & 7));
        s->n++;
    }
}

static void
qset_reset(struct zv_vfio_ap *drv, const struct vap_qset *s)
{
    for (unsigned i = 0; s->n && i < VAP_NQUEUES; i++) {
        struct vap_queue *q;

        if (!(s->b[i >> 3] & (1u << (i & 7))))
            continue;
        q = drv->q[i];
        if (q)
            vap_reset_queue(q);
    }
}

static bool
matrix_equal(const struct zv_vfio_ap_matrix *a,
             const struct zv_vfio_ap_matrix *b)
{
    return ap_mask_equal(&a->apm, &b->apm) && ap_mask_equal(&a->aqm, &b->aqm) &&
           ap_mask_equal(&a->adm, &b->adm);
}

static bool
apqn_in(const struct zv_vfio_ap_matrix *mx, unsigned apid, unsigned apqi)
{
    return ap_mask_test(&mx->apm, apid) && ap_mask_test(&mx->aqm, apqi);
}

/* The linked queue apqn of m, or NULL. */
static struct vap_queue *
linked(const struct vap_mdev *m, unsigned apid, unsigned apqi)
{
    struct vap_queue *q = vap_queue_get(m->drv, AP_MKQN(apid, apqi));

    return q && q->mdev == m ? q : NULL;
}

void
vap_matrix_init(struct vap_mdev *m)
{
    const struct ap_config *info = &m->drv->info;

    /* vfio_ap_matrix_init: the limits follow QCI's APXA bit. */
    m->apm_max = info->apxa ? info->na : 63;
    m->aqm_max = m->adm_max = info->apxa ? info->nd : 15;
}

/* ---- the filter (§3.2, §3.3) ---- */

void
vap_filter_into(const struct vap_mdev *m, struct zv_vfio_ap_matrix *out)
{
    const struct zv_vfio_ap *drv = m->drv;
    int apid;

    ap_mask_and(&out->apm, &m->matrix.apm, &drv->info.apm);
    ap_mask_and(&out->aqm, &m->matrix.aqm, &drv->info.aqm);
    ap_mask_and(&out->adm, &m->matrix.adm, &drv->info.adm);
    /* The APCB cannot leave out one queue: an adapter with any queue not
     * bound to vfio_ap, or not cleanly reset, goes as a whole. */
    ap_mask_for_each(apid, &out->apm)
    {
        struct ap_mask bad;

        ap_mask_andnot(&bad, &out->aqm, &drv->usable[apid]);
        if (!ap_mask_empty(&bad))
            ap_mask_clear(&out->apm, (unsigned)apid);
    }
}

bool
vap_filter(struct vap_mdev *m, struct ap_mask *filtered)
{
    struct zv_vfio_ap_matrix prev = m->shadow;

    vap_filter_into(m, &m->shadow);
    ap_mask_andnot(filtered, &prev.apm, &m->shadow.apm);
    /* only adapters still assigned: an unassigned one was reset by its
     * unassignment */
    ap_mask_and(filtered, filtered, &m->matrix.apm);
    return !matrix_equal(&prev, &m->shadow);
}

void
vap_update_guest(struct vap_mdev *m)
{
    if (!m->attached || matrix_equal(&m->pushed, &m->shadow))
        return;
    m->pushed = m->shadow;
    m->cnt.apcb_updates++;
    zv_trace(m->drv->loop, "vfio_ap: %s guest matrix changed", m->uuid);
    if (zv_vdev_signal(m->vd, ZV_VFIO_AP_CFG_CHG_IRQ_INDEX))
        m->cnt.cfg_chg_irqs++;
}

/* reset_queues_for_apids: the linked queues of the APIDs just filtered
 * out, in the current shadow AQM, so they come back clean. */
void
vap_refresh(struct vap_mdev *m)
{
    struct ap_mask filtered;
    int apid, apqi;

    vap_filter(m, &filtered);
    vap_update_guest(m);
    ap_mask_for_each(apid, &filtered)
    {
        ap_mask_for_each(apqi, &m->shadow.aqm)
        {
            struct vap_queue *q = linked(m, (unsigned)apid, (unsigned)apqi);

            if (q)
                vap_reset_queue(q);
        }
    }
}

void
vap_link_all(struct vap_mdev *m)
{
    int apid, apqi;

    ap_mask_for_each(apid, &m->matrix.apm)
    {
        ap_mask_for_each(apqi, &m->matrix.aqm)
        {
            struct vap_queue *q =
                vap_queue_get(m->drv, AP_MKQN(apid, (unsigned)apqi));

            if (q)
                q->mdev = m;
        }
    }
}

void
vap_unlink_all(struct vap_mdev *m)
{
    for (unsigned i = 0; i < VAP_NQUEUES; i++)
        if (m->drv->q[i] && m->drv->q[i]->mdev == m)
            m->drv->q[i]->mdev = NULL;
}

/* ---- validation (§2.5 step 6) ---- */

static int
vap_validate(const struct vap_mdev *m)
{
    const struct zv_vfio_ap_matrix *mx = &m->matrix;
    struct ap_mask apmask, aqmask, a, d;
    int apid, apqi;

    /* ap_apqn_in_matrix_owned_by_def_drv: reserved = apmask x aqmask */
    ap_bus_masks(m->drv->bus, &apmask, &aqmask);
    ap_mask_and(&a, &mx->apm, &apmask);
    ap_mask_and(&d, &mx->aqm, &aqmask);
    if (!ap_mask_empty(&a) && !ap_mask_empty(&d))
        return -EADDRNOTAVAIL;
    for (const struct vap_mdev *o = m->drv->mdevs; o; o = o->next) {
        if (o == m)
            continue;
        ap_mask_and(&a, &mx->apm, &o->matrix.apm);
        ap_mask_and(&d, &mx->aqm, &o->matrix.aqm);
        if (ap_mask_empty(&a) || ap_mask_empty(&d))
            continue;
        ap_mask_for_each(apid, &a)
        {
            ap_mask_for_each(apqi, &d)
                zv_log(ZV_LOG_WARNING,
                       "vfio_ap: Userspace may not assign queue %02x.%04x to "
                       "mdev: already assigned to %s",
                       apid, apqi, o->uuid);
        }
        return -EADDRINUSE;
    }
    return 0;
}

int
vap_in_use(const struct zv_vfio_ap *drv, const struct ap_mask *apm,
           const struct ap_mask *aqm)
{
    int rc = 0;

    for (const struct vap_mdev *m = drv->mdevs; m; m = m->next) {
        struct ap_mask a, d;
        int apid, apqi;

        ap_mask_and(&a, &m->matrix.apm, apm);
        ap_mask_and(&d, &m->matrix.aqm, aqm);
        if (ap_mask_empty(&a) || ap_mask_empty(&d))
            continue;
        ap_mask_for_each(apid, &a)
        {
            ap_mask_for_each(apqi, &d)
                zv_log(ZV_LOG_WARNING,
                       "vfio_ap: Can not reserve queue %02x.%04x for host "
                       "driver: in use by mdev %s",
                       apid, apqi, m->uuid);
        }
        rc = -EADDRINUSE;
    }
    return rc;
}

/* ---- number parsing: kstrtoul(buf, 0, &v) ---- */

static int
digit_val(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return 99;
}

/* Decimal, 0x hex or 0 octal, an optional '+', one optional trailing
 * newline; -EINVAL for anything else, -ERANGE past 64 bits.  The string
 * ends at count or at a NUL, as sysfs hands it over. */
static int
vap_kstrtoul(const char *buf, size_t count, unsigned long long *out)
{
    size_t n = strnlen(buf, count), i = 0, digits = 0;
    unsigned long long v = 0;
    unsigned base = 10;

    if (n && buf[n - 1] == '\n')
        n--;
    if (i < n && buf[i] == '+')
        i++;
    if (i < n && buf[i] == '0') {
        base = 8;
        if (i + 2 < n && tolower((unsigned char)buf[i + 1]) == 'x' &&
            isxdigit((unsigned char)buf[i + 2])) {
            base = 16;
            i += 2;
        }
    }
    for (; i < n; i++, digits++) {
        unsigned d = (unsigned)digit_val(buf[i]);

        if (d >= base)
            return -EINVAL;
        if (v > (ULLONG_MAX - d) / base)
            return -ERANGE;
        v = v * base + d;
    }
    if (!digits)
        return -EINVAL;
    *out = v;
    return 0;
}

/* ---- the store attributes ---- */

enum vap_dim { VAP_APM, VAP_AQM, VAP_ADM };

static struct ap_mask *
dim_mask(struct zv_vfio_ap_matrix *mx, enum vap_dim dim)
{
    return dim == VAP_APM ? &mx->apm : dim == VAP_AQM ? &mx->aqm : &mx->adm;
}

static unsigned
dim_max(const struct vap_mdev *m, enum vap_dim dim)
{
    return dim == VAP_APM   ? m->apm_max
           : dim == VAP_AQM ? m->aqm_max
                            : m->adm_max;
}

static int
parse_id(const struct vap_mdev *m, enum vap_dim dim, const char *buf,
         size_t count, unsigned *id)
{
    unsigned long long v;
    int rc = vap_kstrtoul(buf, count, &v);

    if (rc)
        return rc;
    if (v > dim_max(m, dim))
        return -ENODEV;
    *id = (unsigned)v;
    return 0;
}

static ssize_t
vap_assign(struct vap_mdev *m, enum vap_dim dim, const char *buf, size_t count)
{
    struct ap_mask *mask = dim_mask(&m->matrix, dim);
    unsigned id;
    int rc = parse_id(m, dim, buf, count, &id);

    if (rc)
        return rc;
    if (ap_mask_test(mask, id))
        return (ssize_t)count;
    ap_mask_set(mask, id);
    /* Control domains are not checked: they may be shared (§2.5). */
    if (dim != VAP_ADM) {
        rc = vap_validate(m);
        if (rc) {
            ap_mask_clear(mask, id);
            return rc;
        }
        vap_link_all(m);
    }
    vap_refresh(m);
    return (ssize_t)count;
}

/* The queues of m that leave its matrix (unassigned adapters rm_apm and
 * domains rm_aqm, given as the old matrix still holds them): unlinked,
 * and reset if the guest could see them (§3.4). */
static void
vap_unplug(struct vap_mdev *m, const struct ap_mask *rm_apm,
           const struct ap_mask *rm_aqm, struct vap_qset *rs)
{
    int apid, apqi;

    ap_mask_for_each(apid, &m->matrix.apm)
    {
        bool a_rm = ap_mask_test(rm_apm, (unsigned)apid);

        ap_mask_for_each(apqi, &m->matrix.aqm)
        {
            struct vap_queue *q;

            if (!a_rm && !ap_mask_test(rm_aqm, (unsigned)apqi))
                continue;
            q = linked(m, (unsigned)apid, (unsigned)apqi);
            if (!q)
                continue;
            q->mdev = NULL;
            if (apqn_in(&m->shadow, (unsigned)apid, (unsigned)apqi))
                qset_add(rs, q->apqn);
        }
    }
    ap_mask_andnot(&m->shadow.apm, &m->shadow.apm, rm_apm);
    ap_mask_andnot(&m->shadow.aqm, &m->shadow.aqm, rm_aqm);
}

static ssize_t
vap_unassign(struct vap_mdev *m, enum vap_dim dim, const char *buf,
             size_t count)
{
    struct vap_qset rs = {0};
    struct ap_mask rm_apm, rm_aqm;
    unsigned id;
    int rc = parse_id(m, dim, buf, count, &id);

    if (rc)
        return rc;
    if (!ap_mask_test(dim_mask(&m->matrix, dim), id))
        return (ssize_t)count;
    if (dim == VAP_ADM) {
        ap_mask_clear(&m->matrix.adm, id);
        vap_refresh(m);
        return (ssize_t)count;
    }
    ap_mask_zero(&rm_apm);
    ap_mask_zero(&rm_aqm);
    ap_mask_set(dim == VAP_APM ? &rm_apm : &rm_aqm, id);
    vap_unplug(m, &rm_apm, &rm_aqm, &rs);
    ap_mask_clear(dim_mask(&m->matrix, dim), id);
    vap_refresh(m);
    qset_reset(m->drv, &rs);
    return (ssize_t)count;
}

/* One field of ap_config: an optional "0x", at most 64 hex digits, MSB
 * first (ID 0 is the leftmost bit), padded with zeros on the right. */
static int
parse_hex_field(const char *s, size_t n, struct ap_mask *m)
{
    size_t i = 0;

    ap_mask_zero(m);
    if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        i = 2;
    if (n - i > 2 * AP_MASK_BYTES)
        return -EINVAL;
    for (unsigned k = 0; i < n; i++, k++) {
        unsigned d = (unsigned)digit_val(s[i]);

        if (d > 15)
            return -EINVAL;
        m->b[k / 2] |= (uint8_t)(k % 2 ? d : d << 4);
    }
    return 0;
}

/* "0x<apm>,0x<aqm>,0x<adm>" with ',' or '\n' between fields and an
 * optional '\n' at the end. */
static int
parse_ap_config(const char *buf, size_t count, struct zv_vfio_ap_matrix *mx)
{
    struct ap_mask *f[3] = {&mx->apm, &mx->aqm, &mx->adm};
    size_t n = strnlen(buf, count), pos = 0;

    for (unsigned i = 0; i < 3; i++) {
        size_t end = pos;
        int rc;

        while (end < n && buf[end] != ',' && buf[end] != '\n')
            end++;
        if (i < 2 && end == n)
            return -EINVAL; /* a field is missing */
        rc = parse_hex_field(buf + pos, end - pos, f[i]);
        if (rc)
            return rc;
        pos = end + 1;
    }
    /* after the third field: nothing, or just its newline */
    if (pos < n || (pos == n && buf[n - 1] != '\n'))
        return -EINVAL;
    return 0;
}

static int
vap_overflow_check(const struct vap_mdev *m, const struct zv_vfio_ap_matrix *mx)
{
    const struct ap_mask *f[3] = {&mx->apm, &mx->aqm, &mx->adm};
    const unsigned max[3] = {m->apm_max, m->aqm_max, m->adm_max};

    for (unsigned i = 0; i < 3; i++) {
        int id;

        ap_mask_for_each(id, f[i]) if ((unsigned)id > max[i]) return -ENODEV;
    }
    return 0;
}

static ssize_t
vap_ap_config_store(struct vap_mdev *m, const char *buf, size_t count)
{
    struct vap_qset rs = {0};
    struct zv_vfio_ap_matrix new, old = m->matrix;
    struct ap_mask rm_apm, rm_aqm;
    int rc = parse_ap_config(buf, count, &new);

    if (rc)
        return rc;
    /* Validate the whole new matrix first; on error nothing changes. */
    m->matrix = new;
    rc = vap_validate(m);
    if (!rc)
        rc = vap_overflow_check(m, &new);
    m->matrix = old;
    if (rc)
        return rc;
    ap_mask_andnot(&rm_apm, &old.apm, &new.apm);
    ap_mask_andnot(&rm_aqm, &old.aqm, &new.aqm);
    vap_unplug(m, &rm_apm, &rm_aqm, &rs);
    m->matrix = new;
    vap_link_all(m);
    vap_refresh(m);
    qset_reset(m->drv, &rs);
    return (ssize_t)count;
}

ssize_t
zv_vfio_ap_attr_store(struct zv_vdev *vd, const char *name, const char *buf,
                      size_t count)
{
    static const struct {
        const char *name;
        bool assign;
        enum vap_dim dim;
    } tab[] = {
        {"assign_adapter", true, VAP_APM},
        {"unassign_adapter", false, VAP_APM},
        {"assign_domain", true, VAP_AQM},
        {"unassign_domain", false, VAP_AQM},
        {"assign_control_domain", true, VAP_ADM},
        {"unassign_control_domain", false, VAP_ADM},
    };
    struct vap_mdev *m = vap_mdev_of(vd);

    if (!m || !name || !buf)
        return -EINVAL;
    if (!m->drv)
        return -ENODEV;
    for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
        if (strcmp(name, tab[i].name) != 0)
            continue;
        return tab[i].assign ? vap_assign(m, tab[i].dim, buf, count)
                             : vap_unassign(m, tab[i].dim, buf, count);
    }
    if (strcmp(name, "ap_config") == 0)
        return vap_ap_config_store(m, buf, count);
    if (strcmp(name, "matrix") == 0 || strcmp(name, "guest_matrix") == 0 ||
        strcmp(name, "control_domains") == 0)
        return -EACCES;
    return -ENOENT;
}

/* ---- the show attributes ---- */

struct vap_out {
    char *buf;
    size_t size, len;
};

static void vap_emit(struct vap_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
vap_emit(struct vap_out *o, const char *fmt, ...)
{
    va_list ap;
    size_t room = o->len < o->size ? o->size - o->len : 0;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += (size_t)n;
}

/* vfio_ap_mdev_matrix_show: "AA.DDDD" per APQN; only adapters: "AA.";
 * only domains: ".DDDD". */
static void
show_matrix(struct vap_out *o, const struct zv_vfio_ap_matrix *mx)
{
    bool a = !ap_mask_empty(&mx->apm), d = !ap_mask_empty(&mx->aqm);
    int apid, apqi;

    if (a && d) {
        ap_mask_for_each(apid, &mx->apm)
        {
            ap_mask_for_each(apqi, &mx->aqm)
                vap_emit(o, "%02x.%04x\n", apid, apqi);
        }
    } else if (a) {
        ap_mask_for_each(apid, &mx->apm) vap_emit(o, "%02x.\n", apid);
    } else if (d) {
        ap_mask_for_each(apqi, &mx->aqm) vap_emit(o, ".%04x\n", apqi);
    }
}

static void
show_hex(struct vap_out *o, const struct ap_mask *m, char sep)
{
    vap_emit(o, "0x");
    for (unsigned i = 0; i < AP_MASK_BYTES; i++)
        vap_emit(o, "%02x", m->b[i]);
    vap_emit(o, "%c", sep);
}

ssize_t
zv_vfio_ap_attr_show(const struct zv_vdev *vd, const char *name, char *buf,
                     size_t size)
{
    const struct vap_mdev *m = vap_mdev_of(vd);
    struct vap_out o = {.buf = buf, .size = size};
    int id;

    if (!m || !name || (size && !buf))
        return -EINVAL;
    if (!m->drv)
        return -ENODEV;
    if (size)
        buf[0] = '\0';
    if (strcmp(name, "matrix") == 0) {
        show_matrix(&o, &m->matrix);
    } else if (strcmp(name, "guest_matrix") == 0) {
        show_matrix(&o, &m->shadow);
    } else if (strcmp(name, "control_domains") == 0) {
        ap_mask_for_each(id, &m->matrix.adm) vap_emit(&o, "%04x\n", id);
    } else if (strcmp(name, "ap_config") == 0) {
        show_hex(&o, &m->matrix.apm, ',');
        show_hex(&o, &m->matrix.aqm, ',');
        show_hex(&o, &m->matrix.adm, '\n');
    } else if (strncmp(name, "assign_", 7) == 0 ||
               strncmp(name, "unassign_", 9) == 0) {
        return -EACCES;
    } else {
        return -ENOENT;
    }
    return (ssize_t)o.len;
}

/* ---- host-side flows (§3.5) ---- */

/* A configuration change is being scanned: on_scan_complete filters once
 * for all of it (flow E); filtering now would see added APQNs whose
 * queues are not probed yet and drop (and reset) their adapters. */
static bool
vap_scan_pending(const struct vap_mdev *m)
{
    return !ap_mask_empty(&m->add.apm) || !ap_mask_empty(&m->add.aqm);
}

void
vap_queue_probed(struct vap_queue *q)
{
    struct vap_mdev *m = vap_mdev_by_apqn(q->drv, q->apqn);

    if (!m)
        return;
    q->mdev = m;
    if (!vap_scan_pending(m))
        vap_refresh(m);
}

/* Flow C with the apm-and-aqm rule of threads/003: the adapter is
 * unplugged only if the departing queue was in the guest's APCB. */
void
vap_queue_removed(struct vap_queue *q)
{
    struct zv_vfio_ap *drv = q->drv;
    struct vap_mdev *m = q->mdev;
    unsigned apid = AP_QN_APID(q->apqn), apqi = AP_QN_APQI(q->apqn);
    bool in_cfg_a = ap_mask_test(&drv->info.apm, apid);
    int d;

    if (m && apqn_in(&m->shadow, apid, apqi)) {
        ap_mask_clear(&m->shadow.apm, apid);
        vap_update_guest(m);
        /* reset_queues_for_apid: not if the adapter left the host
         * configuration (RC 01 would be all it gets) */
        ap_mask_for_each(d, &m->shadow.aqm)
        {
            struct vap_queue *o = linked(m, apid, (unsigned)d);

            if (o && in_cfg_a)
                vap_reset_queue(o);
        }
    } else if (in_cfg_a && ap_mask_test(&drv->info.aqm, apqi)) {
        vap_reset_queue(q);
    }
    q->mdev = NULL;
    q->bound = false;
    q->hq = NULL;
    vap_queue_update_usable(q);
    if (m && !vap_scan_pending(m))
        vap_refresh(m);
}

/* Flow D (shrink: unplug at once) and the first half of flow E (grow:
 * remember what came, filter when the scan completes). */
void
vap_cfg_changed(struct zv_vfio_ap *drv, const struct ap_config *cur,
                const struct ap_config *prev)
{
    struct zv_vfio_ap_matrix rm, add;

    ap_mask_andnot(&rm.apm, &prev->apm, &cur->apm);
    ap_mask_andnot(&rm.aqm, &prev->aqm, &cur->aqm);
    ap_mask_andnot(&rm.adm, &prev->adm, &cur->adm);
    ap_mask_andnot(&add.apm, &cur->apm, &prev->apm);
    ap_mask_andnot(&add.aqm, &cur->aqm, &prev->aqm);
    ap_mask_andnot(&add.adm, &cur->adm, &prev->adm);
    for (struct vap_mdev *m = drv->mdevs; m; m = m->next) {
        ap_mask_andnot(&m->shadow.apm, &m->shadow.apm, &rm.apm);
        ap_mask_andnot(&m->shadow.aqm, &m->shadow.aqm, &rm.aqm);
        ap_mask_andnot(&m->shadow.adm, &m->shadow.adm, &rm.adm);
        vap_update_guest(m);
        ap_mask_and(&m->add.apm, &add.apm, &m->matrix.apm);
        ap_mask_and(&m->add.aqm, &add.aqm, &m->matrix.aqm);
        ap_mask_and(&m->add.adm, &add.adm, &m->matrix.adm);
    }
    drv->info = *cur;
}

/* on_scan_complete: every mdev filtered once against the new
 * configuration, its guest told once. */
void
vap_scan_complete(struct zv_vfio_ap *drv)
{
    for (struct vap_mdev *m = drv->mdevs; m; m = m->next) {
        ap_mask_zero(&m->add.apm);
        ap_mask_zero(&m->add.aqm);
        ap_mask_zero(&m->add.adm);
        vap_refresh(m);
    }
}
