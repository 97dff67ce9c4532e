// Prometheus metrics. Each app gets its own registry so tests (and several
// apps in one process) never share counters.
import client from 'prom-client';

export const METRIC_NAMES = Object.freeze({
  requests: 'http_requests_total',
  duration: 'http_request_duration_seconds',
  dependencyUp: 'connector_dependency_up',
});

export const DURATION_BUCKETS = Object.freeze([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);

/**
 * @param {{ dependencyCheck?: () => Promise<Record<string, boolean>> }} [opts]
 *   dependencyCheck is called on every scrape so connector_dependency_up is
 *   fresh even when nobody calls /health.
 */
export function createMetrics({ dependencyCheck } = {}) {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });

  const requests = new client.Counter({
    name: METRIC_NAMES.requests,
    help: 'HTTP requests handled, by method, route and status code.',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new client.Histogram({
    name: METRIC_NAMES.duration,
    help: 'HTTP request duration in seconds, by method, route and status code.',
    labelNames: ['method', 'route', 'status'],
    buckets: [...DURATION_BUCKETS],
    registers: [registry],
  });
  const dependencyUp = new client.Gauge({
    name: METRIC_NAMES.dependencyUp,
    help: 'Whether a dependency passed its last readiness check (1) or not (0).',
    labelNames: ['dependency'],
    registers: [registry],
    async collect() {
      if (!dependencyCheck) return;
      const states = await dependencyCheck();
      for (const [dependency, up] of Object.entries(states)) {
        this.set({ dependency }, up ? 1 : 0);
      }
    },
  });

  return {
    registry,
    contentType: registry.contentType,
    observeRequest({ method, route, status, seconds }) {
      const labels = { method, route, status: String(status) };
      requests.inc(labels);
      duration.observe(labels, seconds);
    },
    setDependencyUp(dependency, up) {
      dependencyUp.set({ dependency }, up ? 1 : 0);
    },
    render: () => registry.metrics(),
  };
}
