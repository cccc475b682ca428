import { renderPlist } from './launchd-plist';
import { ServiceTarget } from './service-target';

/** One thing a service command does; printed as shell in a dry run, carried out on macOS. */
export type ServiceStep =
  | { kind: 'mkdir'; path: string }
  | { kind: 'write'; path: string; content: string; heredoc: string }
  | { kind: 'remove'; path: string }
  | { kind: 'run'; argv: string[]; mayFail?: boolean };

const STARTER_CONFIG = `# llamanest configuration, read by the launchd service (see README.md for every setting).
# With no models listed, llamanest serves its built-in demo model.
host: 127.0.0.1
port: 8080
drainTimeout: 30
# models:
#   - path: /path/to/model.gguf
`;

export function installSteps(target: ServiceTarget): ServiceStep[] {
  const { job } = target;
  const dirs = [job.dataDir, target.logsDir];
  const steps: ServiceStep[] = [...dirs, target.plistPath.replace(/\/[^/]+$/, '')].map((path) => ({ kind: 'mkdir' as const, path }));
  if (!target.configExists) steps.push({ kind: 'write', path: target.configPath, content: STARTER_CONFIG, heredoc: 'YAML' });
  // A daemon's folders are created by root but used by the job's user.
  if (target.system && job.userName) steps.push({ kind: 'run', argv: ['chown', '-R', job.userName, ...dirs] });
  steps.push(
    { kind: 'write', path: target.plistPath, content: renderPlist(job), heredoc: 'PLIST' },
    { kind: 'run', argv: ['plutil', '-lint', target.plistPath] },
    { kind: 'run', argv: ['launchctl', 'bootout', `${target.domain}/${target.label}`], mayFail: true },
    { kind: 'run', argv: ['launchctl', 'enable', `${target.domain}/${target.label}`] },
    { kind: 'run', argv: ['launchctl', 'bootstrap', target.domain, target.plistPath] },
  );
  return steps;
}

export function uninstallSteps(target: ServiceTarget): ServiceStep[] {
  return [
    { kind: 'run', argv: ['launchctl', 'bootout', `${target.domain}/${target.label}`], mayFail: true },
    { kind: 'remove', path: target.plistPath },
  ];
}

export function statusSteps(target: ServiceTarget): ServiceStep[] {
  return [{ kind: 'run', argv: ['launchctl', 'print', `${target.domain}/${target.label}`] }];
}

/** kickstart -k stops the running job with SIGTERM (a graceful drain) and starts it again. */
export function restartSteps(target: ServiceTarget): ServiceStep[] {
  return [{ kind: 'run', argv: ['launchctl', 'kickstart', '-k', `${target.domain}/${target.label}`] }];
}

export function logsSteps(target: ServiceTarget, options: { lines: number; follow: boolean }): ServiceStep[] {
  const argv = ['tail', '-n', String(options.lines), ...(options.follow ? ['-F'] : []), target.job.stdoutPath, target.job.stderrPath];
  return [{ kind: 'run', argv }];
}
