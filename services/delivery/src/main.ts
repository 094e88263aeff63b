import { deliveryTask, parseEnv, retryTopicSpec } from '@hookline/core';
import { BatchingProducer, ConfigView, ConsumerLagMonitor, connectKafka, connectProducer, ensureTopics, kafkaHealthChecks, startRetryTierForwarder } from '@hookline/kafka';
import { closeServer, createHttpApp, createLogger, createMetricsRegistry, listen, runService } from '@hookline/service';
import { DeliveryEngine } from './legacy-engine.js';
import { deliveryEnvSchema } from './env.js';
import { createDeliveryMetrics } from './metrics.js';
import { Sender } from './sender.js';
import { SsrfGuard } from './ssrf.js';

const env = parseEnv(deliveryEnvSchema);
const logger = createLogger('delivery', env.LOG_LEVEL);

await runService(logger, async () => {
  const { kafka, topics } = await connectKafka(env, 'hookline-delivery', logger);
  const tiers = env.HOOKLINE_RETRY_TIERS.filter((t) => t !== '0s');
  await ensureTopics(kafka, tiers.map((tier) => retryTopicSpec(topics, tier, env.HOOKLINE_TOPIC_PARTITIONS)));
  const config = new ConfigView(kafka, topics.config, logger);
  await config.start();
  const producer = await connectProducer(kafka);
  const registry = createMetricsRegistry('delivery');
  let engine: DeliveryEngine | undefined;
  const metrics = createDeliveryMetrics(registry, () => engine?.inFlight ?? 0);
  const guard = new SsrfGuard({ allowCidrs: env.DELIVERY_ALLOW_PRIVATE_CIDRS, requireHttps: env.HOOKLINE_MODE === 'production' });
  const sender = new Sender({ timeoutMs: env.DELIVERY_TIMEOUT_MS, responseExcerptBytes: env.DELIVERY_RESPONSE_EXCERPT_BYTES, guard });
  engine = new DeliveryEngine({
    kafka, topics, config, producer: new BatchingProducer(producer), sender, logger, metrics,
    groupId: env.DELIVERY_GROUP_ID,
    endpointConcurrency: env.DELIVERY_ENDPOINT_CONCURRENCY,
    endpointBacklog: env.DELIVERY_ENDPOINT_BACKLOG,
    maxInFlight: env.DELIVERY_MAX_IN_FLIGHT,
    deferTier: tiers[0] ?? '0s',
  });
  await engine.start();
  const forwarder = tiers.length
    ? await startRetryTierForwarder({
        kafka, producer, logger,
        groupId: `${env.DELIVERY_GROUP_ID}-retry`,
        topics: tiers.map((tier) => topics.retry(tier)),
        destination: topics.deliveries,
        dueAt: (value) => deliveryTask.shape.dueAt.parse(JSON.parse(value.toString()).dueAt),
        onForwarded: (topic, lagMs) => metrics.retryLag.observe({ tier: topic.slice(topics.retry('').length) }, Math.max(0, lagMs) / 1000),
      })
    : undefined;
  const lagOf = (groupId: string, topicList: string[], maxLag?: number) =>
    new ConsumerLagMonitor({ kafka, groupId, topics: topicList, registry, logger, intervalMs: env.HOOKLINE_LAG_INTERVAL_MS, ...(maxLag === undefined ? {} : { maxLag }) });
  // Retry tiers hold records until they are due: their lag is reported, never a health problem.
  const lag = [lagOf(env.DELIVERY_GROUP_ID, [topics.deliveries], env.HOOKLINE_HEALTH_MAX_CONSUMER_LAG), ...(tiers.length ? [lagOf(`${env.DELIVERY_GROUP_ID}-retry`, tiers.map((t) => topics.retry(t)))] : [])];
  await Promise.all(lag.map((m) => m.start()));
  const health = kafkaHealthChecks({ config, producer, consumers: { deliveries: engine.consumer!, ...(forwarder ? { retryTiers: forwarder } : {}) }, lag });
  const { server } = await listen(createHttpApp({ logger, metrics: registry, health }), env.DELIVERY_PORT);
  return {
    async stop() {
      await Promise.all(lag.map((m) => m.stop()));
      await forwarder?.disconnect();
      await engine!.stop();
      await producer.disconnect();
      await config.stop();
      await closeServer(server);
    },
  };
});
