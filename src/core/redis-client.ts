// The Redis client the store, audit log and queues use: one server (with or without Sentinel) or a
// Redis Cluster. Every key carries a hash tag, so each script and pipeline stays within one slot.
import type { Cluster, Redis } from 'ioredis';

export type RedisClient = Redis | Cluster;
