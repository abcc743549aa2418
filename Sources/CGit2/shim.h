#ifndef SEDIMENT_CGIT2_SHIM_H
#define SEDIMENT_CGIT2_SHIM_H

#include <git2.h>

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

#endif
