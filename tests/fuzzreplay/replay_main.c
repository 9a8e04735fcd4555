/* SPDX-License-Identifier: MIT */
/*
 * Replays every file of a fuzz corpus through a fuzz target's entry point
 * without libFuzzer, so the normal test suite runs the seeds and every
 * reproducer kept in the corpus (a broken invariant aborts the target, so
 * the test fails).  Usage: <replay program> CORPUS_DIR
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define REPLAY_MAX (1u << 20) /* libFuzzer's default -max_len is far less */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
replay(const char *path, uint8_t *buf)
{
    FILE *f = fopen(path, "rb");
    size_t n;

    if (!f)
        return -1;
    n = fread(buf, 1, REPLAY_MAX, f);
    fclose(f);
    LLVMFuzzerTestOneInput(buf, n);
    return 0;
}

int
main(int argc, char **argv)
{
    uint8_t *buf = malloc(REPLAY_MAX);
    char path[4096];
    struct dirent *de;
    int n = 0, rc = 0;
    DIR *d;

    if (argc != 2 || !buf || !(d = opendir(argv[1]))) {
        fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        free(buf);
        return 1;
    }
    while (!rc && (de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", argv[1], de->d_name);
        rc = replay(path, buf);
        if (rc)
            fprintf(stderr, "cannot read %s\n", path);
        n++;
    }
    closedir(d);
    free(buf);
    printf("replayed %d inputs\n", n);
    return rc || n == 0;
}
