import { NextResponse, type NextRequest } from 'next/server';
import { repairPercentEncoding } from '@/lib/path-encoding';

/** Undecodable paths are served as the page their text names (an invalid room, or not found). */
export function proxy(request: NextRequest) {
  const repaired = repairPercentEncoding(request.nextUrl.pathname);
  if (repaired === null) return NextResponse.next();
  const url = request.nextUrl.clone();
  url.pathname = repaired;
  return NextResponse.rewrite(url);
}

export const config = {
  // Pages only: the framework's own files and the icon never carry user-typed paths.
  matcher: ['/((?!_next/|icon\\.svg$|favicon\\.ico$).*)'],
};
