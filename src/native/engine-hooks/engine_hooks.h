#pragma once
#include <node_api.h>
#include <stdint.h>

/* cpu_threadpool.c: JS configure({ enabled, poll }) and stats(). */
napi_value cpu_threadpool_configure(napi_env env, napi_callback_info info);
napi_value cpu_threadpool_stats(napi_env env, napi_callback_info info);

/* huge_pages.c: JS configureHugePages(enabled) and hugePageBytes(). */
napi_value huge_pages_configure(napi_env env, napi_callback_info info);
napi_value huge_pages_mapped_bytes(napi_env env, napi_callback_info info);

/* inline_work.c: JS attachInlineWork(enabled, budgetNs?) and inlineWorkStats(). */
napi_value inline_work_attach(napi_env env, napi_callback_info info);
napi_value inline_work_stats(napi_env env, napi_callback_info info);

/* module.c: object[name] = value, for the stats objects. */
void set_int64(napi_env env, napi_value object, const char *name, int64_t value);
