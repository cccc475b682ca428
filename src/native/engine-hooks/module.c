/* The engine hooks addon: see cpu_threadpool.c, inline_work.c and huge_pages.c; and dupFd, for off-thread socket writes. */
#define _GNU_SOURCE
#include <fcntl.h>
#include "engine_hooks.h"

void set_int64(napi_env env, napi_value object, const char *name, int64_t value) {
  napi_value n;
  napi_create_int64(env, value, &n);
  napi_set_named_property(env, object, name, n);
}

/*
 * JS: dupFd(fd) → a second descriptor (close-on-exec) for the same open file, or -1. A stream written
 * from libuv's threadpool holds its own descriptor, so a write still queued when Node closes the
 * socket cannot land on another connection that reuses the number (src/openai/shared/off-thread-writer.ts).
 */
static napi_value dup_fd(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg, result;
  int32_t fd = -1;
  if (napi_get_cb_info(env, info, &argc, &arg, NULL, NULL) != napi_ok || argc < 1 || napi_get_value_int32(env, arg, &fd) != napi_ok) fd = -1;
  napi_create_int32(env, fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1, &result);
  return result;
}

NAPI_MODULE_INIT() {
  static const struct { const char *name; napi_callback fn; } functions[] = {
    { "configure", cpu_threadpool_configure },
    { "stats", cpu_threadpool_stats },
    { "attachInlineWork", inline_work_attach },
    { "inlineWorkStats", inline_work_stats },
    { "configureHugePages", huge_pages_configure },
    { "hugePageBytes", huge_pages_mapped_bytes },
    { "dupFd", dup_fd },
  };
  for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++) {
    napi_value fn;
    napi_create_function(env, functions[i].name, NAPI_AUTO_LENGTH, functions[i].fn, NULL, &fn);
    napi_set_named_property(env, exports, functions[i].name, fn);
  }
  return exports;
}
