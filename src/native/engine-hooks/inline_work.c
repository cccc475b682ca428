/*
 * Runs node-llama-cpp's per-token native jobs on the event-loop thread instead of libuv's threadpool.
 *
 * node-llama-cpp queues every `decodeBatch` and every `sampleToken` as an N-API async work: the event
 * loop hands the job to a libuv worker thread and is woken again when it is done. When decoding one
 * token takes ~2 ms on two busy cores, those four thread switches per token cost ~0.5–1 ms (measured:
 * llama_decode 2.3 ms inside Node vs 1.7 ms in a plain C loop on the same libraries, plus the hand-offs),
 * and the separate sampling job of each sequence lets node-llama-cpp start the next batch before every
 * sequence has queued its next token (batches of 3 with 4 streams). llama-server runs decode and
 * sampling on one thread, one after the other; this hook does the same for small jobs:
 *   - a sampling job, and a decode of at most INLINE_MAX_TOKENS tokens whose expected time is within
 *     INLINE_BUDGET_NS (measured per token, so a big model on a slow CPU keeps the threadpool), run at
 *     once on the calling (event-loop) thread; their completion (resolving node-llama-cpp's promise)
 *     is delivered from a microtask, after the call that queued them has returned, as N-API requires;
 *   - everything else (prompt batches, other addons' and node-llama-cpp's other jobs) is queued as before.
 * It is attached after node-llama-cpp has loaded its addon, by rewriting that addon's GOT entries for
 * napi_create_async_work / napi_queue_async_work / napi_delete_async_work and llama_batch_init (how the
 * size of the next decode is known). ELF (Linux) only.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "engine_hooks.h"

#if UINTPTR_MAX != UINT64_MAX
#error "inline_work.c reads 64-bit ELF relocations only"
#endif

#define INLINE_MAX_TOKENS 16
#define INLINE_BUDGET_NS 20000000LL /* 20 ms: by default, the longest the event loop may be held by one decode */
#define MAX_WORKS 512
#define MAX_PENDING 256

enum kind { FREE = 0, DECODE, SAMPLE };

/* The jobs node-llama-cpp has created and not deleted yet (only the two kinds above are tracked). */
static struct work {
  enum kind kind;
  napi_async_work work;
  napi_async_execute_callback execute;
  napi_async_complete_callback complete;
  void *data;
  int32_t tokens;
} works[MAX_WORKS];

/* Completions of jobs that ran inline, to be delivered by the next microtask. */
static struct pending {
  napi_env env;
  struct work *work;
} pending[MAX_PENDING];
static int n_pending;

static pthread_t js_thread;
static napi_env own_env;
static napi_ref schedule_ref; /* JS: () => resolved.then(deliver) */
static bool enabled;
static int64_t budget_ns = INLINE_BUDGET_NS;
static int32_t next_batch_tokens = INT32_MAX;
static _Atomic int64_t ns_per_token; /* moving average over decodes of at most INLINE_MAX_TOKENS tokens */
static int64_t inlined_decodes, inlined_samples, queued_decodes;

typedef struct {
  int32_t n_tokens;
  void *token, *embd, *pos, *n_seq_id, *seq_id, *logits;
} llama_batch;
typedef llama_batch (*batch_init_fn)(int32_t n_tokens, int32_t embd, int32_t n_seq_max);
static batch_init_fn real_batch_init;

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* node-llama-cpp's initBatch(n) allocates the batch its next decodeBatch() runs. */
static llama_batch hooked_batch_init(int32_t n_tokens, int32_t embd, int32_t n_seq_max) {
  if (pthread_equal(pthread_self(), js_thread)) next_batch_tokens = n_tokens;
  return real_batch_init(n_tokens, embd, n_seq_max);
}

static struct work *find(napi_async_work work) {
  for (int i = 0; i < MAX_WORKS; i++)
    if (works[i].kind != FREE && works[i].work == work) return &works[i];
  return NULL;
}

static void run(napi_env env, struct work *w) {
  int64_t start = now_ns();
  w->execute(env, w->data);
  if (w->kind == DECODE && w->tokens > 0 && w->tokens <= INLINE_MAX_TOKENS) {
    int64_t per_token = (now_ns() - start) / w->tokens;
    int64_t average = atomic_load_explicit(&ns_per_token, memory_order_relaxed);
    atomic_store_explicit(&ns_per_token, average == 0 ? per_token : (3 * average + per_token) / 4, memory_order_relaxed);
  }
}

/* The execute callback given to N-API for tracked jobs that do go to the threadpool: times decodes. */
static void traced_execute(napi_env env, void *data) {
  run(env, data);
}

static void traced_complete(napi_env env, napi_status status, void *data) {
  struct work *w = data;
  w->complete(env, status, w->data);
}

static napi_status hooked_create(napi_env env, napi_value resource, napi_value name, napi_async_execute_callback execute,
                                 napi_async_complete_callback complete, void *data, napi_async_work *result) {
  char buf[40] = "";
  enum kind kind = FREE;
  if (enabled && pthread_equal(pthread_self(), js_thread) &&
      napi_get_value_string_utf8(env, name, buf, sizeof buf, NULL) == napi_ok) {
    if (strcmp(buf, "AddonContextDecodeBatchWorker") == 0) kind = DECODE;
    else if (strcmp(buf, "AddonContextSampleTokenWorker") == 0) kind = SAMPLE;
  }
  struct work *w = NULL;
  for (int i = 0; i < MAX_WORKS && kind != FREE && !w; i++)
    if (works[i].kind == FREE) w = &works[i];
  if (!w) return napi_create_async_work(env, resource, name, execute, complete, data, result);
  napi_status status = napi_create_async_work(env, resource, name, traced_execute, traced_complete, w, result);
  if (status == napi_ok) *w = (struct work){ kind, *result, execute, complete, data, 0 };
  return status;
}

static napi_status hooked_delete(napi_env env, napi_async_work work) {
  struct work *w = pthread_equal(pthread_self(), js_thread) ? find(work) : NULL;
  if (w) w->kind = FREE;
  return napi_delete_async_work(env, work);
}

/* Runs from a microtask: completes the inline jobs, which resolves node-llama-cpp's promises. */
static napi_value deliver(napi_env env, napi_callback_info info) {
  (void)env;
  (void)info;
  struct pending batch[MAX_PENDING];
  int n = n_pending;
  memcpy(batch, pending, sizeof(struct pending) * n);
  n_pending = 0;
  for (int i = 0; i < n; i++) traced_complete(batch[i].env, napi_ok, batch[i].work);
  return NULL;
}

/*
 * A reaction on an already resolved promise rather than queueMicrotask(): the same microtask queue, but
 * queueMicrotask makes an AsyncResource per call, which with async hooks on (the request logger's
 * AsyncLocalStorage) cost ~40 µs per call in the server's CPU profile.
 */
static bool schedule_delivery(void) {
  if (n_pending > 0) return true;
  napi_value schedule, global;
  return napi_get_reference_value(own_env, schedule_ref, &schedule) == napi_ok && napi_get_global(own_env, &global) == napi_ok &&
         napi_call_function(own_env, global, schedule, 0, NULL, NULL) == napi_ok;
}

static napi_status hooked_queue(napi_env env, napi_async_work work) {
  struct work *w = pthread_equal(pthread_self(), js_thread) ? find(work) : NULL;
  if (!w || !enabled) return napi_queue_async_work(env, work);
  bool small = true;
  if (w->kind == DECODE) {
    w->tokens = next_batch_tokens;
    next_batch_tokens = INT32_MAX;
    /* Not measured yet (the first small decode): on the threadpool, so a slow model never holds the loop. */
    int64_t per_token = atomic_load_explicit(&ns_per_token, memory_order_relaxed);
    small = w->tokens <= INLINE_MAX_TOKENS && per_token > 0 && per_token * w->tokens <= budget_ns;
  }
  if (!small || n_pending >= MAX_PENDING || !schedule_delivery()) {
    if (w->kind == DECODE) queued_decodes++;
    return napi_queue_async_work(env, work);
  }
  run(env, w);
  if (w->kind == DECODE) inlined_decodes++;
  else inlined_samples++;
  pending[n_pending++] = (struct pending){ env, w };
  return napi_ok;
}

struct patch {
  const char *name;
  void *hook;
  void **original; /* where to keep the real function, if the hook calls it */
  int patched;
};

static struct patch patches[] = {
  { "napi_create_async_work", (void *)hooked_create, NULL, 0 },
  { "napi_queue_async_work", (void *)hooked_queue, NULL, 0 },
  { "napi_delete_async_work", (void *)hooked_delete, NULL, 0 },
  { "llama_batch_init", (void *)hooked_batch_init, (void **)&real_batch_init, 0 },
};
#define N_PATCHES (sizeof patches / sizeof patches[0])
#define MAX_SLOTS 4 /* GOT entries per function: one for calls, maybe one for its address */

/* Points the GOT slots of the loaded object whose path ends in `data` at the hooks. */
static int patch_object(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size;
  const char *suffix = data;
  size_t len = info->dlpi_name ? strlen(info->dlpi_name) : 0;
  if (len < strlen(suffix) || strcmp(info->dlpi_name + len - strlen(suffix), suffix) != 0) return 0;
  ElfW(Addr) base = info->dlpi_addr;
  ElfW(Dyn) *dyn = NULL;
  for (int i = 0; i < info->dlpi_phnum; i++)
    if (info->dlpi_phdr[i].p_type == PT_DYNAMIC) dyn = (ElfW(Dyn) *)(base + info->dlpi_phdr[i].p_vaddr);
  if (!dyn) return 1;
  ElfW(Sym) *symtab = NULL;
  const char *strtab = NULL;
  ElfW(Rela) *tables[2] = { NULL, NULL };
  size_t sizes[2] = { 0, 0 };
  for (ElfW(Dyn) *d = dyn; d->d_tag != DT_NULL; d++) {
    /* glibc has already relocated these addresses in place; be safe if it has not. */
    ElfW(Addr) at = d->d_un.d_ptr < base ? d->d_un.d_ptr + base : d->d_un.d_ptr;
    if (d->d_tag == DT_SYMTAB) symtab = (ElfW(Sym) *)at;
    else if (d->d_tag == DT_STRTAB) strtab = (const char *)at;
    else if (d->d_tag == DT_JMPREL) tables[0] = (ElfW(Rela) *)at;
    else if (d->d_tag == DT_PLTRELSZ) sizes[0] = d->d_un.d_val;
    else if (d->d_tag == DT_RELA) tables[1] = (ElfW(Rela) *)at;
    else if (d->d_tag == DT_RELASZ) sizes[1] = d->d_un.d_val;
  }
  if (!symtab || !strtab) return 1;
  /* The real functions, from the object's own lookup scope (a slot may still point at the lazy-binding
   * stub, which would write the resolved address over the hook on its first call). */
  void *self = dlopen(info->dlpi_name, RTLD_LAZY | RTLD_NOLOAD);
  for (size_t p = 0; p < N_PATCHES && self; p++)
    if (patches[p].original) *patches[p].original = dlsym(self, patches[p].name);
  if (self) dlclose(self);
  /* All or nothing: a create hook without its delete hook would keep records of freed jobs. */
  void **slots[N_PATCHES][MAX_SLOTS];
  int found[N_PATCHES] = { 0 };
  for (int t = 0; t < 2; t++) {
    for (size_t i = 0; tables[t] && i < sizes[t] / sizeof(ElfW(Rela)); i++) {
      ElfW(Rela) *r = &tables[t][i];
      const char *name = strtab + symtab[ELF64_R_SYM(r->r_info)].st_name;
      for (size_t p = 0; p < N_PATCHES; p++)
        if (strcmp(name, patches[p].name) == 0 && found[p] < MAX_SLOTS) slots[p][found[p]++] = (void **)(base + r->r_offset);
    }
  }
  for (size_t p = 0; p < N_PATCHES; p++)
    if (found[p] == 0 || (patches[p].original && !*patches[p].original)) return 1;
  uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
  for (size_t p = 0; p < N_PATCHES; p++) {
    for (int i = 0; i < found[p]; i++) {
      uintptr_t start = (uintptr_t)slots[p][i] & ~(page - 1);
      if (mprotect((void *)start, page, PROT_READ | PROT_WRITE) != 0) continue;
      *slots[p][i] = patches[p].hook;
      patches[p].patched++;
    }
  }
  return 1;
}

/*
 * JS: attachInlineWork(enabled, budgetNs?) once node-llama-cpp has loaded its addon; returns whether it
 * is active. budgetNs replaces INLINE_BUDGET_NS until the next call (tests use it to pin either path).
 */
napi_value inline_work_attach(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2], result;
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  bool want = true;
  if (argc > 0) napi_get_value_bool(env, args[0], &want);
  budget_ns = INLINE_BUDGET_NS;
  if (argc > 1) napi_get_value_int64(env, args[1], &budget_ns);
  if (!own_env) {
    napi_value fn, source, factory, global, schedule;
    own_env = env;
    js_thread = pthread_self();
    napi_create_function(env, "deliverInlineWork", NAPI_AUTO_LENGTH, deliver, NULL, &fn);
    napi_create_string_utf8(env, "(deliver) => { const resolved = Promise.resolve(); return () => { resolved.then(deliver); }; }",
                            NAPI_AUTO_LENGTH, &source);
    if (napi_run_script(env, source, &factory) != napi_ok || napi_get_global(env, &global) != napi_ok ||
        napi_call_function(env, global, factory, 1, &fn, &schedule) != napi_ok ||
        napi_create_reference(env, schedule, 1, &schedule_ref) != napi_ok) {
      napi_get_boolean(env, false, &result);
      return result;
    }
  }
  if (patches[0].patched == 0) dl_iterate_phdr(patch_object, "/llama-addon.node");
  bool complete = pthread_equal(pthread_self(), js_thread); /* patched at all implies the originals resolved */
  for (size_t p = 0; p < N_PATCHES; p++) complete = complete && patches[p].patched > 0;
  enabled = want && complete;
  napi_get_boolean(env, enabled, &result);
  return result;
}

napi_value inline_work_stats(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  napi_create_object(env, &result);
  set_int64(env, result, "inlinedDecodes", inlined_decodes);
  set_int64(env, result, "inlinedSamples", inlined_samples);
  set_int64(env, result, "queuedDecodes", queued_decodes);
  set_int64(env, result, "decodeNsPerToken", atomic_load_explicit(&ns_per_token, memory_order_relaxed));
  return result;
}
