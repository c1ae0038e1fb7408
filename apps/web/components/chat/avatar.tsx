import type { CSSProperties } from 'react';
import { avatarColour } from '@/lib/avatar-colour';
import { initialOf } from '@/lib/call-text';
import styles from './chat.module.css';

/**
 * A person's initial on a colour of their own (from their userId): tells apart two people of
 * the same name at a glance. Decorative: the name is always written next to it.
 */
export function Avatar({ userId, name }: { userId: string | null; name: string }) {
  const colour = userId === null ? null : avatarColour(userId);
  const style = colour
    ? ({
        '--avatar-light-bg': colour.light.background,
        '--avatar-light-fg': colour.light.text,
        '--avatar-dark-bg': colour.dark.background,
        '--avatar-dark-fg': colour.dark.text,
      } as CSSProperties)
    : undefined;
  return (
    <span className={styles.avatar} style={style} data-testid="avatar" aria-hidden="true">
      {initialOf(name)}
    </span>
  );
}
