/** Every Kafka topic Hookline uses, named from one prefix so several installations (or test runs) share a broker. */
export interface TopicNames {
  events: string;
  config: string;
  deliveries: string;
  attempts: string;
  deadLetter: string;
  rejected: string;
  retry(tier: string): string;
}

export function topicNames(prefix: string): TopicNames {
  return {
    events: `${prefix}events`,
    config: `${prefix}config`,
    deliveries: `${prefix}deliveries`,
    attempts: `${prefix}attempts`,
    deadLetter: `${prefix}dead-letter`,
    rejected: `${prefix}rejected`,
    retry: (tier) => `${prefix}retry.${tier}`,
  };
}
