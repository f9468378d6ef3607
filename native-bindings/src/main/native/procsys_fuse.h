/*
 * The C surface procsys binds with jextract: libfuse 3.14's low-level API.
 * FUSE_USE_VERSION 314 selects the 3.12+ loop configuration API and the
 * current fuse_lowlevel_ops layout.
 */
#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>
#include <sys/statvfs.h>
