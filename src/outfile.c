/* outfile.c — rb_write_file: how `-o` and `fmt -w` put bytes at a path
 * (SPEC §9; docs/decisions.md "Writing output files").
 *
 * A regular file is replaced whole: the bytes go to a temporary file that
 * mkstemp creates exclusively, under an unpredictable name, in the target's
 * own directory (so the rename stays on one file system), and only a
 * complete write is renamed over the target.  A name planted in that
 * directory is therefore never opened, let alone followed.  A target that is
 * a symlink is resolved first and its target file is replaced (the link
 * stays a link); a dangling link is refused.  A device, FIFO or socket — and
 * anything under /dev, such as /dev/stdout, which stands for an open
 * descriptor — is written directly, never replaced by a regular file. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t k = write(fd, p, len);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return k < 0 ? errno : EIO;
        p += k;
        len -= (size_t)k;
    }
    return 0;
}

static int fail(rb_lang lang, char *err, size_t cap, const char *path, int code)
{
    snprintf(err, cap, rb_tr(lang, N_("cannot write %s: %s")), path, rb_strerror(lang, code));
    return -1;
}

/* Writes straight into an existing non-regular file (a device, a FIFO). */
static int write_direct(const char *path, const void *data, size_t len, rb_lang lang, char *err, size_t cap)
{
    int fd = open(path, O_WRONLY | O_NOCTTY);
    if (fd < 0) return fail(lang, err, cap, path, errno);
    int code = write_all(fd, data, len);
    if (close(fd) != 0 && code == 0 && errno != EINTR) code = errno;
    return code ? fail(lang, err, cap, path, code) : 0;
}

int rb_write_file(const char *path, const void *data, size_t len, rb_lang lang, char *err, size_t cap)
{
    struct stat st, lst;
    bool exists = stat(path, &st) == 0;
    if (!exists && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
        snprintf(err, cap, rb_tr(lang, N_("cannot write %s: it is a symbolic link to a file that does not exist")), path);
        return -1;
    }
    if ((exists && !S_ISREG(st.st_mode)) || strncmp(path, "/dev/", 5) == 0)
        return write_direct(path, data, len, lang, err, cap);
    /* A regular file, or none yet: replace what the path finally names. */
    char *target = exists ? realpath(path, NULL) : NULL;
    if (exists && !target) return fail(lang, err, cap, path, errno);
    const char *final = target ? target : path;
    const char *slash = strrchr(final, '/');
    size_t dirlen = slash ? (size_t)(slash - final) + 1 : 0;
    const char *base = final + dirlen;
    size_t n = dirlen + strlen(base) + 16;
    char *tmp = rb_xmalloc(n);
    snprintf(tmp, n, "%.*s.%s.XXXXXX", (int)dirlen, final, base);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int code = errno;
        rb_free(tmp);
        rb_free(target);
        return fail(lang, err, cap, path, code);
    }
    /* Keep an existing file's mode; a new one gets what open(2) would give. */
    mode_t mode;
    if (exists) {
        mode = st.st_mode & 07777;
    } else {
        mode_t mask = umask(0);
        umask(mask);
        mode = 0666 & ~mask;
    }
    int code = fchmod(fd, mode) != 0 ? errno : 0;
    if (code == 0) code = write_all(fd, data, len);
    if (close(fd) != 0 && code == 0 && errno != EINTR) code = errno;
    if (code == 0 && rename(tmp, final) != 0) code = errno;
    if (code) unlink(tmp);
    rb_free(tmp);
    rb_free(target);
    return code ? fail(lang, err, cap, path, code) : 0;
}
