import { ConfigView } from '@hookline/config';
import { parseEnv } from '@hookline/core';
import { ConsumerLagMonitor, connectEventLog, kafkaHealthChecks } from '@hookline/kafka';
import { closeServer, createHttpApp, createLogger, createMetricsRegistry, listen, runService } from '@hookline/service';
import { createTracing } from '@hookline/tracing';
import { fanoutEnvSchema } from './env.js';
import { startFanout } from './fanout.js';
import { TenantTopics } from './tenant-topics.js';

const env = parseEnv(fanoutEnvSchema);
const logger = createLogger('fanout', env.LOG_LEVEL);

await runService(logger, async (lifecycle) => {
  const { log, topics } = await connectEventLog(env, 'hookline-fanout', logger);
  const tenantTopics = new TenantTopics(env.HOOKLINE_TOPIC_PREFIX, env.FANOUT_TENANT_TOPICS);
  await tenantTopics.ensure(log, env.HOOKLINE_TOPIC_PARTITIONS);
  const config = new ConfigView(log, topics.config, logger);
  await config.start();
  // One publish per batch of events, one batch at a time: nothing to wait for, so no linger on this hop.
  const publisher = await log.publisher({ lingerMs: 0 });
  const metrics = createMetricsRegistry('fanout');
  const groupId = env.FANOUT_GROUP_ID;
  const tracing = createTracing({ serviceName: 'hookline-fanout', env });
  const consumer = await startFanout({
    log,
    topics,
    config,
    publisher,
    logger,
    metrics,
    groupId,
    schemaRegistryUrl: env.SCHEMA_REGISTRY_URL,
    tenantTopics,
    chunkBytes: env.FANOUT_CHUNK_BYTES,
    unknownSchemaGiveUpMs: env.FANOUT_UNKNOWN_SCHEMA_GIVE_UP_MS,
    tracing,
  });
  const lag = new ConsumerLagMonitor({
    log,
    groupId,
    topics: [topics.events, ...tenantTopics.topics],
    registry: metrics,
    logger,
    intervalMs: env.HOOKLINE_LAG_INTERVAL_MS,
    maxLag: env.HOOKLINE_HEALTH_MAX_CONSUMER_LAG,
    stalledAfterMs: env.HOOKLINE_HEALTH_STALLED_AFTER_MS,
  });
  await lag.start();
  const health = kafkaHealthChecks({ config, publisher, consumers: { events: consumer }, lag: [lag] });
  const { server } = await listen(createHttpApp({ logger, metrics, health, lifecycle }), env.FANOUT_PORT);
  return {
    async stop() {
      await lag.stop();
      await consumer.stop();
      await publisher.close();
      await config.stop();
      await log.close();
      await closeServer(server);
      await tracing.shutdown();
    },
  };
});
