/* Prints the size of struct stat and the offset of each field procsys uses (StatLayoutTest). */
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>

#define FIELD(name, member) printf("%s %zu\n", name, offsetof(struct stat, member))

int main(void) {
    printf("size %zu\n", sizeof(struct stat));
    FIELD("st_dev", st_dev);
    FIELD("st_ino", st_ino);
    FIELD("st_nlink", st_nlink);
    FIELD("st_mode", st_mode);
    FIELD("st_uid", st_uid);
    FIELD("st_gid", st_gid);
    FIELD("st_rdev", st_rdev);
    FIELD("st_size", st_size);
    FIELD("st_blksize", st_blksize);
    FIELD("st_blocks", st_blocks);
    FIELD("st_atime", st_atim.tv_sec);
    FIELD("st_atime_nsec", st_atim.tv_nsec);
    FIELD("st_mtime", st_mtim.tv_sec);
    FIELD("st_mtime_nsec", st_mtim.tv_nsec);
    FIELD("st_ctime", st_ctim.tv_sec);
    FIELD("st_ctime_nsec", st_ctim.tv_nsec);
    return 0;
}
