import { describe, expect, it } from 'vitest';
import type { User } from '@duplex/protocol';
import { namesakeTags } from '@/lib/member-labels';

const annA: User = { userId: '3f2a91c0-7d3e-4b1a-9f00-0a1b2c3d4e5f', name: 'Ann' };
const annB: User = { userId: '9c01ab77-1e2f-4a3b-8c4d-5e6f7a8b9c0d', name: 'Ann' };
const bob: User = { userId: '5b6c7d8e-0000-4000-8000-000000000001', name: 'Bob' };

function entries(tags: ReadonlyMap<string, string>): [string, string][] {
  return [...tags].sort(([a], [b]) => a.localeCompare(b));
}

describe('namesakeTags', () => {
  it('tags nobody when every name is different', () => {
    expect(namesakeTags([annA, bob]).size).toBe(0);
    expect(namesakeTags([]).size).toBe(0);
  });

  it('tags each namesake with the first four letters of its userId, and nobody else', () => {
    const tags = namesakeTags([annA, bob, annB]);
    expect(entries(tags)).toEqual(
      entries(
        new Map([
          [annA.userId, '3f2a'],
          [annB.userId, '9c01'],
        ]),
      ),
    );
  });

  it('reads names that differ only in case, spaces or Unicode form as the same', () => {
    const zoeComposed: User = { userId: 'aaaa1111', name: 'Zo\u00eb' };
    const zoeDecomposed: User = { userId: 'bbbb2222', name: '  zoe\u0308 ' };
    const ANN: User = { userId: 'cccc3333', name: 'ANN' };
    const tags = namesakeTags([zoeComposed, zoeDecomposed, annA, ANN]);
    expect(tags.get(zoeComposed.userId)).toBe('aaaa');
    expect(tags.get(zoeDecomposed.userId)).toBe('bbbb');
    expect(tags.get(annA.userId)).toBe('3f2a');
    expect(tags.get(ANN.userId)).toBe('cccc');
  });

  it('does not take one user listed twice (a member who also sent messages) for two', () => {
    expect(namesakeTags([annA, bob, { ...annA }]).size).toBe(0);
    const tags = namesakeTags([annA, annB, annA, annB]);
    expect(entries(tags)).toEqual(
      entries(
        new Map([
          [annA.userId, '3f2a'],
          [annB.userId, '9c01'],
        ]),
      ),
    );
  });

  it('lengthens tags only as far as needed to tell namesakes apart', () => {
    const first: User = { userId: '3f2a91c0', name: 'Ann' };
    const second: User = { userId: '3f2a77d1', name: 'Ann' };
    const third: User = { userId: '3f2a7e00', name: 'Ann' };
    expect(entries(namesakeTags([first, second]))).toEqual(
      entries(
        new Map([
          [first.userId, '3f2a9'],
          [second.userId, '3f2a7'],
        ]),
      ),
    );
    expect(entries(namesakeTags([first, second, third]))).toEqual(
      entries(
        new Map([
          [first.userId, '3f2a91'],
          [second.userId, '3f2a77'],
          [third.userId, '3f2a7e'],
        ]),
      ),
    );
  });

  it('sizes the tags of each name on its own', () => {
    const annX: User = { userId: '3f2a91c0', name: 'Ann' };
    const annY: User = { userId: '3f2a77d1', name: 'Ann' };
    const bobX: User = { userId: 'aa11bb22', name: 'Bob' };
    const bobY: User = { userId: 'cc33dd44', name: 'Bob' };
    expect(entries(namesakeTags([annX, annY, bobX, bobY]))).toEqual(
      entries(
        new Map([
          [annX.userId, '3f2a9'],
          [annY.userId, '3f2a7'],
          [bobX.userId, 'aa11'],
          [bobY.userId, 'cc33'],
        ]),
      ),
    );
  });

  it('gives the same tags whatever the order of the users', () => {
    const users: User[] = [
      annA,
      annB,
      { userId: '3f2a0000-0000-4000-8000-000000000000', name: 'ann' },
      bob,
      { userId: '77777777-0000-4000-8000-000000000000', name: 'Bob' },
    ];
    const expected = entries(namesakeTags(users));
    expect(expected).toHaveLength(5);
    for (const order of [
      [...users].reverse(),
      [users[3]!, users[0]!, users[4]!, users[2]!, users[1]!],
    ]) {
      expect(entries(namesakeTags(order))).toEqual(expected);
    }
  });

  it("keeps a pair's tags when someone with another name arrives", () => {
    const before = entries(namesakeTags([annA, annB]));
    const after = entries(namesakeTags([annA, annB, bob, { userId: '3f2a0000', name: 'Carol' }]));
    expect(after).toEqual(before);
  });

  it('tags from letters and digits only, lower-cased', () => {
    const upper: User = { userId: 'USR-AB-12-XY', name: 'Ann' };
    const other: User = { userId: 'usr-cd-34-zw', name: 'Ann' };
    expect(entries(namesakeTags([upper, other]))).toEqual(
      entries(
        new Map([
          [upper.userId, 'usra'],
          [other.userId, 'usrc'],
        ]),
      ),
    );
  });

  it('shows ids whole where only punctuation or case tells them apart', () => {
    const dashed: User = { userId: 'AB-12', name: 'Ann' };
    const plain: User = { userId: 'ab12', name: 'Ann' };
    const tags = namesakeTags([dashed, plain]);
    expect(tags.get(dashed.userId)).not.toBe(tags.get(plain.userId));
    expect(entries(tags)).toEqual(
      entries(
        new Map([
          [dashed.userId, 'AB-1'],
          [plain.userId, 'ab12'],
        ]),
      ),
    );
  });

  it('tags short or letterless ids with the whole id', () => {
    const short: User = { userId: 'a', name: 'Ann' };
    const shortToo: User = { userId: 'b7', name: 'Ann' };
    expect(entries(namesakeTags([short, shortToo]))).toEqual(
      entries(
        new Map([
          [short.userId, 'a'],
          [shortToo.userId, 'b7'],
        ]),
      ),
    );
    const dashes: User = { userId: '---', name: 'Bob' };
    const pluses: User = { userId: '+++', name: 'Bob' };
    expect(entries(namesakeTags([dashes, pluses]))).toEqual(
      entries(
        new Map([
          [dashes.userId, '---'],
          [pluses.userId, '+++'],
        ]),
      ),
    );
  });

  it('gives every namesake a tag of its own, even when one id starts another', () => {
    const prefix: User = { userId: 'abcd', name: 'Ann' };
    const longer: User = { userId: 'abcdef', name: 'Ann' };
    expect(entries(namesakeTags([prefix, longer]))).toEqual(
      entries(
        new Map([
          [prefix.userId, 'abcd'],
          [longer.userId, 'abcde'],
        ]),
      ),
    );
  });
});
