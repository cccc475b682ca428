import { GenerationAbortedError, QueueFullError } from './inference.errors';
import { SerialLane } from './serial-lane';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('SerialLane', () => {
  const signal = new AbortController().signal;

  it('runs one task at a time, in order', async () => {
    const lane = new SerialLane('m', 8);
    const log: string[] = [];
    const first = deferred();
    const a = lane.run(async () => {
      log.push('a start');
      await first.promise;
      log.push('a end');
    }, signal);
    const b = lane.run(async () => log.push('b'), signal);
    await Promise.resolve();
    expect(log).toEqual(['a start']);
    expect(lane.queued).toBe(1);
    first.resolve();
    await Promise.all([a, b]);
    expect(log).toEqual(['a start', 'a end', 'b']);
  });

  it('refuses beyond the queue bound and frees the lane after a failing task', async () => {
    const lane = new SerialLane('m', 1);
    const gate = deferred();
    const a = lane.run(() => gate.promise.then(() => Promise.reject(new Error('boom'))), signal);
    const b = lane.run(async () => 'b', signal);
    await expect(lane.run(async () => 'c', signal)).rejects.toBeInstanceOf(QueueFullError);
    gate.resolve();
    await expect(a).rejects.toThrow('boom');
    await expect(b).resolves.toBe('b');
    await expect(lane.run(async () => 'd', signal)).resolves.toBe('d');
  });

  it('drops a waiting task whose client aborted', async () => {
    const lane = new SerialLane('m', 4);
    const gate = deferred();
    const a = lane.run(() => gate.promise, signal);
    const abort = new AbortController();
    let ran = false;
    const b = lane.run(async () => (ran = true), abort.signal);
    abort.abort();
    await expect(b).rejects.toBeInstanceOf(GenerationAbortedError);
    expect(lane.queued).toBe(0);
    gate.resolve();
    await a;
    expect(ran).toBe(false);
  });
});
