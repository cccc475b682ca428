/*
 * Backs ggml's big CPU buffers with transparent huge pages.
 *
 * Every buffer of ggml's CPU backend comes from ggml_aligned_malloc (libggml-base): the weights that
 * llama.cpp repacks for the CPU's matrix kernels (Q4_0 and others on AVX2/AVX-512), the weights of a
 * model loaded without mmap, the KV cache and the compute buffers. There it is posix_memalign, which
 * for these sizes is an anonymous mapping of 4 KiB pages; with the kernel's THP mode `madvise` (the
 * usual default) it never gets huge pages. Decoding one token reads every weight once, so a 50 MB
 * model touches ~12,800 pages per token, far more than the TLB holds: a page walk for every 4 KiB.
 * llama-server allocates the same way.
 *
 * This defines ggml_aligned_malloc / ggml_aligned_free. The addon is loaded into the global symbol
 * scope before node-llama-cpp (see cpu_threadpool.c), and libggml-base and the CPU backends call both
 * through their PLT, so these definitions come first. An allocation of at least 2 MiB becomes its own
 * 2 MiB-aligned anonymous mapping with madvise(MADV_HUGEPAGE), so its pages are huge pages from the
 * first touch (when the kernel has them free); anything smaller, or with the hook off, or if the
 * mapping fails, goes to ggml's own functions. Frees look the pointer up among the mappings made here.
 * Linux only (the addon is).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include "engine_hooks.h"

#define HUGE_PAGE ((size_t)2 << 20)
#define MAX_MAPPINGS 1024

typedef void *(*aligned_malloc_fn)(size_t size);
typedef void (*aligned_free_fn)(void *ptr, size_t size);

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static bool enabled;
static aligned_malloc_fn real_malloc;
static aligned_free_fn real_free;
static struct mapping {
  void *ptr;
  size_t length;
} mappings[MAX_MAPPINGS];
static int64_t huge_bytes;

/* ggml-base is loaded (by node-llama-cpp's addon, privately) before ggml allocates anything. */
static bool resolve_real(void) {
  if (real_malloc && real_free) return true;
  void *base = dlopen("libggml-base.so", RTLD_LAZY | RTLD_NOLOAD);
  if (!base) return false;
  real_malloc = (aligned_malloc_fn)dlsym(base, "ggml_aligned_malloc");
  real_free = (aligned_free_fn)dlsym(base, "ggml_aligned_free");
  dlclose(base);
  return real_malloc && real_free;
}

/* A 2 MiB-aligned anonymous mapping of `length` bytes (a multiple of 2 MiB), or NULL. */
static void *map_aligned(size_t length) {
  uint8_t *raw = mmap(NULL, length + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return NULL;
  uint8_t *start = (uint8_t *)(((uintptr_t)raw + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
  if (start > raw) munmap(raw, (size_t)(start - raw));
  size_t tail = (size_t)(raw + length + HUGE_PAGE - (start + length));
  if (tail > 0) munmap(start + length, tail);
  madvise(start, length, MADV_HUGEPAGE);
  return start;
}

void *ggml_aligned_malloc(size_t size) {
  if (!resolve_real()) return NULL;
  if (!enabled || size < HUGE_PAGE) return real_malloc(size);
  size_t length = (size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
  void *ptr = map_aligned(length);
  if (!ptr) return real_malloc(size);
  pthread_mutex_lock(&lock);
  struct mapping *slot = NULL;
  for (int i = 0; i < MAX_MAPPINGS && !slot; i++)
    if (!mappings[i].ptr) slot = &mappings[i];
  if (slot) {
    *slot = (struct mapping){ ptr, length };
    huge_bytes += (int64_t)length;
  }
  pthread_mutex_unlock(&lock);
  if (slot) return ptr;
  munmap(ptr, length);
  return real_malloc(size);
}

void ggml_aligned_free(void *ptr, size_t size) {
  if (!resolve_real() || !ptr) return;
  size_t length = 0;
  pthread_mutex_lock(&lock);
  for (int i = 0; i < MAX_MAPPINGS; i++) {
    if (mappings[i].ptr == ptr) {
      length = mappings[i].length;
      mappings[i] = (struct mapping){ 0 };
      huge_bytes -= (int64_t)length;
      break;
    }
  }
  pthread_mutex_unlock(&lock);
  if (length > 0) munmap(ptr, length);
  else real_free(ptr, size);
}

/* JS: configureHugePages(enabled) before node-llama-cpp loads; applies to allocations from then on. */
napi_value huge_pages_configure(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  bool on;
  if (napi_get_cb_info(env, info, &argc, &arg, NULL, NULL) != napi_ok || argc < 1 || napi_get_value_bool(env, arg, &on) != napi_ok) return NULL;
  pthread_mutex_lock(&lock);
  enabled = on;
  pthread_mutex_unlock(&lock);
  return NULL;
}

/* JS: hugePageBytes() → bytes of the mappings made here and not yet freed (for tests). */
napi_value huge_pages_mapped_bytes(napi_env env, napi_callback_info info) {
  (void)info;
  pthread_mutex_lock(&lock);
  int64_t bytes = huge_bytes;
  pthread_mutex_unlock(&lock);
  napi_value result;
  napi_create_int64(env, bytes, &result);
  return result;
}
