// Jest's globalTeardown: removes the run's temporary directory (see global-setup.js).
const { rmSync } = require('node:fs');

module.exports = () => {
  if (process.env.LLAMANEST_TEST_TMP) rmSync(process.env.LLAMANEST_TEST_TMP, { recursive: true, force: true });
};
