import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The plist template shipped in launchd/ (dist/service/ -> ../../launchd). */
export const PLIST_TEMPLATE_PATH = resolve(__dirname, '..', '..', 'launchd', 'llamanest.plist.template');

/** Everything that varies between installations; the rest of the job is fixed in the template. */
export interface LaunchdJob {
  label: string;
  nodePath: string;
  cliPath: string;
  configPath: string;
  dataDir: string;
  path: string;
  stdoutPath: string;
  stderrPath: string;
  throttleInterval: number;
  exitTimeout: number;
  numberOfFiles: number;
  /** For a LaunchDaemon: the user it runs as (LaunchAgents run as the logged-in user). */
  userName?: string;
}

/** Fills the template; every value is XML-escaped. */
export function renderPlist(job: LaunchdJob, template = readFileSync(PLIST_TEMPLATE_PATH, 'utf8')): string {
  const values: Record<string, string> = {
    LABEL: escapeXml(job.label),
    NODE_PATH: escapeXml(job.nodePath),
    CLI_PATH: escapeXml(job.cliPath),
    CONFIG_PATH: escapeXml(job.configPath),
    DATA_DIR: escapeXml(job.dataDir),
    PATH: escapeXml(job.path),
    STDOUT_PATH: escapeXml(job.stdoutPath),
    STDERR_PATH: escapeXml(job.stderrPath),
    THROTTLE_INTERVAL: String(Math.round(job.throttleInterval)),
    EXIT_TIMEOUT: String(Math.ceil(job.exitTimeout)),
    NUMBER_OF_FILES: String(Math.round(job.numberOfFiles)),
    USER_NAME_ENTRY: job.userName ? `\n  <key>UserName</key>\n  <string>${escapeXml(job.userName)}</string>` : '',
  };
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`the plist template has an unknown placeholder {{${name}}}`);
    return values[name];
  });
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
