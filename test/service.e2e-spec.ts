import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, PlistObject } from 'plist';
import { CLI, runCli } from './support/server';

const LABEL = 'com.llamanest.server';

/** `llamanest service ...` as a real process, with HOME in a fresh temp folder. */
describe('llamanest service (launchd)', () => {
  let home: string;
  const service = (...args: string[]) => runCli(['service', ...args], { HOME: home });

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'llamanest-home-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('print writes the plist to stdout, parseable by a real plist parser, and changes nothing', async () => {
    const { code, output } = await service('print');
    expect(code).toBe(0);
    const plist = parse(output) as PlistObject;
    const dataDir = join(home, 'Library', 'Application Support', 'llamanest');
    const config = join(dataDir, 'llamanest.yaml');
    expect(plist).toMatchObject({
      Label: LABEL,
      ProgramArguments: [process.execPath, CLI, 'serve', '--config', config],
      WorkingDirectory: dataDir,
      EnvironmentVariables: { LLAMANEST_DATA_DIR: dataDir, LLAMANEST_CONFIG: config },
      RunAtLoad: true,
      KeepAlive: { SuccessfulExit: false },
      ProcessType: 'Interactive',
      StandardOutPath: join(home, 'Library', 'Logs', 'llamanest', 'llamanest.out.log'),
      StandardErrorPath: join(home, 'Library', 'Logs', 'llamanest', 'llamanest.err.log'),
      SoftResourceLimits: { NumberOfFiles: 10240 },
    });
    expect((plist.EnvironmentVariables as Record<string, string>).PATH.split(':')[0]).toBe(join(process.execPath, '..'));
    expect(plist.ThrottleInterval).toBeGreaterThan(0);
    expect(plist.ExitTimeOut).toBeGreaterThan(30);
    expect(readdirSync(home)).toEqual([]);
  });

  it('install --dry-run prints the plist path and content and the exact launchctl/plutil commands, and writes nothing', async () => {
    const { code, output } = await service('install', '--dry-run');
    expect(code).toBe(0);
    expect(output).toMatch(/^# (dry run|not macOS \(\w+\): launchd is not here, so this is a dry run): nothing was written and no command was run\.\n/);
    const plistPath = join(home, 'Library', 'LaunchAgents', `${LABEL}.plist`);
    expect(output).toContain(`for the LaunchAgent ${plistPath}:`);
    const heredoc = new RegExp(`cat > ${plistPath} <<'PLIST'\\n([\\s\\S]*?)\\nPLIST\\n`).exec(output);
    expect(heredoc).not.toBeNull();
    const printed = await service('print');
    expect(parse(heredoc![1])).toEqual(parse(printed.output));
    const uid = process.getuid!();
    expect(output).toContain(
      [
        `plutil -lint ${plistPath}`,
        `launchctl bootout gui/${uid}/${LABEL} || true`,
        `launchctl enable gui/${uid}/${LABEL}`,
        `launchctl bootstrap gui/${uid} ${plistPath}`,
      ].join('\n'),
    );
    expect(output).toContain("<<'YAML'\n# llamanest configuration");
    expect(readdirSync(home)).toEqual([]);
  });

  it('--system targets a LaunchDaemon in /Library/LaunchDaemons in the system domain', async () => {
    const { code, output } = await service('install', '--system', '--dry-run');
    expect(code).toBe(0);
    expect(output).toContain(`cat > /Library/LaunchDaemons/${LABEL}.plist <<'PLIST'`);
    expect(output).toContain(`launchctl bootstrap system /Library/LaunchDaemons/${LABEL}.plist`);
    expect(output).toContain('<key>UserName</key>');
  });

  it('uninstall, status, restart and logs print their launchctl / tail commands in a dry run', async () => {
    const uid = process.getuid!();
    const plistPath = join(home, 'Library', 'LaunchAgents', `${LABEL}.plist`);
    const logs = join(home, 'Library', 'Logs', 'llamanest');
    const expected: Array<[string[], string]> = [
      [['uninstall'], `launchctl bootout gui/${uid}/${LABEL} || true\nrm -f ${plistPath}\n`],
      [['status'], `launchctl print gui/${uid}/${LABEL}\n`],
      [['restart'], `launchctl kickstart -k gui/${uid}/${LABEL}\n`],
      [['logs', '-n', '20', '-f'], `tail -n 20 -F ${logs}/llamanest.out.log ${logs}/llamanest.err.log\n`],
    ];
    for (const [args, commands] of expected) {
      const { code, output } = await service(...args, '--dry-run');
      expect(code).toBe(0);
      expect(output.split('\n').slice(2).join('\n')).toBe(commands);
    }
    expect(readdirSync(home)).toEqual([]);
  });

  (process.platform === 'darwin' ? it.skip : it)('off macOS, install without --dry-run is a dry run too and says so', async () => {
    const { code, output } = await service('install');
    expect(code).toBe(0);
    expect(output).toContain(`# not macOS (${process.platform}): launchd is not here, so this is a dry run: nothing was written and no command was run.`);
    expect(readdirSync(home)).toEqual([]);
  });

  it('refuses a --config file that does not exist, naming it', async () => {
    const { code, output } = await service('print', '--config', join(home, 'nope.yaml'));
    expect(code).toBe(2);
    expect(output).toBe(`llamanest: config file ${join(home, 'nope.yaml')} does not exist\n`);
  });
});
