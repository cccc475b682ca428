{
  "targets": [
    {
      "target_name": "engine_hooks",
      "sources": ["module.c", "cpu_threadpool.c", "inline_work.c", "huge_pages.c"],
      "cflags": ["-O2", "-std=gnu11"],
      "libraries": ["-ldl", "-lpthread"]
    }
  ]
}
