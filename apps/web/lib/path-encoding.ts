/**
 * A path whose percent-encoding cannot be decoded (`/rooms/%ZZ`, a cut UTF-8 sequence such as
 * `/rooms/%E0%A4%A`) makes the framework fail before any page runs. Escaping every `%` of such
 * a path gives one that decodes to exactly the text that was requested, so the page can show it.
 *
 * Returns the repaired path, or null when the path decodes as it is.
 */
export function repairPercentEncoding(pathname: string): string | null {
  try {
    decodeURIComponent(pathname);
    return null;
  } catch {
    return pathname.replaceAll('%', '%25');
  }
}
