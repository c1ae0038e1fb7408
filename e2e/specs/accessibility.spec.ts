/**
 * WCAG 2.2 AA, checked by axe-core on every page of the tour (support/tour-pages.ts) in light
 * and dark, at desktop size: no violation of the A and AA rules, none switched off.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { DESKTOP, TOUR_PAGES, type ColorScheme } from '../support/tour-pages.js';

const WCAG_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
/** axe-core's result for one rule (axe-core itself is a dependency of @axe-core/playwright). */
type Violation = Awaited<ReturnType<AxeBuilder['analyze']>>['violations'][number];

const COLOR_SCHEMES: readonly ColorScheme[] = ['light', 'dark'];

/** One line per element that fails a rule: rule, impact, selector, and axe's summary of why. */
function describeViolations(violations: readonly Violation[]): string[] {
  return violations.flatMap((violation) =>
    violation.nodes.map((node) => {
      const target = node.target.map((part) => JSON.stringify(part)).join(' > ');
      const why = (node.failureSummary ?? violation.help).replace(/\s*\n\s*/g, ' ');
      return `${violation.id} (${violation.impact ?? 'no impact'}) at ${target}: ${why}`;
    }),
  );
}

for (const tourPage of TOUR_PAGES) {
  for (const colorScheme of COLOR_SCHEMES) {
    test(`${tourPage.name}: ${tourPage.title}, ${colorScheme}: no WCAG 2.2 AA violations`, async ({
      browser,
      baseURL,
    }, testInfo) => {
      // axe takes 30 s and more here on a page beside two browsers encoding and decoding video.
      test.slow(tourPage.name === 'call', 'axe beside a live video call');
      const opened = await tourPage.open({
        browser,
        baseURL: baseURL ?? '',
        viewport: DESKTOP,
        colorScheme,
      });
      try {
        await expect(opened.ready).toBeVisible();
        await opened.page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
        const results = await new AxeBuilder({ page: opened.page })
          .withTags(WCAG_AA_TAGS)
          .analyze();
        const lines = describeViolations(results.violations);
        if (lines.length > 0) {
          await testInfo.attach('axe-violations.json', {
            body: JSON.stringify(results.violations, null, 2),
            contentType: 'application/json',
          });
        }
        expect(
          lines,
          `${tourPage.name} (${colorScheme}): ${results.violations.length} axe rule(s) failed`,
        ).toEqual([]);
      } finally {
        await opened.close(testInfo);
      }
    });
  }
}
