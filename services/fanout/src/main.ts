import { parseEnv } from '@hookline/core';
import { ConfigView, ConsumerLagMonitor, connectKafka, connectProducer, kafkaHealthChecks } from '@hookline/kafka';
import { closeServer, createHttpApp, createLogger, createMetricsRegistry, listen, runService } from '@hookline/service';
import { fanoutEnvSchema } from './env.js';
import { startFanout } from './fanout.js';

const env = parseEnv(fanoutEnvSchema);
const logger = createLogger('fanout', env.LOG_LEVEL);

await runService(logger, async () => {
  const { kafka, topics } = await connectKafka(env, 'hookline-fanout', logger);
  const config = new ConfigView(kafka, topics.config, logger);
  await config.start();
  const producer = await connectProducer(kafka);
  const metrics = createMetricsRegistry('fanout');
  const consumer = await startFanout({ kafka, topics, config, producer, logger, metrics, groupId: env.FANOUT_GROUP_ID, schemaRegistryUrl: env.SCHEMA_REGISTRY_URL });
  const lag = new ConsumerLagMonitor({ kafka, groupId: env.FANOUT_GROUP_ID, topics: [topics.events], registry: metrics, logger, intervalMs: env.HOOKLINE_LAG_INTERVAL_MS, maxLag: env.HOOKLINE_HEALTH_MAX_CONSUMER_LAG });
  await lag.start();
  const health = kafkaHealthChecks({ config, producer, consumers: { events: consumer }, lag: [lag] });
  const { server } = await listen(createHttpApp({ logger, metrics, health }), env.FANOUT_PORT);
  return {
    async stop() {
      await lag.stop();
      await consumer.disconnect();
      await producer.disconnect();
      await config.stop();
      await closeServer(server);
    },
  };
});
