import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { LoggedRun } from '../checks/store.ts';
import type { ExportedRecording } from '../classes/export.ts';
import type { ClassInfo, ClassMember } from '../classes/store.ts';
import type { RecordingInfo } from '../recordings/store.ts';
import { ClassRecordingRequest, MyRecordingResponse, RecordingsResponse, type ClassRecordingResponse, type RecordingView } from '../recordings/views.ts';
import type { ApiDeps } from './api.ts';
import { classMember, managedClass } from './class-routes.ts';
import { HttpError, readBody, sendJson } from './http.ts';
import { ID, requireAccount, type Route } from './routes.ts';

const MARK = { passed: '✓ passed', failed: '✗ tried', error: '! check error' } as const;

/**
 * How long after a recording's last event a check result still belongs to it: the
 * checks run after the command's output ends (the prompt is the last event), and a
 * terminal with nothing more to print has no later event to mark the time by.
 */
const RESULTS_AFTER_LAST_EVENT_MS = 60_000;

/** Recordings with the learner's tries and passes as markers on their timelines. */
export async function recordingViews(deps: ApiDeps, info: ClassInfo, member: ClassMember, recordings: readonly RecordingInfo[]): Promise<RecordingView[]> {
  const titles = new Map((await deps.lessons().catch(() => [])).flatMap((l) => l.exercises.map((e) => [`${l.slug}/${e.id}`, e.title] as const)));
  return Promise.all(
    recordings.map(async (r): Promise<RecordingView> => {
      const start = Date.parse(r.startedAt);
      const end = new Date(start + r.duration * 1000 + RESULTS_AFTER_LAST_EVENT_MS).toISOString();
      const runs = await deps.results.runsBetween(member.learner, info.lessons, r.startedAt, end);
      return { ...r, markers: runs.map((run) => marker(run, start, r.duration, titles)) };
    }),
  );
}

/**
 * A result after the last event is marked just before it (the player shows no marker at
 * the very end), where the screen shows the command the result followed.
 */
function marker(run: LoggedRun, start: number, duration: number, titles: ReadonlyMap<string, string>): [number, string] {
  const title = titles.get(`${run.lesson}/${run.exercise}`) ?? `${run.lesson}/${run.exercise}`;
  const at = Math.max(0, Math.min(duration - 0.001, (Date.parse(run.at) - start) / 1000));
  return [Number(at.toFixed(3)), `${MARK[run.status]}: ${title}`];
}

/** Turning a class's recording on and off, replaying a learner's terminals, and telling a learner they are recorded. */
export const recordingRoutes: readonly Route[] = [
  {
    method: 'POST',
    path: new RegExp(`^/api/classes/${ID}/recording$`),
    handle: async ({ req, res, params, identity, deps }) => {
      const info = await managedClass(deps, requireAccount(identity), params[0]!);
      const { on } = await readBody(req, ClassRecordingRequest);
      await deps.recordings.setRecording(info.id, on);
      sendJson(res, 200, { recording: on } satisfies z.input<typeof ClassRecordingResponse>);
    },
  },
  {
    method: 'GET',
    path: new RegExp(`^/api/classes/${ID}/learners/${ID}/recordings$`),
    handle: async ({ res, params, identity, deps }) => {
      const info = await managedClass(deps, requireAccount(identity), params[0]!);
      const member = await classMember(deps, info, params[1]!);
      const recordings = await recordingViews(deps, info, member, await deps.recordings.list(info.id, member.userId));
      sendJson(res, 200, { recording: info.recording, recordings } satisfies z.input<typeof RecordingsResponse>);
    },
  },
  {
    method: 'GET',
    path: new RegExp(`^/api/classes/${ID}/learners/${ID}/recordings/${ID}\\.cast$`),
    handle: async ({ res, params, identity, deps }) => {
      const info = await managedClass(deps, requireAccount(identity), params[0]!);
      const member = await classMember(deps, info, params[1]!);
      const cast = await deps.recordings.cast(info.id, member.userId, params[2]!);
      if (cast === undefined) throw new HttpError(404, `${member.name} has no recording ${params[2]} in the class '${info.name}'`);
      res.writeHead(200, { 'Content-Type': 'application/x-asciicast; charset=utf-8', 'Cache-Control': 'no-store' }).end(cast);
    },
  },
  {
    method: 'GET',
    path: /^\/api\/recordings\/mine$/,
    handle: async ({ res, identity, deps }) => {
      const classes = identity.account ? await deps.recordings.classesRecording(identity.account.learner) : [];
      sendJson(res, 200, { classes: classes.map((c) => ({ id: c.classId, name: c.className })) } satisfies z.input<typeof MyRecordingResponse>);
    },
  },
];

const RecordingsFlag = z.enum(['0', '1'], { error: 'is not 0 or 1. Fix: add ?recordings=1 to export the recordings with the gradebook' }).optional();

/** `?recordings=1` on the gradebook's JSON export: the class's recordings go with it. */
export function wantsRecordings(req: IncomingMessage): boolean {
  const value = new URL(req.url ?? '/', 'http://unboxed.invalid').searchParams.get('recordings') ?? undefined;
  const parsed = RecordingsFlag.safeParse(value);
  if (!parsed.success) throw new HttpError(422, `recordings: '${value}' ${parsed.error.issues[0]!.message}`);
  return parsed.data === '1';
}

/** Every recording of the class, with its asciicast, for the JSON export. */
export async function exportedRecordings(deps: ApiDeps, info: ClassInfo, members: readonly ClassMember[]): Promise<ExportedRecording[]> {
  const all = await Promise.all(
    members.map(async (member) => {
      const views = await recordingViews(deps, info, member, await deps.recordings.list(info.id, member.userId));
      return Promise.all(
        views.map(async (r): Promise<ExportedRecording> => ({
          learner_id: member.userId,
          terminal: r.terminal,
          started_at: r.startedAt,
          duration: r.duration,
          bytes: r.bytes,
          capped: r.capped,
          markers: r.markers,
          asciicast: (await deps.recordings.cast(info.id, member.userId, r.id)) ?? '',
        })),
      );
    }),
  );
  return all.flat();
}
