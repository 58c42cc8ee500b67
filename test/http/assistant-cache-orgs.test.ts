// The assistant read cache is keyed by organization as well as id: an assistant one organization
// read (and so cached) is still not found by another organization asking the same server for it.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AssistantRepository } from '../../src/assistants/assistant-repository.ts';
import { createAssistant, startTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe('the assistant cache across organizations', () => {
  it('another organization’s owner gets 404 for an assistant its owner just read, by either id', async () => {
    const a = await createAssistant(t);
    // Read as the owner, twice, by both ids: the second reads come from memory.
    const finds = vi.spyOn(AssistantRepository.prototype, 'findInOrg');
    try {
      for (const id of [a.id, a.providerAssistantId, a.id, a.providerAssistantId]) {
        expect((await t.request(t.owner.cookie, 'GET', `/assistants/${id}`)).statusCode).toBe(200);
      }
      // The cache is on: the repeated reads did not reach the database.
      expect(finds.mock.calls.length).toBeLessThanOrEqual(2);
    } finally {
      finds.mockRestore();
    }

    // A member of this organization who makes their own organization is that one's owner.
    const other = await t.userWithRole('viewer');
    const org = await t.request(other.cookie, 'POST', '/orgs', { name: 'Other organization' });
    expect(org.statusCode).toBe(201);
    const switched = await t.request(other.cookie, 'POST', '/auth/active-org', { orgId: org.json().orgId });
    expect(switched.json().activeOrgId).toBe(org.json().orgId);
    expect(org.json().role).toBe('owner');

    const ids = [a.id, a.providerAssistantId];
    const reads = [];
    for (const id of ids) reads.push(await t.request(other.cookie, 'GET', `/assistants/${id}`));
    expect(reads.map((res) => [res.statusCode, res.json().code])).toEqual(ids.map(() => [404, 'not_found']));
    // Nor can it change or delete what it cannot see.
    for (const id of ids) {
      expect(
        (await t.request(other.cookie, 'PATCH', `/assistants/${id}`, { name: 'Taken' })).statusCode,
      ).toBe(404);
      expect((await t.request(other.cookie, 'DELETE', `/assistants/${id}`)).statusCode).toBe(404);
    }
    // The owner still reads it, unchanged.
    expect((await t.request(t.owner.cookie, 'GET', `/assistants/${a.id}`)).json().name).toBe(a.name);
  });
});
