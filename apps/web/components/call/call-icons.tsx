/* Small stroke icons for the call controls; decorative (the buttons carry the words). */

const common = {
  width: 22,
  height: 22,
  viewBox: '0 0 24 24',
  fill: 'none',
  stroke: 'currentColor',
  strokeWidth: 2,
  strokeLinecap: 'round' as const,
  strokeLinejoin: 'round' as const,
  'aria-hidden': true,
  focusable: false,
};

export function MicIcon({ off = false }: { off?: boolean }) {
  return (
    <svg {...common}>
      <rect x="9" y="3" width="6" height="11" rx="3" />
      <path d="M5 11a7 7 0 0 0 14 0M12 18v3" />
      {off ? <path d="M4 4l16 16" /> : null}
    </svg>
  );
}

export function CameraIcon({ off = false }: { off?: boolean }) {
  return (
    <svg {...common}>
      <rect x="3" y="6" width="13" height="12" rx="2" />
      <path d="M16 10.5l5-3v9l-5-3" />
      {off ? <path d="M3 3l18 18" /> : null}
    </svg>
  );
}

export function HangUpIcon() {
  return (
    <svg {...common}>
      <path d="M3.5 14.5c5-4.7 12-4.7 17 0l-1.9 2.3a1 1 0 0 1-1.2.3l-2.6-1.1a1 1 0 0 1-.6-.9v-2a11 11 0 0 0-4.4 0v2a1 1 0 0 1-.6.9l-2.6 1.1a1 1 0 0 1-1.2-.3z" />
    </svg>
  );
}

export function PhoneIcon() {
  return (
    <svg {...common} width={16} height={16}>
      <path d="M5 4h3l2 5-2.5 1.5a11 11 0 0 0 6 6L15 14l5 2v3a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2" />
    </svg>
  );
}

export function VideoIcon() {
  return (
    <svg {...common} width={16} height={16}>
      <rect x="3" y="6" width="13" height="12" rx="2" />
      <path d="M16 10.5l5-3v9l-5-3" />
    </svg>
  );
}

export function CloseIcon() {
  return (
    <svg {...common} width={18} height={18}>
      <path d="M6 6l12 12M18 6L6 18" />
    </svg>
  );
}

export function MinimizeIcon() {
  return (
    <svg {...common} width={18} height={18}>
      <path d="M4 14h6v6M20 10h-6V4" />
    </svg>
  );
}

export function ExpandIcon() {
  return (
    <svg {...common} width={18} height={18}>
      <path d="M14 4h6v6M10 20H4v-6" />
    </svg>
  );
}

export function FullscreenIcon({ exit = false }: { exit?: boolean }) {
  return (
    <svg {...common} width={18} height={18}>
      {exit ? (
        <path d="M9 4v5H4M15 4v5h5M9 20v-5H4M15 20v-5h5" />
      ) : (
        <path d="M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5" />
      )}
    </svg>
  );
}

export function ChatIcon() {
  return (
    <svg {...common}>
      <path d="M4 5h16v11H9l-5 4z" />
    </svg>
  );
}

export function SideColumnIcon({ shown }: { shown: boolean }) {
  return (
    <svg {...common}>
      <rect x="3" y="4" width="18" height="16" rx="2" />
      <path d="M15 4v16" />
      {shown ? null : <path d="M10 10l-2 2 2 2" />}
    </svg>
  );
}
