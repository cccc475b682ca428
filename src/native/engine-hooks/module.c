/* The engine hooks addon: see cpu_threadpool.c and inline_work.c. */
#include "engine_hooks.h"

void set_int64(napi_env env, napi_value object, const char *name, int64_t value) {
  napi_value n;
  napi_create_int64(env, value, &n);
  napi_set_named_property(env, object, name, n);
}

NAPI_MODULE_INIT() {
  static const struct { const char *name; napi_callback fn; } functions[] = {
    { "configure", cpu_threadpool_configure },
    { "stats", cpu_threadpool_stats },
    { "attachInlineWork", inline_work_attach },
    { "inlineWorkStats", inline_work_stats },
  };
  for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++) {
    napi_value fn;
    napi_create_function(env, functions[i].name, NAPI_AUTO_LENGTH, functions[i].fn, NULL, &fn);
    napi_set_named_property(env, exports, functions[i].name, fn);
  }
  return exports;
}
