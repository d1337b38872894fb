// What an operation handler sees, and small parameter parsers shared by the VPC and CAS handlers.
import { Err } from './errors.js';
import type { SimState } from './state.js';

export const VPC_VERSION = '2016-04-28';
export const CAS_VERSION = '2020-06-30';

export interface OpContext {
  /** Decoded request parameters (common ones included). */
  params: Record<string, string>;
  state: SimState;
  now: number;
}

export interface Operation {
  action: string;
  version: string;
  /** Used in the error envelope's Recommend link. */
  product: 'Vpc' | 'cas';
  /** Checked in order after authentication: the first missing one is reported (Missing<Param>). */
  required: string[];
  /** ClientToken accepted: replays are answered from the idempotency store (§5). */
  idempotent: boolean;
  /** VPC operations validate RegionId. */
  regional: boolean;
  /** CAS operations are limited per AccessKeyId+Action (§4). */
  rateLimited: boolean;
  /**
   * Returns the success body without RequestId; throws SimError. State is read and changed synchronously;
   * a handler may return a promise only for work after that (signing certificates), never for changes.
   */
  handle(ctx: OpContext): Record<string, unknown> | Promise<Record<string, unknown>>;
}

export function optBool(params: Record<string, string>, name: string): boolean | undefined {
  const v = params[name];
  if (v === undefined || v === '') return undefined;
  if (v.toLowerCase() === 'true') return true;
  if (v.toLowerCase() === 'false') return false;
  throw Err.invalidParameter(name, 'expected true or false');
}

export function optInt(params: Record<string, string>, name: string, min: number, max: number): number | undefined {
  const v = params[name];
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw Err.invalidParameter(name, 'expected an integer');
  const n = Number(v);
  if (n < min || n > max) throw Err.invalidParameter(name, `expected ${min} to ${max}`);
  return n;
}

/** Present and non-empty, else undefined. */
export function opt(params: Record<string, string>, name: string): string | undefined {
  const v = params[name];
  return v === undefined || v === '' ? undefined : v;
}

export function page<T>(items: T[], pageNumber: number, pageSize: number): T[] {
  return items.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
}
