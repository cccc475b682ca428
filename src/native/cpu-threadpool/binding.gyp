{
  "targets": [
    {
      "target_name": "cpu_threadpool",
      "sources": ["cpu_threadpool.c"],
      "cflags": ["-O2", "-std=gnu11"],
      "libraries": ["-ldl", "-lpthread"]
    }
  ]
}
