import { describe, expect, it } from 'vitest';
import { repairPercentEncoding } from '@/lib/path-encoding';

describe('repairPercentEncoding', () => {
  it('leaves a path that decodes alone', () => {
    expect(repairPercentEncoding('/rooms/lobby')).toBeNull();
    expect(repairPercentEncoding('/rooms/Team%20Chat')).toBeNull();
    expect(repairPercentEncoding('/rooms/%E0%A4%A8')).toBeNull();
  });

  it.each(['/rooms/%ZZ', '/rooms/%E0%A4%A', '/rooms/100%', '/%zz/x'])(
    'escapes every %% of %s so that it decodes to the text requested',
    (path) => {
      const repaired = repairPercentEncoding(path);
      expect(repaired).not.toBeNull();
      expect(decodeURIComponent(repaired!)).toBe(path);
    },
  );
});
