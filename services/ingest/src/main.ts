import { ConfigView } from '@hookline/config';
import { parseEnv } from '@hookline/core';
import { connectEventLog, kafkaHealthChecks } from '@hookline/kafka';
import { closeServer, createLogger, createMetricsRegistry, listen, runService } from '@hookline/service';
import { IdempotencyKeys, IncomingCalls } from '@hookline/store';
import { createTracing } from '@hookline/tracing';
import { assembleIngestApi } from './app.js';
import { ingestEnvSchema } from './env.js';
import { ingestLimitsFromEnv } from './limits.js';
import { EntryPlanner } from './plan.js';
import { BrokerGate, EventPublisher } from './publish.js';

const env = parseEnv(ingestEnvSchema);
const logger = createLogger('ingest', env.LOG_LEVEL);

await runService(logger, async (lifecycle) => {
  const { log, topics } = await connectEventLog(env, 'hookline-ingest', logger);
  const config = new ConfigView(log, topics.config, logger);
  await config.start();
  const publisher = await log.publisher();
  const tracing = createTracing({ serviceName: 'hookline-ingest', env });
  const metrics = createMetricsRegistry('ingest');
  const planner = new EntryPlanner({
    config,
    topics,
    maxTasks: env.INGEST_PLAN_MAX_TASKS,
    maxBytes: env.INGEST_PLAN_MAX_BYTES,
    metrics,
  });
  const events = new EventPublisher(publisher, planner, new BrokerGate(env.INGEST_PUBLISH_STALL_MS), tracing);
  const idempotency = await IdempotencyKeys.connect(env.MONGO_URL, env.MONGO_DB, {
    waitMs: env.INGEST_IDEMPOTENCY_WAIT_MS,
    ttlMs: env.HOOKLINE_RETENTION_IDEMPOTENCY_KEYS,
  });
  const health = {
    ...kafkaHealthChecks({ config, publisher }),
    mongo: async () => {
      await idempotency.ping();
      return { ok: true };
    },
  };
  const incomingCalls = new IncomingCalls(idempotency.collection.db);
  const { app } = assembleIngestApi({
    config,
    publisher: events,
    logger,
    metrics,
    idempotency,
    maxBodyBytes: env.INGEST_MAX_BODY_BYTES,
    incomingCalls,
    health,
    lifecycle,
    limits: ingestLimitsFromEnv(env),
  });
  const { server, port } = await listen(app, env.INGEST_PORT, env.INGEST_HOST);
  logger.info({ url: `http://${env.INGEST_HOST}:${port}` }, 'ingest listening');
  return {
    async stop() {
      await closeServer(server);
      await publisher.flush();
      await publisher.close();
      await config.stop();
      await log.close();
      await idempotency.close();
      await tracing.shutdown();
    },
  };
});
