/*
 * A persistent ggml threadpool for node-llama-cpp's CPU contexts, as llama-server and llama-bench have.
 *
 * node-llama-cpp never attaches a threadpool to a llama_context, so ggml creates and joins its
 * worker threads for every graph it computes: every decoded token pays a thread start and a cold
 * hand-off, and with a thread per core a token-by-token decode ran at a third of llama-server's speed.
 * llama.cpp asks the CPU backend for `ggml_backend_cpu_set_threadpool` and `ggml_backend_set_n_threads`
 * through `ggml_backend_reg_get_proc_address` (libggml-base), before each graph and at context
 * creation. Loaded RTLD_GLOBAL before node-llama-cpp's addon, this library's definition of that
 * function comes first in the dynamic linker's lookup and hands back two wrappers for the CPU backend:
 *   - set_n_threads(backend, n): creates (or grows) one pool for the backend and attaches it;
 *   - set_threadpool(backend, NULL): attaches the backend's pool instead of "none" (called before
 *     every graph, so it also counts the graphs computed).
 * `ggml_backend_free` is wrapped to free a backend's pool after the backend. Everything else goes
 * to the real functions unchanged. Only pointers and ints cross the wrappers; the one struct used,
 * ggml_threadpool_params, is ggml's public one (ggml.h of the llama.cpp that node-llama-cpp 3.21.1 bundles).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <node_api.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "engine_hooks.h"

#define GGML_MAX_N_THREADS 512
struct ggml_threadpool_params {
  bool cpumask[GGML_MAX_N_THREADS];
  int n_threads;
  int prio;
  uint32_t poll;
  bool strict_cpu;
  bool paused;
};

typedef void *(*get_proc_fn)(void *reg, const char *name);
typedef const char *(*reg_name_fn)(void *reg);
typedef void (*backend_free_fn)(void *backend);
typedef void (*set_threadpool_fn)(void *backend, void *threadpool);
typedef void (*set_n_threads_fn)(void *backend, int n_threads);
typedef struct ggml_threadpool_params (*params_default_fn)(int n_threads);
typedef void *(*threadpool_new_fn)(struct ggml_threadpool_params *params);
typedef void (*threadpool_free_fn)(void *threadpool);

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static bool enabled = true;
static uint32_t poll_level = 0;

static get_proc_fn real_get_proc;
static reg_name_fn real_reg_name;
static backend_free_fn real_backend_free;
static params_default_fn real_params_default;
/* From the CPU backend's registry. */
static set_threadpool_fn real_set_threadpool;
static set_n_threads_fn real_set_n_threads;
static threadpool_new_fn real_threadpool_new;
static threadpool_free_fn real_threadpool_free;

#define MAX_POOLS 64
static struct pool {
  void *backend;
  void *threadpool;
  int n_threads;
} pools[MAX_POOLS];
static int64_t pools_created;
/* llama.cpp attaches the threadpool before every graph it computes: one per ubatch (for tests). */
static int64_t graphs_computed;

/* ggml-base is loaded (by node-llama-cpp's addon, privately) before any of these are called. */
static bool resolve_base(void) {
  if (real_get_proc) return true;
  void *base = dlopen("libggml-base.so", RTLD_LAZY | RTLD_NOLOAD);
  if (!base) return false;
  real_reg_name = (reg_name_fn)dlsym(base, "ggml_backend_reg_name");
  real_backend_free = (backend_free_fn)dlsym(base, "ggml_backend_free");
  real_params_default = (params_default_fn)dlsym(base, "ggml_threadpool_params_default");
  real_get_proc = (get_proc_fn)dlsym(base, "ggml_backend_reg_get_proc_address");
  return real_get_proc && real_reg_name && real_backend_free && real_params_default;
}

static struct pool *find(void *backend) {
  for (int i = 0; i < MAX_POOLS; i++)
    if (pools[i].backend == backend) return &pools[i];
  return NULL;
}

static void hooked_set_n_threads(void *backend, int n_threads) {
  real_set_n_threads(backend, n_threads);
  pthread_mutex_lock(&lock);
  struct pool *pool = find(backend);
  if (enabled && (!pool || pool->n_threads < n_threads)) {
    struct ggml_threadpool_params params = real_params_default(n_threads);
    params.poll = poll_level;
    void *threadpool = real_threadpool_new(&params);
    if (threadpool) {
      if (!pool) pool = find(NULL);
      if (pool) {
        /* Attaching pauses the pool it replaces, which no graph is using between graphs. */
        real_set_threadpool(backend, threadpool);
        if (pool->threadpool) real_threadpool_free(pool->threadpool);
        *pool = (struct pool){ backend, threadpool, n_threads };
        pools_created++;
      } else {
        real_threadpool_free(threadpool);
      }
    }
  }
  pthread_mutex_unlock(&lock);
}

static void hooked_set_threadpool(void *backend, void *threadpool) {
  __atomic_fetch_add(&graphs_computed, 1, __ATOMIC_RELAXED);
  if (!threadpool) {
    pthread_mutex_lock(&lock);
    struct pool *pool = find(backend);
    if (pool) threadpool = pool->threadpool;
    pthread_mutex_unlock(&lock);
  }
  real_set_threadpool(backend, threadpool);
}

void *ggml_backend_reg_get_proc_address(void *reg, const char *name) {
  if (!resolve_base()) return NULL;
  void *fn = real_get_proc(reg, name);
  if (!fn || !name || strcmp(real_reg_name(reg), "CPU") != 0) return fn;
  bool set_threadpool = strcmp(name, "ggml_backend_cpu_set_threadpool") == 0;
  if (set_threadpool || strcmp(name, "ggml_backend_set_n_threads") == 0) {
    pthread_mutex_lock(&lock);
    if (!real_threadpool_new) {
      real_threadpool_new = (threadpool_new_fn)real_get_proc(reg, "ggml_threadpool_new");
      real_threadpool_free = (threadpool_free_fn)real_get_proc(reg, "ggml_threadpool_free");
      real_set_threadpool = (set_threadpool_fn)real_get_proc(reg, "ggml_backend_cpu_set_threadpool");
      real_set_n_threads = (set_n_threads_fn)real_get_proc(reg, "ggml_backend_set_n_threads");
    }
    bool ready = real_threadpool_new && real_threadpool_free && real_set_threadpool && real_set_n_threads;
    pthread_mutex_unlock(&lock);
    if (ready) return set_threadpool ? (void *)hooked_set_threadpool : (void *)hooked_set_n_threads;
  }
  return fn;
}

void ggml_backend_free(void *backend) {
  if (!resolve_base()) return;
  pthread_mutex_lock(&lock);
  struct pool *pool = backend ? find(backend) : NULL;
  struct pool freed = pool ? *pool : (struct pool){ 0 };
  if (pool) *pool = (struct pool){ 0 };
  pthread_mutex_unlock(&lock);
  real_backend_free(backend);
  if (freed.threadpool) real_threadpool_free(freed.threadpool);
}

/* JS: configure({ enabled, poll }) before contexts are created; stats() for tests. */
napi_value cpu_threadpool_configure(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value options;
  napi_get_cb_info(env, info, &argc, &options, NULL, NULL);
  if (argc < 1) return NULL;
  bool has;
  napi_value value;
  pthread_mutex_lock(&lock);
  if (napi_has_named_property(env, options, "enabled", &has) == napi_ok && has &&
      napi_get_named_property(env, options, "enabled", &value) == napi_ok)
    napi_get_value_bool(env, value, &enabled);
  if (napi_has_named_property(env, options, "poll", &has) == napi_ok && has &&
      napi_get_named_property(env, options, "poll", &value) == napi_ok)
    napi_get_value_uint32(env, value, &poll_level);
  pthread_mutex_unlock(&lock);
  return NULL;
}

napi_value cpu_threadpool_stats(napi_env env, napi_callback_info info) {
  (void)info;
  int live = 0;
  pthread_mutex_lock(&lock);
  for (int i = 0; i < MAX_POOLS; i++) live += pools[i].threadpool != NULL;
  int64_t created = pools_created;
  pthread_mutex_unlock(&lock);
  napi_value result;
  napi_create_object(env, &result);
  set_int64(env, result, "livePools", live);
  set_int64(env, result, "poolsCreated", created);
  set_int64(env, result, "graphsComputed", __atomic_load_n(&graphs_computed, __ATOMIC_RELAXED));
  return result;
}
