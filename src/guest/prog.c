/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "guest/prog.h"

int
guest_prog_init(struct guest_prog *p, struct guest_chan *ch, unsigned cap)
{
    void *host;
    int rc;

    memset(p, 0, sizeof(*p));
    rc = zv_arena_alloc(ch->arena, (uint64_t)cap * CCW_SIZE, CCW_SIZE, &p->addr,
                        &host);
    if (rc)
        return rc;
    p->ch = ch;
    p->host = host;
    p->cap = cap;
    return 0;
}

void
guest_prog_fini(struct guest_prog *p)
{
    if (p->ch && p->host)
        (void)zv_arena_release(p->ch->arena, p->addr);
    memset(p, 0, sizeof(*p));
}

int
guest_prog_add(struct guest_prog *p, uint8_t cmd, uint8_t flags, uint16_t count,
               uint32_t cda)
{
    struct ccw1 c = {.cmd = cmd, .flags = flags, .count = count, .cda = cda};

    if (p->n >= p->cap)
        return -ENOSPC;
    ccw1_encode(&c, p->host + (size_t)p->n * CCW_SIZE);
    return (int)p->n++;
}

uint64_t
guest_prog_ccw_addr(const struct guest_prog *p, unsigned i)
{
    return p->addr + (uint64_t)i * CCW_SIZE;
}

static bool
irb_final(const struct irb *irb)
{
    const struct scsw *s = &irb->scsw;

    return (s->stctl & SCSW_STCTL_PRIMARY) || s->cc != 0 ||
           ((s->stctl & SCSW_STCTL_ALERT) && !(s->stctl & SCSW_STCTL_INTER));
}

int
guest_prog_run(struct guest_prog *p, uint8_t lpm, struct irb *irb)
{
    struct orb orb = {0};
    int rc;

    orb.intparm = p->intparm;
    orb.fmt = true;
    orb.pfch = true;
    orb.c64 = true;
    orb.lpm = lpm ? lpm : 0xFF;
    orb.cpa = (uint32_t)p->addr;
    rc = p->ch->ops->ssch(p->ch, &orb);
    if (rc != 0)
        return rc;
    do {
        rc = p->ch->ops->wait_irb(p->ch, irb, GUEST_IO_TIMEOUT_NS);
        if (rc)
            return rc;
    } while (!irb_final(irb));
    return 0;
}

bool
guest_irb_ok(const struct irb *irb)
{
    const struct scsw *s = &irb->scsw;

    return s->cc == 0 && s->dstat == (DEV_STAT_CHN_END | DEV_STAT_DEV_END) &&
           (s->cstat & ~SCHN_STAT_PCI) == 0;
}
