/** Durations as written in config: `0s`, `5s`, `30s`, `1m`, `5m`, `2h`, `1500ms`. */
const unitMs = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export const durationPattern = /^(\d+)(ms|s|m|h|d)$/;

export function parseDuration(text: string): number {
  const match = durationPattern.exec(text.trim());
  if (!match) throw new Error(`not a duration: ${text}`);
  return Number(match[1]) * unitMs[match[2] as keyof typeof unitMs];
}
