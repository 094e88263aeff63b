import { deliveryTask, parseEnv } from '@hookline/core';
import { BatchingProducer, ConfigView, connectKafka, connectProducer, ensureTopics, startRetryTierForwarder } from '@hookline/kafka';
import { closeServer, createHttpApp, createLogger, createMetricsRegistry, listen, runService } from '@hookline/service';
import { DeliveryEngine } from './engine.js';
import { deliveryEnvSchema } from './env.js';
import { createDeliveryMetrics } from './metrics.js';
import { Sender } from './sender.js';
import { SsrfGuard } from './ssrf.js';

const env = parseEnv(deliveryEnvSchema);
const logger = createLogger('delivery', env.LOG_LEVEL);

await runService(logger, async () => {
  const { kafka, topics } = await connectKafka(env, 'hookline-delivery', logger);
  const tiers = env.HOOKLINE_RETRY_TIERS.filter((t) => t !== '0s');
  await ensureTopics(kafka, tiers.map((tier) => ({ topic: topics.retry(tier), numPartitions: env.HOOKLINE_TOPIC_PARTITIONS })));
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
        onForwarded: (topic, lagMs) => metrics.retryLag.observe({ topic }, Math.max(0, lagMs) / 1000),
      })
    : undefined;
  const { server } = await listen(createHttpApp({ logger, metrics: registry }), env.DELIVERY_PORT);
  return {
    async stop() {
      await forwarder?.disconnect();
      await engine!.stop();
      await producer.disconnect();
      await config.stop();
      await closeServer(server);
    },
  };
});
