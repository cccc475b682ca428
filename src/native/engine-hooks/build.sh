#!/bin/sh
# Builds the engine hooks addon (see cpu_threadpool.c, inline_work.c and huge_pages.c) on `npm install` / `npm ci` (the root package's
# `prepare`). Linux only; elsewhere, or without a C compiler, the server runs without it (slower on CPU).
[ "$(uname -s)" = Linux ] || exit 0
cd "$(dirname "$0")" || exit 0
node-gyp rebuild --silent >/dev/null || echo "llamanest: the engine hooks addon was not built; CPU decoding will be slower (see README, Performance)" >&2
exit 0
