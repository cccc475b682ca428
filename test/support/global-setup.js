// Jest's globalSetup: every temporary file and directory the tests make (data dirs, demo models, CLI
// homes) goes under one directory per run, which global-teardown.js removes. os.tmpdir() reads TMPDIR,
// and jest starts its workers after this has run, so they inherit it.
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = () => {
  process.env.LLAMANEST_TEST_TMP = process.env.TMPDIR = mkdtempSync(join(tmpdir(), 'llamanest-test-'));
};
