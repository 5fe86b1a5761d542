import { afterEach, beforeEach, expect, it } from 'vitest';
import type { AccountServices } from './api.ts';
import { startApiServer, type ApiServer } from './testing.ts';

/** Who may turn a class's recording on, fetch its recordings and export them: over HTTP, with real accounts and classes. */
let api: ApiServer;
let base: string;
let services: AccountServices;

const lessons = [{ slug: 'files', title: 'Files', exercises: [{ id: 'find-bundle', title: 'Find the bundle' }] }];

beforeEach(async () => {
  api = await startApiServer({ signUpsPerAddress: 50, trustedProxies: [], lessons: async () => lessons });
  ({ base, services } = api);
});

afterEach(() => api.close());

/** A browser with its cookies, sending this site's Origin unless told otherwise. */
class Browser {
  private readonly cookies = new Map<string, string>();

  async fetch(method: string, path: string, body?: unknown, origin = `http://${base}`) {
    const response = await fetch(`http://${base}${path}`, {
      method,
      headers: { origin, cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '), ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const set of response.headers.getSetCookie()) {
      const pair = set.split(';')[0]!;
      this.cookies.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
    const text = await response.text();
    const type = response.headers.get('content-type');
    return { status: response.status, text, type, json: (type?.startsWith('application/json') ? JSON.parse(text) : {}) as Record<string, unknown> };
  }

  get = (path: string) => this.fetch('GET', path);
  post = (path: string, body: unknown = {}) => this.fetch('POST', path, body);
}

async function account(name: string, role: 'learner' | 'instructor' | 'admin' = 'learner'): Promise<Browser> {
  const browser = new Browser();
  expect((await browser.post('/api/auth/signup', { email: `${name}@example.org`, name, password: 'a long enough password' })).status).toBe(201);
  if (role !== 'learner') await services.accounts.setRole((await services.accounts.byEmail(`${name}@example.org`))!.id, role);
  return browser;
}

it("only the class's instructor and admins turn recording on, fetch a learner's recordings and export them", async () => {
  const [teacher, other, admin, ann, bob] = await Promise.all([account('teacher', 'instructor'), account('other', 'instructor'), account('admin', 'admin'), account('ann'), account('bob')]);
  const info = (await teacher.post('/api/classes', { name: 'Containers 101', lessons: ['files'], deadline: '2030-12-01T17:00:00Z' })).json.class as { id: string; joinCode: string; recording: boolean };
  expect(info.recording).toBe(false);
  expect((await ann.post('/api/classes/join', { code: info.joinCode })).json.class).toMatchObject({ recording: false });
  expect((await ann.get('/api/recordings/mine')).json).toEqual({ classes: [] });

  // Turning it on: the class's instructor or an admin; the body says on or off.
  const setting = `/api/classes/${info.id}/recording`;
  for (const outsider of [other, ann]) expect((await outsider.post(setting, { on: true })).status).toBe(403);
  expect((await new Browser().post(setting, { on: true })).status).toBe(401);
  expect((await teacher.fetch('POST', setting, { on: true }, 'http://evil.example')).status).toBe(403);
  const bad = await teacher.post(setting, { on: 'yes' });
  expect(bad.status).toBe(422);
  expect(bad.json.error).toMatch(/^on: /);
  expect((await teacher.post(setting, { on: true })).json).toEqual({ recording: true });
  expect((await admin.post(setting, { on: true })).json).toEqual({ recording: true });

  // Learners are told: when joining, and the terminal asks.
  expect((await bob.post('/api/classes/join', { code: info.joinCode })).json.class).toMatchObject({ recording: true });
  expect((await ann.get('/api/recordings/mine')).json).toEqual({ classes: [{ id: info.id, name: 'Containers 101' }] });
  expect((await other.get('/api/recordings/mine')).json).toEqual({ classes: [] });
  expect((await new Browser().get('/api/recordings/mine')).json).toEqual({ classes: [] });

  // Ann's terminal was recorded, and she passed an exercise two seconds in.
  const annAccount = (await services.accounts.byEmail('ann@example.org'))!;
  const bobAccount = (await services.accounts.byEmail('bob@example.org'))!;
  const [at] = await services.recordings.classesRecording(annAccount.learner);
  const started = new Date(Date.now() - 10_000);
  const id = await services.recordings.start(at!, 'main', { cols: 80, rows: 24 }, started);
  await services.recordings.append(id, 0, '[0.5,"o","$ runc list\\r\\n"]\n[3,"o","$ "]\n', { bytes: 40, duration: 3, capped: false });
  await api.results.record(annAccount.learner, 'files', { exercise: 'find-bundle', status: 'passed', assertions: [], at: new Date(started.getTime() + 2000).toISOString(), cause: 'command' });

  const list = `/api/classes/${info.id}/learners/${annAccount.id}/recordings`;
  const cast = `${list}/${id}.cast`;
  for (const reader of [teacher, admin]) {
    const listed = await reader.get(list);
    expect(listed.status).toBe(200);
    expect(listed.json).toEqual({
      recording: true,
      recordings: [{ id, terminal: 'main', startedAt: started.toISOString(), cols: 80, rows: 24, bytes: 40, duration: 3, capped: false, markers: [[2, '✓ passed: Find the bundle']] }],
    });
    const file = await reader.get(cast);
    expect([file.status, file.type]).toEqual([200, 'application/x-asciicast; charset=utf-8']);
    expect(file.text.split('\n')[1]).toBe('[0.5,"o","$ runc list\\r\\n"]');
  }
  // Not the other instructor, not the learner herself, not another learner, not a visitor.
  for (const outsider of [other, ann, bob]) {
    expect((await outsider.get(list)).status).toBe(403);
    expect((await outsider.get(cast)).status).toBe(403);
  }
  expect((await new Browser().get(cast)).status).toBe(401);
  // Ann's recording under Bob's path, or a learner not in the class: nothing.
  expect((await teacher.get(`/api/classes/${info.id}/learners/${bobAccount.id}/recordings/${id}.cast`)).status).toBe(404);
  expect((await teacher.get(`/api/classes/${info.id}/learners/${(await services.accounts.byEmail('other@example.org'))!.id}/recordings`)).status).toBe(404);

  // The JSON export carries them on request only.
  const plain = await teacher.get(`/api/classes/${info.id}/gradebook.json`);
  expect(JSON.parse(plain.text)).not.toHaveProperty('recordings');
  const exported = JSON.parse((await teacher.get(`/api/classes/${info.id}/gradebook.json?recordings=1`)).text) as { recordings: unknown[] };
  expect(exported.recordings).toEqual([
    { learner_id: annAccount.id, terminal: 'main', started_at: started.toISOString(), duration: 3, bytes: 40, capped: false, markers: [[2, '✓ passed: Find the bundle']], asciicast: expect.stringContaining('runc list') },
  ]);
  expect((await teacher.get(`/api/classes/${info.id}/gradebook.json?recordings=yes`)).status).toBe(422);
  expect((await other.get(`/api/classes/${info.id}/gradebook.json?recordings=1`)).status).toBe(403);

  // Ann leaves the class: her recordings go with her membership.
  expect((await teacher.fetch('DELETE', `/api/classes/${info.id}/members/${annAccount.id}`)).status).toBe(200);
  expect(await services.recordings.list(info.id, annAccount.id)).toEqual([]);
  expect((await teacher.post(setting, { on: false })).json).toEqual({ recording: false });
  expect((await bob.get('/api/recordings/mine')).json).toEqual({ classes: [] });
});
