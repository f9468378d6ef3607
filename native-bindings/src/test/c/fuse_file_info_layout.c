/* Prints where gcc puts fuse_file_info's fields: "name byte-offset bit" per bitfield (found by
 * setting the field alone and looking for the one bit that changed), then sizeof and the offsets
 * of the plain fields. FileInfoBitfieldTest compares this with io.procsys.fuse.FileInfo. */
#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static void locate(const char *name, const struct fuse_file_info *fi) {
    const unsigned char *bytes = (const unsigned char *) fi;
    for (size_t i = 0; i < sizeof *fi; i++) {
        for (int bit = 0; bit < 8; bit++) {
            if (bytes[i] & (1u << bit)) {
                /* report as (offset of the aligned 32-bit word, bit within it), little-endian */
                size_t word = i & ~(size_t) 3;
                printf("%s %zu %zu\n", name, word, (i - word) * 8 + bit);
            }
        }
    }
}

#define BIT(field) do { struct fuse_file_info fi; memset(&fi, 0, sizeof fi); fi.field = 1; locate(#field, &fi); } while (0)

int main(void) {
    BIT(writepage);
    BIT(direct_io);
    BIT(keep_cache);
    BIT(flush);
    BIT(nonseekable);
    BIT(flock_release);
    BIT(cache_readdir);
    BIT(noflush);
    printf("sizeof %zu 0\n", sizeof(struct fuse_file_info));
    printf("flags %zu 0\n", offsetof(struct fuse_file_info, flags));
    printf("fh %zu 0\n", offsetof(struct fuse_file_info, fh));
    return 0;
}
