module.exports = { testEnvironment: 'node', transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] }, moduleFileExtensions: ['ts', 'js', 'json'], testRegex: '.*\\.spec\\.ts$' };
