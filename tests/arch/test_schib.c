/* SPDX-License-Identifier: MIT */
/* PMCW / SCSW / SCHIB codecs and MSCH operand validity (css-pop.md §2.1).
 * Expected bytes are written from the PoP bit tables. */
#include "arch_test.h"

#include "arch/schib.h"

static void
scsw_clean_start_completion_bytes(void **state)
{
    struct scsw s = {
        .fctl = SCSW_FCTL_START,
        .stctl = SCSW_STCTL_PRIMARY | SCSW_STCTL_SECOND | SCSW_STCTL_PENDING,
        .cpa = 0x00001008,
        .dstat = DEV_STAT_CHN_END | DEV_STAT_DEV_END,
    };
    const uint8_t want[SCSW_SIZE] = {0x00, 0x00, 0x40, 0x07, 0x00, 0x00,
                                     0x10, 0x08, 0x0C, 0x00, 0x00, 0x00};
    uint8_t got[SCSW_SIZE];

    scsw_encode(&s, got);
    assert_bytes_equal(got, want, SCSW_SIZE);
}

/* One field at a time, each landing on the bit the PoP names. */
static void
scsw_single_field_bytes(void **state)
{
    static const struct {
        struct scsw s;
        uint32_t w0;
    } v[] = {
        {{.key = 0xA}, 0xA0000000},
        {{.sctl = 1}, 0x08000000},
        {{.eswf = 1}, 0x04000000},
        {{.cc = 3}, 0x03000000},
        {{.cc = 1}, 0x01000000},
        {{.fmt = 1}, 0x00800000},
        {{.pfch = 1}, 0x00400000},
        {{.isic = 1}, 0x00200000},
        {{.alcc = 1}, 0x00100000},
        {{.ssi = 1}, 0x00080000},
        {{.zcc = 1}, 0x00040000},
        {{.ectl = 1}, 0x00020000},
        {{.pno = 1}, 0x00010000},
        {{.bit16 = 1}, 0x00008000},
        {{.fctl = SCSW_FCTL_START}, 0x00004000},
        {{.fctl = SCSW_FCTL_HALT}, 0x00002000},
        {{.fctl = SCSW_FCTL_CLEAR}, 0x00001000},
        {{.actl = SCSW_ACTL_RESUME_PEND}, 0x00000800},
        {{.actl = SCSW_ACTL_START_PEND}, 0x00000400},
        {{.actl = SCSW_ACTL_HALT_PEND}, 0x00000200},
        {{.actl = SCSW_ACTL_CLEAR_PEND}, 0x00000100},
        {{.actl = SCSW_ACTL_SCH_ACTIVE}, 0x00000080},
        {{.actl = SCSW_ACTL_DEV_ACTIVE}, 0x00000040},
        {{.actl = SCSW_ACTL_SUSPENDED}, 0x00000020},
        {{.stctl = SCSW_STCTL_ALERT}, 0x00000010},
        {{.stctl = SCSW_STCTL_INTER}, 0x00000008},
        {{.stctl = SCSW_STCTL_PRIMARY}, 0x00000004},
        {{.stctl = SCSW_STCTL_SECOND}, 0x00000002},
        {{.stctl = SCSW_STCTL_PENDING}, 0x00000001},
    };

    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        uint8_t got[SCSW_SIZE];
        uint8_t want[SCSW_SIZE] = {0};

        want[0] = (uint8_t)(v[i].w0 >> 24);
        want[1] = (uint8_t)(v[i].w0 >> 16);
        want[2] = (uint8_t)(v[i].w0 >> 8);
        want[3] = (uint8_t)v[i].w0;
        scsw_encode(&v[i].s, got);
        assert_bytes_equal(got, want, SCSW_SIZE);
    }
}

static void
scsw_words_1_2_bytes(void **state)
{
    struct scsw s = {.cpa = 0x7FEDCBA8,
                     .dstat = DEV_STAT_UNIT_CHECK | DEV_STAT_CHN_END,
                     .cstat = SCHN_STAT_INCORR_LEN | SCHN_STAT_PCI,
                     .count = 0xBEEF};
    const uint8_t want[SCSW_SIZE] = {0,    0,    0,    0,    0x7F, 0xED,
                                     0xCB, 0xA8, 0x0A, 0xC0, 0xBE, 0xEF};
    uint8_t got[SCSW_SIZE];
    struct scsw d;

    scsw_encode(&s, got);
    assert_bytes_equal(got, want, SCSW_SIZE);
    scsw_decode(&d, want);
    assert_int_equal(d.cpa, 0x7FEDCBA8);
    assert_int_equal(d.dstat, 0x0A);
    assert_int_equal(d.cstat, 0xC0);
    assert_int_equal(d.count, 0xBEEF);
}

static void
pmcw_enabled_isc3_devno_bytes(void **state)
{
    struct pmcw p = {
        .intparm = 0xDEADBEEF,
        .isc = 3,
        .ena = true,
        .dnv = true,
        .dev = 0x1234,
        .lpm = 0x80,
        .pim = 0x80,
        .pom = 0xFF,
        .pam = 0x80,
        .chpid = {0x40},
    };
    const uint8_t want[PMCW_SIZE] = {0xDE, 0xAD, 0xBE, 0xEF, 0x18, 0x81, 0x12,
                                     0x34, 0x80, 0x00, 0x00, 0x80, 0x00, 0x00,
                                     0xFF, 0x80, 0x40, 0,    0,    0,    0,
                                     0,    0,    0,    0,    0,    0,    0};
    uint8_t got[PMCW_SIZE];

    pmcw_encode(&p, got);
    assert_bytes_equal(got, want, PMCW_SIZE);
}

static void
pmcw_word1_word6_fields_bytes(void **state)
{
    /* Q W ISC=7 bit5 bits67=3 | E LM=2 MM=3 D T V */
    struct pmcw a = {.qf = 1,
                     .w = 1,
                     .isc = 7,
                     .bit5 = 1,
                     .bits67 = 3,
                     .ena = 1,
                     .lm = 2,
                     .mme = 3,
                     .mp = 1,
                     .tf = 1,
                     .dnv = 1,
                     .mbi = 0x0102,
                     .pnom = 0x11,
                     .lpum = 0x22};
    /* zone | ST=1 reserved=all | F X S */
    struct pmcw b = {.w6_zone = 0xA5,
                     .st = PMCW_ST_CHSC,
                     .w6_rsvd = 0x3FFFF,
                     .mbfc = 1,
                     .xmwme = 1,
                     .csense = 1,
                     .chpid = {1, 2, 3, 4, 5, 6, 7, 8}};
    uint8_t got[PMCW_SIZE];

    pmcw_encode(&a, got);
    assert_int_equal(got[4], 0xFF);
    assert_int_equal(got[5], 0xDF); /* E 0x80, LM 10 -> 0x40, MM 0x18 */
    assert_int_equal(got[9], 0x11);
    assert_int_equal(got[10], 0x22);
    assert_int_equal(got[12], 0x01);
    assert_int_equal(got[13], 0x02);

    pmcw_encode(&b, got);
    for (int i = 0; i < 8; i++)
        assert_int_equal(got[16 + i], i + 1);
    assert_int_equal(got[24], 0xA5);
    assert_int_equal(got[25], 0x3F); /* ST 001 then 5 reserved ones */
    assert_int_equal(got[26], 0xFF);
    assert_int_equal(got[27], 0xFF);

    b.w6_rsvd = 0;
    b.st = PMCW_ST_ADM;
    b.mbfc = 0;
    b.xmwme = 0;
    pmcw_encode(&b, got);
    assert_int_equal(got[25], 0x60);
    assert_int_equal(got[27], 0x01);
}

static void
schib_layout_mba_mda(void **state)
{
    struct schib s = {.mba = 0x0123456789ABCDC0ull, .mda = 0xCAFEF00D};
    const uint8_t want_tail[12] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xAB,
                                   0xCD, 0xC0, 0xCA, 0xFE, 0xF0, 0x0D};
    uint8_t got[SCHIB_SIZE];

    s.pmcw.dev = 0xABCD;
    s.scsw.count = 0x5A5A;
    schib_encode(&s, got);
    assert_int_equal(got[6], 0xAB);
    assert_int_equal(got[7], 0xCD);
    assert_int_equal(got[PMCW_SIZE + 10], 0x5A);
    assert_bytes_equal(got + 40, want_tail, sizeof(want_tail));
}

static void
pmcw_random_struct(uint64_t *r, struct pmcw *p)
{
    memset(p, 0, sizeof(*p));
    p->intparm = t_bits(r, 32);
    p->qf = t_bits(r, 1);
    p->w = t_bits(r, 1);
    p->isc = (uint8_t)t_bits(r, 3);
    p->bit5 = t_bits(r, 1);
    p->bits67 = (uint8_t)t_bits(r, 2);
    p->ena = t_bits(r, 1);
    p->lm = (uint8_t)t_bits(r, 2);
    p->mme = (uint8_t)t_bits(r, 2);
    p->mp = t_bits(r, 1);
    p->tf = t_bits(r, 1);
    p->dnv = t_bits(r, 1);
    p->dev = (uint16_t)t_bits(r, 16);
    p->lpm = (uint8_t)t_bits(r, 8);
    p->pnom = (uint8_t)t_bits(r, 8);
    p->lpum = (uint8_t)t_bits(r, 8);
    p->pim = (uint8_t)t_bits(r, 8);
    p->mbi = (uint16_t)t_bits(r, 16);
    p->pom = (uint8_t)t_bits(r, 8);
    p->pam = (uint8_t)t_bits(r, 8);
    for (int i = 0; i < 8; i++)
        p->chpid[i] = (uint8_t)t_bits(r, 8);
    p->w6_zone = (uint8_t)t_bits(r, 8);
    p->st = (uint8_t)t_bits(r, 3);
    p->w6_rsvd = t_bits(r, 18);
    p->mbfc = t_bits(r, 1);
    p->xmwme = t_bits(r, 1);
    p->csense = t_bits(r, 1);
}

static void
pmcw_assert_equal(const struct pmcw *a, const struct pmcw *b)
{
    assert_int_equal(a->intparm, b->intparm);
    assert_int_equal(a->qf, b->qf);
    assert_int_equal(a->w, b->w);
    assert_int_equal(a->isc, b->isc);
    assert_int_equal(a->bit5, b->bit5);
    assert_int_equal(a->bits67, b->bits67);
    assert_int_equal(a->ena, b->ena);
    assert_int_equal(a->lm, b->lm);
    assert_int_equal(a->mme, b->mme);
    assert_int_equal(a->mp, b->mp);
    assert_int_equal(a->tf, b->tf);
    assert_int_equal(a->dnv, b->dnv);
    assert_int_equal(a->dev, b->dev);
    assert_int_equal(a->lpm, b->lpm);
    assert_int_equal(a->pnom, b->pnom);
    assert_int_equal(a->lpum, b->lpum);
    assert_int_equal(a->pim, b->pim);
    assert_int_equal(a->mbi, b->mbi);
    assert_int_equal(a->pom, b->pom);
    assert_int_equal(a->pam, b->pam);
    assert_memory_equal(a->chpid, b->chpid, 8);
    assert_int_equal(a->w6_zone, b->w6_zone);
    assert_int_equal(a->st, b->st);
    assert_int_equal(a->w6_rsvd, b->w6_rsvd);
    assert_int_equal(a->mbfc, b->mbfc);
    assert_int_equal(a->xmwme, b->xmwme);
    assert_int_equal(a->csense, b->csense);
}

static void
scsw_random_struct(uint64_t *r, struct scsw *s)
{
    memset(s, 0, sizeof(*s));
    s->key = (uint8_t)t_bits(r, 4);
    s->sctl = t_bits(r, 1);
    s->eswf = t_bits(r, 1);
    s->cc = (uint8_t)t_bits(r, 2);
    s->fmt = t_bits(r, 1);
    s->pfch = t_bits(r, 1);
    s->isic = t_bits(r, 1);
    s->alcc = t_bits(r, 1);
    s->ssi = t_bits(r, 1);
    s->zcc = t_bits(r, 1);
    s->ectl = t_bits(r, 1);
    s->pno = t_bits(r, 1);
    s->bit16 = t_bits(r, 1);
    s->fctl = (uint8_t)t_bits(r, 3);
    s->actl = (uint8_t)t_bits(r, 7);
    s->stctl = (uint8_t)t_bits(r, 5);
    s->cpa = t_bits(r, 32);
    s->dstat = (uint8_t)t_bits(r, 8);
    s->cstat = (uint8_t)t_bits(r, 8);
    s->count = (uint16_t)t_bits(r, 16);
}

static void
scsw_assert_equal(const struct scsw *a, const struct scsw *b)
{
    assert_int_equal(a->key, b->key);
    assert_int_equal(a->sctl, b->sctl);
    assert_int_equal(a->eswf, b->eswf);
    assert_int_equal(a->cc, b->cc);
    assert_int_equal(a->fmt, b->fmt);
    assert_int_equal(a->pfch, b->pfch);
    assert_int_equal(a->isic, b->isic);
    assert_int_equal(a->alcc, b->alcc);
    assert_int_equal(a->ssi, b->ssi);
    assert_int_equal(a->zcc, b->zcc);
    assert_int_equal(a->ectl, b->ectl);
    assert_int_equal(a->pno, b->pno);
    assert_int_equal(a->bit16, b->bit16);
    assert_int_equal(a->fctl, b->fctl);
    assert_int_equal(a->actl, b->actl);
    assert_int_equal(a->stctl, b->stctl);
    assert_int_equal(a->cpa, b->cpa);
    assert_int_equal(a->dstat, b->dstat);
    assert_int_equal(a->cstat, b->cstat);
    assert_int_equal(a->count, b->count);
}

static void
schib_struct_round_trip_random(void **state)
{
    uint64_t r = 0x5C41B0001ull;

    for (int i = 0; i < ROUNDS; i++) {
        struct schib a, b;
        uint8_t buf[SCHIB_SIZE];

        pmcw_random_struct(&r, &a.pmcw);
        scsw_random_struct(&r, &a.scsw);
        a.mba = t_rand(&r);
        a.mda = t_bits(&r, 32);
        schib_encode(&a, buf);
        schib_decode(&b, buf);
        pmcw_assert_equal(&a.pmcw, &b.pmcw);
        scsw_assert_equal(&a.scsw, &b.scsw);
        assert_true(a.mba == b.mba);
        assert_int_equal(a.mda, b.mda);
    }
}

/* Every bit of the 52 bytes belongs to some field: decode then encode is
 * the identity on any image. */
static void
schib_bytes_round_trip_random(void **state)
{
    uint64_t r = 0xB17E5ull;

    for (int i = 0; i < ROUNDS; i++) {
        uint8_t in[SCHIB_SIZE], out[SCHIB_SIZE];
        struct schib s;

        t_fill(&r, in, sizeof(in));
        schib_decode(&s, in);
        schib_encode(&s, out);
        assert_bytes_equal(out, in, SCHIB_SIZE);
    }
}

static void
valid_msch_image(uint8_t img[SCHIB_SIZE])
{
    struct schib s = {0};

    s.pmcw.intparm = 0x12345678;
    s.pmcw.isc = 3;
    s.pmcw.ena = true;
    s.pmcw.dnv = true;
    s.pmcw.dev = 0x0100;
    s.pmcw.lpm = 0xFF;
    schib_encode(&s, img);
}

/* Reserved per the PoP quote: word 1 bits 0,1,6,7 and word 6 bits 0-28. */
static bool
msch_reserved_bit(unsigned bit)
{
    unsigned word = bit / 32, b = bit % 32;

    if (word == 1)
        return b == 0 || b == 1 || b == 6 || b == 7;
    if (word == 6)
        return b <= 28;
    return false;
}

/* Each of the 416 bits alone, set in a valid operand: only the reserved
 * ones make MSCH reject it (bit 5 and the read-only fields are ignored). */
static void
schib_msch_valid_each_bit_alone(void **state)
{
    uint8_t base[SCHIB_SIZE];
    struct schib s;

    valid_msch_image(base);
    schib_decode(&s, base);
    assert_true(schib_msch_valid(&s));
    for (unsigned bit = 0; bit < SCHIB_SIZE * 8; bit++) {
        uint8_t img[SCHIB_SIZE];

        memcpy(img, base, sizeof(img));
        img[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
        schib_decode(&s, img);
        if (schib_msch_valid(&s) == msch_reserved_bit(bit))
            fail_msg("bit %u (word %u bit %u): valid=%d", bit, bit / 32,
                     bit % 32, schib_msch_valid(&s));
    }
}

static void
schib_msch_valid_limit_mode(void **state)
{
    struct schib s = {0};

    s.pmcw.ena = true;
    for (uint8_t lm = 0; lm < 3; lm++) {
        s.pmcw.lm = lm;
        assert_true(schib_msch_valid(&s));
    }
    s.pmcw.lm = 3;
    assert_false(schib_msch_valid(&s));
}

/* Format-1 measurement block: word 11 bits 26-31 (a 64-byte boundary). */
static void
schib_msch_valid_fmt1_mb_alignment(void **state)
{
    struct schib s = {0};

    s.pmcw.mbfc = true;
    s.mba = 0x0000000080000040ull;
    assert_true(schib_msch_valid(&s));
    for (unsigned b = 0; b < 6; b++) {
        s.mba = 0x0000000080000040ull | (1ull << b);
        assert_false(schib_msch_valid(&s));
    }
    s.pmcw.mbfc = false; /* format 0: words 10-11 are not examined */
    assert_true(schib_msch_valid(&s));
}

static void
schib_msch_valid_rejects_overwide_struct_fields(void **state)
{
    struct schib s = {0};

    s.pmcw.bits67 = 4;
    assert_false(schib_msch_valid(&s));
    s.pmcw.bits67 = 0;
    s.pmcw.st = 8;
    assert_false(schib_msch_valid(&s));
    s.pmcw.st = 0;
    s.pmcw.w6_rsvd = 1u << 18;
    assert_false(schib_msch_valid(&s));
}

struct pred_case {
    struct scsw s;
    bool pending, solicited, cpa, count, dstat, cc;
};

/* Hand-worked cases of the field-validity rules (css-pop.md §2.1). */
static void
scsw_validity_predicates(void **state)
{
    const uint8_t pps =
        SCSW_STCTL_PRIMARY | SCSW_STCTL_SECOND | SCSW_STCTL_PENDING;
    const uint8_t ap = SCSW_STCTL_ALERT | SCSW_STCTL_PENDING;
    const uint8_t ip = SCSW_STCTL_INTER | SCSW_STCTL_PENDING;
    const uint8_t act = SCSW_ACTL_SCH_ACTIVE | SCSW_ACTL_DEV_ACTIVE;
    static const uint8_t start = SCSW_FCTL_START;
    const struct pred_case c[] = {
        /* idle: nothing pending, nothing valid except "solicited" */
        {{0}, false, true, false, false, false, false},
        /* clean completion */
        {{.fctl = start, .stctl = pps}, true, true, true, true, true, true},
        /* unsolicited attention: alert + pending, cc 0 */
        {{.stctl = ap}, true, false, false, false, true, false},
        /* deferred cc 1 at start: alert + pending, solicited */
        {{.fctl = start, .stctl = ap, .cc = 1},
         true,
         true,
         false,
         false,
         true,
         true},
        /* deferred cc 3: status fields not meaningful */
        {{.fctl = start, .stctl = ap, .cc = 3},
         true,
         true,
         false,
         false,
         false,
         true},
        /* PCI while active: CPA valid, count not */
        {{.fctl = start, .actl = act, .stctl = ip, .cstat = SCHN_STAT_PCI},
         true,
         true,
         true,
         false,
         true,
         true},
        /* intermediate without both actives: no CPA */
        {{.fctl = start, .actl = SCSW_ACTL_SCH_ACTIVE, .stctl = ip},
         true,
         true,
         false,
         false,
         true,
         true},
        /* suspended */
        {{.fctl = start, .actl = SCSW_ACTL_SUSPENDED, .stctl = ip},
         true,
         true,
         true,
         false,
         true,
         true},
        /* primary with IL only: count still valid */
        {{.fctl = start, .stctl = pps, .cstat = SCHN_STAT_INCORR_LEN},
         true,
         true,
         true,
         true,
         true,
         true},
        /* primary with program check: count not valid */
        {{.fctl = start,
          .stctl = pps | SCSW_STCTL_ALERT,
          .cstat = SCHN_STAT_PROG_CHECK},
         true,
         true,
         true,
         false,
         true,
         true},
        /* suspended with the interruption suppressed (U): CPA still valid */
        {{.fctl = start, .actl = SCSW_ACTL_SUSPENDED},
         false,
         true,
         true,
         false,
         false,
         false},
        /* halt completion: cc field is not meaningful */
        {{.fctl = SCSW_FCTL_HALT,
          .stctl = SCSW_STCTL_SECOND | SCSW_STCTL_PENDING},
         true,
         true,
         false,
         false,
         true,
         false},
    };

    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        const struct scsw *s = &c[i].s;

        if (scsw_is_status_pending(s) != c[i].pending ||
            scsw_is_solicited(s) != c[i].solicited ||
            scsw_cpa_valid(s) != c[i].cpa ||
            scsw_count_valid(s) != c[i].count ||
            scsw_dstat_valid(s) != c[i].dstat || scsw_cc_valid(s) != c[i].cc)
            fail_msg("case %zu: pend %d sol %d cpa %d cnt %d dst %d cc %d", i,
                     scsw_is_status_pending(s), scsw_is_solicited(s),
                     scsw_cpa_valid(s), scsw_count_valid(s),
                     scsw_dstat_valid(s), scsw_cc_valid(s));
    }
}

static void
scsw_validity_predicates_z_e_n(void **state)
{
    struct scsw s = {.fctl = SCSW_FCTL_START,
                     .stctl = SCSW_STCTL_INTER | SCSW_STCTL_PENDING};

    assert_true(scsw_orb_fields_valid(&s));
    assert_true(scsw_zcc_valid(&s));
    assert_false(scsw_ectl_valid(&s));
    assert_false(scsw_pno_valid(&s)); /* intermediate, not suspended */
    s.actl = SCSW_ACTL_SUSPENDED;
    assert_true(scsw_pno_valid(&s));

    s.actl = 0;
    s.stctl = SCSW_STCTL_ALERT | SCSW_STCTL_PRIMARY | SCSW_STCTL_PENDING;
    assert_false(scsw_zcc_valid(&s));
    assert_true(scsw_ectl_valid(&s));
    assert_true(scsw_pno_valid(&s));

    s.fctl = 0; /* unsolicited: no function, no ORB fields, no N */
    s.stctl = SCSW_STCTL_ALERT | SCSW_STCTL_PENDING;
    assert_false(scsw_orb_fields_valid(&s));
    assert_false(scsw_pno_valid(&s));
    assert_true(scsw_ectl_valid(&s));
    s.stctl = SCSW_STCTL_ALERT;
    assert_false(scsw_ectl_valid(&s));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scsw_clean_start_completion_bytes),
        cmocka_unit_test(scsw_single_field_bytes),
        cmocka_unit_test(scsw_words_1_2_bytes),
        cmocka_unit_test(pmcw_enabled_isc3_devno_bytes),
        cmocka_unit_test(pmcw_word1_word6_fields_bytes),
        cmocka_unit_test(schib_layout_mba_mda),
        cmocka_unit_test(schib_struct_round_trip_random),
        cmocka_unit_test(schib_bytes_round_trip_random),
        cmocka_unit_test(schib_msch_valid_each_bit_alone),
        cmocka_unit_test(schib_msch_valid_limit_mode),
        cmocka_unit_test(schib_msch_valid_fmt1_mb_alignment),
        cmocka_unit_test(schib_msch_valid_rejects_overwide_struct_fields),
        cmocka_unit_test(scsw_validity_predicates),
        cmocka_unit_test(scsw_validity_predicates_z_e_n),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
