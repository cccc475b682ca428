import { EngineModel, EngineSequence, RenderedPrompt, SequenceGeneration } from './engine.port';
import { GenerationAbortedError, QueueFullError, ServerShuttingDownError } from './inference.errors';
import { SequencePool, SequenceLease } from './sequence-pool';

class FakeSequence implements EngineSequence {
  constructor(
    readonly index: number,
    public cachedTokens: number[] = [],
  ) {}

  generate(): Promise<SequenceGeneration> {
    throw new Error('not used by SequencePool');
  }
}

class FakeModel implements EngineModel {
  readonly contextLength = 128;
  readonly sizeBytes = 0;
  readonly sequences: FakeSequence[];

  constructor(count: number) {
    this.sequences = Array.from({ length: count }, (_, i) => new FakeSequence(i));
  }

  get sequenceCount(): number {
    return this.sequences.length;
  }

  tokenize(): number[] {
    return [];
  }

  detokenize(): string {
    return '';
  }

  isEndOfGeneration(): boolean {
    return false;
  }

  renderChat(): RenderedPrompt {
    return { tokens: [], stopTexts: [], stopTokens: [] };
  }

  sequence(index: number): FakeSequence {
    return this.sequences[index];
  }

  async dispose(): Promise<void> {}
}

const signal = () => new AbortController().signal;
const indexOf = (lease: SequenceLease) => (lease.sequence as FakeSequence).index;

/** Resolves after every already-queued promise callback has run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Tracks whether a promise has settled, without awaiting it. */
function track<T>(promise: Promise<T>) {
  const state: { value?: T; error?: unknown; settled: boolean } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { value, settled: true }),
    (error) => Object.assign(state, { error, settled: true }),
  );
  return state;
}

describe('SequencePool', () => {
  it('leases a free sequence immediately and counts it as active', async () => {
    const pool = new SequencePool('m', new FakeModel(2), 4);
    const lease = await pool.acquire([1, 2, 3], signal());
    expect(lease.sequence).toBeInstanceOf(FakeSequence);
    expect(pool.active).toBe(1);
    expect(pool.queued).toBe(0);
  });

  it('gives every concurrent request its own sequence while some are free', async () => {
    const pool = new SequencePool('m', new FakeModel(2), 4);
    const a = await pool.acquire([], signal());
    const b = await pool.acquire([], signal());
    expect(new Set([indexOf(a), indexOf(b)])).toEqual(new Set([0, 1]));
    expect(pool.active).toBe(2);
  });

  it('makes requests wait in FIFO order when all sequences are busy', async () => {
    const pool = new SequencePool('m', new FakeModel(1), 4);
    const first = await pool.acquire([], signal());
    const second = track(pool.acquire([], signal()));
    const third = track(pool.acquire([], signal()));
    await settle();
    expect(second.settled).toBe(false);
    expect(third.settled).toBe(false);
    expect(pool.queued).toBe(2);

    first.release();
    await settle();
    expect(second.settled).toBe(true);
    expect(third.settled).toBe(false);
    expect(indexOf(second.value!)).toBe(0);
    expect(pool.queued).toBe(1);
    expect(pool.active).toBe(1);

    second.value!.release();
    await settle();
    expect(third.settled).toBe(true);
    expect(indexOf(third.value!)).toBe(0);
    expect(pool.queued).toBe(0);
  });

  it('rejects with QueueFullError once maxQueue requests are waiting', async () => {
    const pool = new SequencePool('busy-model', new FakeModel(1), 2);
    await pool.acquire([], signal());
    void pool.acquire([], signal());
    void pool.acquire([], signal());
    const refused = pool.acquire([], signal());
    await expect(refused).rejects.toBeInstanceOf(QueueFullError);
    await expect(refused).rejects.toMatchObject({ model: 'busy-model', retryAfterSeconds: 1 });
    expect(pool.queued).toBe(2);
  });

  it('with maxQueue 0 refuses at once when every sequence is busy', async () => {
    const pool = new SequencePool('m', new FakeModel(1), 0);
    await pool.acquire([], signal());
    await expect(pool.acquire([], signal())).rejects.toBeInstanceOf(QueueFullError);
  });

  it('rejects an already-aborted request without leasing a sequence', async () => {
    const pool = new SequencePool('m', new FakeModel(1), 4);
    const controller = new AbortController();
    controller.abort();
    await expect(pool.acquire([], controller.signal)).rejects.toBeInstanceOf(GenerationAbortedError);
    expect(pool.active).toBe(0);
  });

  it('rejects a waiter aborted by shutdown with ServerShuttingDownError, not as a client abort', async () => {
    const pool = new SequencePool('m', new FakeModel(1), 4);
    await pool.acquire([], signal());
    const controller = new AbortController();
    const waiting = track(pool.acquire([], controller.signal));
    await settle();
    controller.abort(new ServerShuttingDownError());
    await settle();
    expect(waiting.error).toBeInstanceOf(ServerShuttingDownError);
    expect(pool.queued).toBe(0);
  });

  it('removes an aborted waiter from the queue, rejects it, and gives the slot to the next one', async () => {
    const pool = new SequencePool('m', new FakeModel(1), 4);
    const holder = await pool.acquire([], signal());
    const controller = new AbortController();
    const abandoned = track(pool.acquire([], controller.signal));
    const next = track(pool.acquire([], signal()));
    await settle();
    expect(pool.queued).toBe(2);

    controller.abort();
    await settle();
    expect(abandoned.error).toBeInstanceOf(GenerationAbortedError);
    expect(pool.queued).toBe(1);

    holder.release();
    await settle();
    expect(next.settled).toBe(true);
    expect(indexOf(next.value!)).toBe(0);
    expect(pool.queued).toBe(0);
  });

  it('returns the sequence to the free list when nobody is waiting', async () => {
    const pool = new SequencePool('m', new FakeModel(1), 4);
    const lease = await pool.acquire([], signal());
    lease.release();
    expect(pool.active).toBe(0);
    const again = await pool.acquire([], signal());
    expect(indexOf(again)).toBe(0);
  });

  it('prefers the free sequence whose cache shares the longest prefix with the prompt', async () => {
    const model = new FakeModel(3);
    model.sequences[0].cachedTokens = [1, 2, 9];
    model.sequences[1].cachedTokens = [1, 2, 3, 4, 7];
    model.sequences[2].cachedTokens = [5, 6];
    const pool = new SequencePool('m', model, 4);
    const lease = await pool.acquire([1, 2, 3, 4, 5], signal());
    expect(indexOf(lease)).toBe(1);
    const next = await pool.acquire([5, 6, 7], signal());
    expect(indexOf(next)).toBe(2);
  });

  it("gives a new conversation an empty sequence rather than one whose cache it would mostly throw away", async () => {
    const model = new FakeModel(2);
    model.sequences[0].cachedTokens = [1, 2, 3, 4, 5, 6];
    const pool = new SequencePool('m', model, 4);
    // shares only the chat template's first tokens with sequence 0's conversation
    expect(indexOf(await pool.acquire([1, 2, 9, 9], signal()))).toBe(1);
    // the conversation of sequence 0, re-sent with a new turn, still finds its cache
    expect(indexOf(await pool.acquire([1, 2, 3, 4, 5, 6, 7, 8], signal()))).toBe(0);
  });

  it('also finds the best cache among sequences released in any order', async () => {
    const model = new FakeModel(2);
    const pool = new SequencePool('m', model, 4);
    const a = await pool.acquire([], signal());
    const b = await pool.acquire([], signal());
    (a.sequence as FakeSequence).cachedTokens = [8, 8, 8];
    (b.sequence as FakeSequence).cachedTokens = [4, 4];
    b.release();
    a.release();
    expect(indexOf(await pool.acquire([8, 8, 1], signal()))).toBe(indexOf(a));
  });

  it('breaks ties by the lowest index, whatever order sequences were released in (busy ones stay consecutive)', async () => {
    const pool = new SequencePool('m', new FakeModel(4), 4);
    const leases = await Promise.all([0, 1, 2, 3].map(() => pool.acquire([], signal())));
    for (const at of [3, 1, 2, 0]) leases[at].release();
    const again = [];
    for (let i = 0; i < 4; i++) again.push(indexOf(await pool.acquire([], signal())));
    expect(again).toEqual([0, 1, 2, 3]);
  });

  it('ignores a second release of the same lease', async () => {
    const pool = new SequencePool('m', new FakeModel(1), 4);
    const first = await pool.acquire([], signal());
    first.release();
    first.release();
    expect(pool.active).toBe(0);

    const second = await pool.acquire([], signal());
    const third = track(pool.acquire([], signal()));
    first.release(); // a stale lease must not free the sequence now held by `second`
    await settle();
    expect(third.settled).toBe(false);
    expect(pool.active).toBe(1);
    second.release();
    await settle();
    expect(third.settled).toBe(true);
  });

  describe('fairness between owners', () => {
    it('serves queued owners in turn instead of one burst first', async () => {
      const pool = new SequencePool('m', new FakeModel(1), 16);
      const blocker = await pool.acquire([], signal(), 'c');
      const order: string[] = [];
      const leases: Promise<void>[] = [];
      for (const owner of ['a', 'a', 'a', 'b', 'b', 'b']) {
        leases.push(
          pool.acquire([], signal(), owner).then((lease) => {
            order.push(owner);
            // Each request holds the only sequence until the next settle, so the order is the service order.
            setImmediate(() => lease.release());
          }),
        );
      }
      expect(pool.queued).toBe(6);
      blocker.release();
      await Promise.all(leases);
      await settle();
      expect(order).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
      expect(pool.queued).toBe(0);
      expect(pool.active).toBe(0);
    });

    it('keeps each owner\'s own requests in arrival order and lets a newcomer take its turn', async () => {
      const pool = new SequencePool('m', new FakeModel(1), 16);
      const first = await pool.acquire([], signal(), 'a');
      const a1 = track(pool.acquire([1], signal(), 'a'));
      const a2 = track(pool.acquire([2], signal(), 'a'));
      const b1 = track(pool.acquire([3], signal(), 'b'));
      first.release();
      await settle();
      expect([a1.settled, a2.settled, b1.settled]).toEqual([true, false, false]);
      a1.value!.release();
      await settle();
      expect([a2.settled, b1.settled]).toEqual([false, true]);
      b1.value!.release();
      await settle();
      expect(a2.settled).toBe(true);
    });

    it('counts the queue bound across all owners and forgets an owner whose only waiter aborted', async () => {
      const pool = new SequencePool('m', new FakeModel(1), 2);
      const first = await pool.acquire([], signal(), 'a');
      const controller = new AbortController();
      const aborted = pool.acquire([], controller.signal, 'b');
      const a1 = track(pool.acquire([], signal(), 'a'));
      await expect(pool.acquire([], signal(), 'c')).rejects.toBeInstanceOf(QueueFullError);
      controller.abort();
      await expect(aborted).rejects.toBeInstanceOf(GenerationAbortedError);
      expect(pool.queued).toBe(1);
      first.release();
      await settle();
      expect(a1.settled).toBe(true);
    });
  });
});
