const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** Local wall-clock time as HH:MM:SS.mmm. */
export function formatClockTime(timestamp: number): string {
  const date = new Date(timestamp);
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}
