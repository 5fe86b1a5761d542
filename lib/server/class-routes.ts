import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Account } from '../auth/accounts.ts';
import { formatJoinCode } from '../classes/codes.ts';
import { gradebookCsv, gradebookJson } from '../classes/export.ts';
import { loadGradebook } from '../classes/gradebook.ts';
import { learnerReport } from '../classes/report.ts';
import { NewClassSession } from '../classes/sessions.ts';
import { canManage, JoinError, NewClass, type ClassInfo, type ClassMember } from '../classes/store.ts';
import {
  ClassCreated,
  ClassesResponse,
  ClassSessionCreated,
  ClassSessionsResponse,
  ClassView,
  CodeResponse,
  GradebookResponse,
  JoinResponse,
  LearnerReportResponse,
} from '../classes/views.ts';
import type { ApiDeps } from './api.ts';
import { exportedRecordings, wantsRecordings } from './recording-routes.ts';
import { HttpError, readBody, sendFile, sendJson } from './http.ts';
import { resetOrRefuse } from './machine-routes.ts';
import { ID, requireAccount, requireRole, type Route } from './routes.ts';

const JoinRequest = z.strictObject({ code: z.string().max(40) });

/** A class as its instructor sees it, join code included. */
function classView(info: ClassInfo): z.input<typeof ClassView> {
  const joinCode = formatJoinCode(info.joinCode);
  return {
    id: info.id,
    name: info.name,
    instructor: { name: info.instructor.name, email: info.instructor.email },
    deadline: info.deadline,
    lessons: info.lessons,
    members: info.members,
    createdAt: info.createdAt,
    joinCode,
    joinPath: `/join/${joinCode}`,
    recording: info.recording,
  };
}

/** The class, if this account teaches it (or is an admin): 404 when there is none, 403 when it is someone else's. */
export async function managedClass(deps: ApiDeps, account: Account, id: string): Promise<ClassInfo> {
  const info = await deps.classes.get(id);
  if (!info) throw new HttpError(404, `there is no class with the id ${id}`);
  if (!canManage(account, info)) throw new HttpError(403, `the class '${info.name}' is not yours: only its instructor and admins see it`);
  return info;
}

export async function classMember(deps: ApiDeps, info: ClassInfo, userId: string): Promise<ClassMember> {
  const member = (await deps.classes.members(info.id)).find((m) => m.userId === userId);
  if (!member) throw new HttpError(404, `that learner is not in the class '${info.name}'`);
  return member;
}

async function gradebookOf(deps: ApiDeps, info: ClassInfo) {
  return loadGradebook(deps.results, info, await deps.classes.members(info.id), await deps.lessons());
}

async function reportOf(deps: ApiDeps, info: ClassInfo, member: ClassMember) {
  const [report, machine] = await Promise.all([learnerReport(deps.results, info, member, await deps.lessons()), deps.hasMachine(member.learner)]);
  return { report, machine: machine ? 'running' : 'none' } satisfies z.input<typeof LearnerReportResponse>;
}

/** Classes: create, join, the gradebook and its exports, a learner's evidence, re-check, machine reset, removal, announced sessions. */
export const classRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: /^\/api\/classes$/,
    handle: async ({ res, identity, deps }) => {
      const account = requireAccount(identity);
      const [teaching, joined, lessons] = await Promise.all([deps.classes.taughtBy(account), deps.classes.joinedBy(account.id), deps.lessons()]);
      sendJson(res, 200, {
        teaching: teaching.map(classView),
        joined: joined.map((c) => ({
          id: c.id,
          name: c.name,
          instructor: c.instructor.name,
          deadline: c.deadline,
          joinedAt: c.joinedAt,
          lessons: c.lessons.flatMap((slug) => lessons.filter((l) => l.slug === slug).map((l) => ({ slug, title: l.title, exercises: l.exercises.length }))),
        })),
      } satisfies z.input<typeof ClassesResponse>);
    },
  },
  {
    method: 'POST',
    path: /^\/api\/classes$/,
    handle: async ({ req, res, identity, deps }) => {
      const account = requireRole(identity, 'instructor', 'admin');
      const body = await readBody(req, NewClass);
      const known = new Set((await deps.lessons()).map((l) => l.slug));
      const unknown = body.lessons.filter((slug) => !known.has(slug));
      if (unknown.length > 0) throw new HttpError(422, `lessons: the course has no lesson ${unknown.map((s) => `'${s}'`).join(', ')}`);
      sendJson(res, 201, { class: classView(await deps.classes.create(account, body)) } satisfies z.input<typeof ClassCreated>);
    },
  },
  {
    method: 'POST',
    path: /^\/api\/classes\/join$/,
    handle: async ({ req, res, identity, deps }) => {
      if (!identity.account) throw new HttpError(401, 'sign in (or create an account) to join a class');
      const account = identity.account;
      const { code } = await readBody(req, JoinRequest);
      const wait = deps.joinFailures.retryAfter(account.id);
      if (wait > 0) throw new HttpError(429, `too many wrong codes; try again in ${Math.ceil(wait / 60)} minute(s)`);
      try {
        const { info, alreadyMember } = await deps.classes.join(code, account);
        sendJson(res, 200, { class: { id: info.id, name: info.name, deadline: info.deadline, recording: info.recording }, alreadyMember } satisfies z.input<typeof JoinResponse>);
      } catch (error) {
        if (!(error instanceof JoinError)) throw error;
        if (error.reason === 'bad-code') deps.joinFailures.record(account.id);
        throw new HttpError(error.reason === 'bad-code' ? 404 : 409, error.message);
      }
    },
  },
  {
    method: 'GET',
    path: new RegExp(`^/api/classes/${ID}/gradebook$`),
    handle: async ({ res, params, identity, deps }) => {
      const info = await managedClass(deps, requireAccount(identity), params[0]!);
      sendJson(res, 200, { class: classView(info), gradebook: await gradebookOf(deps, info) } satisfies z.input<typeof GradebookResponse>);
    },
  },
  {
    method: 'GET',
    path: new RegExp(`^/api/classes/${ID}/gradebook\\.(csv|json)$`),
    handle: async ({ req, res, params, identity, deps }) => {
      const info = await managedClass(deps, requireAccount(identity), params[0]!);
      const withRecordings = wantsRecordings(req);
      const gradebook = await gradebookOf(deps, info);
      const filename = `gradebook-${info.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || info.id}`;
      if (params[1] === 'csv') sendFile(res, 'text/csv; charset=utf-8', `${filename}.csv`, gradebookCsv(gradebook));
      else {
        const recordings = withRecordings ? await exportedRecordings(deps, info, await deps.classes.members(info.id)) : undefined;
        sendFile(res, 'application/json', `${filename}.json`, gradebookJson(gradebook, new Date(), recordings));
      }
    },
  },
  {
    method: 'POST',
    path: new RegExp(`^/api/classes/${ID}/code$`),
    handle: async ({ res, params, identity, deps }) => {
      const info = await managedClass(deps, requireAccount(identity), params[0]!);
      const joinCode = formatJoinCode(await deps.classes.rotateCode(info.id));
      sendJson(res, 200, { joinCode, joinPath: `/join/${joinCode}` } satisfies z.input<typeof CodeResponse>);
    },
  },
  {
    method: 'DELETE',
    path: new RegExp(`^/api/classes/${ID}/members/${ID}$`),
    handle: async ({ res, params, identity, deps }) => {
      const info = await managedClass(deps, requireAccount(identity), params[0]!);
      const member = await classMember(deps, info, params[1]!);
      await deps.classes.removeMember(info.id, member.userId);
      sendJson(res, 200, { removed: { userId: member.userId, name: member.name } });
    },
  },
  {
    method: 'GET',
    path: new RegExp(`^/api/classes/${ID}/learners/${ID}$`),
    handle: async ({ res, params, identity, deps }) => {
      const info = await managedClass(deps, requireAccount(identity), params[0]!);
      sendJson(res, 200, await reportOf(deps, info, await classMember(deps, info, params[1]!)));
    },
  },
  {
    method: 'POST',
    path: new RegExp(`^/api/classes/${ID}/learners/${ID}/recheck$`),
    handle: async ({ res, params, identity, deps }) => {
      const info = await managedClass(deps, requireAccount(identity), params[0]!);
      const member = await classMember(deps, info, params[1]!);
      if (!(await deps.hasMachine(member.learner))) {
        throw new HttpError(409, `${member.name} has no machine running now, so there is nothing to check; the results shown are from their last session`);
      }
      // The learner's own live checks: recorded like any other run, and their open pages see it.
      await deps.live.check(member.learner, info.lessons, `${member.learner}/recheck-${randomUUID()}`, 'platform').catch((error: unknown) => {
        throw new HttpError(502, `the checks could not run on ${member.name}'s machine: ${error instanceof Error ? error.message : String(error)}`);
      });
      sendJson(res, 200, await reportOf(deps, info, member));
    },
  },
  {
    method: 'POST',
    path: new RegExp(`^/api/classes/${ID}/learners/${ID}/reset$`),
    handle: async ({ res, params, identity, deps }) => {
      const account = requireAccount(identity);
      const info = await managedClass(deps, account, params[0]!);
      const member = await classMember(deps, info, params[1]!);
      await resetOrRefuse(res, () => deps.resets.reset(member.learner, { kind: 'instructor', name: account.name }));
      sendJson(res, 200, await reportOf(deps, info, member));
    },
  },
  {
    method: 'GET',
    path: new RegExp(`^/api/classes/${ID}/sessions$`),
    handle: async ({ res, params, identity, deps }) => {
      const info = await managedClass(deps, requireAccount(identity), params[0]!);
      sendJson(res, 200, { sessions: await deps.classSessions.list(info.id) } satisfies z.input<typeof ClassSessionsResponse>);
    },
  },
  {
    method: 'POST',
    path: new RegExp(`^/api/classes/${ID}/sessions$`),
    handle: async ({ req, res, params, identity, deps }) => {
      const info = await managedClass(deps, requireAccount(identity), params[0]!);
      const body = await readBody(req, NewClassSession);
      sendJson(res, 201, { session: await deps.classSessions.announce(info.id, body) } satisfies z.input<typeof ClassSessionCreated>);
    },
  },
  {
    method: 'DELETE',
    path: new RegExp(`^/api/classes/${ID}/sessions/${ID}$`),
    handle: async ({ res, params, identity, deps }) => {
      const info = await managedClass(deps, requireAccount(identity), params[0]!);
      if (!(await deps.classSessions.remove(info.id, params[1]!))) throw new HttpError(404, `the class '${info.name}' has no session with the id ${params[1]}`);
      res.writeHead(204, { 'Cache-Control': 'no-store' }).end();
    },
  },
];
