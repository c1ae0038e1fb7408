import { memo } from 'react';
import { linkify } from '@/lib/linkify';

/** The id of the hidden "Opens in a new tab" that the message list renders once. */
export const NEW_TAB_NOTE_ID = 'message-link-new-tab';

/**
 * A message's text as sent, its http(s) addresses as links that open in a new tab. Everything
 * is React text: markup in a message is shown, never run.
 */
export const MessageText = memo(function MessageText({ text }: { text: string }) {
  return linkify(text).map((segment, index) =>
    segment.kind === 'link' ? (
      <a
        key={index}
        href={segment.href}
        target="_blank"
        rel="noopener noreferrer"
        aria-describedby={NEW_TAB_NOTE_ID}
      >
        {segment.text}
      </a>
    ) : (
      segment.text
    ),
  );
});
