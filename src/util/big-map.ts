/**
 * A Map from non-negative integer keys to numbers that holds more than V8's limit of 2^24 entries
 * per Map: the entries are spread over shards by key. Same get/set semantics as a Map.
 */
export class BigNumberMap {
  private readonly shards: Map<number, number>[];
  private count = 0;

  /** `shards` Maps of up to 2^24 entries each (64 by default: room for about 10^9 keys). */
  constructor(shards = 64) {
    this.shards = Array.from({ length: shards }, () => new Map<number, number>());
  }

  private shardOf(key: number): Map<number, number> {
    return this.shards[key % this.shards.length] as Map<number, number>;
  }

  get(key: number): number | undefined {
    return this.shardOf(key).get(key);
  }

  set(key: number, value: number): void {
    const shard = this.shardOf(key);
    if (!shard.has(key)) this.count++;
    shard.set(key, value);
  }

  get size(): number {
    return this.count;
  }
}
