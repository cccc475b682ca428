import { Command, InvalidArgumentError } from 'commander';
import { homedir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { renderPlist } from '../service/launchd-plist';
import { describeSteps, runSteps } from '../service/service-runner';
import { installSteps, logsSteps, restartSteps, ServiceStep, statusSteps, uninstallSteps } from '../service/service-steps';
import { HostFacts, resolveServiceTarget, ServiceTarget, ServiceTargetOptions } from '../service/service-target';

interface CommonOptions extends ServiceTargetOptions {
  dryRun?: boolean;
}

/** `llamanest service ...`: install and drive the launchd job (macOS); elsewhere every command is a dry run. */
export function serviceCommand(): Command {
  const service = new Command('service').description('run llamanest under launchd (macOS): install, uninstall, status, restart, logs, print');

  const withTarget = (command: Command) =>
    command
      .option('--system', 'a LaunchDaemon in /Library/LaunchDaemons (starts at boot, before login; needs sudo) instead of a LaunchAgent')
      .option('-c, --config <file>', 'config file the service serves with (default: <data dir>/llamanest.yaml, created by install)')
      .option('--data-dir <dir>', 'data folder of the service (default ~/Library/Application Support/llamanest)')
      .option('--dry-run', 'print the plist and the exact commands instead of running them');

  withTarget(service.command('install'))
    .description('write the plist, check it with plutil and load it with launchctl bootstrap (starts the server)')
    .action((opts: CommonOptions) => carryOut('install', opts, installSteps));
  withTarget(service.command('uninstall'))
    .description('stop the service (launchctl bootout) and remove its plist')
    .action((opts: CommonOptions) => carryOut('uninstall', opts, uninstallSteps));
  withTarget(service.command('status'))
    .description('show the job as launchd sees it (launchctl print)')
    .action((opts: CommonOptions) => carryOut('status', opts, statusSteps));
  withTarget(service.command('restart'))
    .description('restart the running service gracefully (launchctl kickstart -k: SIGTERM, drain, start)')
    .action((opts: CommonOptions) => carryOut('restart', opts, restartSteps));
  withTarget(service.command('logs'))
    .description('show the service logs (~/Library/Logs/llamanest/)')
    .option('-n, --lines <n>', 'lines to show from each log', positive, 100)
    .option('-f, --follow', 'keep printing new lines')
    .action((opts: CommonOptions & { lines: number; follow?: boolean }) =>
      carryOut('logs', opts, (target) => logsSteps(target, { lines: opts.lines, follow: Boolean(opts.follow) })),
    );
  service
    .command('print')
    .description('print the plist that install would write; changes nothing (any OS)')
    .option('--system', 'the LaunchDaemon variant')
    .option('-c, --config <file>', 'config file the service serves with')
    .option('--data-dir <dir>', 'data folder of the service')
    .action((opts: ServiceTargetOptions) => {
      process.stdout.write(renderPlist(resolveServiceTarget(opts, hostFacts(opts)).job));
    });
  return service;
}

function carryOut(name: string, opts: CommonOptions, plan: (target: ServiceTarget) => ServiceStep[]): void {
  const target = resolveServiceTarget(opts, hostFacts(opts));
  const steps = plan(target);
  const onMac = process.platform === 'darwin';
  if (!onMac || opts.dryRun) {
    const why = onMac ? 'dry run' : `not macOS (${process.platform}): launchd is not here, so this is a dry run`;
    process.stdout.write(`# ${why}: nothing was written and no command was run.\n`);
    process.stdout.write(`# llamanest service ${name} would run, for ${target.system ? 'the LaunchDaemon' : 'the LaunchAgent'} ${target.plistPath}:\n`);
    process.stdout.write(describeSteps(steps));
    return;
  }
  const root = process.getuid?.() === 0;
  if (target.system && !root && name !== 'logs') fail(`service ${name} --system needs root: run it with sudo`);
  if (!target.system && root) fail(`service ${name} manages your own LaunchAgent: run it without sudo (or pass --system)`);
  process.exitCode = runSteps(steps, process.stdout);
}

/** The user the job belongs to: under sudo, the one who ran sudo (a daemon runs as them, not as root). */
function hostFacts(opts: { system?: boolean }): HostFacts {
  const sudoUser = opts.system ? process.env.SUDO_USER : undefined;
  return {
    home: sudoUser ? join('/Users', sudoUser) : homedir(),
    uid: process.getuid?.() ?? 0,
    userName: sudoUser ?? userInfo().username,
    nodePath: process.execPath,
    cliPath: resolve(__dirname, 'main.js'),
  };
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive whole number');
  return n;
}

function fail(message: string): never {
  process.stderr.write(`llamanest: ${message}\n`);
  process.exit(2);
}
