/**
 * Where keyboard focus goes back to once the call is over: the element that had it before the
 * call UI took it (the composer, a member's call button), else the composer, else the page.
 * Focus is never left on `<body>`.
 */

const COMPOSER_SELECTOR = '[data-testid="composer-input"]';
const CALL_UI_SELECTOR = '[data-call-ui]';

let returnTarget: HTMLElement | null = null;

/** Whether focus is nowhere in particular (on `<body>`, or gone with a removed element). */
export function focusIsLost(doc: Document = document): boolean {
  const active = doc.activeElement;
  return active === null || active === doc.body || active === doc.documentElement;
}

/** Whether the user is typing: Enter there must not answer a call. */
export function isTyping(element: Element | null): boolean {
  if (!element) return false;
  if (element instanceof HTMLTextAreaElement) return !element.readOnly && !element.disabled;
  if (element instanceof HTMLInputElement) {
    const textual = ['text', 'search', 'email', 'url', 'tel', 'password', 'number', ''];
    return textual.includes(element.type) && !element.readOnly && !element.disabled;
  }
  return element instanceof HTMLElement && element.isContentEditable;
}

/** Remembers what has focus now, unless it is part of the call UI or nothing. */
export function rememberFocus(doc: Document = document): void {
  const active = doc.activeElement;
  if (!(active instanceof HTMLElement) || focusIsLost(doc)) return;
  if (active.closest(CALL_UI_SELECTOR)) return;
  returnTarget = active;
}

function canTakeFocus(element: HTMLElement | null, doc: Document): element is HTMLElement {
  if (!element || !element.isConnected || !doc.contains(element)) return false;
  if ((element as HTMLButtonElement).disabled) return false;
  return element.closest('[inert]') === null;
}

/**
 * Moves focus back to the page: to what had it before the call, else the composer, else the
 * page's main landmark. Only when focus is lost or still in the call UI that is going away.
 */
export function returnFocus(doc: Document = document): void {
  const active = doc.activeElement;
  const inCallUi = active instanceof HTMLElement && active.closest(CALL_UI_SELECTOR) !== null;
  const target = returnTarget;
  returnTarget = null;
  if (!focusIsLost(doc) && !inCallUi) return;
  returnFocusTo(target, doc);
}

function returnFocusTo(target: HTMLElement | null, doc: Document): void {
  const composer = doc.querySelector<HTMLElement>(COMPOSER_SELECTOR);
  for (const candidate of [target, composer]) {
    if (!canTakeFocus(candidate, doc)) continue;
    candidate.focus({ preventScroll: true });
    if (doc.activeElement === candidate) return;
  }
  const main = doc.querySelector<HTMLElement>('main');
  if (main) {
    if (!main.hasAttribute('tabindex')) main.tabIndex = -1;
    main.focus({ preventScroll: true });
  }
}

/** Moves focus into the call UI (to `element`), remembering first where it was. */
export function takeFocus(element: HTMLElement | null, doc: Document = document): void {
  if (!element) return;
  rememberFocus(doc);
  element.focus({ preventScroll: true });
}

/**
 * Puts focus on the page beside the call (what had it before the call, else the composer, else
 * the main landmark) and keeps that target for when the call ends.
 */
export function focusPage(doc: Document = document): void {
  const target = returnTarget;
  returnFocusTo(target, doc);
  returnTarget = target;
}
