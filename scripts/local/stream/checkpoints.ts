import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface ShardCheckpoint {
  /** The last record handled (delivered or dead-lettered); the shard resumes after it. */
  sequenceNumber?: string;
  /** Read to its end (a closed shard): its children may start, and it is never read again. */
  finished?: boolean;
}

interface CheckpointFile {
  version: 1;
  streamArn: string;
  updatedAt: string;
  shards: Record<string, ShardCheckpoint>;
}

/**
 * Per-shard progress of one poller, kept in memory and, given a file, on disk so a restart resumes. One
 * file belongs to one poller: two pollers sharing it would overwrite each other's progress.
 */
export class CheckpointStore {
  private streamArn = '';
  private shards: Record<string, ShardCheckpoint> = {};
  private chain: Promise<void> = Promise.resolve();
  private dirty = false;

  constructor(
    private readonly file: string | undefined,
    private readonly log: (line: string) => void,
  ) {}

  /** Loads the progress recorded for `streamArn`; false when there is none (a first start). */
  load(streamArn: string): boolean {
    this.streamArn = streamArn;
    this.shards = {};
    if (!this.file) return false;
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    let parsed: Partial<CheckpointFile>;
    try {
      parsed = JSON.parse(text) as Partial<CheckpointFile>;
    } catch {
      this.log(`checkpoint file ${this.file} is not JSON; starting without checkpoints`);
      return false;
    }
    if (parsed.streamArn !== streamArn) {
      // The table was recreated (new stream): the old shards' positions mean nothing in the new one.
      if (parsed.streamArn) this.log(`checkpoint file is for ${parsed.streamArn}, not the current stream; starting afresh`);
      return false;
    }
    this.shards = typeof parsed.shards === 'object' && parsed.shards !== null ? parsed.shards : {};
    return Object.keys(this.shards).length > 0;
  }

  /** The stream was replaced while running: forget the old one's shards. */
  reset(streamArn: string): Promise<void> {
    this.streamArn = streamArn;
    this.shards = {};
    return this.save();
  }

  get(shardId: string): ShardCheckpoint | undefined {
    return this.shards[shardId];
  }

  set(shardId: string, checkpoint: ShardCheckpoint): Promise<void> {
    this.shards[shardId] = { ...this.shards[shardId], ...checkpoint };
    return this.save();
  }

  /** Drops shards the stream no longer lists (DynamoDB removes them after 24 hours) so the file stays small. */
  prune(liveShardIds: ReadonlySet<string>): void {
    const dead = Object.keys(this.shards).filter((shardId) => !liveShardIds.has(shardId));
    if (dead.length === 0) return;
    for (const shardId of dead) delete this.shards[shardId];
    void this.save();
  }

  /** Resolves once everything set so far is on disk. */
  flush(): Promise<void> {
    return this.chain;
  }

  /**
   * Writes are queued one behind another, and a queued write takes the latest state when its turn comes,
   * so a burst of batches costs one or two writes, and a reader never sees a half-written file.
   */
  private save(): Promise<void> {
    const file = this.file;
    if (!file) return Promise.resolve();
    this.dirty = true;
    this.chain = this.chain.then(async () => {
      if (!this.dirty) return;
      this.dirty = false;
      const content: CheckpointFile = { version: 1, streamArn: this.streamArn, updatedAt: new Date().toISOString(), shards: this.shards };
      const temporary = `${file}.${process.pid}.tmp`;
      try {
        await mkdir(dirname(file), { recursive: true });
        await writeFile(temporary, `${JSON.stringify(content, null, 2)}\n`);
        await rename(temporary, file);
      } catch (error) {
        // Losing a checkpoint write only means redelivery after a restart; stopping the poller would be worse.
        this.log(`could not write checkpoint file ${file}: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
    return this.chain;
  }
}
