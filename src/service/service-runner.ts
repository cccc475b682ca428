import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { ServiceStep } from './service-steps';

export interface StepOutput {
  write(text: string): void;
}

/** The steps as the shell commands they amount to, to read or to paste. */
export function describeSteps(steps: ServiceStep[]): string {
  return steps.map(describeStep).join('\n') + '\n';
}

function describeStep(step: ServiceStep): string {
  switch (step.kind) {
    case 'mkdir':
      return `mkdir -p ${quote(step.path)}`;
    case 'remove':
      return `rm -f ${quote(step.path)}`;
    case 'write':
      return `cat > ${quote(step.path)} <<'${step.heredoc}'\n${step.content.replace(/\n?$/, '\n')}${step.heredoc}`;
    case 'run':
      return step.argv.map(quote).join(' ') + (step.mayFail ? ' || true' : '');
  }
}

/** Carries the steps out, echoing each command; stops at the first failure that matters and returns its status. */
export function runSteps(steps: ServiceStep[], out: StepOutput): number {
  for (const step of steps) {
    if (step.kind === 'mkdir') mkdirSync(step.path, { recursive: true });
    else if (step.kind === 'remove') rmSync(step.path, { force: true });
    else if (step.kind === 'write') {
      writeFileSync(step.path, step.content, { mode: 0o644 });
      out.write(`wrote ${step.path}\n`);
    } else {
      out.write(`$ ${describeStep(step)}\n`);
      const result = spawnSync(step.argv[0], step.argv.slice(1), { stdio: step.mayFail ? 'ignore' : 'inherit' });
      const status = result.status ?? 1;
      if (status !== 0 && !step.mayFail) return status;
    }
  }
  return 0;
}

function quote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
