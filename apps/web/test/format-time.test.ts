import { describe, expect, it } from 'vitest';
import { formatClockTime, formatHourMinute } from '@/lib/format-time';

// Times are built from local parts, so the expected words hold in any time zone.
const local = (h: number, m: number, s = 0, ms = 0) => new Date(2025, 2, 1, h, m, s, ms);

describe('formatClockTime', () => {
  it('writes local time as HH:MM:SS.mmm', () => {
    expect(formatClockTime(local(3, 4, 5, 6).getTime())).toBe('03:04:05.006');
    expect(formatClockTime(local(23, 59, 59, 999).getTime())).toBe('23:59:59.999');
    expect(formatClockTime(local(0, 0).getTime())).toBe('00:00:00.000');
  });
});

describe('formatHourMinute', () => {
  it('writes local time as HH:MM, from a timestamp or an ISO string', () => {
    expect(formatHourMinute(local(9, 7, 59).getTime())).toBe('09:07');
    expect(formatHourMinute(local(21, 30).toISOString())).toBe('21:30');
  });

  it('writes --:-- for a time it cannot read', () => {
    expect(formatHourMinute('not a time')).toBe('--:--');
    expect(formatHourMinute(Number.NaN)).toBe('--:--');
  });
});
