import { randomBytes } from 'node:crypto';
import type { Db } from '../db/index.ts';
import { castHeader } from './asciicast.ts';

/** A recorded terminal, without its events. */
export interface RecordingInfo {
  readonly id: string;
  readonly terminal: string;
  readonly startedAt: string;
  readonly cols: number;
  readonly rows: number;
  readonly bytes: number;
  /** Seconds from the start to the last event. */
  readonly duration: number;
  /** The learner's size cap stopped it. */
  readonly capped: boolean;
}

/** A class that records one of this learner's terminals, and the learner's account in it. */
export interface RecordingClass {
  readonly classId: string;
  readonly className: string;
  readonly userId: string;
}

/**
 * Terminal recordings, kept with their class in the database (so they survive a restart,
 * go with the class and its member by cascade, and work on both dialects): one row per
 * terminal, its asciicast events appended in chunks. The only module that reads or writes them.
 */
export class RecordingStore {
  constructor(private readonly db: Db) {}

  async setRecording(classId: string, on: boolean): Promise<void> {
    await this.db
      .updateTable('classes')
      .set({ recording: on ? 1 : 0 })
      .where('id', '=', classId)
      .execute();
  }

  async isRecording(classId: string): Promise<boolean> {
    const row = await this.db.selectFrom('classes').select('recording').where('id', '=', classId).executeTakeFirst();
    return row?.recording === 1;
  }

  /** The classes that record this learner's terminals: those they are in with recording on. */
  async classesRecording(learner: string): Promise<RecordingClass[]> {
    const rows = await this.db
      .selectFrom('class_members')
      .innerJoin('users', 'users.id', 'class_members.user_id')
      .innerJoin('classes', 'classes.id', 'class_members.class_id')
      .select(['classes.id as classId', 'classes.name as className', 'users.id as userId'])
      .where('users.learner', '=', learner)
      .where('classes.recording', '=', 1)
      .orderBy('classes.name')
      .execute();
    return rows;
  }

  /** Bytes the learner's recordings in the class take. */
  async usedBytes(classId: string, userId: string): Promise<number> {
    const row = await this.db
      .selectFrom('recordings')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number | string>('bytes'), eb.lit(0)).as('used'))
      .where('class_id', '=', classId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(row?.used ?? 0);
  }

  /** Starts a recording of one terminal; returns its id. */
  async start(at: RecordingClass, terminal: string, size: { cols: number; rows: number }, startedAt: Date): Promise<string> {
    const id = randomBytes(9).toString('base64url');
    await this.db
      .insertInto('recordings')
      .values({ id, class_id: at.classId, user_id: at.userId, terminal, started_at: startedAt.toISOString(), cols: size.cols, rows: size.rows, bytes: 0, duration: 0, capped: 0 })
      .execute();
    return id;
  }

  /**
   * Appends event lines as chunk `seq`. Returns false, storing nothing, when the
   * recording is gone (its learner left the class) or its class stopped recording.
   */
  async append(id: string, seq: number, events: string, progress: { bytes: number; duration: number; capped: boolean }): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('recordings')
        .innerJoin('classes', 'classes.id', 'recordings.class_id')
        .select('classes.recording')
        .where('recordings.id', '=', id)
        .executeTakeFirst();
      if (row?.recording !== 1) return false;
      await trx.insertInto('recording_chunks').values({ recording_id: id, seq, events }).execute();
      await trx
        .updateTable('recordings')
        .set((eb) => ({ bytes: eb('bytes', '+', progress.bytes), duration: progress.duration, capped: progress.capped ? 1 : 0 }))
        .where('id', '=', id)
        .execute();
      return true;
    });
  }

  /** The learner's recordings in the class, oldest first; empty ones left out. */
  async list(classId: string, userId: string): Promise<RecordingInfo[]> {
    const rows = await this.db
      .selectFrom('recordings')
      .selectAll()
      .where('class_id', '=', classId)
      .where('user_id', '=', userId)
      .where('bytes', '>', 0)
      .orderBy('started_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ id: r.id, terminal: r.terminal, startedAt: r.started_at, cols: r.cols, rows: r.rows, bytes: r.bytes, duration: r.duration, capped: r.capped === 1 }));
  }

  /** One recording as an asciicast v2 file, if it is this learner's in this class. */
  async cast(classId: string, userId: string, id: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('recordings').selectAll().where('id', '=', id).where('class_id', '=', classId).where('user_id', '=', userId).executeTakeFirst();
    if (!row) return undefined;
    const chunks = await this.db.selectFrom('recording_chunks').select('events').where('recording_id', '=', id).orderBy('seq').execute();
    return castHeader({ cols: row.cols, rows: row.rows, startedAt: Date.parse(row.started_at), title: row.terminal }) + chunks.map((c) => c.events).join('');
  }
}
