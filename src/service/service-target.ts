import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError, defaultDataDir, loadConfig } from '../config/config.loader';
import { LaunchdJob } from './launchd-plist';

export const SERVICE_LABEL = 'com.llamanest.server';
/** Seconds launchd waits before restarting a job that exited abnormally. */
const THROTTLE_INTERVAL = 10;
/** Seconds beyond drainTimeout for ending the last requests and disposing the models before launchd's SIGKILL. */
const EXIT_MARGIN = 30;
const NUMBER_OF_FILES = 10240;

/** Where and how the job is installed: a LaunchAgent of the user, or a LaunchDaemon (--system). */
export interface ServiceTarget {
  system: boolean;
  label: string;
  /** `gui/<uid>` for an agent, `system` for a daemon. */
  domain: string;
  plistPath: string;
  logsDir: string;
  /** Written with a starter config when missing (install only). */
  configPath: string;
  configExists: boolean;
  job: LaunchdJob;
}

export interface ServiceTargetOptions {
  system?: boolean;
  config?: string;
  dataDir?: string;
}

export interface HostFacts {
  home: string;
  uid: number;
  userName: string;
  nodePath: string;
  cliPath: string;
}

/** Works out the plist and paths from the options, the config file (if it exists) and the host. */
export function resolveServiceTarget(options: ServiceTargetOptions, host: HostFacts): ServiceTarget {
  const fallbackDataDir = resolve(options.dataDir ?? defaultDataDir('darwin', host.home));
  const configPath = resolve(options.config ?? join(fallbackDataDir, 'llamanest.yaml'));
  const configExists = existsSync(configPath);
  if (options.config && !configExists) throw new ConfigError(`config file ${configPath} does not exist`);
  // The service runs with only the plist's environment, so validate the file as the service will see it.
  const config = configExists ? loadConfig({ config: configPath, dataDir: options.dataDir }, {}) : undefined;
  const fileSetsDataDir = config !== undefined && !options.dataDir && config.dataDir !== resolve(defaultDataDir());
  const dataDir = fileSetsDataDir ? config.dataDir : fallbackDataDir;
  const drainTimeout = config?.drainTimeout ?? loadConfig({}, {}).drainTimeout;
  const logsDir = join(host.home, 'Library', 'Logs', 'llamanest');
  const plistDir = options.system ? '/Library/LaunchDaemons' : join(host.home, 'Library', 'LaunchAgents');
  return {
    system: Boolean(options.system),
    label: SERVICE_LABEL,
    domain: options.system ? 'system' : `gui/${host.uid}`,
    plistPath: join(plistDir, `${SERVICE_LABEL}.plist`),
    logsDir,
    configPath,
    configExists,
    job: {
      label: SERVICE_LABEL,
      nodePath: host.nodePath,
      cliPath: host.cliPath,
      configPath,
      dataDir,
      path: searchPath(host.nodePath),
      stdoutPath: join(logsDir, 'llamanest.out.log'),
      stderrPath: join(logsDir, 'llamanest.err.log'),
      throttleInterval: THROTTLE_INTERVAL,
      exitTimeout: drainTimeout + EXIT_MARGIN,
      numberOfFiles: NUMBER_OF_FILES,
      userName: options.system ? host.userName : undefined,
    },
  };
}

/** launchd starts jobs with a bare PATH; put this node first, then the usual Homebrew and system folders. */
function searchPath(nodePath: string): string {
  const dirs = [dirname(nodePath), '/opt/homebrew/bin', '/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin'];
  return [...new Set(dirs)].join(':');
}
