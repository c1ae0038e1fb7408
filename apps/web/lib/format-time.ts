const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** Local wall-clock time as HH:MM:SS.mmm. */
export function formatClockTime(timestamp: number): string {
  const date = new Date(timestamp);
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** Local wall-clock time as HH:MM, for chat messages. */
export function formatHourMinute(timestamp: number | string): string {
  const date = new Date(timestamp);
  if (Number.isNaN(date.getTime())) return '--:--';
  return `${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
