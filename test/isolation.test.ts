// Test files run in parallel on one Redis server of the suite's own, each in its own numbered database
// (flushed before and after). Two files on one number break each other under load, so the numbers must
// be unique: this reads every test file's `db: N` / `DB = N` and fails on a number used twice.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/process.js';

const DATABASES = 64; // test/helpers/redis-server.ts starts the server with this many

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return testFiles(path);
    return e.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('test isolation', () => {
  it('gives every test file its own Redis database number', () => {
    const owners = new Map<number, string[]>();
    for (const file of testFiles(join(REPO_ROOT, 'test'))) {
      const text = readFileSync(file, 'utf8');
      // db 0 with redisBase or clusterNodes is a Redis server the test started for itself.
      for (const m of text.matchAll(/\b(?:db:\s*|DB\s*=\s*)(\d+)\b/g)) {
        const n = Number(m[1]);
        if (n === 0) continue;
        const name = relative(REPO_ROOT, file);
        const list = owners.get(n) ?? [];
        if (!list.includes(name)) list.push(name);
        owners.set(n, list);
      }
    }
    expect(owners.size).toBeGreaterThan(10);
    const shared = [...owners].filter(([, files]) => files.length > 1).map(([n, files]) => `${n}: ${files.join(', ')}`);
    expect(shared, 'Redis database numbers used by more than one test file').toEqual([]);
    for (const n of owners.keys()) expect(n).toBeLessThan(DATABASES);
  });
});
