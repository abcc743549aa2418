#ifndef SEDIMENT_CCURL_SHIM_H
#define SEDIMENT_CCURL_SHIM_H

#include <curl/curl.h>

/*
 * Typed wrappers for curl_easy_setopt and curl_easy_getinfo, which are variadic and so
 * cannot be called from Swift. Each wrapper passes exactly one argument type.
 */

typedef size_t (*sediment_curl_data_callback)(char *data, size_t size, size_t count, void *context);
typedef int (*sediment_curl_progress_callback)(void *context, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);

static inline CURLcode sediment_curl_set_long(CURL *curl, CURLoption option, long value) {
    return curl_easy_setopt(curl, option, value);
}

static inline CURLcode sediment_curl_set_string(CURL *curl, CURLoption option, const char *value) {
    return curl_easy_setopt(curl, option, value);
}

static inline CURLcode sediment_curl_set_pointer(CURL *curl, CURLoption option, void *value) {
    return curl_easy_setopt(curl, option, value);
}

static inline CURLcode sediment_curl_set_offset(CURL *curl, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(curl, option, value);
}

static inline CURLcode sediment_curl_set_headers(CURL *curl, struct curl_slist *headers) {
    return curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
}

static inline CURLcode sediment_curl_set_data_callback(CURL *curl, CURLoption option, sediment_curl_data_callback callback) {
    return curl_easy_setopt(curl, option, callback);
}

static inline CURLcode sediment_curl_set_progress_callback(CURL *curl, sediment_curl_progress_callback callback) {
    return curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, callback);
}

typedef curl_socket_t (*sediment_curl_opensocket_callback)(void *context, curlsocktype purpose, struct curl_sockaddr *address);

static inline CURLcode sediment_curl_set_opensocket_callback(CURL *curl, sediment_curl_opensocket_callback callback) {
    return curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, callback);
}

static inline CURLcode sediment_curl_get_long(CURL *curl, CURLINFO info, long *value) {
    return curl_easy_getinfo(curl, info, value);
}

static inline CURLcode sediment_curl_get_offset(CURL *curl, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(curl, info, value);
}

static inline CURLcode sediment_curl_get_string(CURL *curl, CURLINFO info, char **value) {
    return curl_easy_getinfo(curl, info, value);
}

#endif
