import { describe, expect, it } from 'vitest';
import { HTTP_BAD_REQUEST, schemas } from '../src/index.js';
import { alice, bob } from './fixtures.js';

describe('GET /api/rooms/:room/members body (schemas.membersPage)', () => {
  it.each([
    ['a page of members', { online: 250, members: [alice, bob] }],
    ['an unknown room', { online: 0, members: [] }],
    ['the page after the last member', { online: 2, members: [] }],
  ])('accepts %s', (_label, body) => {
    const result = schemas.membersPage.safeParse(body);
    expect(result.success && result.data).toEqual(body);
  });

  it.each([
    ['no online', { members: [] }],
    ['a negative online', { online: -1, members: [] }],
    ['a fractional online', { online: 0.5, members: [] }],
    ['no members', { online: 0 }],
    ['members an object', { online: 1, members: alice }],
    ['a member without userId', { online: 1, members: [{ name: 'Alice' }] }],
    ['a member that is a userId string', { online: 1, members: ['u-1'] }],
  ])('refuses %s', (_label, body) => {
    expect(schemas.membersPage.safeParse(body).success).toBe(false);
  });
});

describe('HTTP 400 body (schemas.httpError)', () => {
  it('accepts {code: "bad_request", message}', () => {
    const body = { code: HTTP_BAD_REQUEST, message: 'limit must be a decimal integer >= 1' };
    const result = schemas.httpError.safeParse(body);
    expect(result.success && result.data).toEqual(body);
  });

  it.each([
    ['no message', { code: 'bad_request' }],
    ['no code', { message: 'bad limit' }],
    ['a numeric code', { code: 400, message: 'bad limit' }],
    ['a message that is not a string', { code: 'bad_request', message: { text: 'x' } }],
  ])('refuses %s', (_label, body) => {
    expect(schemas.httpError.safeParse(body).success).toBe(false);
  });
});
