import { parseEnv } from '@hookline/core';
import { BatchingProducer, ConfigView, ConsumerLagMonitor, connectKafka, connectProducer, kafkaHealthChecks } from '@hookline/kafka';
import { closeServer, createHttpApp, createLogger, createMetricsRegistry, listen, runService } from '@hookline/service';
import { Alerts, Store } from '@hookline/store';
import { AlertNotifier } from './alerts/notifier.js';
import { projectorEnvSchema } from './env.js';
import { registerStateGauges } from './gauges.js';
import { startProjector } from './projector.js';

const env = parseEnv(projectorEnvSchema);
const logger = createLogger('projector', env.LOG_LEVEL);

await runService(logger, async () => {
  const { kafka, topics } = await connectKafka(env, 'hookline-projector', logger);
  const store = await Store.connect(env.MONGO_URL, env.MONGO_DB);
  const alertStore = new Alerts(store.db);
  await alertStore.ensureIndexes();
  const config = new ConfigView(kafka, topics.config, logger);
  await config.start();
  const producer = await connectProducer(kafka);
  const metrics = createMetricsRegistry('projector');
  registerStateGauges(metrics, store.deadLetters, alertStore, config.state);
  const alerts = new AlertNotifier({ alerts: alertStore, config, producer: new BatchingProducer(producer), topics, logger, metrics, minAttempts: env.PROJECTOR_ALERT_MIN_ATTEMPTS, recentSize: env.PROJECTOR_ALERT_RECENT_ATTEMPTS });
  const consumer = await startProjector({ kafka, topics, store, config, producer, logger, metrics, groupId: env.PROJECTOR_GROUP_ID, alerts });
  const alertTimer = setInterval(() => void alerts.reevaluateFiring(), env.PROJECTOR_ALERT_INTERVAL_MS);
  const lag = new ConsumerLagMonitor({ kafka, groupId: env.PROJECTOR_GROUP_ID, topics: [topics.attempts, topics.deadLetter], registry: metrics, logger, intervalMs: env.HOOKLINE_LAG_INTERVAL_MS, maxLag: env.HOOKLINE_HEALTH_MAX_CONSUMER_LAG });
  await lag.start();
  const health = {
    ...kafkaHealthChecks({ config, producer, consumers: { attempts: consumer }, lag: [lag] }),
    mongo: async () => (await store.ping(), { ok: true }),
  };
  const { server } = await listen(createHttpApp({ logger, metrics, health }), env.PROJECTOR_PORT);
  return {
    async stop() {
      clearInterval(alertTimer);
      await lag.stop();
      // Finishes the batch in hand (its alerts included) and commits it.
      await consumer.disconnect();
      await producer.disconnect();
      await config.stop();
      await store.close();
      await closeServer(server);
    },
  };
});
