#ifndef SEDIMENT_CGIT2_SHIM_H
#define SEDIMENT_CGIT2_SHIM_H

#include <git2.h>
#include <git2/sys/odb_backend.h>

/*
 * Typed wrappers for git_libgit2_opts, which is variadic and so cannot be
 * called from Swift. Each wrapper sets exactly one option.
 */

static inline int sediment_git_set_search_path(int level, const char *path) {
    return git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, level, path);
}

static inline int sediment_git_set_owner_validation(int enabled) {
    return git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, enabled);
}

static inline int sediment_git_set_ssl_cert_file(const char *file) {
    return git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, file, NULL);
}

static inline int sediment_git_set_user_agent(const char *agent) {
    return git_libgit2_opts(GIT_OPT_SET_USER_AGENT, agent);
}

/*
 * Reads object `id` from the first backend of `odb` that holds it, as git itself reads
 * objects: without libgit2's SHA-1 of the whole content on every read (its strict hash
 * verification) and without its object cache. The data belongs to `*from` and is freed with
 * git_odb_backend_data_free(*from, data). GIT_ENOTFOUND when no backend has it.
 */
static inline int sediment_git_odb_read_unverified(void **data, size_t *len, git_object_t *type,
                                                   git_odb_backend **from, git_odb *odb, const git_oid *id) {
    size_t count = git_odb_num_backends(odb);
    for (size_t i = 0; i < count; i++) {
        git_odb_backend *backend = NULL;
        if (git_odb_get_backend(&backend, odb, i) < 0)
            return -1;
        if (!backend->read)
            continue;
        int rc = backend->read(data, len, type, backend, id);
        if (rc == GIT_ENOTFOUND || rc == GIT_PASSTHROUGH)
            continue;
        if (rc == 0)
            *from = backend;
        return rc;
    }
    return GIT_ENOTFOUND;
}

#endif
