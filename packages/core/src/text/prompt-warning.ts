// The one-line warning a UI or CLI shows when the model will not see every phrase of a prompt:
// which phrases were dropped and why (cut off at the 256-token limit, no token, repeated).
import type { EncodedPrompt } from './encode-prompt.ts';
import { MAX_QUERY_LEN } from './encode-prompt.ts';

/** Phrases named in full; the rest are counted. */
const NAMED = 8;

const WHY = {
  truncated: `past the ${MAX_QUERY_LEN} tokens the model reads, so they were cut off (shorten the prompt or split it into several)`,
  'no-tokens': 'the tokenizer turns them into nothing (use words, not only symbols)',
  duplicate: 'they repeat an earlier phrase (each is detected once)',
} as const;

/** A warning naming the dropped phrases of `encoded`, or null when the model sees every phrase. */
export function promptWarning(encoded: Pick<EncodedPrompt, 'dropped'>): string | null {
  if (encoded.dropped.length === 0) return null;
  const parts: string[] = [];
  for (const reason of ['truncated', 'no-tokens', 'duplicate'] as const) {
    const texts = encoded.dropped.filter((d) => d.reason === reason).map((d) => JSON.stringify(d.text));
    if (texts.length === 0) continue;
    const named = texts.slice(0, NAMED).join(', ') + (texts.length > NAMED ? ` and ${texts.length - NAMED} more` : '');
    parts.push(`${named}: ${WHY[reason]}`);
  }
  return `${encoded.dropped.length} phrase(s) of the prompt will not be detected — ${parts.join('; ')}.`;
}
