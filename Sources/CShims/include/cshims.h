#ifndef SEDIMENT_CSHIMS_H
#define SEDIMENT_CSHIMS_H

/* Linux calls that Glibc's Swift module does not expose without _GNU_SOURCE. */

/* syncfs(2): flush the file system holding fd. Returns 0 or -1 with errno set. */
int sediment_syncfs(int fd);

#endif
