/**
 * What the error hooks see of a response, and what they answer: kept apart from client.ts so
 * status-errors.ts and connector declarations can name them without importing the client.
 */
import type { ErrorKind } from '../errors.js';

/** What a connector's `classify` hook sees for each response, before orgsync decides. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** Parsed JSON body where the body is JSON, else undefined. */
  json: unknown;
  method: string;
  path: string;
}

/** A connector's verdict on a response: undefined means "use the generic rules". */
export interface ErrorHint {
  kind?: ErrorKind;
  message?: string;
  code?: string;
  retryable?: boolean;
  retryAfterMs?: number;
}
