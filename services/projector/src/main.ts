import { ConfigView } from '@hookline/config';
import { parseEnv } from '@hookline/core';
import { ConsumerLagMonitor, connectEventLog, kafkaHealthChecks } from '@hookline/kafka';
import { closeServer, createHttpApp, createLogger, createMetricsRegistry, listen, runService } from '@hookline/service';
import { Alerts, Store } from '@hookline/store';
import { createTracing } from '@hookline/tracing';
import { AlertNotifier } from './alerts/notifier.js';
import { projectorEnvSchema } from './env.js';
import { registerStateGauges } from './gauges.js';
import { startProjector } from './projector.js';
import { retentionTargets } from './retention.js';
import { RetentionSweeper } from './sweeper.js';

const env = parseEnv(projectorEnvSchema);
const logger = createLogger('projector', env.LOG_LEVEL);

await runService(logger, async (lifecycle) => {
  const { log, topics } = await connectEventLog(env, 'hookline-projector', logger);
  const store = await Store.connect(env.MONGO_URL, env.MONGO_DB);
  const alertStore = new Alerts(store.db);
  await alertStore.ensureIndexes();
  const config = new ConfigView(log, topics.config, logger);
  await config.start();
  const publisher = await log.publisher();
  const metrics = createMetricsRegistry('projector');
  registerStateGauges(metrics, store.deadLetters, alertStore, config.state);
  const alerts = new AlertNotifier({
    alerts: alertStore,
    config,
    publisher,
    topics,
    logger,
    metrics,
    minAttempts: env.PROJECTOR_ALERT_MIN_ATTEMPTS,
    recentSize: env.PROJECTOR_ALERT_RECENT_ATTEMPTS,
  });
  const groupId = env.PROJECTOR_GROUP_ID;
  const tracing = createTracing({ serviceName: 'hookline-projector', env });
  const consumer = await startProjector({ log, topics, store, config, publisher, logger, metrics, groupId, alerts, tracing });
  const sweeper = new RetentionSweeper({
    targets: await retentionTargets(store, env),
    intervalMs: env.PROJECTOR_SWEEP_INTERVAL_MS,
    batchSize: env.PROJECTOR_SWEEP_BATCH,
    maxBatchesPerRun: 100,
    metrics,
    logger,
  });
  sweeper.start();
  const alertTimer = setInterval(() => void alerts.reevaluateFiring(), env.PROJECTOR_ALERT_INTERVAL_MS);
  const lag = new ConsumerLagMonitor({
    log,
    groupId,
    topics: [topics.attempts, topics.deadLetter],
    registry: metrics,
    logger,
    intervalMs: env.HOOKLINE_LAG_INTERVAL_MS,
    maxLag: env.HOOKLINE_HEALTH_MAX_CONSUMER_LAG,
    stalledAfterMs: env.HOOKLINE_HEALTH_STALLED_AFTER_MS,
  });
  await lag.start();
  const health = {
    ...kafkaHealthChecks({ config, publisher, consumers: { attempts: consumer }, lag: [lag] }),
    mongo: async () => {
      await store.ping();
      return { ok: true };
    },
  };
  const { server } = await listen(createHttpApp({ logger, metrics, health, lifecycle }), env.PROJECTOR_PORT);
  return {
    async stop() {
      clearInterval(alertTimer);
      await sweeper.stop();
      await lag.stop();
      // Finishes the batch in hand (its alerts included) and commits it.
      await consumer.stop();
      await publisher.close();
      await config.stop();
      await log.close();
      await store.close();
      await closeServer(server);
      await tracing.shutdown();
    },
  };
});
