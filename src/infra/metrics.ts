// Prometheus metrics (GET /metrics): Slack handling, cloud calls, provisioning outcomes.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly slackRequests = new Counter({ name: 'vpnbot_slack_requests_total', help: 'Slack commands and interactions handled', labelNames: ['kind', 'outcome'] as const, registers: [this.registry] });
  readonly cloudCalls = new Counter({ name: 'vpnbot_cloud_calls_total', help: 'Alibaba Cloud API calls', labelNames: ['action', 'outcome'] as const, registers: [this.registry] });
  readonly cloudCallSeconds = new Histogram({ name: 'vpnbot_cloud_call_seconds', help: 'Alibaba Cloud API call latency', labelNames: ['action'] as const, buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [this.registry] });
  readonly provisioned = new Counter({ name: 'vpnbot_provision_jobs_total', help: 'Gateway lane jobs finished (provisioning, certificate removals, server changes), by outcome', labelNames: ['outcome'] as const, registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  observeCloudCall = (event: { action: string; ok: boolean; code?: string; ms: number }) => {
    this.cloudCalls.inc({ action: event.action, outcome: event.ok ? 'ok' : (event.code ?? 'error') });
    this.cloudCallSeconds.observe({ action: event.action }, event.ms / 1000);
  };
}
