import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../config/config.loader';
import { HostFacts, resolveServiceTarget } from './service-target';

describe('resolveServiceTarget', () => {
  let home: string;
  let host: HostFacts;

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'llamanest-service-'));
    host = { home, uid: 501, userName: 'ann', nodePath: '/opt/homebrew/bin/node', cliPath: '/opt/llamanest/dist/cli/main.js' };
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('is a LaunchAgent in ~/Library/LaunchAgents named after its label, logging under ~/Library/Logs/llamanest', () => {
    const target = resolveServiceTarget({}, host);
    const dataDir = join(home, 'Library', 'Application Support', 'llamanest');
    expect(target).toMatchObject({
      system: false,
      label: 'com.llamanest.server',
      domain: 'gui/501',
      plistPath: join(home, 'Library', 'LaunchAgents', 'com.llamanest.server.plist'),
      configPath: join(dataDir, 'llamanest.yaml'),
      configExists: false,
    });
    expect(target.job).toMatchObject({
      dataDir,
      stdoutPath: join(home, 'Library', 'Logs', 'llamanest', 'llamanest.out.log'),
      stderrPath: join(home, 'Library', 'Logs', 'llamanest', 'llamanest.err.log'),
      path: '/opt/homebrew/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
      userName: undefined,
    });
  });

  it('with --system is a LaunchDaemon in /Library/LaunchDaemons that runs as the user', () => {
    const target = resolveServiceTarget({ system: true }, host);
    expect(target).toMatchObject({ domain: 'system', plistPath: '/Library/LaunchDaemons/com.llamanest.server.plist' });
    expect(target.job.userName).toBe('ann');
  });

  it("gives launchd more time than the config file's drainTimeout, and uses the file's data folder", () => {
    const config = join(home, 'llamanest.yaml');
    writeFileSync(config, 'drainTimeout: 90\ndataDir: ./state\n');
    const target = resolveServiceTarget({ config }, host);
    expect(target.configExists).toBe(true);
    expect(target.job.exitTimeout).toBe(120);
    expect(target.job.dataDir).toBe(join(home, 'state'));
    expect(resolveServiceTarget({}, host).job.exitTimeout).toBe(60);
  });

  it('lets --data-dir choose the data folder and the default config file in it', () => {
    const dataDir = join(home, 'data');
    mkdirSync(dataDir);
    const target = resolveServiceTarget({ dataDir }, host);
    expect(target.job.dataDir).toBe(dataDir);
    expect(target.configPath).toBe(join(dataDir, 'llamanest.yaml'));
  });

  it('refuses a --config file that does not exist or is invalid', () => {
    expect(() => resolveServiceTarget({ config: join(home, 'missing.yaml') }, host)).toThrow(ConfigError);
    const bad = join(home, 'bad.yaml');
    writeFileSync(bad, 'drainTimeout: -3\n');
    expect(() => resolveServiceTarget({ config: bad }, host)).toThrow(/drainTimeout/);
  });
});
