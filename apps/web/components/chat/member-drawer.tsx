'use client';

import { useEffect, useRef, type KeyboardEvent, type ReactNode, type RefObject } from 'react';
import styles from './chat.module.css';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), textarea:not([disabled]), select:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * The member list of a narrow room, as a modal sheet: labelled by the list's heading, focus
 * moved into it on opening and kept inside (Tab and Shift+Tab wrap around), closed by Esc, by
 * its close button or a click on the backdrop, and focus given back to `returnFocusTo` then.
 */
export function MemberDrawer({
  open,
  labelledBy,
  returnFocusTo,
  onClose,
  children,
}: {
  open: boolean;
  labelledBy: string;
  returnFocusTo: RefObject<HTMLElement | null>;
  onClose: () => void;
  children: ReactNode;
}) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!open || !dialog) return;
    // A browser without modal dialogs still shows it; Tab is kept inside by onKeyDown.
    if (typeof dialog.showModal === 'function') dialog.showModal();
    else dialog.setAttribute('open', '');
    closeRef.current?.focus();
    const opener = returnFocusTo.current;
    return () => {
      // Back where the user was, unless something else (a call view) took the focus meanwhile.
      const lost = document.activeElement === null || document.activeElement === document.body;
      if (opener?.isConnected && lost) opener.focus();
    };
  }, [open, returnFocusTo]);

  function onKeyDown(event: KeyboardEvent<HTMLDialogElement>) {
    if (event.key === 'Escape') {
      event.preventDefault();
      onClose();
      return;
    }
    if (event.key !== 'Tab') return;
    const focusable = [...event.currentTarget.querySelectorAll<HTMLElement>(FOCUSABLE)];
    const first = focusable[0];
    const last = focusable.at(-1);
    if (!first || !last) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }

  if (!open) return null;
  return (
    <dialog
      ref={dialogRef}
      className={styles.drawer}
      data-testid="members-drawer"
      aria-labelledby={labelledBy}
      aria-modal="true"
      onKeyDown={onKeyDown}
      // Esc on a native modal dialog: closed through the state instead, like the button.
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onClick={(event) => {
        if (event.target === event.currentTarget) onClose();
      }}
    >
      <div className={styles.drawerBody}>
        <button
          ref={closeRef}
          type="button"
          className={styles.drawerClose}
          data-testid="members-drawer-close"
          aria-label="Close the member list"
          onClick={onClose}
        >
          <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path
              d="M6 6l12 12M18 6L6 18"
              stroke="currentColor"
              strokeWidth="2"
              strokeLinecap="round"
            />
          </svg>
        </button>
        {children}
      </div>
    </dialog>
  );
}
