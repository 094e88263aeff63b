import { randomUUID } from 'node:crypto';
import { ConfigView } from '@hookline/config';
import { parseEnv } from '@hookline/core';
import { connectEventLog, kafkaHealthChecks } from '@hookline/kafka';
import { ConfluentSchemaRegistry } from '@hookline/schema-registry';
import { EndpointSecrets, keyringFromEnv } from '@hookline/secrets';
import { closeServer, createLogger, createMetricsRegistry, listen, runService } from '@hookline/service';
import { Alerts, IncomingCalls, Jobs, ScheduleFires, Store } from '@hookline/store';
import { assembleConfigApi } from './app.js';
import { configApiEnvSchema } from './env.js';
import { JobRunner, recoverJob, replayJob } from './jobs/index.js';
import { adminLimitsFromEnv } from './limits.js';
import { Scheduler, startStatusTrigger } from './schedules/index.js';

const env = parseEnv(configApiEnvSchema);
const logger = createLogger('config-api', env.LOG_LEVEL);
const keyring = keyringFromEnv(env);

await runService(logger, async (lifecycle) => {
  const { log, topics } = await connectEventLog(env, 'hookline-config-api', logger);
  const store = await Store.connect(env.MONGO_URL, env.MONGO_DB);
  const config = new ConfigView(log, topics.config, logger);
  await config.start();
  const publisher = await log.publisher();
  const jobStore = new Jobs(store.db);
  await jobStore.ensureIndexes();
  const replay = replayJob({ letters: store.deadLetters, publisher, deliveriesTopic: topics.deliveries });
  const recover = recoverJob({
    log,
    publisher,
    eventsTopic: topics.events,
    deliveriesTopic: topics.deliveries,
    endpoint: (id) => config.state.endpoints.get(id),
  });
  const runner = new JobRunner({ store: jobStore, kinds: [replay, recover], logger });
  runner.start();
  const fires = new ScheduleFires(store.db);
  await fires.ensureIndexes();
  const scheduler = new Scheduler({
    config,
    store: fires,
    publisher,
    eventsTopic: topics.events,
    logger: logger.child({ component: 'scheduler' }),
    instanceId: randomUUID(),
    tickMs: env.SCHEDULER_TICK_MS,
    leaseMs: env.SCHEDULER_LEASE_MS,
    catchUpMax: env.SCHEDULER_CATCH_UP_MAX,
    lateAfterMs: env.SCHEDULER_LATE_AFTER_MS,
  });
  const statusTrigger = env.SCHEDULER_ENABLED
    ? await startStatusTrigger({
        log,
        groupId: env.SCHEDULER_GROUP_ID ?? `${env.HOOKLINE_TOPIC_PREFIX}hookline-scheduler`,
        eventsTopic: topics.events,
        config,
        scheduler,
        logger,
      })
    : undefined;
  if (env.SCHEDULER_ENABLED) scheduler.start();
  const { app } = assembleConfigApi({
    config,
    publisher,
    store,
    log,
    topics,
    logger,
    lifecycle,
    metrics: createMetricsRegistry('config-api'),
    alerts: new Alerts(store.db),
    incomingCalls: new IncomingCalls(store.db),
    jobs: { runner, store: jobStore, replay, recover },
    ...(env.SCHEDULER_ENABLED ? { scheduler } : {}),
    schemaRegistry: env.SCHEMA_REGISTRY_URL ? new ConfluentSchemaRegistry({ url: env.SCHEMA_REGISTRY_URL }) : undefined,
    topicPrefix: env.HOOKLINE_TOPIC_PREFIX,
    retryTiers: env.HOOKLINE_RETRY_TIERS,
    requireHttps: env.HOOKLINE_MODE === 'production',
    testTimeoutMs: env.CONFIG_API_TEST_TIMEOUT_MS,
    ingestPublicUrl: env.HOOKLINE_INGEST_PUBLIC_URL,
    rootToken: env.HOOKLINE_ROOT_TOKEN,
    limits: adminLimitsFromEnv(env),
    webhooks: {
      secrets: new EndpointSecrets(keyring),
      ingestOrigins: [...env.HOOKLINE_INGEST_ORIGINS, ...(env.HOOKLINE_INGEST_PUBLIC_URL ? [env.HOOKLINE_INGEST_PUBLIC_URL] : [])].map(
        (origin) => new URL(origin),
      ),
    },
    health: {
      ...kafkaHealthChecks({ config, publisher }),
      mongo: async () => {
        await store.ping();
        return { ok: true };
      },
    },
    ...(env.CONFIG_API_WEB_DIR ? { webDir: env.CONFIG_API_WEB_DIR } : {}),
  });
  const { server, port } = await listen(app, env.CONFIG_API_PORT, env.CONFIG_API_HOST);
  logger.info({ url: `http://${env.CONFIG_API_HOST}:${port}` }, 'config-api listening');
  return {
    async stop() {
      await closeServer(server);
      // Running jobs go back to the queue; the next start (or another instance) resumes them.
      await runner.stop();
      await scheduler.stop();
      await statusTrigger?.stop();
      await publisher.flush();
      await publisher.close();
      await config.stop();
      await log.close();
      await store.close();
    },
  };
});
