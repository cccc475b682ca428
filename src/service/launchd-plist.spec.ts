import { parse, PlistObject } from 'plist';
import { LaunchdJob, renderPlist } from './launchd-plist';

const JOB: LaunchdJob = {
  label: 'com.llamanest.server',
  nodePath: '/opt/homebrew/bin/node',
  cliPath: '/opt/llamanest/dist/cli/main.js',
  configPath: '/Users/ann/Library/Application Support/llamanest/llamanest.yaml',
  dataDir: '/Users/ann/Library/Application Support/llamanest',
  path: '/opt/homebrew/bin:/usr/bin:/bin',
  stdoutPath: '/Users/ann/Library/Logs/llamanest/llamanest.out.log',
  stderrPath: '/Users/ann/Library/Logs/llamanest/llamanest.err.log',
  throttleInterval: 10,
  exitTimeout: 60,
  numberOfFiles: 10240,
};

const parsePlist = (xml: string) => parse(xml) as PlistObject;

describe('renderPlist (parsed back with the plist package)', () => {
  it('fills every key of the launchd job', () => {
    expect(parsePlist(renderPlist(JOB))).toEqual({
      Label: 'com.llamanest.server',
      ProgramArguments: ['/opt/homebrew/bin/node', '/opt/llamanest/dist/cli/main.js', 'serve', '--config', JOB.configPath],
      WorkingDirectory: JOB.dataDir,
      EnvironmentVariables: { PATH: JOB.path, LLAMANEST_DATA_DIR: JOB.dataDir, LLAMANEST_CONFIG: JOB.configPath, NO_COLOR: '1' },
      RunAtLoad: true,
      KeepAlive: { SuccessfulExit: false },
      ThrottleInterval: 10,
      ExitTimeOut: 60,
      ProcessType: 'Interactive',
      StandardOutPath: JOB.stdoutPath,
      StandardErrorPath: JOB.stderrPath,
      SoftResourceLimits: { NumberOfFiles: 10240 },
    });
  });

  it('names the user of a LaunchDaemon and only then', () => {
    expect(parsePlist(renderPlist({ ...JOB, userName: 'ann' })).UserName).toBe('ann');
    expect(parsePlist(renderPlist(JOB))).not.toHaveProperty('UserName');
  });

  it('escapes XML in paths, and rounds the numbers launchd wants as integers', () => {
    const odd = { ...JOB, configPath: "/Users/a&b/<my> 'llm' \"conf\".yaml", exitTimeout: 30.5 };
    const parsed = parsePlist(renderPlist(odd));
    expect((parsed.ProgramArguments as string[])[4]).toBe(odd.configPath);
    expect(parsed.ExitTimeOut).toBe(31);
  });

  it('refuses a template placeholder it does not know', () => {
    expect(() => renderPlist(JOB, '<string>{{NOPE}}</string>')).toThrow('{{NOPE}}');
  });
});
