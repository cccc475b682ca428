import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ModelRegistry } from '../inference/model-registry.service';
import { RequestRecord } from './request-record';
import { RequestRecorder } from './request-recorder.service';

/** Requests without an API key (a server with no keys configured) are counted under this key name. */
export const NO_KEY = 'none';

/** The Prometheus metrics: counters and histograms fed by RequestRecords, gauges read from the registry. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly requests = this.counter('llamanest_requests_total', 'HTTP requests by route and status', ['route', 'status']);
  private readonly promptTokens = this.counter('llamanest_prompt_tokens_total', 'Prompt tokens of served requests', ['model', 'key']);
  private readonly generatedTokens = this.counter('llamanest_generated_tokens_total', 'Generated (completion) tokens', ['model', 'key']);
  private readonly cachedTokens = this.counter('llamanest_cached_tokens_total', 'Prompt tokens reused from the KV cache', ['model', 'key']);
  private readonly ttft = this.histogram('llamanest_time_to_first_token_seconds', 'From request arrival to the first generated token', ['model'], [
    0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
  ]);
  private readonly interToken = this.histogram('llamanest_inter_token_latency_seconds', 'Between consecutive generated tokens', ['model'], [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
  ]);
  private readonly duration = this.histogram('llamanest_request_duration_seconds', 'HTTP request duration by route', ['route'], [
    0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120,
  ]);

  constructor(models: ModelRegistry, recorder: RequestRecorder) {
    collectDefaultMetrics({ register: this.registry });
    const gauge = (name: string, help: string, labelNames: string[], read: (g: Gauge) => void) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers: [this.registry],
        collect() {
          this.reset();
          read(this);
        },
      });
    gauge('llamanest_queue_depth', 'Requests waiting for a sequence, per model', ['model'], (g) => models.stats().forEach((m) => g.set({ model: m.id }, m.queuedRequests)));
    gauge('llamanest_active_sequences', 'Sequences generating for a request, per model', ['model'], (g) =>
      models.stats().forEach((m) => g.set({ model: m.id }, m.activeSequences)),
    );
    gauge('llamanest_loaded_models', 'Models loaded now', [], (g) => g.set(models.stats().filter((m) => m.loaded).length));
    gauge('llamanest_model_load_seconds', 'How long the last load of each model took', ['model'], (g) =>
      models.stats().forEach((m) => m.loadSeconds !== undefined && g.set({ model: m.id }, m.loadSeconds)),
    );
    recorder.subscribe((record) => this.observe(record));
  }

  private observe(r: RequestRecord): void {
    this.requests.inc({ route: r.route, status: String(r.status) });
    this.duration.observe({ route: r.route }, r.durationSeconds);
    if (!r.model) return;
    const labels = { model: r.model, key: r.keyName ?? NO_KEY };
    this.promptTokens.inc(labels, r.promptTokens ?? 0);
    this.generatedTokens.inc(labels, r.completionTokens ?? 0);
    this.cachedTokens.inc(labels, r.cachedTokens ?? 0);
    if (r.timeToFirstTokenSeconds !== undefined) this.ttft.observe({ model: r.model }, r.timeToFirstTokenSeconds);
    for (const seconds of r.interTokenSeconds) this.interToken.observe({ model: r.model }, seconds);
  }

  private counter(name: string, help: string, labelNames: string[]): Counter {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private histogram(name: string, help: string, labelNames: string[], buckets: number[]): Histogram {
    return new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }
}
