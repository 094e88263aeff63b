/** The admin API's answers, as far as the page reads them (see GET /openapi.json on config-api). */

export type Role = 'owner' | 'admin' | 'member' | 'viewer';

export interface Me {
  keyId: string;
  name: string;
  role: Role;
  tenantId: string;
  tenantName: string | null;
  ingestUrl: string | null;
}

export interface Webhook {
  id: string;
  name: string;
  url: string;
  events: string[];
  description?: string;
  isActive: boolean;
  disabledReason?: string;
  disabledAt?: string;
  profile?: string;
  createdAt: string;
}

export interface LastDelivery {
  at: string;
  status: 'success' | 'failure';
  statusCode: number | null;
  error: string | null;
}

export interface Stats {
  totalDeliveries: number;
  succeeded: number;
  failed: number;
  successRate: number | null;
  averageResponseTimeMs: number | null;
  p95ResponseTimeMs: number | '>30000' | null;
  failuresLast24h: number;
  lastDelivery: LastDelivery | null;
  consecutiveFailures?: number;
}

export interface TestResult {
  deliveryId: string;
  outcome: 'success' | 'failure';
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  responseExcerpt: string | null;
}

export interface DeliverySummary {
  id: string;
  eventId: string;
  event: string;
  timestamp: string;
  status: 'success' | 'failed' | 'retrying';
  response_code: number | null;
  response_time_ms: number;
  attempts: number;
  lastError: string | null;
}

export interface Attempt {
  attemptId: string;
  deliveryId: string;
  eventId: string;
  eventType: string;
  attempt: number;
  url: string;
  startedAt: string;
  durationMs: number;
  outcome: 'success' | 'failure';
  statusCode?: number;
  errorClass?: string;
  errorMessage?: string;
  responseExcerpt?: string;
  responseHeaders?: Record<string, string>;
  final: boolean;
}

export interface DeliveryDetail extends DeliverySummary {
  attemptsLog: Attempt[];
}

export interface ReplayJob {
  jobId: string;
  state: 'running' | 'done' | 'failed';
  total: number;
  done: number;
  error?: string;
}

export interface TimeseriesPoint {
  t: string;
  delivered: number;
  failed: number;
  avgMs: number;
  p95Ms: number;
}

export interface Timeseries {
  bucketSeconds: number;
  points: TimeseriesPoint[];
}

export interface EventType {
  name: string;
  description?: string;
}

export interface IncomingHook {
  id: string;
  name: string;
  eventType: string;
  channels?: string[];
  createdAt: string;
}

export interface IncomingCall {
  at: string;
  status: number;
  eventId?: string;
  eventType?: string;
  error?: string;
  bodyExcerpt: string;
}

export interface Alert {
  id: string;
  endpointId: string;
  endpointName: string;
  rule: 'failed_deliveries' | 'response_time' | 'success_rate';
  state: 'firing' | 'resolved';
  value: number;
  threshold: number;
  message: string;
  firedAt: string;
  resolvedAt?: string;
}

export interface AlertSettings {
  enabled: boolean;
  failedDeliveries24h: number;
  responseTimeMs: number;
  successRatePercent: number;
}

export type List<T> = { data: T[] };
