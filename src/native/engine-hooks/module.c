/* The engine hooks addon: see cpu_threadpool.c and inline_work.c. */
#include "engine_hooks.h"

NAPI_MODULE_INIT() {
  register_cpu_threadpool(env, exports);
  register_inline_work(env, exports);
  return exports;
}
