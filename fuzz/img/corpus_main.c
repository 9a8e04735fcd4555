/* SPDX-License-Identifier: MIT */
/*
 * Runs the fuzz entry point over every file of a corpus directory
 * without libFuzzer, so the normal test suite replays the seeds (and any
 * crash reproducer added to the corpus).  Usage: corpus_main DIR
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long len;

    if (!f)
        return -1;
    if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)len + 1)) &&
        fread(buf, 1, (size_t)len, f) == (size_t)len) {
        fclose(f);
        LLVMFuzzerTestOneInput(buf, (size_t)len);
        free(buf);
        return 0;
    }
    free(buf);
    fclose(f);
    return -1;
}

int
main(int argc, char **argv)
{
    struct dirent *de;
    char path[4096];
    int n = 0;
    DIR *d;

    if (argc != 2 || !(d = opendir(argv[1]))) {
        fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 1;
    }
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", argv[1], de->d_name);
        if (run_file(path) < 0) {
            fprintf(stderr, "cannot read %s\n", path);
            closedir(d);
            return 1;
        }
        n++;
    }
    closedir(d);
    printf("%d corpus inputs ran\n", n);
    return n > 0 ? 0 : 1;
}
