#pragma once
#include <node_api.h>

/* cpu_threadpool.c: exports configure() and stats(). */
void register_cpu_threadpool(napi_env env, napi_value exports);
/* inline_work.c: exports attachInlineWork() and inlineWorkStats(). */
void register_inline_work(napi_env env, napi_value exports);
