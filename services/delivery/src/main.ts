import { ConfigView } from '@hookline/config';
import { parseEnv } from '@hookline/core';
import { delayedTiers, validateProfiles } from '@hookline/delivery-policy';
import { ConsumerLagMonitor, connectEventLog, kafkaHealthChecks, retryTopicSpec } from '@hookline/kafka';
import { EndpointSecrets, endpointsMissingKeys, keyringFromEnv } from '@hookline/secrets';
import { closeServer, createHttpApp, createLogger, createMetricsRegistry, listen, runService } from '@hookline/service';
import { createTracing } from '@hookline/tracing';
import { DeliveryEngine } from './engine.js';
import { deliveryEnvSchema } from './env.js';
import { createDeliveryMetrics } from './metrics.js';
import { startRetryForwarder } from './retry-forwarder.js';
import { Sender } from './sender.js';
import { SsrfGuard } from './ssrf.js';
import { TracedSender } from './tracing.js';

const env = parseEnv(deliveryEnvSchema);
const logger = createLogger('delivery', env.LOG_LEVEL);
const keyring = keyringFromEnv(env);

await runService(logger, async (lifecycle) => {
  // A profile whose schedule names a tier that is not a topic would send retries nowhere: refuse to start.
  validateProfiles(env.HOOKLINE_RETRY_TIERS);
  const tiers = delayedTiers(env.HOOKLINE_RETRY_TIERS);
  const { log, topics, policy } = await connectEventLog(env, 'hookline-delivery', logger);
  await log.ensureTopics(tiers.map((tier) => retryTopicSpec(topics, tier, env.HOOKLINE_TOPIC_PARTITIONS, policy)));
  const config = new ConfigView(log, topics.config, logger);
  await config.start();
  // Said once at start: their deliveries fail (and dead-letter) until the keyring lists these keys.
  const unopenable = endpointsMissingKeys(config.state.endpoints.values(), keyring);
  if (unopenable.length)
    logger.error(
      { endpoints: unopenable.slice(0, 100), count: unopenable.length },
      'endpoints sealed with keys not in HOOKLINE_SECRETS_KEY',
    );
  const publisher = await log.publisher();
  const registry = createMetricsRegistry('delivery');
  let engine: DeliveryEngine | undefined;
  const metrics = createDeliveryMetrics(
    registry,
    () => engine?.inFlight ?? 0,
    () => engine?.circuits.countNotClosed() ?? { open: 0, halfOpen: 0 },
    () => engine?.lanes.blockedSummary(Date.now()) ?? { lanes: 0, oldestSeconds: 0 },
  );
  const guard = new SsrfGuard({
    allowCidrs: env.DELIVERY_ALLOW_PRIVATE_CIDRS,
    requireHttps: env.HOOKLINE_MODE === 'production',
    onRefused: (refused) => logger.warn(refused, 'destination refused by the SSRF guard'),
  });
  const sender = new Sender({
    timeoutMs: env.DELIVERY_TIMEOUT_MS,
    responseExcerptBytes: env.DELIVERY_RESPONSE_EXCERPT_BYTES,
    requestBodyRecordBytes: env.DELIVERY_REQUEST_BODY_RECORD_BYTES,
    guard,
    secrets: new EndpointSecrets(keyring),
  });
  const tracing = createTracing({ serviceName: 'hookline-delivery', env });
  engine = new DeliveryEngine({
    log,
    publisher,
    topics,
    config,
    sender: new TracedSender(sender, tracing),
    logger,
    metrics,
    groupId: env.DELIVERY_GROUP_ID,
    endpointConcurrency: env.DELIVERY_ENDPOINT_CONCURRENCY,
    endpointBacklog: env.DELIVERY_ENDPOINT_BACKLOG,
    maxInFlight: env.DELIVERY_MAX_IN_FLIGHT,
    delayedTiers: tiers,
    onCircuitTransition(transition) {
      metrics.circuitTransitions.inc({ to: transition.to });
      logger.warn({ ...transition }, `circuit ${transition.to}: ${transition.reason}`);
    },
  });
  await engine.start();
  const retryGroup = `${env.DELIVERY_GROUP_ID}-retry`;
  const tierTopics = tiers.map((tier) => topics.retry(tier));
  const forwarder = tiers.length
    ? await startRetryForwarder({
        log,
        publisher,
        groupId: retryGroup,
        topics: tierTopics,
        destination: topics.deliveries,
        onForwarded: (topic, lagMs) => metrics.retryLag.observe({ tier: topic.slice(topics.retry('').length) }, Math.max(0, lagMs) / 1000),
      })
    : undefined;
  const lagOf = (groupId: string, topicList: string[], maxLag?: number) =>
    new ConsumerLagMonitor({
      log,
      groupId,
      topics: topicList,
      registry,
      logger,
      intervalMs: env.HOOKLINE_LAG_INTERVAL_MS,
      ...(maxLag === undefined ? {} : { maxLag, stalledAfterMs: env.HOOKLINE_HEALTH_STALLED_AFTER_MS }),
    });
  // Retry tiers hold records until they are due: their lag is reported, never a health problem (nor a standstill).
  const lag = [
    lagOf(env.DELIVERY_GROUP_ID, [topics.deliveries], env.HOOKLINE_HEALTH_MAX_CONSUMER_LAG),
    ...(tiers.length ? [lagOf(retryGroup, tierTopics)] : []),
  ];
  await Promise.all(lag.map((m) => m.start()));
  const health = kafkaHealthChecks({
    config,
    publisher,
    consumers: { deliveries: engine, ...(forwarder ? { retryTiers: forwarder } : {}) },
    lag,
  });
  const { server } = await listen(createHttpApp({ logger, metrics: registry, health, lifecycle }), env.DELIVERY_PORT);
  return {
    async stop() {
      await Promise.all(lag.map((m) => m.stop()));
      await forwarder?.stop();
      await engine!.stop();
      await config.stop();
      await log.close();
      await closeServer(server);
      await tracing.shutdown();
    },
  };
});
